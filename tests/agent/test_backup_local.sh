#!/bin/bash
# sitevault backup/list/history/prune against the local-directory store:
# the spec's layout, stock-tool recovery, ids, retention, atomic failure,
# the lock, the SITE marker, quiet and JSON output.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
need age minisign zstd tar python3

S=$T/store
mkdir -p "$S"
bk_tree 256 6
bk_keygen
bk_conf "$T/conf" "$S" "backup.part_size = 64K" "backup.retain = 2"
sv() { "$SITEVAULT" -c "$T/conf" "$@"; }

# 0. An empty store directory: empty results, no error, nothing created.
bk_empty_store "$S$"
[ -z "$(ls -A "$S")" ] || fail "list or prune wrote: $(ls -A "$S")"
rm -rf "$T/state"	# the prunes' local history lines: not on the server
ok "list, history and prune on an empty store directory"

# 1. One backup of each category, in the spec's layout.
expect_exit 0 sv backup --description "first run"
expect_stdout "^Configuration_1: 1[0-9] files"
expect_stdout "^Data_1: 6 files, 1.50 MiB read"
D=$S/$SITE
kid=$(python3 -c 'import base64,sys; print(base64.b64decode(sys.argv[1])[2:10][::-1].hex().upper())' "$(sed -n 2p "$T/site.key.pub")")
[ "$(cat "$D/SITE")" = "$(printf 'site %s\nkeyid %s' "$SITE" "$kid")" ] ||
	fail "SITE marker: $(cat "$D/SITE"), key id $kid"
grep -qE '^site branch-01$' "$D/SITE" && grep -qE '^keyid [0-9A-F]{16}$' "$D/SITE" ||
	fail "SITE marker format: $(cat "$D/SITE")"
for c in Configuration Data; do
	[ -f "$D/${c}_1/manifest" ] && [ -f "$D/${c}_1/manifest.sig" ] &&
	    [ -f "$D/${c}_1/part.000000" ] || fail "${c}_1 layout: $(ls "$D/${c}_1")"
done
[ "$(ls "$D/Data_1" | grep -c '^part\.[0-9]\{6\}$')" -ge 24 ] ||
	fail "Data_1 not split at 64K: $(ls "$D/Data_1" | wc -l) files"
ls -A "$D"/*/ | grep -v -E '^(manifest|manifest\.sig|part\.[0-9]{6}|)$|:$' &&
	fail "temporary files left in the store"
[ "$(ls "$D")" = "$(printf 'Configuration_1\nData_1\nSITE\nhistory.log')" ] ||
	fail "site directory: $(ls "$D")"
ok "layout: SITE, history.log, <Category>_1/{manifest,manifest.sig,part.NNNNNN}"

# 2. Stock tools recover it.
bk_stock_check "$D/Data_1"
grep -q "spool/voicemail/1002/msg1.wav$" "$T/tar.list" || fail "tar -t: $(head "$T/tar.list")"
bk_stock_check "$D/Configuration_1"
grep -q "etc/voicemail/users/1001.conf$" "$T/tar.list" || fail "tar -t config"
mkdir "$T/x" && cat "$D"/Data_1/part.* | age -d -i "$T/site.key" | zstd -dq |
	tar -x -C "$T/x" && cmp "$T/src/spool/voicemail/1002/msg1.wav" \
	"$T/x/${T#/}/src/spool/voicemail/1002/msg1.wav" || fail "extracted file differs"
grep -q '^description first run$' "$D/Data_1/manifest" ||
	fail "manifest lacks the description: $(cat "$D/Data_1/manifest")"
ok "cat part.* | age -d -i KEY | zstd -d | tar -x, and minisign -V, work"

# 3. Quiet runs print nothing; ids grow; retention keeps exactly 2.
expect_exit 0 sv -q backup
[ -s "$T/stdout" ] || [ -s "$T/stderr" ] && fail "-q printed: $(cat "$T/stdout" "$T/stderr")"
[ "$(bk_ids "$D" Data)" = "1 2" ] || fail "ids after run 2: $(bk_ids "$D" Data)"
expect_exit 0 sv -q backup --category data
[ "$(bk_ids "$D" Data)" = "2 3" ] || fail "retention: $(bk_ids "$D" Data)"
[ "$(bk_ids "$D" Configuration)" = "1 2" ] ||
	fail "data-only run touched Configuration: $(bk_ids "$D" Configuration)"
[ "$(sed -n 's/^previous //p' "$D/Data_3/manifest")" = \
    "$(sha256sum <"$D/Data_2/manifest" | cut -d' ' -f1)" ] ||
	fail "Data_3 does not chain to Data_2's manifest"
grep -q '^previous none$' "$D/Configuration_1/manifest" 2>/dev/null ||
	[ ! -e "$D/Configuration_1" ] || fail "first backup has a previous"
expect_exit 0 sv backup --category configuration
expect_stdout "^Configuration_3:"
[ "$(bk_ids "$D" Configuration)" = "2 3" ] || fail "retention (config)"
ok "-q is silent; ids grow; retention keeps exactly retain = 2"

# 4. list and history, text and JSON.
expect_exit 0 sv list
expect_stdout "^Configuration +2 +[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9:]{8} .* complete"
expect_stdout "^Data +3 .* 6 +complete"
[ "$(grep -c complete "$T/stdout")" = 4 ] || fail "list: $(cat "$T/stdout")"
expect_exit 0 sv --json list
python3 - "$T/stdout" <<'PY' || fail "list --json: $(cat "$T/stdout")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
assert [(r["category"], r["id"]) for r in rows] == \
    [("Configuration", 2), ("Configuration", 3), ("Data", 2), ("Data", 3)], rows
assert all(r["status"] == "complete" and r["files"] >= 6 for r in rows), rows
assert rows[-1]["time"].endswith("Z") and rows[-1]["site"] == "branch-01"
PY
expect_exit 0 sv history
expect_stdout "backup +Data +1 +ok .* first run$"
expect_stdout "delete +Data +1 +ok .* retention$"
expect_exit 0 sv --json history
python3 - "$T/stdout" <<'PY' || fail "history --json: $(cat "$T/stdout")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
ops = [(r["operation"], r["category"], r["id"], r["result"]) for r in rows]
assert ops[0] == ("backup", "Configuration", 1, "ok"), ops
assert ("delete", "Data", 1, "ok") in ops, ops
assert rows[0]["description"] == "first run"
assert ops[-1] == ("delete", "Configuration", 1, "ok"), ops
PY
[ "$(wc -l <"$D/history.log")" = "$(wc -l <"$T/state/history.log")" ] ||
	fail "server and local history differ in length"
ok "list and history, as text and as JSON"

# 5. A failure mid-upload: no visible backup, nothing deleted, non-zero,
# and what it uploaded is removed again (prune would catch the rest).
before=$(bk_snapshot "$S")
# Files over 32 KiB cannot be written: the first full part fails (EFBIG).
got=0
(trap '' XFSZ; ulimit -f 32; exec "$SITEVAULT" -c "$T/conf" backup --category data) \
	>"$T/stdout" 2>"$T/stderr" || got=$?
[ "$got" -ne 0 ] || fail "backup succeeded although writes failed"
grep -q "Data_4" "$T/stderr" || fail "error does not name the backup: $(cat "$T/stderr")"
[ -e "$D/Data_4" ] && fail "the failed run left Data_4: $(ls -la "$D/Data_4")"
[ "$(bk_ids "$D" Data)" = "2 3" ] || fail "after failure: $(bk_ids "$D" Data)"
for i in 2 3; do bk_stock_check "$D/Data_$i"; done
diff <(echo "$before") <(bk_snapshot "$S") >/dev/null ||
	fail "the failed run changed other files"
grep -qE "	backup	Data	4	failed	.*Data_4/part" "$T/state/history.log" ||
	fail "local history lacks the failure and its reason: $(tail -2 "$T/state/history.log")"
ok "a failed upload leaves no backup and nothing of its own, deletes nothing, exits $got"
# What a killed run leaves (unfinished): list shows it, prune removes it.
mkdir "$D/Data_4"
cp "$D/Data_3/part.000000" "$D/Data_4/part.000000"
expect_exit 0 sv list
expect_stdout "^Data +4 .* unfinished"

# 6. A missing source path is refused before anything is sent.
bk_conf "$T/conf.bad" "$S" "backup.data = $T/missing"
expect_exit 78 "$SITEVAULT" -c "$T/conf.bad" backup --category data
expect_stderr "backup.data: $T/missing: No such file"
[ -e "$D/Data_5" ] && fail "backup of a missing path left Data_5"
ok "a missing source path is refused (78), naming the key and the path"

# 7. prune: --dry-run lists, prune removes the unfinished ones only.
expect_exit 0 sv prune --dry-run
expect_stdout "^would delete Data_4 \(unfinished"
[ -d "$D/Data_4" ] || fail "--dry-run deleted"
expect_exit 0 sv prune
expect_stdout "^deleted Data_4 \(unfinished"
[ "$(bk_ids "$D" Data)" = "2 3" ] || fail "after prune: $(bk_ids "$D" Data)"
[ -d "$D/Data_5" ] && fail "prune left Data_5"
expect_exit 0 sv prune
expect_stdout "^nothing to prune$"
expect_exit 0 sv -q backup --category data
# Data_4 was issued (its upload failed, prune removed it): never again.
[ "$(bk_ids "$D" Data)" = "3 5" ] || fail "ids after prune: $(bk_ids "$D" Data) (an id came back)"
ok "prune --dry-run lists, prune removes unfinished backups; their ids never come back"

# 8. A second run while one holds the lock exits 75 naming its pid.
python3 - "$T/state/lock" "$T/locked" <<'PY' &
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.lockf(fd, fcntl.LOCK_EX)
open(sys.argv[2], "w").close()
time.sleep(30)
PY
holder=$!
sv_atexit "kill $holder 2>/dev/null"
for _ in $(seq 100); do [ -e "$T/locked" ] && break; sleep 0.1; done
before=$(bk_snapshot "$S")
expect_exit 75 sv backup
expect_stderr "lock held by pid $holder"
[ "$before" = "$(bk_snapshot "$S")" ] || fail "a locked-out run changed the store"
kill "$holder"; wait "$holder" 2>/dev/null || true
ok "a concurrent run exits 75 at once, naming the holder's pid"

# 9. Another site's SITE marker: 78, and nothing changes.
mkdir -p "$S/other"
printf 'site someone-else\nkeyid 0123456789ABCDEF\n' >"$S/other/SITE"
SITE=other bk_conf "$T/conf.other" "$S"
before=$(bk_snapshot "$S")
expect_exit 78 "$SITEVAULT" -c "$T/conf.other" backup
expect_stderr "other/SITE: this directory belongs to site someone-else with key 0123456789ABCDEF"
[ "$before" = "$(bk_snapshot "$S")" ] || fail "a refused run changed the store"
expect_exit 78 "$SITEVAULT" -c "$T/conf.other" prune
ok "a SITE marker of another site is refused (78), nothing changed"

# 10. A tampered manifest is "signature bad": listed, never deleted.
sed -i 's/^description .*/description forged/' "$D/Data_3/manifest"
expect_exit 0 sv list
expect_stdout "^Data +3 .* signature bad"
expect_exit 0 sv prune
expect_stderr "Data_3: signature bad: left in place"
[ -f "$D/Data_3/manifest" ] || fail "prune deleted a backup with a bad signature"
ok "a tampered manifest lists as signature bad and is left in place"

# 11. --json summary of a backup, --all-sites.
expect_exit 0 sv --json backup --category configuration --description 'a "quoted" one'
python3 - "$T/stdout" <<'PY' || fail "backup --json: $(cat "$T/stdout")"
import json, sys
lines = open(sys.argv[1]).read().splitlines()
assert len(lines) == 1, lines
o = json.loads(lines[0])
assert o["result"] == "ok" and o["exit"] == 0, o
b = o["backups"][0]
assert b["category"] == "Configuration" and b["files"] >= 12 and b["bytes_stored"] > 0, b
PY
expect_exit 0 sv list --all-sites
expect_stdout "^branch-01:$"
expect_stdout "^other:$"
expect_exit 0 sv list --site other
expect_stdout "^other: no backups$"
expect_exit 64 sv list --site other --all-sites
expect_exit 64 sv backup --category everything
expect_stderr "^sitevault: backup: --category: everything: not all, configuration or data$"
# --category takes any case, as verify and restore always did.
expect_exit 0 sv --json backup --category Data
expect_stdout '"category":"Data"'
expect_exit 64 sv backup --description "$(printf 'a\tb')"
ok "--json summary, list --all-sites / --site, --category in any case, usage errors"

# 12. Escrow recipients (a string and a file of them) decrypt with stock
# age; verify_after_upload checks the upload before retention.
need age-keygen
age-keygen -o "$T/escrow1.key" 2>/dev/null
age-keygen -o "$T/escrow2.key" 2>/dev/null
e1=$(age-keygen -y "$T/escrow1.key")
printf '# escrow file\n\n%s\n' "$(age-keygen -y "$T/escrow2.key")" >"$T/escrow.txt"
bk_conf "$T/conf.esc" "$S" "keys.recipients = $e1 $T/escrow.txt" \
	"backup.verify_after_upload = yes" "backup.retain = 5"
expect_exit 0 "$SITEVAULT" -c "$T/conf.esc" backup --category configuration
expect_stdout "^Configuration_[0-9]+: .*, verified$"
id=$(sed -n 's/^Configuration_\([0-9]*\):.*/\1/p' "$T/stdout")
d=$D/Configuration_$id
[ "$(grep -c '^recipient age1' "$d/manifest")" = 3 ] ||
	fail "manifest recipients: $(grep recipient "$d/manifest")"
for k in escrow1 escrow2; do
	cat "$d"/part.* | age -d -i "$T/$k.key" | zstd -dq | tar -t >/dev/null ||
	    fail "escrow key $k cannot decrypt"
done
printf 'age1notakey\n' >"$T/escrow.txt"
expect_exit 78 "$SITEVAULT" -c "$T/conf.esc" backup --category configuration
expect_stderr "escrow.txt: line 1: not an age X25519 recipient"
# A manifest holds 256 recipients (the site key, $e1 and 254 here); one
# more is refused when they are read, before anything is uploaded.
for i in $(seq 255); do age-keygen 2>/dev/null | grep -v '^#'; done |
	age-keygen -y >"$T/escrow.all"
[ "$(sort -u "$T/escrow.all" | wc -l)" = 255 ] || fail "255 escrow keys not made"
head -n 254 "$T/escrow.all" >"$T/escrow.txt"
expect_exit 0 "$SITEVAULT" -c "$T/conf.esc" backup --category configuration
cp "$T/escrow.all" "$T/escrow.txt"
before=$(bk_snapshot "$S")
expect_exit 78 "$SITEVAULT" -c "$T/conf.esc" backup --category configuration
expect_stderr "^sitevault: $T/conf.esc: \[keys\] recipients: 257 recipients with the site key; a backup holds at most 256$"
[ "$(wc -l <"$T/stderr")" = 1 ] || fail "more than one error: $(cat "$T/stderr")"
[ "$before" = "$(bk_snapshot "$S")" ] || fail "the refused backup changed the store"
ok "escrow recipients decrypt with stock age; verify_after_upload; bad ones refused"

