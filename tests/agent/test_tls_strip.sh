#!/bin/bash
# tests/agent/test_tls_strip.sh: a man in the middle that answers 500 to
# AUTH TLS (tests/lib/stripftpd.py) never gets the password from the default
# configuration (tls = required); with tls = try it does, and `check` warns.
. "$top_srcdir/tests/lib/lib.sh"
need python3

sv_serve "$T/port" stripftpd.py \
    python3 "$top_srcdir/tests/lib/stripftpd.py" "$T/port" "$T/mitm.log"
port=$(cat "$T/port")

expect_exit 0 "$SITEVAULT" keygen --out "$T/site.key"
mkdir -p "$T/src/data"
echo hello >"$T/src/data/f"
# conf FILE [LINE]: a site on the stripping server, no tls line unless given.
conf() {
	printf '[site]\nname = branch-01\n[server]\nurl = ftp://127.0.0.1:%s/b\n' "$port"
	printf 'user = svuser\nretries = 0\nconnect_timeout = 5s\n%s\n' "${2:-}"
	printf '[backup]\ndata = %s/src/data\n' "$T"
	printf '[keys]\nsecret = %s/site.key\n[state]\ndir = %s/state\n' "$T" "$T"
}
conf "$T/default.conf" >"$T/default.conf"
printf 'S3cr3t-never-in-clear\n' | "$SITEVAULT" -q -c "$T/default.conf" credentials ||
    fail "credentials"

for cmd in check backup list; do
	: >"$T/mitm.log"
	code=0
	"$SITEVAULT" -c "$T/default.conf" $cmd >"$T/stdout" 2>"$T/stderr" || code=$?
	[ "$code" -ne 0 ] || fail "$cmd succeeded through a TLS-stripping server"
	grep -q '^AUTH' "$T/mitm.log" || fail "$cmd: no AUTH sent: $(cat "$T/mitm.log")"
	if grep -q 'S3cr3t' "$T/mitm.log" || grep -q '^PASS' "$T/mitm.log"; then
		fail "$cmd: the password reached the stripping server"
	fi
	grep -q 'refused TLS (AUTH TLS).*"500 AUTH not understood"' \
	    "$T/stdout" "$T/stderr" || { cat "$T/stdout" "$T/stderr"
	    fail "$cmd does not say TLS was refused"; }
done
ok "default tls = required: no password sent after a refused AUTH TLS"

# tls = try: the downgrade happens (the reason for the default), and check
# names the risk.  The server refuses the login, so check stops there; the
# WARN for try is tested against a real server (tests/agent/test_check.sh).
sed 's/^\[server\]$/[server]\ntls = try/' "$T/default.conf" >"$T/try2.conf"
: >"$T/mitm.log"
expect_exit 77 "$SITEVAULT" -c "$T/try2.conf" list
grep -q 'S3cr3t-never-in-clear' "$T/mitm.log" ||
    fail "tls = try: the password did not reach the stripper: $(cat "$T/mitm.log")"
ok "tls = try is strippable (the password travels in clear)"
