#!/bin/bash
# status, list and report serve verified manifests from the cache in the
# state directory: on a second run no manifest is downloaded again (counted
# in vsftpd's protocol log), the cache never vouches for anything (a
# tampered entry is downloaded again, a key no longer trusted is refused),
# and entries of deleted backups go.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
. "$top_srcdir/tests/agent/fleetlib.sh"
need python3

ftpd_require vsftpd plain
bk_tree 16 2
bk_keygen
bk_conf "$T/conf" "$FTPD_URL/backups" "server.user = $FTPD_USER" \
    "server.tls = none" "server.retries = 1" "server.connect_timeout = 3s" \
    "backup.retain = 2"
printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/conf" credentials ||
	ftpd_fail "credentials"
sv() { "$SITEVAULT" -c "$T/conf" "$@"; }
for i in 1 2; do expect_exit 0 sv -q backup; done

# retr_count: manifest downloads so far (vsftpd logs every command).
retr_count() { grep -c '"RETR manifest"' "$FTPD_LOG" || true; }

rm -rf "$T/state/manifests"
n0=$(retr_count)
expect_exit 0 sv status
n1=$(retr_count)
[ "$n1" -eq "$((n0 + 4))" ] || ftpd_fail "first status: $((n1 - n0)) manifest downloads, want 4"
[ "$(ls "$T/state/manifests" | wc -l)" -eq 4 ] ||
	fail "cache: $(ls "$T/state/manifests")"
expect_exit 0 sv status
expect_exit 0 sv list
expect_exit 0 sv --json status --all-sites
expect_exit 0 sv report --html "$T/r.html" --all-sites
n2=$(retr_count)
[ "$n2" -eq "$n1" ] || ftpd_fail "warm runs downloaded $((n2 - n1)) manifests again"
ok "second status, list and report: no manifest downloaded (4 on the first run)"

# Nor is a cached backup's directory listed again: only the site's.
list_count() { grep -c '"LIST' "$FTPD_LOG" || true; }
l0=$(list_count)
expect_exit 0 sv status
l1=$(list_count)
[ "$((l1 - l0))" -le 2 ] || ftpd_fail "a warm status listed $((l1 - l0)) directories (root and site expected)"
ok "a warm status lists only the root and the site directory"

# A tampered cache entry is a miss, never a verdict: downloaded again.
e=$T/state/manifests/Data_2@$SITE
python3 - "$e" <<'PY'
import sys
p = sys.argv[1]
b = bytearray(open(p, "rb").read())
b[-5] ^= 0x01	# inside the manifest text: its hash no longer matches
open(p, "wb").write(b)
PY
expect_exit 0 sv status
n3=$(retr_count)
[ "$n3" -eq "$((n2 + 1))" ] || ftpd_fail "tampered entry: $((n3 - n2)) downloads, want 1"
ok "a tampered cache entry is downloaded again"

# Checked against the keys trusted now: a cached manifest of another site
# is unverified once its key is gone from [keys] trusted.
mkdir -p "$T/b2"
"$SITEVAULT" -q keygen --out "$T/b2/site.key" >/dev/null
sed -e "s|^name = .*|name = branch-02|" -e "s|$T/site.key|$T/b2/site.key|" \
    -e "s|$T/state|$T/b2/state|" -e '/^credentials/d' "$T/conf" >"$T/b2/conf"
printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/b2/conf" credentials ||
	ftpd_fail "credentials of branch-02"
expect_exit 0 "$SITEVAULT" -q -c "$T/b2/conf" backup
cp "$T/conf" "$T/conf.trusting"
sed -i "s|^secret = .*|&\ntrusted = branch-02:$T/b2/site.key.pub|" "$T/conf.trusting"
expect_exit 0 "$SITEVAULT" -c "$T/conf.trusting" status --all-sites
expect_stdout "^branch-02 +Data +ok "
expect_exit 2 sv status --all-sites
expect_stdout "^branch-02/Data: unverified: .*no key trusted for branch-02"
ok "a cached manifest is verified again against the keys trusted now"

# Retention removed Data_1 and Configuration_1: their entries go too.
expect_exit 0 sv -q backup
expect_exit 0 sv status
ls "$T/state/manifests" | grep -q "^Data_1@$SITE$" &&
	fail "entry of a deleted backup kept: $(ls "$T/state/manifests")"
[ -f "$T/state/manifests/Data_3@$SITE" ] || fail "no entry for Data_3"
ok "entries of backups retention removed are forgotten"

# A cached backup whose manifest is gone from the server is not complete
# any more: the size probe sees it, and the listing says what is left.
rm "$FTPD_ROOT/backups/$SITE/Data_3/manifest"
expect_exit 2 sv status
expect_stdout "^$SITE/Data: newest complete backup on the server is 2, but this site wrote Data_3"
expect_exit 0 sv list
expect_stdout "^Data +3 .* unfinished"
ok "a manifest deleted on the server is seen despite the cache"
