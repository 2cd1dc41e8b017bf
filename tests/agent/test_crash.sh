#!/bin/bash
# tests/agent/test_crash.sh: crash consistency of the backup.  A kill -9
# just before the Nth call of each of rename, renameat2, unlink, fsync and
# syncfs in turn (strace's fault injection), N = 1, 2, ... until the backup
# completes unkilled, visits every step of a backup: after each kill the
# complete backups verify, and the next backup and prune succeed.  Once on
# the local store, once on vsftpd (SITEVAULT_CRASH_FTP=no skips it), once on
# S3 (a one-node Ceph; SITEVAULT_CRASH_S3=no skips it): there the kill
# points are this machine's own (the state directory), the objects having
# no rename.
. "$top_srcdir/tests/lib/lib.sh"
# LeakSanitizer cannot run under ptrace (strace), and a killed run leaks by
# design: leaks are checked by the other tests of the sanitizer build.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/lib/ceph.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3 strace
export SITEVAULT_RETRY_BASE_MS=10
# strace must be able to inject (no ptrace in some containers).
probe=0
strace -f -qq -o /dev/null -e trace=getpid -e inject=getpid:signal=KILL:when=1 \
    python3 -c 'import os; os.getpid()' >/dev/null 2>&1 || probe=$?
[ "$probe" -eq 137 ] || skip "strace cannot inject signals here"

# verify_complete: every complete backup of the site verifies.
verify_complete() {
	local c id n=0
	expect_exit 0 sv --json list
	while read -r c id; do
		expect_exit 0 sv -q verify "$id" --category "$c"
		n=$((n + 1))
	done < <(python3 -c '
import json, sys
for l in open(sys.argv[1]):
    o = json.loads(l)
    if o.get("status") == "complete":
        print(o["category"], o["id"])' "$T/stdout")
	[ "$n" -gt 0 ] || fail "no complete backup left"
}

# crash_loop KIND: the loop on a store of KIND (local, or an ftpd name).
crash_loop() {
	local sc n rc kills=0
	sv_store_init "$1"
	S=$T/site-$1
	sv_site branch-01 "$S"
	sv_tree "$S"
	sed -i 's/^part_size = .*/part_size = 64K/; s/^retain = .*/retain = 2/' \
	    "$S/sitevault.conf"
	expect_exit 0 sv -q backup
	for sc in rename renameat2 unlink fsync syncfs; do
		for n in $(seq 1 200); do
			rc=0
			# (...) 2>/dev/null: the shell's "Killed" notice.
			(strace -f -qq -o /dev/null -e trace="$sc" \
			    -e inject="$sc":signal=KILL:when="$n" \
			    "$SITEVAULT" -q -c "$S/sitevault.conf" backup \
			    >"$T/crash.out" 2>&1) 2>/dev/null || rc=$?
			[ "$rc" -eq 0 ] && break
			[ "$rc" -eq 137 ] || { cat "$T/crash.out"
			    fail "$1: $sc #$n: backup exited $rc, not killed"; }
			kills=$((kills + 1))
			verify_complete
			expect_exit 0 sv -q backup
			expect_exit 0 sv -q prune
		done
		[ "$n" -lt 200 ] || fail "$1: $sc: never completed"
	done
	verify_complete
	ok "$1: $kills kill points survived"
	case $1 in local) ;; s3) ceph_stop ;; *) ftpd_stop ;; esac
}
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }

crash_loop local
if [ "${SITEVAULT_CRASH_FTP:-yes}" != no ] && ftpd_supports vsftpd; then
	crash_loop vsftpd
fi
if [ "${SITEVAULT_CRASH_S3:-yes}" = no ]; then
	echo "note: SITEVAULT_CRASH_S3=no: S3 not run"
elif ! command -v radosgw >/dev/null || ! command -v ceph-osd >/dev/null; then
	echo "note: Ceph is not installed (packaging/install-deps): S3 not run"
else
	crash_loop s3
fi
