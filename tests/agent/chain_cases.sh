# tests/agent/chain_cases.sh: incremental backups (full_every), run against
# one store.  Sourced by tests/agent/test_chain_<store>.sh after STORE is set
# (local, s3 or an FTP server); the store is read and changed as files under
# STORE_DIR between sv_store_pull and sv_store_push (tests/lib/site.sh).
#
# Several nights of new, changed, deleted and renamed files and directories
# (a directory replaced by a file, a file by a directory, a symlink
# retargeted, a mode changed, a directory renamed), each backed up; every
# id must then restore exactly the tree of its night.

. "$top_srcdir/tests/lib/cases.sh"
sv_case_site "full_every = 4"
D=$S/live/spool/voicemail
E=$S/live/etc/voicemail
SITE_DIR=$STORE_DIR/branch-01

# night N: back up both categories, keep the snapshot of that night.
night() {
	expect_exit 0 sv backup
	sv_snap_site "$S" > "$T/snap.$1"
	cp "$T/stdout" "$T/backup.$1"
}

# 1: the full backup
night 1
grep -q '^Data_1: .*, full$' "$T/backup.1" || fail "night 1: $(cat "$T/backup.1")"

# 2: a new message, one changed, one deleted, one renamed; a new directory
head -c 5000 /dev/urandom > "$D/1001/INBOX/msg0002.wav"
head -c 300000 /dev/urandom > "$D/1001/INBOX/msg0001.wav"
rm "$D/1002/empty.txt"
mv "$D/1001/INBOX/Grüße – ünïcødé.wav" "$D/1001/INBOX/renamed.wav"
mkdir -p "$D/1003/INBOX" && echo hello > "$D/1003/INBOX/first.wav"
echo 'user 1003' >> "$E/users/list.conf"
night 2
grep -q '^Data_2: .*, incremental on Data_1$' "$T/backup.2" || fail "night 2: $(cat "$T/backup.2")"
# Only what changed is in the archive: 3 files (new, changed, renamed, new dir's).
grep -q '^Data_2: 4 files, .*, incremental on Data_1$' "$T/backup.2" ||
    fail "night 2 stored more than the changes: $(cat "$T/backup.2")"

# 3: a directory replaced by a file, a file by a directory, a symlink
# retargeted, a mode changed, a directory tree deleted
rm -r "$D/1002/Old Messages" && echo "now a file" > "$D/1002/Old Messages"
rm "$E/mailbox settings.conf" && mkdir "$E/mailbox settings.conf" &&
    echo x > "$E/mailbox settings.conf/inside"
ln -sfn "1001/INBOX/msg0002.wav" "$D/latest.wav"
chmod 604 "$D/1001/INBOX/msg0002.wav"
rm -r "$D/1003"
night 3

# 4: a directory renamed (all it holds is "new" by path), nothing else
mv "$D/1001" "$D/1004"
night 4

# 5: the chain is full (full_every = 4): a full backup, and it says why
night 5
grep -q '^Data_5: .*, full$' "$T/backup.5" || fail "night 5: $(cat "$T/backup.5")"
expect_stderr 'Data_5: full backup: the chain has 4 backups \(full_every = 4\)'

# 6: nothing changed: an incremental backup with no files
night 6
grep -q '^Data_6: 0 files, .*, incremental on Data_5$' "$T/backup.6" ||
    fail "night 6: $(cat "$T/backup.6")"
ok "$STORE: six nights, full and incremental as full_every says"

expect_exit 0 sv list
expect_stdout '^Data +3 .* incr on 2 '
expect_stdout '^Data +5 .* full '
expect_exit 0 sv --json list
grep -q '"category":"Data","id":3,.*"kind":"incremental","base":2' "$T/stdout" ||
    fail "list --json: $(cat "$T/stdout")"
expect_exit 0 sv status
expect_stdout '^branch-01 +Data +ok +6 .* incr on 5 '
expect_stdout '^branch-01 +Configuration +ok +6 .* incr on 5 '
expect_exit 0 sv --json status
grep -q '"category":"Data".*"kind":"incremental","base":5' "$T/stdout" ||
    fail "status --json: $(cat "$T/stdout")"
ok "$STORE: list and status show kind and base"

# Every id restores exactly the tree of its night.
for n in 1 2 3 4 5 6; do
	expect_exit 0 sv restore "$n" --target "$T/out.$n"
	{ sv_snap "$T/out.$n$E"; sv_snap "$T/out.$n$D"; } > "$T/got.$n"
	diff -u "$T/snap.$n" "$T/got.$n" || fail "restore $n differs from night $n"
done
ok "$STORE: every id of the chain restores exactly its night"

# Into the configured paths too, a live restore as for any backup: back
# to night 3 from night 6's tree.  What night 3 held comes back; live
# files it did not hold stay (sitevault(8), restore), unless --delete.
expect_exit 0 sv restore 3
grep -F "'1002/Old Messages' file" "$T/snap.3" > "$T/want.old"
sv_snap "$D" | grep -F "'1002/Old Messages' file" > "$T/got.old" || true
diff -u "$T/want.old" "$T/got.old" || fail "restore 3: a file of night 3 not restored"
[ -f "$D/1001/INBOX/msg0002.wav" ] || fail "restore 3: msg0002.wav of night 3 missing"
[ -f "$D/1004/INBOX/msg0001.wav" ] || fail "restore 3 without --delete removed a live file"
expect_exit 0 sv restore 3 --delete
sv_snap_site "$S" > "$T/live.3"
diff -u "$T/snap.3" "$T/live.3" || fail "restore 3 --delete into the live paths differs"
ok "$STORE: live restore of an incremental id, keeping live files or with --delete"

# --include of a path that only the full backup of the chain holds.
rmdir "$D/empty"
expect_exit 0 sv restore 3 --category data --include "$D/empty"
[ -d "$D/empty" ] || fail "--include of a path unchanged since the full backup"
expect_exit 66 sv restore 3 --category data --include "$D/1004"
ok "$STORE: --include reaches into the whole chain"

# --at picks the newest backup of the night, and its chain comes with it.
# (Nights are seconds apart here: the pick is the newest at or before.)
sv_store_pull
t3=$(sed -n 's/^time //p' "$SITE_DIR/Data_3/manifest")
for n in 6 5 4 3; do
	[ "$(sed -n 's/^time //p' "$SITE_DIR/Data_$n/manifest")" \> "$t3" ] || break
done
expect_exit 0 sv restore --at "$t3" --category data --target "$T/out.at"
sv_snap "$T/out.at$D" > "$T/got.at"
sv_snap "$T/out.$n$D" > "$T/want.at"
diff -u "$T/want.at" "$T/got.at" || fail "restore --at the time of Data_3 differs"
ok "$STORE: --at restores the chain of the backup it picks"

# verify ID verifies the chain; a damaged base fails it, and restore too,
# before anything is written.
expect_exit 0 sv verify 4 --category data
expect_stdout 'verified branch-01/Data_4 and its chain: 4 backups'
part=$SITE_DIR/Data_2/part.000000
sv_store_pull
cp "$part" "$T/part.saved"
flip_byte "$part" 200
sv_store_push
expect_exit 65 sv verify 4 --category data
expect_stderr 'Data_2'
before=$(sv_snap "$D")
expect_exit 65 sv restore 4 --category data
[ "$(sv_snap "$D")" = "$before" ] || fail "a failed chain restore changed the live tree"
sv_store_pull
cp "$T/part.saved" "$part"
sv_store_push
expect_exit 0 sv verify 4 --category data
# The file list of a backup of the chain is checked too.
sv_store_pull
cp "$SITE_DIR/Data_3/filelist" "$T/filelist.saved"
flip_byte "$SITE_DIR/Data_3/filelist" 150
sv_store_push
expect_exit 65 sv verify 4 --category data
expect_stderr 'Data_3/filelist: size or SHA-256 differs from the signed manifest'
expect_exit 65 sv restore 4 --category data
[ "$(sv_snap "$D")" = "$before" ] || fail "a failed chain restore changed the live tree"
sv_store_pull
cp "$T/filelist.saved" "$SITE_DIR/Data_3/filelist"
sv_store_push
expect_exit 0 sv verify 4 --category data
ok "$STORE: verify ID checks the whole chain; a bad base stops restore"

# A missing base: the chain is broken, and the next backup is full.
sv_store_pull
mv "$SITE_DIR/Data_5/manifest" "$T/manifest.5"
sv_store_push
expect_exit 65 sv restore 6 --category data --target "$T/out.broken"
expect_stderr 'Data_6: its base Data_5 is missing'
expect_exit 2 sv status
expect_stdout 'Data_6: its chain is broken'
echo more > "$D/more.txt"
expect_exit 0 sv backup --category data
expect_stdout '^Data_7: .*, full$'
expect_stderr 'Data_7: full backup: .*Data_6 is broken'
sv_store_pull
mv "$T/manifest.5" "$SITE_DIR/Data_5/manifest"
sv_store_push
ok "$STORE: a missing base makes the next backup full and says so"
