#!/bin/bash
# tests/agent/test_history_escape.sh: `history` escapes every byte of the
# server's history.log that could drive a terminal or forge a line: raw
# control characters in any field, and the log's own escapes (\x1b, \x07,
# \n) in descriptions, which are decoded and must not be printed raw.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3

sv_store_init local
S=$T/s
sv_site branch-01 "$S"
sv_tree "$S"
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }
expect_exit 0 sv -q backup --category configuration
H=$STORE_DIR/branch-01/history.log
[ -f "$H" ] || fail "no history.log at $H"
python3 - "$H" <<'PY'
import sys
lines = [
    b"2026-01-01T00:00:00Z\tbac\x1b[2Jkup\tData\t7\tok\t0\traw ESC in the operation",
    b"2026-01-01T00:00:01Z\tbackup\tData\x07\t8\x1b]0;title\x07\tok\r\t0\traw BEL, OSC, CR",
    b"2026-01-01T00:00:02Z\tbackup\tData\t9\tok\t0\tset title \\x1b]0;pwned\\x07 clear \\x1b[2J",
    b"2026-01-01T00:00:03Z\tbackup\tData\t10\tok\t0\tline one\\nsitevault: forged line\\rCR",
    b"2026-01-01T00:00:04Z\tbackup\tData\t11\tok\t0\traw C1 CSI \xc2\x9b2J and \x1b[31mred",
]
with open(sys.argv[1], "ab") as f:
    for l in lines:
        f.write(l + b"\n")
PY
expect_exit 0 sv history
python3 - "$T/stdout" <<'PY' || fail "history printed a control character"
import re, sys
out = open(sys.argv[1], "rb").read()
bad = re.search(rb"[\x00-\x09\x0b-\x1f\x7f]|\xc2[\x80-\x9f]", out)
assert bad is None, "control byte %r at %d in %r" % (bad.group(), bad.start(), out[max(0, bad.start() - 40):bad.start() + 40])
for l in out.split(b"\n"):
    assert not l.startswith(b"sitevault:"), l
PY
expect_stdout 'set title \\x1b\]0;pwned\\x07 clear \\x1b\[2J'
expect_stdout 'line one\\nsitevault: forged line\\rCR'
expect_stdout 'bac\\x1b\[2Jkup'
ok "history escapes raw and decoded control characters in every field"
# --json keeps them as JSON escapes, never raw.
expect_exit 0 sv --json history
python3 - "$T/stdout" <<'PY' || fail "history --json"
import json, re, sys
out = open(sys.argv[1], "rb").read()
assert re.search(rb"[\x00-\x09\x0b-\x1f\x7f]", out) is None
descs = [json.loads(l)["description"] for l in out.decode().splitlines()]
assert "set title \x1b]0;pwned\x07 clear \x1b[2J" in descs, descs
PY
ok "history --json: JSON escapes"
