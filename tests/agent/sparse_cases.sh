# tests/agent/sparse_cases.sh: sparse files through backup and restore, run
# against one store.  Sourced by tests/agent/test_sparse_<store>.sh after
# STORE is set.
#
# A 1 GiB file with 8 KiB of data and a file that is all hole: the backup
# reads only the data (strace), the archive is small, restore and the stock
# tools of docs/FORMAT.md bring them back byte for byte and sparse; nights
# where the file is unchanged and where its holes move, in a chain; signed
# archives whose sparse map is hostile are refused.

. "$top_srcdir/tests/lib/cases.sh"
need strace minisign zstd tar fallocate

MIB=1048576
# alloc FILE: bytes allocated to FILE on disk.
alloc() { echo $(($(stat -c %b "$1") * $(stat -c %B "$1"))); }
# poke FILE MIB TEXT: write TEXT at MIB MiB into FILE, keeping its size.
poke() { printf '%s' "$3" | dd of="$1" bs=$MIB seek="$2" conv=notrunc status=none; }
# same_sparse WHAT GOT WANT: byte for byte, and no more than 1 MiB allocated.
same_sparse() {
	cmp "$2" "$3" || fail "$1: restored with other bytes"
	[ "$(alloc "$2")" -lt $MIB ] || fail "$1: restored with $(alloc "$2") bytes allocated"
}

sv_case_site "full_every = 3"
D=$S/live/spool/voicemail

truncate -s 1G "$D/disk.img"
[ "$(alloc "$D/disk.img")" -eq 0 ] || skip "this filesystem does not keep holes"
poke "$D/disk.img" 0 'header'
poke "$D/disk.img" 700 'middle'
truncate -s 256M "$D/hole.img"
cp --sparse=always "$D/disk.img" "$T/disk.1"

# --- night 1: a full backup reads the data only ---------------------------
# -ff: one file a thread, so that no call is split across lines.
# LeakSanitizer cannot run under ptrace; the other runs check for leaks.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -ff -y -qq -e trace=read,pread64,readv,preadv,preadv2 -o "$T/trace" \
    "$SITEVAULT" -c "$C" --json backup --category data > "$T/stdout" 2> "$T/stderr" ||
    { cat "$T/stderr"; fail "backup under strace failed"; }
read_img=$(awk '/<[^>]*\/(disk|hole)\.img>/ && $NF ~ /^[0-9]+$/ { n += $NF } END { printf "%d\n", n }' "$T"/trace.*)
[ "$read_img" -lt $MIB ] || fail "the backup read $read_img bytes of the sparse files"
grep -q '"archive_bytes":' "$T/stdout" || fail "no archive_bytes in: $(cat "$T/stdout")"
ab=$(sed -n 's/.*"archive_bytes":\([0-9]*\).*/\1/p' "$T/stdout")
stored=$(sed -n 's/.*"bytes_stored":\([0-9]*\).*/\1/p' "$T/stdout")
[ "$ab" -lt $((2 * MIB)) ] || fail "the tar stream holds $ab bytes: the holes were stored"
[ "$stored" -lt $((2 * MIB)) ] || fail "the backup stored $stored bytes"
ok "backup of 1.25 GiB of sparse files read $read_img bytes of them, stored $stored"

expect_exit 0 sv -q verify latest --category data
expect_exit 0 sv -q restore latest --category data --target "$T/r1"
same_sparse "night 1" "$T/r1$D/disk.img" "$D/disk.img"
same_sparse "all hole" "$T/r1$D/hole.img" "$D/hole.img"
ok "restore brings the sparse files back byte for byte and sparse"

# --- night 2: unchanged, in an incremental backup --------------------------
echo new > "$D/1001/INBOX/msg0003.wav"
expect_exit 0 sv backup --category data
expect_stdout '^Data_2: .*, incremental on Data_1$'
expect_exit 0 sv -q restore latest --category data --target "$T/r2"
same_sparse "night 2 (unchanged)" "$T/r2$D/disk.img" "$D/disk.img"
same_sparse "night 2 (all hole)" "$T/r2$D/hole.img" "$D/hole.img"
ok "an unchanged sparse file restores from an incremental backup"

# --- night 3: the holes move -----------------------------------------------
# Data where there was a hole, a hole where there was data, and data at the
# end of the all-hole file.
poke "$D/disk.img" 100 'moved in'
fallocate --punch-hole --offset $((700 * MIB)) --length $MIB "$D/disk.img"
poke "$D/hole.img" 255 'tail'
expect_exit 0 sv backup --category data
expect_stdout '^Data_3: .*, incremental on Data_2$'
sv_snap "$D" > "$T/snap.3"
expect_exit 0 sv -q restore latest --category data --target "$T/r3"
same_sparse "night 3" "$T/r3$D/disk.img" "$D/disk.img"
same_sparse "night 3 (hole.img)" "$T/r3$D/hole.img" "$D/hole.img"
sv_snap "$T/r3$D" | diff -u "$T/snap.3" - || fail "night 3: the tree differs"
expect_exit 0 sv -q restore 1 --category data --target "$T/r1b"
same_sparse "night 1 after night 3" "$T/r1b$D/disk.img" "$T/disk.1"
ok "a sparse file whose holes move between nights restores each night's bytes"

# --- live restore over the file ----------------------------------------------
# Unchanged: compared with what the backup holds without reading the holes.
rm -f "$T"/trace.*
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 strace -ff -y -qq \
    -e trace=read,pread64,readv,preadv,preadv2 -o "$T/trace" \
    "$SITEVAULT" -c "$C" restore latest --category data > "$T/stdout" 2> "$T/stderr" ||
    { cat "$T/stderr"; fail "restore under strace failed"; }
expect_stdout '^restored 0 files, .* already as backed up$'
read_img=$(awk '/<[^>]*\/(disk|hole)\.img>/ && $NF ~ /^[0-9]+$/ { n += $NF } END { printf "%d\n", n }' "$T"/trace.*)
[ "$read_img" -lt $MIB ] || fail "comparing the unchanged sparse files read $read_img bytes"
same_sparse "unchanged live restore" "$D/disk.img" "$T/r3$D/disk.img"
ok "a live restore leaves unchanged sparse files alone, their holes unread"
poke "$D/disk.img" 300 'changed live'
expect_exit 0 sv -q restore latest --category data
same_sparse "live restore" "$D/disk.img" "$T/r3$D/disk.img"
ok "a live restore puts the sparse file back sparse"

# --- the stock tools of docs/FORMAT.md 7.1 ----------------------------------
awk '/^<!-- recipe:chain -->$/ { m = 1; next }
    m && /^```$/ { if (in_) exit; in_ = 1; next }
    in_ { print }' "$top_srcdir/docs/FORMAT.md" > "$T/recipe.sh"
[ "$(head -c 4 "$T/recipe.sh")" = "KEY=" ] || fail "recipe not found in docs/FORMAT.md"
sv_store_pull
cp -a "$STORE_DIR/branch-01" "$T/copy"
cp "$S/site.key" "$S/site.key.pub" "$T/copy/"
{ echo "KEY=site.key PUB=site.key.pub OUT=$T/stock LAST=Data_3"
    tail -n +2 "$T/recipe.sh"; } > "$T/run.sh"
(cd "$T/copy" && bash "$T/run.sh") > "$T/recipe.out" 2>&1 ||
    { cat "$T/recipe.out"; fail "the stock-tool recipe failed"; }
same_sparse "stock tools" "$T/stock$D/disk.img" "$T/r3$D/disk.img"
same_sparse "stock tools (hole.img)" "$T/stock$D/hole.img" "$T/r3$D/hole.img"
ok "the stock-tool recipe (GNU tar) restores the sparse files sparse"

# --- hostile sparse maps in a signed archive ------------------------------
SITE_DIR=$STORE_DIR/branch-01
# forge_sparse KIND: a signed Data_9 holding a crafted sparse entry.
forge_sparse() {
	sv_store_pull
	rm -rf "$SITE_DIR/Data_"*
	python3 "$top_srcdir/tests/lib/craft.py" "sparse-$1" "${D#/}" "$T/$1.tar"
	"$top_builddir/tests/lib/forge" "$S/site.key" "$STORE_DIR" branch-01 Data 9 \
	    "$T/$1.tar" 65536
	sv_store_push "$SITE_DIR"
}
for kind in overlap beyond bigmap; do
	forge_sparse $kind
	expect_exit 65 sv verify latest --category data
	expect_stderr 'disk\.img: data at offset [0-9]+ .*sparse map.*refused'
	expect_exit 65 sv restore latest --category data --target "$T/crafted-$kind"
	expect_stderr 'disk\.img: data at offset [0-9]+ .*sparse map.*refused'
	[ ! -e "$T/crafted-$kind" ] || fail "sparse-$kind: target created"
	ls -a "$T" | grep -q sitevault-restore && fail "sparse-$kind: staging left"
	ok "signed archive with a hostile sparse map refused (65): $kind"
done
# A size of 4 EiB with 512 bytes of data: refused where the filesystem
# cannot hold it (ext4), else a file of that size with nothing allocated.
forge_sparse huge
expect_exit 0 sv -q verify latest --category data
if sv restore latest --category data --target "$T/crafted-huge" > "$T/stdout" 2> "$T/stderr"; then
	f=$T/crafted-huge$D/disk.img
	[ "$(stat -c %s "$f")" = $((1 << 62)) ] || fail "sparse-huge: size $(stat -c %s "$f")"
	[ "$(alloc "$f")" -lt $MIB ] || fail "sparse-huge: $(alloc "$f") bytes allocated"
	ok "signed archive with a 4 EiB sparse entry: restored without allocating"
else
	rc=$?
	[ $rc = 65 ] || fail "sparse-huge: exit $rc ($(cat "$T/stderr"))"
	expect_stderr 'disk\.img: size 4611686018427387904: File too large'
	[ ! -e "$T/crafted-huge" ] || fail "sparse-huge: target created"
	ok "signed archive with a 4 EiB sparse entry: refused (65), nothing left"
fi
