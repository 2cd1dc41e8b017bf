#!/bin/bash
# The write-back ahead of the commit while many small files are restored
# (common/archive/unpack_flush.c).  A restore of 5000 small files flushes
# the stage's file system before the commit's own syncfs; a failure of such
# a flush fails the restore with 74 before anything moves: the error marks
# itself seen, so the commit's syncfs, on a descriptor opened later, might
# not hear of it.  Under strace every system call stops the agent, so the
# extraction lasts well beyond one 100 ms flush interval.

. "$top_srcdir/tests/lib/lib.sh"
# LeakSanitizer cannot run under ptrace (strace).
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
. "$top_srcdir/tests/lib/site.sh"
need python3
command -v strace >/dev/null || skip "strace is not installed (packaging/install-deps)"
strace -f -qq -o /dev/null -e trace=syncfs -e inject=syncfs:error=EIO:when=1 true 2>/dev/null ||
    skip "strace cannot inject faults here (ptrace not permitted?)"

F=$T/flush
mkdir -p "$F/live/etc/voicemail" "$T/fstore"
python3 - "$F/live/etc/voicemail" <<'PY'
import os, sys
for d in range(10):
    p = os.path.join(sys.argv[1], "d%d" % d)
    os.mkdir(p)
    for i in range(500):
        with open(os.path.join(p, "f%d.conf" % i), "w") as f:
            f.write("key%d = %d\n" % (i, d) * (1 + i % 8))
PY
"$SITEVAULT" -q keygen --out "$F/site.key" >/dev/null
cat > "$F/sitevault.conf" <<CONF
[site]
name = branch-flush
[server]
url = $T/fstore
[keys]
secret = $F/site.key
[state]
dir = $F/state
[backup]
configuration = $F/live/etc/voicemail
CONF
fv() { "$SITEVAULT" -q -c "$F/sitevault.conf" "$@"; }
fv backup
echo changed > "$F/live/etc/voicemail/d0/f0.conf"
sv_snap "$F/live/etc/voicemail" > "$T/f.before"

# The flushes happen: before the journal is renamed into place (the first
# rename of a restore), more than the commit's one syncfs.
expect_exit 0 strace -f -qq -o "$T/f.trace" -e trace=syncfs,rename,renameat,renameat2 \
    "$SITEVAULT" -q -c "$F/sitevault.conf" restore latest --target "$F/t1"
n=$(awk '/rename/ { exit } /syncfs\(/ { n++ } END { print n + 0 }' "$T/f.trace")
[ "$n" -ge 2 ] || { cat "$T/f.trace"; fail "restore of 5000 files: $n syncfs before the commit, no flush ahead of it"; }
[ "$(cat "$F/t1$F/live/etc/voicemail/d0/f0.conf")" = "key0 = 0" ] ||
	fail "restore into --target: d0/f0.conf not restored"
ok "5000 small files: $n syncfs before the commit, the flushes ahead of its own"

# The first flush fails: 74, the error named, the live tree untouched, no
# journal left to complete.
expect_exit 74 strace -f -qq -o /dev/null -e trace=syncfs \
    -e inject=syncfs:error=EIO:when=1 \
    "$SITEVAULT" -q -c "$F/sitevault.conf" restore latest
expect_stderr "$F/live/etc/\\.sitevault-restore\\.[^:]*: writing the restored files to disk failed: syncfs: Input/output error"
sv_snap "$F/live/etc/voicemail" > "$T/f.after"
cmp -s "$T/f.before" "$T/f.after" || { diff "$T/f.before" "$T/f.after" | head; fail "a failed flush changed the live tree"; }
[ ! -e "$F/state/restore.journal" ] || fail "a failed flush left a journal"
ok "a failed flush: 74, named, nothing committed"

# And the restore works afterwards.
expect_exit 0 fv restore latest
[ "$(cat "$F/live/etc/voicemail/d0/f0.conf")" = "key0 = 0" ] ||
	fail "restore after the failed flush: d0/f0.conf not restored"
ok "restore after a failed flush"
