#!/bin/bash
# A restore killed at every step (local store: the commit does not depend
# on the store).  Kills the agent just before the
# Nth call of each system call that changes the tree or makes it durable
# (syncfs: the stage on disk before the journal), in turn, N = 1, 2, ...
# until a run completes (strace's fault injection: deterministic, every
# point of the run is "before the Nth call of one of them"); then any
# command must complete the commit.  Afterwards every configured path is
# wholly old or wholly new (the same for all of them: one transaction),
# and no pre-restore file, nor the message that arrived after the backup,
# is lost: each is live or in a replaced tree.

. "$top_srcdir/tests/lib/lib.sh"
# LeakSanitizer cannot run under ptrace (strace), and a killed run leaks by
# design: leaks are checked by the other tests of the sanitizer build.
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
. "$top_srcdir/tests/lib/site.sh"
need python3
command -v strace >/dev/null || skip "strace is not installed (packaging/install-deps)"
strace -f -qq -o /dev/null -e trace=mkdir -e inject=mkdir:signal=KILL:when=1 true 2>/dev/null ||
    skip "strace cannot inject faults here (ptrace not permitted?)"

K=$T/kill
mkdir -p "$K/live/etc/voicemail/users" "$K/live/lib/voicemail/config" "$K/live/spool/voicemail/1001"
echo a > "$K/live/etc/voicemail/users/list.conf"
echo b > "$K/live/etc/voicemail/gone.conf"
echo c > "$K/live/lib/voicemail/config/db.conf"
echo d > "$K/live/spool/voicemail/1001/msg1.wav"
echo e > "$K/live/spool/voicemail/1001/msg2.wav"
"$SITEVAULT" -q keygen --out "$K/site.key" >/dev/null
cat > "$K/sitevault.conf" <<CONF
[site]
name = branch-kill
[server]
url = $T/kstore
[keys]
secret = $K/site.key
[state]
dir = $K/state
[backup]
configuration = $K/live/etc/voicemail $K/live/lib/voicemail/config
data = $K/live/spool/voicemail
CONF
mkdir -p "$T/kstore"
kv() { "$SITEVAULT" -q -c "$K/sitevault.conf" "$@"; }
kv backup
# The live system moves on: changes, a removal, a newer message.
echo a2 > "$K/live/etc/voicemail/users/list.conf"
rm "$K/live/etc/voicemail/gone.conf"
echo c2 > "$K/live/lib/voicemail/config/db.conf"
echo d2 > "$K/live/spool/voicemail/1001/msg1.wav"
echo newer > "$K/live/spool/voicemail/1001/msg3.wav"
cp -a "$K/live" "$K/live.old"
PATHS="etc/voicemail lib/voicemail/config spool/voicemail"
snap_all() { local p; for p in $PATHS; do sv_snap "$1/$p"; echo "--"; done; }
snap_all "$K/live.old" > "$T/k.old"

reset_live() {
	rm -rf "$K/live"; cp -a "$K/live.old" "$K/live"
	rm -rf "$K/state/restore.journal"
}

# The expected new state, from a run that was not killed.
for cat in configuration all; do
	reset_live
	kv restore --category $cat
	snap_all "$K/live" > "$T/k.new.$cat"
done

# Every pre-restore file's bytes, at its path, live or in a replaced tree.
noloss() {
	python3 - "$K/live.old" "$K/live" <<'PY' || return 1
import hashlib, os, sys, glob
old, live = sys.argv[1], sys.argv[2]
def h(p):
    return hashlib.sha256(open(p, "rb").read()).hexdigest()
for p in ["etc/voicemail", "lib/voicemail/config", "spool/voicemail"]:
    for d, _, fs in os.walk(os.path.join(old, p)):
        for f in fs:
            rel = os.path.relpath(os.path.join(d, f), os.path.join(old, p))
            want = h(os.path.join(d, f))
            cands = [os.path.join(live, p, rel)] + glob.glob(
                os.path.join(live, p) + ".replaced-*/" + glob.escape(rel) + "*")
            if not any(os.path.isfile(c) and not os.path.islink(c) and h(c) == want for c in cands):
                sys.exit("lost: %s/%s" % (p, rel))
PY
}

# An I/O error from the syncfs after the moves (the second one) is a
# failure, and the journal stays for the next command to complete: the
# moves may not be on disk, and only the journal can redo them.
for cat in configuration all; do
	reset_live
	rc=0
	strace -f -qq -o /dev/null -e trace=syncfs -e inject=syncfs:error=EIO:when=2 \
	    "$SITEVAULT" -q -c "$K/sitevault.conf" restore --category $cat \
	    >/dev/null 2>"$T/k.err" || rc=$?
	[ $rc -eq 74 ] || { cat "$T/k.err"; fail "$cat: syncfs EIO after the moves: exit $rc, not 74"; }
	grep -q 'syncfs' "$T/k.err" || { cat "$T/k.err"; fail "$cat: syncfs EIO not reported"; }
	[ -e "$K/state/restore.journal" ] || fail "$cat: syncfs EIO: the journal was removed"
	# The same error while the next command completes it: kept again.
	rc=0
	strace -f -qq -o /dev/null -e trace=syncfs -e inject=syncfs:error=EIO \
	    "$SITEVAULT" -q -c "$K/sitevault.conf" history >/dev/null 2>"$T/k.err" || rc=$?
	[ $rc -eq 74 ] || { cat "$T/k.err"; fail "$cat: syncfs EIO in recovery: exit $rc, not 74"; }
	[ -e "$K/state/restore.journal" ] || fail "$cat: syncfs EIO in recovery: the journal was removed"
	kv history >/dev/null 2>"$T/k.err" || { cat "$T/k.err"; fail "$cat: syncfs EIO: recovery failed"; }
	[ ! -e "$K/state/restore.journal" ] || fail "$cat: syncfs EIO: journal left after recovery"
	snap_all "$K/live" > "$T/k.now"
	cmp -s "$T/k.now" "$T/k.new.$cat" || fail "$cat: syncfs EIO: not wholly new after recovery"
	noloss || fail "$cat: syncfs EIO: a pre-restore file is lost"
done
ok "restore: an I/O error making the moves durable fails (74), the next command completes it"

kills=0
for cat in configuration all; do
	for sc in rename renameat2 unlink unlinkat rmdir fsync syncfs mkdir mkdirat; do
		n=1
		while :; do
			reset_live
			rc=0
			# (A subshell, so that the shell's "Killed" goes nowhere.)
			( strace -f -qq -o /dev/null -e trace=$sc -e inject=$sc:signal=KILL:when=$n \
			    "$SITEVAULT" -q -c "$K/sitevault.conf" restore --category $cat \
			    >/dev/null 2>"$T/k.err"; exit $? ) 2>/dev/null || rc=$?
			[ $rc -eq 0 ] && break
			[ $rc -eq 137 ] || { cat "$T/k.err"; fail "$cat, $sc #$n: exit $rc, not killed"; }
			kills=$((kills + 1))
			# Any command completes (or finds nothing to undo).
			kv history >/dev/null 2>"$T/k.err" || { cat "$T/k.err"; fail "$cat, $sc #$n: recovery failed"; }
			[ ! -e "$K/state/restore.journal" ] || fail "$cat, $sc #$n: journal left after recovery"
			snap_all "$K/live" > "$T/k.now"
			if ! cmp -s "$T/k.now" "$T/k.old" && ! cmp -s "$T/k.now" "$T/k.new.$cat"; then
				diff -u "$T/k.new.$cat" "$T/k.now" | head -20
				fail "$cat, killed before $sc #$n: neither wholly old nor wholly new"
			fi
			noloss || fail "$cat, killed before $sc #$n: a pre-restore file is lost"
			n=$((n + 1))
		done
	done
done
[ $kills -gt 20 ] || fail "only $kills kill points: the injection did not reach the commit"
# The next restore cleans up what the killed ones left.
kv restore --category all
ls -a "$K/live/etc" "$K/live/lib/voicemail" "$K/live/spool" | grep -q '^\.sitevault-' &&
    fail "leftovers of killed restores remain"
ok "restore killed before each of $kills system calls: completed by the next command, nothing lost"
