#!/bin/bash
# docs/FORMAT.md 7.1: the stock-tool recipe for a chain of incremental
# backups, run exactly as the document has it (only its first line, the
# variables, is replaced), must rebuild exactly the tree of the last
# backup: new, changed, deleted and renamed files, a directory replaced by
# a file and a file by a directory.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3 age minisign zstd tar

sv_store_init local
S=$T/a
sv_tree "$S"
sv_site branch-01 "$S" "full_every = 5"
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }
D=$S/live/spool/voicemail

# The recipe block: the fenced lines after the marker.
awk '/^<!-- recipe:chain -->$/ { m = 1; next }
    m && /^```$/ { if (in_) exit; in_ = 1; next }
    in_ { print }' "$top_srcdir/docs/FORMAT.md" > "$T/recipe.sh"
[ "$(head -c 4 "$T/recipe.sh")" = "KEY=" ] || fail "recipe not found in docs/FORMAT.md"

stock_restore() {
	local id=$1 out=$T/stock.$1
	rm -rf "$T/copy" && cp -a "$STORE_DIR/branch-01" "$T/copy"
	cp "$S/site.key" "$S/site.key.pub" "$T/copy/"
	{ echo "KEY=site.key PUB=site.key.pub OUT=$out LAST=Data_$id"
	    tail -n +2 "$T/recipe.sh"; } > "$T/run.sh"
	(cd "$T/copy" && bash "$T/run.sh") > "$T/recipe.out" 2>&1 ||
	    { cat "$T/recipe.out"; fail "the recipe failed for Data_$id"; }
	sv_snap "$out$D" > "$T/got.$id"
	diff -u "$T/snap.$id" "$T/got.$id" || fail "stock tools: Data_$id differs"
}

expect_exit 0 sv backup --category data
sv_snap "$D" > "$T/snap.1"
head -c 4000 /dev/urandom > "$D/1001/INBOX/msg0002.wav"
head -c 300000 /dev/urandom > "$D/1001/INBOX/msg0001.wav"
rm "$D/1002/empty.txt"
mv "$D/1001/INBOX/Grüße – ünïcødé.wav" "$D/1001/INBOX/renamed one.wav"
expect_exit 0 sv backup --category data
sv_snap "$D" > "$T/snap.2"
rm -r "$D/1002/Old Messages" && echo "now a file" > "$D/1002/Old Messages"
rm "$D/1001/INBOX/msg0002.wav" && mkdir "$D/1001/INBOX/msg0002.wav" &&
    echo inside > "$D/1001/INBOX/msg0002.wav/x"
ln -sfn "1001/INBOX/renamed one.wav" "$D/latest.wav"
mv "$D/1001" "$D/1005"
expect_exit 0 sv backup --category data
expect_stdout '^Data_3: .*, incremental on Data_2$'
sv_snap "$D" > "$T/snap.3"

for id in 1 2 3; do stock_restore "$id"; done
ok "the recipe of docs/FORMAT.md 7.1 rebuilds every id of the chain exactly"
