#!/bin/bash
# tests/agent/test_source_missing.sh: a misspelt [backup] data path.  `check`
# fails naming backup.data and the path; `backup` refuses (78) before it
# connects, and the server is left untouched (no unfinished Data_N).
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3
ftpd_require vsftpd
STORE_KIND=vsftpd STORE_DIR=$FTPD_ROOT STORE_URL=$FTPD_URL
S=$T/s
sv_site branch-01 "$S"
sv_tree "$S"
C=$S/sitevault.conf
sv() { "$SITEVAULT" -c "$C" "$@"; }
expect_exit 0 sv check
expect_stdout '^PASS  source paths: 2 paths readable'
bad=$S/live/spool/voicemial
sed -i "s|^data = .*|data = $bad|" "$C"

expect_exit 78 sv check
expect_stdout "^FAIL  source paths: $C: backup.data: $bad: No such file or directory"
ok "check fails on a missing data path, naming the key and the path"

sv_snap "$FTPD_ROOT" >"$T/before"
for args in "" "--category data"; do
	expect_exit 78 sv backup $args
	expect_stderr "$C: backup.data: $bad: No such file or directory"
	sv_snap "$FTPD_ROOT" >"$T/after"
	diff -u "$T/before" "$T/after" || fail "backup $args changed the server"
done
# The configuration alone is still backed up when asked for.
expect_exit 0 sv -q backup --category configuration
ok "backup refuses 78 before connecting; the server is untouched"

sed -i "s|^configuration = .*|configuration = $S/live/etc/voicemail $S/nowhere|" "$C"
expect_exit 78 sv backup --category configuration
expect_stderr "$C: backup.configuration: $S/nowhere: No such file or directory"
ok "the same for a configuration path"

if [ "$(id -u)" -ne 0 ]; then
	sed -i "s|^configuration = .*|configuration = $S/live/etc/voicemail|" "$C"
	sed -i "s|^data = .*|data = $S/live/spool/voicemail|" "$C"
	chmod 000 "$S/live/spool/voicemail/1001"
	sed -i "s|^data = .*|data = $S/live/spool/voicemail/1001|" "$C"
	expect_exit 77 sv check
	expect_stdout "^FAIL  source paths: .*backup.data: $S/live/spool/voicemail/1001: cannot read it"
	chmod 755 "$S/live/spool/voicemail/1001"
	ok "an unreadable path (not root)"
fi
