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
# The same backup in parts 8 times larger, to a store of its own: as many
# syncs (the directories, SITE, manifest, state twice, history.log), whatever
# the number of parts.
mkdir -p "$T/store2"
bk_conf "$T/conf2" "$T/store2" "backup.part_size = 512K"
sed -i "s|$T/state|$T/state2|" "$T/conf2"
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -y -qq -o "$T/trace2" -e trace=fsync,fdatasync,syncfs,sync \
    "$SITEVAULT" -q -c "$T/conf2" backup --category data ||
	fail "second backup under strace failed"
nparts2=$(ls "$T/store2/$SITE/Data_1" | grep -c '^part\.[0-9]\{6\}$')
[ "$nparts2" -lt "$nparts" ] || fail "$nparts2 parts at 512K, $nparts at 64K"
nsync2=$(grep -cE '^[0-9]+ +(f(data)?sync|syncfs)\(' "$T/trace2")
[ "$nsync" = "$nsync2" ] ||
	fail "$nsync syncs for $nparts parts, $nsync2 for $nparts2 parts"
ok "$nparts parts, one syncfs, $nsync syncs in all, as for $nparts2 parts"

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
