#!/bin/bash
# Incremental backups: when the next backup must be full, the local state's
# file list and its fallback, and retention over chains.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3 age

sv_store_init local
S=$T/a
sv_tree "$S"
sv_site branch-01 "$S" "full_every = 50"
C=$S/sitevault.conf
sv() { "$SITEVAULT" -c "$C" "$@"; }
D=$S/live/spool/voicemail
R=$STORE_DIR/branch-01

# restore_is ID SNAPSHOT: backup ID of Data restores exactly SNAPSHOT.
restore_is() {
	rm -rf "$T/out"
	expect_exit 0 sv restore "$1" --category data --target "$T/out"
	sv_snap "$T/out$D" > "$T/got"
	diff -u "$2" "$T/got" || fail "Data_$1 does not restore its tree"
}

expect_exit 0 sv backup --category data
[ -f "$S/state/files.branch-01.Data" ] || fail "no local file list"
head -c 2000 /dev/urandom > "$D/new1.wav"
expect_exit 0 sv backup --category data
expect_stdout '^Data_2: 1 file, .*, incremental on Data_1$'

# --- a lost local state: the base's signed list is used instead ---------
rm -rf "$S/state"
head -c 2000 /dev/urandom > "$D/new2.wav"
rm "$D/new1.wav"
expect_exit 0 sv backup --category data
expect_stdout '^Data_3: 1 file, .*, incremental on Data_2$'
expect_stderr 'Data_2: no local file list of it; reading its signed one'
sv_snap "$D" > "$T/snap.3"
restore_is 3 "$T/snap.3"
# A local list of another backup (an old copy) is not used either.
cp "$S/state/files.branch-01.Data" "$T/list.3"
echo x > "$D/new3.wav"
expect_exit 0 sv backup --category data
cp "$T/list.3" "$S/state/files.branch-01.Data"
echo y > "$D/new4.wav"
expect_exit 0 sv backup --category data
expect_stdout '^Data_5: 1 file, .*, incremental on Data_4$'
expect_stderr 'Data_4: no local file list of it'
# A damaged signed list (and no local one) makes the backup full.
rm "$S/state/files.branch-01.Data"
flip_byte "$R/Data_5/filelist" 100
expect_exit 0 sv backup --category data
expect_stdout '^Data_6: .*, full$'
expect_stderr 'Data_6: full backup: the file list of Data_5 cannot be read'
ok "a lost or stale local state falls back to the base's signed list"

# --- what forces a full backup, and says so ----------------------------
expect_exit 0 sv backup --category data
expect_stdout '^Data_7: 0 files, .*, incremental on Data_6$'
sed -i 's/^\[backup\]$/[backup]\ncompression = gzip:6/' "$C"
expect_exit 0 sv backup --category data
expect_stdout '^Data_8: .*, full$'
expect_stderr 'Data_8: full backup: compression changed from zstd:3 to gzip:6'
age-keygen -o "$T/escrow.key" 2>/dev/null
sed -i "s|^\[keys\]$|[keys]\nrecipients = $(age-keygen -y "$T/escrow.key")|" "$C"
expect_exit 0 sv backup --category data
expect_stdout '^Data_9: .*, full$'
expect_stderr 'Data_9: full backup: the recipients changed since Data_8'
expect_exit 0 sv backup --category data
expect_stdout '^Data_10: .*, incremental on Data_9$'
sv_snap "$D" > "$T/snap.10"
restore_is 10 "$T/snap.10"
# A new site key: the administrator removes the SITE marker (FORMAT.md
# 9.1); the old backups no longer verify, and the next one is full.
mv "$S/site.key" "$T/old.key" && mv "$S/site.key.pub" "$T/old.key.pub"
"$SITEVAULT" -q keygen --out "$S/site.key" > /dev/null
rm "$R/SITE"
expect_exit 0 sv backup --category data
expect_stdout '^Data_11: .*, full$'
expect_stderr 'Data_11: full backup: Data_10 does not verify with the site key'
ok "a new compression, new recipients or a new key force a full backup"

# --- retention over chains: every listed backup stays restorable --------
sv_store_init local
rm -rf "$STORE_DIR"/* "$S/state"
sed -i 's/^full_every = 50$/full_every = 3/; s/^retain = 5$/retain = 2/' "$C"
for night in $(seq 1 12); do
	head -c 1500 /dev/urandom > "$D/night$night.wav"
	[ $((night % 4)) -ne 0 ] || rm -f "$D/night$((night - 2)).wav"
	expect_exit 0 sv backup --category data
	sv_snap "$D" > "$T/snap.n$night"
	expect_exit 0 sv --json list
	ids=$(sed -n 's/.*"category":"Data","id":\([0-9]*\),"status":"complete".*/\1/p' "$T/stdout")
	want=$((night < 2 ? night : 2))
	[ "$(echo "$ids" | wc -l)" -ge "$want" ] || fail "night $night: fewer than retain kept: $ids"
	for id in $ids; do
		expect_exit 0 sv verify "$id" --category data
	done
done
# The newest ids restore their nights; only what a kept chain needs is left.
restore_is 12 "$T/snap.n12"
restore_is 11 "$T/snap.n11"
expect_exit 0 sv list
expect_stdout '^Data +10 .* full '
[ ! -d "$R/Data_9" ] || fail "Data_9 kept though nothing needs it"
expect_exit 0 sv prune --dry-run
expect_stdout '^would keep Data_10 \(the chain of Data_12 needs it\)$'
expect_stdout '^would keep Data_12 \(one of the 2 newest restorable backups\)$'
ok "retention over 12 nights of chains keeps every listed backup restorable"
