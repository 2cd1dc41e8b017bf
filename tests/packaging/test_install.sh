#!/bin/bash
# `make install DESTDIR=...` puts every file where an administrator looks for
# it, with its mode; the cron entry and the logrotate snippet work; `make
# uninstall` takes everything away again.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/packaging/ops-lib.sh"
need logrotate

R=$T/root
sv_make install DESTDIR="$R" >"$T/make.log" 2>&1 ||
    { cat "$T/make.log" >&2; fail "make install"; }

for v in bindir mandir docdir sysconfdir datadir systemdsystemunitdir; do
	eval "$v=\$(sv_make_var $v)"
done

# path|mode of everything installed.
files="$bindir/sitevault|755
$mandir/man8/sitevault.8|644
$mandir/man5/sitevault.conf.5|644
$docdir/examples/sitevault.conf|644
$sysconfdir/cron.d/sitevault|644
$sysconfdir/logrotate.d/sitevault|644
$datadir/bash-completion/completions/sitevault|644"
if [ "$systemdsystemunitdir" != no ]; then
	files="$files
$systemdsystemunitdir/sitevault-backup.service|644
$systemdsystemunitdir/sitevault-backup.timer|644"
fi
while IFS='|' read -r path mode; do
	[ -f "$R$path" ] || fail "not installed: $path"
	got=$(stat -c %a "$R$path")
	[ "$got" = "$mode" ] || fail "$path has mode $got, not $mode"
done <<<"$files"
n=$(find "$R" -type f | wc -l)
ok "make install: $n files, ours with their modes"

"$R$bindir/sitevault" --version >"$T/version" || fail "installed sitevault --version"
grep -qE '^sitevault [0-9]+\.[0-9]+' "$T/version" || fail "bad --version: $(cat "$T/version")"
cmp -s "$top_srcdir/config/sitevault.conf" "$R$docdir/examples/sitevault.conf" ||
    fail "the example configuration differs from config/sitevault.conf"

# Installed files name the installed program, not /usr/bin's.
for f in "$sysconfdir/cron.d/sitevault" "$systemdsystemunitdir/sitevault-backup.service"; do
	[ -f "$R$f" ] || continue
	grep -q "$bindir/sitevault -q backup" "$R$f" || fail "$f does not run $bindir/sitevault"
	if [ "$bindir" != /usr/bin ]; then
		! grep -q /usr/bin/sitevault "$R$f" || fail "$f still names /usr/bin/sitevault"
	fi
done

# The cron entry: one job line (minute hour dom month dow user command), as
# user sitevault, quiet, not when systemd runs (the timer does it then).
cron=$R$sysconfdir/cron.d/sitevault
grep -vE '^(#|$|[A-Z]+=)' "$cron" >"$T/jobs"
[ "$(wc -l <"$T/jobs")" -eq 1 ] || fail "cron.d/sitevault must hold exactly one job"
read -r min hour dom mon dow user cmd <"$T/jobs"
[ "$min $hour $dom $mon $dow" = "30 2 * * *" ] || fail "cron job is not nightly at 02:30"
[ "$user" = root ] || fail "cron job runs as $user, not root"
case $cmd in
"[ -d /run/systemd/system ] || "*) ;;
*) fail "cron job is not guarded against running beside the systemd timer" ;;
esac
sh -n -c "$cmd" || fail "cron command does not parse: $cmd"
ok "cron entry: nightly, as root, guarded"

# logrotate: rotate a history log for real, with the snippet adapted to a
# scratch directory and the current user.
mkdir -m 0700 "$T/state"
printf 'line 1\n' >"$T/state/history.log"
me="$(id -un) $(id -gn)"
sed -e "s|/var/lib/sitevault/|$T/state/|" -e "s|sitevault sitevault|$me|g" \
    "$R$sysconfdir/logrotate.d/sitevault" >"$T/logrotate.conf"
grep -q "^$T/state/history.log {" "$T/logrotate.conf" || fail "logrotate snippet names another file"
logrotate -f -s "$T/logrotate.status" "$T/logrotate.conf" 2>"$T/lr.err" ||
    { cat "$T/lr.err" >&2; fail "logrotate failed"; }
[ -f "$T/state/history.log.1" ] || fail "history.log was not rotated"
[ "$(stat -c %a "$T/state/history.log")" = 600 ] || fail "new history.log is not 0600"
ok "logrotate rotates the history log"

sv_make uninstall DESTDIR="$R" >"$T/make.log" 2>&1 ||
    { cat "$T/make.log" >&2; fail "make uninstall"; }
left=$(find "$R" -type f)
[ -z "$left" ] || fail "make uninstall left: $left"
ok "make uninstall removes everything"

# Last, as it needs the real agent: the cron job's command runs a backup and
# prints nothing (so cron mails nothing).  sleep and shuf are stubbed: the
# random delay would wait up to an hour.
sv_make install DESTDIR="$R" >"$T/make.log" 2>&1 || fail "make install (again)"
sv_site "$T/site" "$R$bindir/sitevault"
mkdir "$T/bin"
printf '#!/bin/sh\nexit 0\n' >"$T/bin/sleep"
printf '#!/bin/sh\necho 0\n' >"$T/bin/shuf"
chmod 755 "$T/bin/sleep" "$T/bin/shuf"
cmd=${cmd//"$bindir/sitevault"/"$R$bindir/sitevault"}
rc=0
PATH=$T/bin:$PATH SITEVAULT_CONFIG=$SV_CONF sh -c "$cmd" >"$T/stdout" 2>"$T/stderr" || rc=$?
if [ -d /run/systemd/system ]; then
	[ "$rc" -eq 0 ] && [ ! -s "$T/stdout" ] && [ ! -s "$T/stderr" ] ||
	    fail "with systemd running, the cron job must do nothing"
	ok "cron job does nothing while systemd runs (the timer's turn)"
	exit 0
fi
[ "$rc" -eq 0 ] || sv_skip_unimplemented backup "$rc"
[ "$rc" -eq 0 ] || { cat "$T/stderr" >&2; fail "cron job failed: exit $rc"; }
[ ! -s "$T/stdout" ] && [ ! -s "$T/stderr" ] ||
    { cat "$T/stdout" "$T/stderr" >&2; fail "a successful cron job printed something"; }
ls "$T/site/store/pkgtest"/Configuration_*/manifest >/dev/null 2>&1 ||
    fail "the cron job made no backup in the store"
ok "cron job backs up silently"
