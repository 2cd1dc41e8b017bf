#!/bin/bash
# The local store's durability at a constant number of syncs: the parts of
# a backup are never fsynced one by one; one syncfs() after the last part
# and before the manifest puts them all on disk, so the manifest (the
# backup's visibility) never names a part that a power failure could lose.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
need strace age minisign zstd tar

S=$T/store
mkdir -p "$S"
bk_tree 256 6
bk_keygen
bk_conf "$T/conf" "$S" "backup.part_size = 64K"
# LeakSanitizer cannot run under ptrace; the other tests check for leaks.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -y -qq -o "$T/trace" \
    -e trace=fsync,fdatasync,syncfs,sync,rename,renameat,renameat2 \
    "$SITEVAULT" -q -c "$T/conf" backup --category data ||
	fail "backup under strace failed"
D=$S/$SITE/Data_1
nparts=$(ls "$D" | grep -c '^part\.[0-9]\{6\}$')
[ "$nparts" -ge 24 ] || fail "only $nparts parts at 64K"
# One line per call, whichever thread made it.
sed -E 's/^[0-9]+ +//' "$T/trace" >"$T/calls"
grep -E '^f(data)?sync\(.*part\.[0-9]{6}' "$T/calls" &&
	fail "a part was fsynced on its own"
[ "$(grep -c '^syncfs(' "$T/calls")" = 1 ] ||
	fail "syncfs calls: $(grep -c '^syncfs(' "$T/calls")"
nsync=$(grep -cE '^(f(data)?sync|syncfs)\(' "$T/calls")
# A constant: the directories, the SITE marker (first backup), manifest,
# state and history.log, whatever the number of parts.
[ "$nsync" -le 12 ] || fail "$nsync syncs for $nparts parts"
ok "$nparts parts, one syncfs, $nsync syncs in all"

# The order: every part renamed into place, then syncfs, then the manifest.
last_part=$(grep -nE '^rename.*/part\.[0-9]{6}"' "$T/calls" | tail -1 | cut -d: -f1)
syncfs_at=$(grep -n '^syncfs(' "$T/calls" | cut -d: -f1)
manifest_at=$(grep -nE '^rename.*/Data_1/manifest"' "$T/calls" | cut -d: -f1)
[ -n "$last_part" ] && [ -n "$manifest_at" ] || fail "renames not traced"
[ "$last_part" -lt "$syncfs_at" ] && [ "$syncfs_at" -lt "$manifest_at" ] ||
	fail "order: last part at $last_part, syncfs at $syncfs_at, manifest at $manifest_at"
# The manifest itself is fsynced, and its directory after its rename.
awk -v m="$manifest_at" 'NR < m && /^fsync\(.*manifest\.sv-tmp/ { f = 1 }
    NR > m && /^fsync\(.*Data_1>\)/ { d = 1 } END { exit !(f && d) }' \
    "$T/calls" || fail "manifest not fsynced with its directory"
ok "parts, then syncfs, then the manifest (fsynced, then its directory)"

# Still a standard stream once on disk.
bk_stock_check "$D"
ok "the stream reads back with stock tools"
