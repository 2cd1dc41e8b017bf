#!/bin/bash
# sitevault report --html in real headless chromium: one self-contained page
# (nothing loaded from elsewhere) with a row per site and category, stale and
# unverified ones marked, inline SVG charts, the last failure, and hostile
# text from the server shown as text.  Screenshots (desktop, phone) and a
# PDF (print) are kept in the build directory as artefacts:
# report-desktop.png, report-phone.png, report.pdf.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
. "$top_srcdir/tests/agent/fleetlib.sh"
need python3
CHROMIUM=${CHROMIUM:-$(command -v chromium || command -v chromium-browser || true)}
[ -n "$CHROMIUM" ] || skip "chromium is not installed (packaging/install-deps)"
ART=${top_builddir:-.}

S=$T/store
mkdir -p "$S"
bk_tree 16 2
bk_keygen
mk_conf() {	# NAME DIR [EXTRA]: a site with its own key, same store
	local d=$2
	mkdir -p "$d"
	[ -f "$d/site.key" ] || "$SITEVAULT" -q keygen --out "$d/site.key" >/dev/null
	SITE=$1 T=$T bk_conf "$d/conf" "$S" "backup.retain = 5" "${@:3}"
	sed -i -e "s|^secret = .*|secret = $d/site.key|" -e "s|^dir = .*|dir = $d/state|" "$d/conf"
}
mk_conf branch-02 "$T/b02"
mk_conf branch-07 "$T/b07"
mk_conf "$SITE" "$T/own" "keys.trusted = branch-02:$T/b02/site.key.pub"
for i in 1 2 3; do
	head -c $((i * 20000)) /dev/urandom >"$T/src/spool/voicemail/1001/new$i.wav"
	"$SITEVAULT" -q -c "$T/own/conf" backup || fail "backup $i"
done
"$SITEVAULT" -q -c "$T/b02/conf" backup || fail "backup of branch-02"
"$SITEVAULT" -q -c "$T/b07/conf" backup --category data || fail "backup of branch-07"
# A hostile history line on the server: markup that must stay text.
printf '2026-12-01T02:00:00Z\tbackup\tData\t-\tfailed\t0\t<script>alert(1)</script><img src=x>\n' \
    >>"$S/branch-02/history.log"

expect_exit 0 "$SITEVAULT" -c "$T/own/conf" report --html "$T/report.html" --all-sites
expect_stdout "^wrote $T/report.html: 5 site/category rows, 1 not ok$"
H=$T/report.html
python3 - "$H" <<'PY' || fail "the page is not self-contained"
import sys
from html.parser import HTMLParser
bad = []
class P(HTMLParser):
    style = False
    def handle_starttag(self, tag, attrs):
        if tag in ("script", "link", "img", "iframe", "object", "embed", "base"):
            bad.append("<%s>" % tag)
        bad.extend("%s=%s" % (k, v) for k, v in attrs if k in ("src", "href", "srcset", "action"))
        self.style = tag == "style"
    def handle_data(self, d):
        if self.style and ("url(" in d or "@import" in d or "@font-face" in d):
            bad.append("style loads: %s" % d[:60])
P().feed(open(sys.argv[1]).read())
if bad:
    print("loads or runs: %s" % bad[:3], file=sys.stderr)
    sys.exit(1)
PY
ok "self-contained: no script, link, image, URL or import"

# What a browser makes of it.
chrome() {
	"$CHROMIUM" --headless --no-sandbox --disable-gpu --no-first-run \
	    --user-data-dir="$T/chrome" "$@" 2>>"$T/chrome.log"
}
chrome --dump-dom "file://$H" >"$T/dom.html" || { cat "$T/chrome.log" >&2; fail "chromium --dump-dom"; }
python3 - "$T/dom.html" <<'PY' || fail "DOM checks (the page as chromium saw it is $T/dom.html)"
import sys, re
from html.parser import HTMLParser

class P(HTMLParser):
    def __init__(self):
        super().__init__()
        self.rows, self.cur, self.cell, self.tags, self.text = [], None, None, [], []
        self.rects = 0
    def handle_starttag(self, tag, attrs):
        self.tags.append(tag)
        a = dict(attrs)
        if tag == "tr" and a.get("class"):
            self.cur = {"class": a["class"], "cells": []}
        if tag == "td" and self.cur is not None:
            self.cell = []
        if tag == "rect":
            self.rects += 1
    def handle_endtag(self, tag):
        if tag == "td" and self.cur is not None and self.cell is not None:
            self.cur["cells"].append(" ".join("".join(self.cell).split()))
            self.cell = None
        if tag == "tr" and self.cur is not None:
            self.rows.append(self.cur)
            self.cur = None
    def handle_data(self, d):
        self.text.append(d)
        if self.cell is not None:
            self.cell.append(d)

dom = open(sys.argv[1]).read()
p = P()
p.feed(dom)
text = " ".join("".join(p.text).split())
def need(cond, what):
    if not cond:
        print("DOM: " + what, file=sys.stderr)
        sys.exit(1)
need("Backups of 3 sites" in text, "no heading 'Backups of 3 sites'")
need(len(p.rows) == 5, "%d rows, want 5" % len(p.rows))
by = {(r["cells"][0], r["cells"][1]): r for r in p.rows}
need(by[("branch-07", "Data")]["class"] == "unverified", "branch-07 not marked unverified")
need("no key trusted for branch-07" in by[("branch-07", "Data")]["cells"][2], "no reason for branch-07")
need(all(by[(s, c)]["class"] == "ok" for s, c in by if s != "branch-07"), "other rows not ok")
need(by[("branch-01", "Data")]["cells"][3].endswith("(#3)"), "newest of branch-01 is not #3: %r" % by[("branch-01", "Data")]["cells"][3])
need("<script>alert(1)</script><img src=x>" in by[("branch-02", "Data")]["cells"][8], "hostile history text not shown as text")
need("script" not in p.tags and "img" not in p.tags, "hostile markup became elements")
need(p.rects >= 3 * 2 + 2, "%d chart bars" % p.rects)
need(re.search(r"<svg[^>]*aria-label=\"size of 3 backups\"", dom) is not None, "no size chart of 3 backups")
PY
ok "chromium's DOM: 5 rows, unverified one marked with its reason, charts, hostile text inert"

# Stale ones stand out too.
expect_exit 0 "$SITEVAULT" -c "$T/own/conf" report --html "$T/stale.html" --max-age 1s
sleep 1
expect_exit 0 "$SITEVAULT" -c "$T/own/conf" report --html "$T/stale.html" --max-age 1s
chrome --dump-dom "file://$T/stale.html" >"$T/stale.dom" || fail "chromium --dump-dom (stale)"
grep -q '<tr class="stale">' "$T/stale.dom" && grep -q 'newest backup is [0-9m ]*[0-9]s old (max age 1s)' "$T/stale.dom" ||
	fail "stale rows not marked: $(grep -o '<tr class="[a-z]*"' "$T/stale.dom" | sort | uniq -c)"
ok "stale rows marked"

# Artefacts: a desktop and a phone screenshot, and the page printed.
rm -f "$ART/report-desktop.png" "$ART/report-phone.png" "$ART/report.pdf"
chrome --window-size=1280,640 --hide-scrollbars --screenshot="$ART/report-desktop.png" "file://$H" >/dev/null
chrome --window-size=390,1400 --hide-scrollbars --screenshot="$ART/report-phone.png" "file://$H" >/dev/null
chrome --no-pdf-header-footer --print-to-pdf="$ART/report.pdf" "file://$H" >/dev/null
for f in report-desktop.png report-phone.png; do
	[ "$(head -c 8 "$ART/$f" | od -An -tx1 | tr -d ' \n')" = 89504e470d0a1a0a ] ||
		{ cat "$T/chrome.log" >&2; fail "$f is not a PNG"; }
done
[ "$(head -c 5 "$ART/report.pdf")" = "%PDF-" ] || fail "report.pdf is not a PDF"
cp "$H" "$ART/report.html"
ok "screenshots and PDF kept: $ART/report-desktop.png report-phone.png report.pdf"
