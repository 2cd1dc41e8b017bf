#!/bin/bash
# packaging/systemd/sitevault-failure-mail, run by sitevault-failure@.service
# when a backup fails: with a sendmail stand-in on PATH it mails root the
# journal lines of exactly the failed invocation and logs to syslog; without
# sendmail it still logs, and says the failure was not mailed.
. "$top_srcdir/tests/lib/lib.sh"
script=$top_srcdir/packaging/systemd/sitevault-failure-mail
[ -x "$script" ] || fail "$script is not executable"

# Stand-ins for the system's tools, each recording how it was called.
B=$T/bin
mkdir -p "$B"
cat >"$B/systemctl" <<'SH'
#!/bin/sh
echo "systemctl $*" >>"$T/calls"
case "$*" in
*InvocationID*) echo 0123456789abcdef0123456789abcdef ;;
*Result*) echo exit-code ;;
esac
SH
cat >"$B/journalctl" <<'SH'
#!/bin/sh
echo "journalctl $*" >>"$T/calls"
case "$*" in
*_SYSTEMD_INVOCATION_ID=0123456789abcdef0123456789abcdef*)
	echo "2026-12-01T02:31:07+0000 vm sitevault[812]: sitevault: ftp://backup.example.net/branch-01: login refused (530)"
	echo "2026-12-01T02:31:07+0000 vm systemd[1]: sitevault-backup.service: Main process exited, code=exited, status=77/NOPERM" ;;
esac
SH
cat >"$B/logger" <<'SH'
#!/bin/sh
echo "logger $*" >>"$T/syslog"
SH
cat >"$B/sendmail" <<'SH'
#!/bin/sh
echo "$*" >"$T/sendmail.args"
cat >"$T/mail"
SH
chmod 755 "$B"/*
export T

expect_exit 0 env PATH="$B:$PATH" "$script" sitevault-backup.service
grep -qx -- '-oi -t' "$T/sendmail.args" || fail "sendmail args: $(cat "$T/sendmail.args")"
m=$T/mail
grep -qx 'To: root' "$m" || fail "mail not to root: $(cat "$m")"
grep -q '^Subject: sitevault-backup.service failed on ' "$m" || fail "subject: $(grep Subject "$m")"
grep -qx 'Auto-Submitted: auto-generated' "$m" || fail "no Auto-Submitted header"
grep -q 'login refused (530)$' "$m" || fail "the journal lines are not in the mail: $(cat "$m")"
grep -q 'status=77/NOPERM$' "$m" || fail "the unit's exit is not in the mail"
grep -q 'result: exit-code' "$m" || fail "no result in the mail"
awk 'NR == 1, /^$/ { next } { found = 1 } END { exit !found }' "$m" || fail "no body after the headers"
grep -q 'journalctl .*_SYSTEMD_INVOCATION_ID=0123456789abcdef0123456789abcdef' "$T/calls" ||
	fail "journal not read by invocation id: $(cat "$T/calls")"
grep -q '^logger -t sitevault -p daemon.err -- sitevault-backup.service failed on ' "$T/syslog" ||
	fail "nothing logged to syslog: $(cat "$T/syslog" 2>/dev/null)"
ok "mail to root with the failed run's journal lines, and a syslog line"

# No sendmail: logged all the same, and the log says no mail went.
rm -f "$B/sendmail" "$T/mail" "$T/syslog"
nosm=$B:/usr/bin:/bin
if PATH=$nosm command -v sendmail >/dev/null 2>&1; then
	echo "sendmail in /usr/bin or /bin: the no-sendmail case is not checked"
else
	expect_exit 0 env PATH="$nosm" "$script" sitevault-backup.service
	[ ! -e "$T/mail" ] || fail "mailed without sendmail?"
	grep -q 'daemon.err -- sitevault-backup.service failed' "$T/syslog" &&
	    grep -q 'not mailed' "$T/syslog" || fail "syslog without sendmail: $(cat "$T/syslog")"
	ok "without sendmail: syslog only, saying so"
fi

# A unit name that could be an option or shell syntax is refused.
expect_exit 64 env PATH="$B:$PATH" "$script" '--help'
expect_exit 64 env PATH="$B:$PATH" "$script" 'a;b'
ok "bad unit names refused (64)"
