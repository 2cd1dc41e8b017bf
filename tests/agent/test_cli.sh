#!/bin/bash
# The command line (SPEC section 4) and `sitevault show` (SPEC section 3):
# usage errors, configuration errors naming file:line:key, and credentials
# that never appear in the output.
. "$top_srcdir/tests/lib/lib.sh"

unset SITEVAULT_CONFIG
SECRET=c2VjcmV0LXNlYWxlZC12YWx1ZQ==

cat >"$T/good.conf" <<CONF
[site]
name = branch-01
[server]
url = ftp://backup.example.net/dir
user = bkpuser
credentials = hidden:$SECRET
[backup]
data = /var/spool/voicemail
exclude = *.tmp *.lock
part_size = 1G
CONF

# --help, --version, usage errors.
expect_exit 0 "$SITEVAULT" --help
expect_stdout '^usage: sitevault'
expect_stdout 'show'
expect_exit 0 "$SITEVAULT" -h
expect_exit 0 "$SITEVAULT" --version
expect_stdout '^sitevault [0-9]+\.[0-9]+'
expect_exit 64 "$SITEVAULT"
expect_stderr 'no command'
expect_exit 64 "$SITEVAULT" frobnicate
expect_stderr 'unknown command: frobnicate'
expect_exit 64 "$SITEVAULT" --frobnicate show
expect_exit 64 "$SITEVAULT" -c "$T/good.conf" show --frobnicate
expect_stderr 'frobnicate'
expect_exit 64 "$SITEVAULT" -c "$T/good.conf" show extra
expect_stderr 'unexpected argument: extra'
expect_stderr "Try 'sitevault help show'"
expect_exit 64 "$SITEVAULT" -c "$T/good.conf" restore --category
expect_stderr 'restore: --category needs an argument'
ok "usage"

# Per-command help, from the same table as the parser: usage, every
# option, an example; exit 0, on stdout.
expect_exit 0 "$SITEVAULT" help restore
cp "$T/stdout" "$T/help-restore"
expect_stdout '^usage: sitevault .*restore \[ID\|latest\]'
for o in --category --target --from-site --identity --allow-rollback --dry-run --config --json; do
	expect_stdout "^ +(-[a-z], )?$o( |$)"
done
expect_stdout '^example:$'
expect_stdout '^  sitevault restore '
expect_exit 0 "$SITEVAULT" restore --help
cmp -s "$T/stdout" "$T/help-restore" || fail "restore --help differs from help restore"
expect_exit 0 "$SITEVAULT" -c "$T/missing.conf" backup --category data -h
expect_stdout '^usage: sitevault .*backup'
"$SITEVAULT" --help | sed -n '/^commands:/,/^$/p' | awk '/^  [a-z]/ { print $1 }' >"$T/cmds"
[ "$(wc -l <"$T/cmds")" -ge 10 ] || fail "no commands in --help"
while read -r c; do
	expect_exit 0 "$SITEVAULT" help "$c"
	expect_stdout "^usage: sitevault .*$c"
	expect_stdout '^example:$'
	expect_stdout "^  sitevault .*$c"
done <"$T/cmds"
expect_exit 0 "$SITEVAULT" help
expect_stdout '^usage: sitevault'
expect_exit 64 "$SITEVAULT" help frobnicate
expect_stderr 'unknown command: frobnicate'
ok "help COMMAND and COMMAND --help"

# show: every key, defaults included, credentials hidden.
expect_exit 0 "$SITEVAULT" -c "$T/good.conf" show
for re in '^\[site\]$' '^name = branch-01$' '^url = ftp://backup.example.net/dir$' \
    '^user = bkpuser$' '^# credentials hidden$' '^tls = required$' '^# ca_file not set$' \
    '^# pinned_pubkey not set$' '^connect_timeout = 30s$' '^stall_timeout = 1m$' \
    '^retries = 5$' '^configuration =$' '^data = /var/spool/voicemail$' \
    '^exclude = \*\.tmp \*\.lock$' '^retain = 20$' '^compression = zstd:3$' \
    '^part_size = 1G$' '^verify_after_upload = no$' '^secret = /etc/sitevault/site.key$' \
    '^recipients =$' '^trusted =$' '^dir = /var/lib/sitevault$'; do
	expect_stdout "$re"
done
! grep -q "$SECRET" "$T/stdout" "$T/stderr" || fail "show printed the credentials"
ok "show"

# What show prints is itself a valid configuration with the same values.
grep -v '^# sitevault: effective' "$T/stdout" >"$T/shown.conf"
expect_exit 0 "$SITEVAULT" -c "$T/shown.conf" show
grep -v '^# sitevault: effective' "$T/stdout" | sed 's/^# credentials.*//' >"$T/again"
sed 's/^# credentials.*//' "$T/shown.conf" | diff - "$T/again" >&2 ||
	fail "show output does not round-trip"
ok "show round-trips"

# Without credentials.
sed '/^credentials/d' "$T/good.conf" >"$T/nocred.conf"
expect_exit 0 "$SITEVAULT" -c "$T/nocred.conf" show
expect_stdout '^# credentials not set$'

# --json: one object on one line, credentials hidden.
expect_exit 0 "$SITEVAULT" -c "$T/good.conf" --json show
[ "$(wc -l <"$T/stdout")" -eq 1 ] || fail "--json printed more than one line"
! grep -q "$SECRET" "$T/stdout" "$T/stderr" || fail "show --json printed the credentials"
expect_stdout '"credentials":"hidden"'
expect_stdout '"part_size":1073741824'
expect_stdout '"exclude":\["\*\.tmp","\*\.lock"\]'
expect_exit 0 "$SITEVAULT" -c "$T/good.conf" show --json
if command -v python3 >/dev/null 2>&1; then
	python3 -c '
import json, sys
o = json.load(open(sys.argv[1]))
assert o["site"] == "branch-01", o
assert o["server"]["credentials"] == "hidden", o
assert o["server"]["stall_timeout"] == 60, o
assert o["server"]["ca_file"] is None, o
assert o["backup"]["verify_after_upload"] is False, o
assert o["keys"]["recipients"] == [], o
' "$T/stdout" || fail "show --json is not the expected JSON"
fi
expect_exit 0 "$SITEVAULT" -c "$T/nocred.conf" --json show
expect_stdout '"credentials":null'
ok "show --json"

# A write error on stdout is reported, not ignored.
if [ -w /dev/full ]; then
	expect_exit 74 sh -c '"$1" -c "$2" show >/dev/full' sh "$SITEVAULT" "$T/good.conf"
	expect_exit 74 sh -c '"$1" -c "$2" --json show >/dev/full' sh "$SITEVAULT" "$T/good.conf"
fi

# Configuration errors: exit 78, one line naming file:line:key.
printf '[site]\nname = b1\n[server]\nurl = /srv\nretries = many\n' >"$T/bad.conf"
expect_exit 78 "$SITEVAULT" -c "$T/bad.conf" show
expect_stderr "^sitevault: $T/bad.conf:5: server.retries: "
[ "$(wc -l <"$T/stderr")" -eq 1 ] || fail "more than one line of error"
[ ! -s "$T/stdout" ] || fail "show printed something for a bad configuration"
printf '[site]\nname = b1\n[server]\nurl = /srv\nbogus = 1\n' >"$T/bad2.conf"
expect_exit 78 "$SITEVAULT" -c "$T/bad2.conf" show
expect_stderr "$T/bad2.conf:5: server.bogus: unknown key"
printf '[site]\nname = b1\n' >"$T/bad3.conf"
expect_exit 78 "$SITEVAULT" -c "$T/bad3.conf" show
expect_stderr "$T/bad3.conf: server.url: required"
# A bad credentials value is rejected without being echoed.
printf '[site]\nname = b1\n[server]\nurl = /srv\ncredentials = %s\n' "$SECRET" >"$T/bad4.conf"
expect_exit 78 "$SITEVAULT" -c "$T/bad4.conf" show
expect_stderr "$T/bad4.conf:5: server.credentials: "
! grep -q "$SECRET" "$T/stdout" "$T/stderr" || fail "an error message printed the credentials"
expect_exit 78 "$SITEVAULT" -c "$T/missing.conf" show
expect_stderr "$T/missing.conf: No such file"
# A FIFO or a directory in the configuration's place is an error at once,
# not a wait for a writer (timeout only keeps a regression from hanging).
mkfifo "$T/fifo.conf"
expect_exit 78 timeout 60 "$SITEVAULT" -c "$T/fifo.conf" show
expect_stderr "^sitevault: $T/fifo.conf: not a regular file \(a FIFO\)$"
mkdir "$T/dir.conf"
expect_exit 78 "$SITEVAULT" -c "$T/dir.conf" show
expect_stderr "^sitevault: $T/dir.conf: not a regular file \(a directory\)$"
ok "configuration errors"

# -c and SITEVAULT_CONFIG are both honoured; -c wins, also after the command.
sed 's/^name = .*/name = from-env/' "$T/good.conf" >"$T/env.conf"
SITEVAULT_CONFIG=$T/env.conf expect_exit 0 "$SITEVAULT" show
expect_stdout '^name = from-env$'
SITEVAULT_CONFIG=$T/env.conf expect_exit 0 "$SITEVAULT" -c "$T/good.conf" show
expect_stdout '^name = branch-01$'
SITEVAULT_CONFIG=$T/env.conf expect_exit 0 "$SITEVAULT" show --config "$T/good.conf"
expect_stdout '^name = branch-01$'
SITEVAULT_CONFIG=$T/missing.conf expect_exit 78 "$SITEVAULT" show
expect_stderr "$T/missing.conf"
ok "-c and SITEVAULT_CONFIG"

# The shipped example configuration is valid.
expect_exit 0 "$SITEVAULT" -c "$top_srcdir/config/sitevault.conf" show
expect_stdout '^name = branch-01$'
ok "config/sitevault.conf"
