# tests/agent/restore_cases.sh: the verify/restore tests, run against one store.
# Sourced by tests/test_restore_<store>.sh after STORE is set (local, s3 or
# an FTP server of tests/lib/ftpd.sh).  The store is read and damaged as
# files under STORE_DIR, between sv_store_pull and sv_store_push
# (tests/lib/site.sh): for S3 a copy of the objects.

. "$top_srcdir/tests/lib/cases.sh"
sv_case_site
LIVE_DATA=$S/live/spool/voicemail
LIVE_CONF=$S/live/etc/voicemail
SITE_DIR=$STORE_DIR/branch-01

expect_exit 0 sv -q backup
sv_snap_site "$S" > "$T/snap.1"

# --- a live restore keeps what the backup does not hold -----------------
# A message that arrived after the backup and an excluded file stay; what
# the restore replaces is kept in a replaced tree beside the path.
rm -f "$LIVE_DATA/1001/INBOX/msg0001.wav"
echo changed > "$LIVE_CONF/users/list.conf"
mkdir "$LIVE_DATA/new since backup"
echo newer > "$LIVE_DATA/1001/INBOX/msg0002.wav"
echo lock > "$LIVE_DATA/1002/x.lock"
expect_exit 0 sv restore latest
expect_stdout '^restored 2 files, kept 2 the backup does not hold, replaced 1, 5 already as backed up$'
expect_stdout "replaced files kept in $LIVE_CONF\\.replaced-[0-9]{8}T[0-9]{6}Z$"
sv_snap_site "$S" | grep -v -e "^'new since backup'" -e "^'1001/INBOX/msg0002.wav'" \
    -e "^'1002/x.lock'" > "$T/snap.2"
diff -u "$T/snap.1" "$T/snap.2" || fail "restore into configured paths differs"
[ "$(cat "$LIVE_DATA/1001/INBOX/msg0002.wav")" = newer ] || fail "the newer message is gone"
[ -f "$LIVE_DATA/1002/x.lock" ] || fail "an excluded file is gone"
[ "$(cat "$LIVE_CONF".replaced-*/users/list.conf)" = changed ] ||
    fail "the replaced file is not in the replaced tree"
[ "$(stat -c %a "$LIVE_CONF".replaced-*)" = 700 ] || fail "the replaced tree is not private"
ls "$(dirname "$LIVE_DATA")" | grep -q 'voicemail\.replaced-' &&
    fail "a replaced tree for the data path, where nothing was replaced"
ls -a "$(dirname "$LIVE_DATA")" "$(dirname "$LIVE_CONF")" | grep -q '^\.sitevault-' &&
    fail "a staging directory was left"
ok "live restore keeps a newer message and excluded files, replaced files kept aside"

# --- --delete: the tree becomes the backup's; nothing is lost -------------
sleep 1	# a replaced tree of its own (names have one-second resolution)
expect_exit 0 sv restore latest --delete
sv_snap_site "$S" > "$T/snap.2"
diff -u "$T/snap.1" "$T/snap.2" || fail "restore --delete differs from the backup"
[ "$(cat "$LIVE_DATA".replaced-*/1001/INBOX/msg0002.wav)" = newer ] ||
    fail "--delete lost the newer message"
[ -d "$LIVE_DATA".replaced-*/"new since backup" ] || fail "--delete lost a directory"
expect_stdout "replaced files kept in $LIVE_DATA\\.replaced-"
ok "--delete moves what the backup lacks into the replaced tree"

# --- --include: one mailbox, nothing else read or changed -----------------
echo changed1 > "$LIVE_DATA/1001/INBOX/Grüße – ünïcødé.wav"
echo changed2 > "$LIVE_DATA/1002/Old Messages/msg 2.wav"
echo changed3 > "$LIVE_CONF/users/list.conf"
sv_snap "$LIVE_DATA/1002" > "$T/snap.1002"
sleep 1
expect_exit 0 sv restore latest --include "$LIVE_DATA/1001"
expect_stdout '^restored 1 files, kept 0 the backup does not hold, replaced 1, 1 already as backed up$'
[ "$(cat "$LIVE_CONF/users/list.conf")" = changed3 ] || fail "--include changed configuration"
sv_snap "$LIVE_DATA/1002" | diff -u "$T/snap.1002" - || fail "--include changed another mailbox"
sv_snap "$LIVE_DATA" | grep "^'1001" > "$T/snap.x"
grep "^'1001" "$T/snap.1" | diff -u - "$T/snap.x" || fail "--include did not restore the mailbox"
# A glob, and a path the backup does not hold.
expect_exit 0 sv restore latest --include "$LIVE_DATA/100[2]/Old*"
grep -qx changed2 "$LIVE_DATA/1002/Old Messages/msg 2.wav" && fail "--include GLOB did not restore"
expect_exit 66 sv restore latest --include "$LIVE_DATA/nosuchbox"
expect_stderr 'nosuchbox'
expect_exit 0 sv -q restore latest --category configuration
ok "--include one mailbox (path or glob) leaves the others and configuration untouched"

# --- --dry-run --json: one object per change, nothing else ---------------
echo dry > "$LIVE_CONF/users/list.conf"
expect_exit 0 sv --json -v restore --dry-run latest
python3 -c '
import json, sys
lines = open(sys.argv[1]).read().splitlines()
objs = [json.loads(l) for l in lines]
ch = [o for o in objs if "change" in o]
assert any(o["change"] == "replace" and o["path"].endswith("/users/list.conf") for o in ch), ch
assert objs[-1]["dry_run"] is True and objs[-1]["replaced"] == 1, objs[-1]
' "$T/stdout" || { cat "$T/stdout"; fail "--json --dry-run output is not one JSON object per line"; }
[ "$(cat "$LIVE_CONF/users/list.conf")" = dry ] || fail "--dry-run changed the target"
ls "$(dirname "$LIVE_CONF")" | grep -q "replaced-.*-" && fail "--dry-run made a replaced tree"
expect_exit 0 sv restore --dry-run latest --category data --target "$T/dry/target"
expect_stdout "^restore $T/dry/target$"
[ ! -e "$T/dry" ] || fail "--dry-run --target created directories"
expect_exit 0 sv -q restore latest --category configuration
ok "--dry-run --json: one object per change; a dry run creates nothing"

# --- check lists replaced trees; prune removes those older than 7 days ----
expect_exit 0 sv check
expect_stdout "PASS +replaced tree: $LIVE_CONF\\.replaced-[0-9T]+Z \\(0 days old"
expect_stdout "PASS +replaced tree: $LIVE_DATA\\.replaced-"
old=$(ls -d "$LIVE_DATA".replaced-* | head -1)
mv "$old" "$LIVE_DATA.replaced-20200101T000000Z"
n_before=$(ls -d "$LIVE_DATA".replaced-* "$LIVE_CONF".replaced-* | wc -l)
expect_exit 0 sv prune --dry-run
expect_stdout "would delete replaced tree $LIVE_DATA.replaced-20200101T000000Z"
[ -d "$LIVE_DATA.replaced-20200101T000000Z" ] || fail "prune --dry-run removed a replaced tree"
expect_exit 0 sv prune
expect_stdout "deleted replaced tree $LIVE_DATA.replaced-20200101T000000Z"
[ ! -e "$LIVE_DATA.replaced-20200101T000000Z" ] || fail "prune left an old replaced tree"
[ "$(ls -d "$LIVE_DATA".replaced-* "$LIVE_CONF".replaced-* | wc -l)" -eq $((n_before - 1)) ] ||
    fail "prune removed a recent replaced tree"
ok "check lists replaced trees, prune removes those older than 7 days"

# --- --target, one category, by id ---------------------------------------
expect_exit 0 sv restore 1 --category data --target "$T/out"
sv_snap "$T/out$LIVE_DATA" > "$T/snap.t"
sv_snap "$LIVE_DATA" > "$T/snap.d"
diff -u "$T/snap.d" "$T/snap.t" || fail "restore --target differs"
[ ! -e "$T/out$LIVE_CONF" ] || fail "--category data restored configuration"
grep -q $'\r' "$T/stderr" && fail "progress line written to a non-terminal"
sv_store_pull
grep -qP '^\S+\trestore\tData\t1\tok\t' "$SITE_DIR/history.log" ||
    fail "restore not in the server's history.log"
grep -qP '\trestore\tData\t1\tok\t' "$S/state/history.log" ||
    fail "restore not in the local history"
ok "restore --target DIR --category data, recorded in both histories"

# On a terminal (script(1) gives one), a progress line with rate and ETA.
if command -v script >/dev/null; then
	script -qec "$SITEVAULT -c '$C' restore 1 --category data --target '$T/out2'" \
	    /dev/null > "$T/tty.out" 2>&1 || fail "restore on a terminal failed"
	grep -q 'ETA' "$T/tty.out" || { cat "$T/tty.out"; fail "no progress line on a terminal"; }
	ok "progress line on a terminal"
fi

# --- verify, dry run, missing id -----------------------------------------
expect_exit 0 sv verify
expect_stdout 'verified branch-01/Data_1'
expect_exit 0 sv --json verify latest --category configuration
expect_stdout '"result":"ok"'
expect_exit 66 sv verify 42
expect_stderr '42'
echo "dry run" > "$LIVE_CONF/users/list.conf"
expect_exit 0 sv restore --dry-run --category configuration
expect_stdout "^replace $LIVE_CONF/users/list.conf$"
grep -q "dry run" "$LIVE_CONF/users/list.conf" || fail "--dry-run changed the target"
ok "verify, --json, 66 for a missing id, --dry-run lists and changes nothing"

# Root's hand restore keeps the state directory's files with its owner (the
# service user), so the nightly job can still write them.
if [ "$(id -u)" -eq 0 ] && [ "$STORE" = local ]; then
	chown -R nobody "$S/state"
	rm -f "$S/state/lock"
	expect_exit 0 sv -q restore --dry-run --category configuration
	for f in lock history.log; do
		[ "$(stat -c %U "$S/state/$f")" = nobody ] || fail "root's restore took $f from its owner"
	done
	chown -R root "$S/state"
	ok "root's restore leaves the state directory's files to their owner"
fi

# A second and third backup, for the attacks that need several.
expect_exit 0 sv -q backup --category data
expect_exit 0 sv -q backup --category data
sv_snap_site "$S" > "$T/snap.before"
sv_store_pull
cp -a "$SITE_DIR" "$T/site.pristine"

# reset_site: the site directory as it was here, in the store.
reset_site() {
	sv_store_pull
	rm -rf "$SITE_DIR"; cp -a "$T/site.pristine" "$SITE_DIR"
	sv_store_push
}

# attack NAME SHELL [WANT [EXIT]]: damage the store with SHELL, then restore
# must exit EXIT (65) naming what failed (WANT) and leave the live tree
# byte-identical.
attack() {
	local name=$1 code=$2 want=${3:-} exit=${4:-65}
	sv_store_pull
	rm -rf "$SITE_DIR"; cp -a "$T/site.pristine" "$SITE_DIR"
	(cd "$SITE_DIR" && eval "$code")
	sv_store_push
	expect_exit "$exit" sv restore latest --category data
	[ -z "$want" ] || expect_stderr "$want"
	sv_snap_site "$S" > "$T/snap.after"
	diff -q "$T/snap.before" "$T/snap.after" >/dev/null ||
	    fail "attack '$name' changed the target"
	ls -a "$S/live/spool" | grep -q sitevault-restore &&
	    fail "attack '$name' left a staging directory"
	ok "attack refused: $name"
}
attack "flipped byte in a part" \
    'flip_byte Data_3/part.000001 100' \
    'part.000001: SHA-256'
attack "part deleted" 'rm Data_3/part.000002' 'part.000002'
attack "parts swapped" \
    'mv Data_3/part.000000 x; mv Data_3/part.000001 Data_3/part.000000; mv x Data_3/part.000001' \
    'part.000000'
attack "part from another backup" 'cp Data_2/part.000001 Data_3/part.000001' \
    'part.000001'
# Short on every attempt: a transfer error (75), not a verdict on data that
# was never all read (sitevault(8), EXIT STATUS).
attack "truncated last part" \
    'last=$(ls Data_3/part.* | tail -1); truncate -s -1 "$last"' \
    'part.*transfer error' 75
attack "older manifest renamed to look newest" \
    'rm -rf Data_3; mv Data_1 Data_4' 'names site branch-01, Data_1'
attack "rollback: newest backups removed" 'rm -rf Data_3 Data_2' 'rolled back'
reset_site

# Another site with its own key, trusted by nobody here.
O=$T/other
sv_tree "$O"
sv_site branch-02 "$O"
expect_exit 0 "$SITEVAULT" -q -c "$O/sitevault.conf" backup --category data
attack "manifest signed by an untrusted key" \
    'rm -rf Data_3; cp -a ../branch-02/Data_1 Data_3' 'signature|key'
# Now trust branch-02's key: its manifest still names its own site.
printf '\n[keys]\n' >/dev/null
# A bare key file, the old form, is a configuration error naming the new.
sed -i "s|^secret = .*|&\ntrusted = $O/site.key.pub|" "$C"
expect_exit 78 sv list
expect_stderr 'trusted.*SITE:FILE'
sed -i "s|^trusted = .*|trusted = branch-02:$O/site.key.pub|" "$C"
ok "trusted = FILE without SITE: refused (78), naming the new form"
attack "manifest of another site in this site's directory" \
    'rm -rf Data_3; cp -a ../branch-02/Data_1 Data_3' 'not pinned|branch-02'
# A key trusted for branch-02 signs a manifest naming this site, with a
# higher id: it must not pass for one of ours.
reset_site
python3 "$top_srcdir/tests/lib/craft.py" setuid "${LIVE_DATA#/}" "$T/other.tar"
sv_store_pull
"$top_builddir/tests/lib/forge" "$O/site.key" "$STORE_DIR" branch-01 Data 4 "$T/other.tar" 65536
sv_store_push "$SITE_DIR"
expect_exit 0 sv --json list
grep '"id":4' "$T/stdout" | grep -q '"status":"complete"' && fail "list shows the other site's key's manifest complete"
expect_exit 65 sv restore latest --category data --target "$T/other-key"
[ ! -e "$T/other-key" ] || fail "a manifest signed by another site's key was restored"
ok "a key trusted for another site cannot sign this site's backups"
sed -i '/^trusted = /d' "$C"

# --- crafted archives: hostile even though signed by the site key ---------
mkdir -p "$T/outside"
echo sentinel > "$T/outside/sentinel"
for kind in dotdot absolute symlink hardlink device fifo newline; do
	sv_store_pull
	rm -rf "$SITE_DIR/Data_"*
	python3 "$top_srcdir/tests/lib/craft.py" "$kind" "${LIVE_DATA#/}" "$T/$kind.tar" \
	    "$T/outside" "/etc/passwd" 2>/dev/null ||
	    python3 "$top_srcdir/tests/lib/craft.py" "$kind" "${LIVE_DATA#/}" "$T/$kind.tar"
	"$top_builddir/tests/lib/forge" "$S/site.key" "$STORE_DIR" branch-01 Data 7 \
	    "$T/$kind.tar" 65536
	sv_store_push "$SITE_DIR"
	rm -f "$T/outside/through-symlink" /tmp/sitevault-absolute-escape
	expect_exit 65 sv restore latest --category data --target "$T/crafted"
	[ ! -e "$T/crafted" ] || fail "crafted $kind: target created"
	[ ! -e "$T/outside/through-symlink" ] || fail "crafted $kind: wrote through a symlink"
	[ ! -e /tmp/sitevault-absolute-escape ] || fail "crafted $kind: wrote an absolute path"
	find "$T" -name escape | grep -q . && fail "crafted $kind: wrote ../escape"
	[ "$(cat "$T/outside/sentinel")" = sentinel ] || fail "crafted $kind: outside changed"
	ls -a "$T" | grep -q sitevault-restore && fail "crafted $kind: staging left"
	if [ "$kind" = newline ]; then
		grep -qF 'a\nsitevault: forged' "$T/stderr" ||
		    fail "crafted $kind: name not escaped: $(cat "$T/stderr")"
		! grep -q '^sitevault: forged' "$T/stderr" ||
		    fail "crafted $kind: a name forged a line: $(cat "$T/stderr")"
	fi
	ok "crafted archive refused: $kind"
done
reset_site

# --- links at or above a configured path: refused before anything moves --
# forge_data KIND ARGS...: a signed Data_7 holding a crafted archive.
forge_data() {
	local kind=$1; shift
	sv_store_pull
	rm -rf "$SITE_DIR/Data_"*
	python3 "$top_srcdir/tests/lib/craft.py" "$kind" "${LIVE_DATA#/}" "$T/$kind.tar" "$@"
	"$top_builddir/tests/lib/forge" "$S/site.key" "$STORE_DIR" branch-01 Data 7 \
	    "$T/$kind.tar" 65536
	sv_store_push "$SITE_DIR"
}
mkdir -p "$T/elsewhere/voicemail"
echo sentinel > "$T/elsewhere/voicemail/sentinel"
sv_snap "$LIVE_DATA" > "$T/snap.live"
for kind in parentlink leaflink; do
	forge_data $kind "$T/elsewhere"
	expect_exit 65 sv restore latest --category data
	expect_stderr 'symlink or not a directory'
	sv_snap "$LIVE_DATA" | diff -u "$T/snap.live" - || fail "$kind: the live path changed"
	[ -d "$LIVE_DATA" ] && [ ! -L "$LIVE_DATA" ] || fail "$kind: the live path is not a directory"
	[ "$(cat "$T/elsewhere/voicemail/sentinel")" = sentinel ] || fail "$kind: outside changed"
	ls "$T/elsewhere" | grep -qv '^voicemail$' && fail "$kind: wrote outside"
	ls -a "$(dirname "$LIVE_DATA")" | grep -q '^\.sitevault-' && fail "$kind: staging left"
	ok "signed archive with a symlink ${kind%link} of the configured path: refused (65)"
done

# --- setuid and setgid bits are never restored ---------------------------
forge_data setuid
expect_exit 0 sv restore latest --category data --target "$T/suid"
[ "$(stat -c %a "$T/suid$LIVE_DATA/suid")" = 755 ] ||
    fail "setuid/setgid restored: $(stat -c %a "$T/suid$LIVE_DATA/suid")"
expect_stdout '^1 setuid/setgid bits not restored$'
ok "setuid/setgid bits stripped and counted"
reset_site

# A restore killed at every step: tests/agent/test_restore_kill.sh.

# --- disaster recovery: new hardware, escrow identity, site's public key --
age-keygen -o "$T/escrow.key" 2>/dev/null
escrow=$(age-keygen -y "$T/escrow.key")
sed -i "s|^secret = .*|&\nrecipients = $escrow|" "$C"
expect_exit 0 sv -q backup --category data
sv_snap "$LIVE_DATA" > "$T/snap.dr"
N=$T/newhw
mkdir -p "$N"
"$SITEVAULT" -q keygen --out "$N/site.key" >/dev/null
cp "$S/site.key.pub" "$N/branch-01.pub"
{
	printf '[site]\nname = branch-lab\n\n[server]\nurl = %s\n' "$STORE_URL"
	sv_server_lines
	printf '[keys]\nsecret = %s\ntrusted = branch-01:%s\n' "$N/site.key" "$N/branch-01.pub"
	printf '[state]\ndir = %s\n' "$N/state"
	printf '[backup]\ndata = %s\n' "$N/spool"
} > "$N/sitevault.conf"
sv_credentials "$N/sitevault.conf"
# Without the escrow identity nothing this machine holds can decrypt.
expect_exit 65 "$SITEVAULT" -c "$N/sitevault.conf" restore --from-site branch-01 --category data --target "$N/out"
[ ! -e "$N/out" ] || fail "failed DR restore created the target"
expect_exit 0 "$SITEVAULT" -c "$N/sitevault.conf" restore --from-site branch-01 \
    --category data --identity "$T/escrow.key" --target "$N/out"
sv_snap "$N/out$LIVE_DATA" > "$T/snap.drout"
diff -u "$T/snap.dr" "$T/snap.drout" || fail "disaster recovery restore differs"
ok "disaster recovery with --from-site and an escrow --identity"

# --- names with control characters cannot forge output lines -------------
# pack stores any name; where one reaches the terminal it is escaped.
forged=$'a\nsitevault: forged\t\033[31m'
printf 'x\n' > "$LIVE_DATA/$forged"
expect_exit 0 sv -q backup --category data
rm "$LIVE_DATA/$forged"
expect_exit 0 sv -v restore --dry-run latest --category data
grep -qF 'a\nsitevault: forged\t\x1b[31m' "$T/stdout" ||
    { cat "$T/stdout"; fail "dry run: the name is not listed escaped"; }
grep -qxF "restore $LIVE_DATA/"'a\nsitevault: forged\t\x1b[31m' "$T/stdout" ||
    { cat "$T/stdout"; fail "dry run: no escaped \"restore\" line"; }
! grep -q '^sitevault: forged' "$T/stdout" "$T/stderr" ||
    fail "a name forged a line: $(cat "$T/stdout")"
! grep -q $'\033' "$T/stdout" "$T/stderr" || fail "an escape sequence reached the output"
[ ! -e "$LIVE_DATA/$forged" ] || fail "--dry-run restored the file"
expect_exit 0 sv -q restore latest --category data
[ "$(cat "$LIVE_DATA/$forged")" = x ] || fail "the name was not restored as it is"
ok "names with control characters: escaped in --dry-run -v and errors, restored intact"

# --- sparse files stay sparse --------------------------------------------
truncate -s 64M "$LIVE_DATA/disk.img"
printf 'start' | dd of="$LIVE_DATA/disk.img" conv=notrunc status=none
printf 'end' | dd of="$LIVE_DATA/disk.img" bs=1 seek=$((64 * 1048576 - 3)) conv=notrunc status=none
alloc=$(($(stat -c %b "$LIVE_DATA/disk.img") * $(stat -c %B "$LIVE_DATA/disk.img")))
if [ $alloc -ge 1048576 ]; then
	echo "note: this filesystem does not keep holes: sparse case not run"
else
	expect_exit 0 sv -q backup --category data
	expect_exit 0 sv -q restore latest --category data --target "$T/sparse"
	f=$T/sparse$LIVE_DATA/disk.img
	cmp -s "$f" "$LIVE_DATA/disk.img" || fail "sparse file restored with other bytes"
	alloc=$(($(stat -c %b "$f") * $(stat -c %B "$f")))
	[ $alloc -lt 1048576 ] || fail "sparse file restored with $alloc bytes allocated"
	ok "a sparse file restores sparse"
fi
rm "$LIVE_DATA/disk.img"

# --- --at TIME: the newest complete backup at or before it -----------------
echo one > "$LIVE_DATA/at-marker"
expect_exit 0 sv -q backup --category data
sleep 1	# manifests record the time to the second
echo two > "$LIVE_DATA/at-marker"
expect_exit 0 sv -q backup --category data
expect_exit 0 sv --json list
read -r at_id at_time < <(python3 -c '
import json, sys
d = [json.loads(l) for l in open(sys.argv[1])]
d = [x for x in d if x["category"] == "Data" and x["status"] == "complete"]
x = d[-2]
print(x["id"], x["time"])' "$T/stdout")
expect_exit 0 sv restore --at "$at_time" --category data --target "$T/at"
expect_stdout "verified branch-01/Data_${at_id}:"
[ "$(cat "$T/at$LIVE_DATA/at-marker")" = one ] || fail "--at restored another backup"
expect_exit 66 sv restore --at 2001-01-01T00:00:00Z --category data --target "$T/at0"
expect_exit 64 sv restore --at yesterday-ish --category data
expect_exit 0 sv -q restore --at "$(date +%Y-%m-%d)" --category data --target "$T/at-today"
[ "$(cat "$T/at-today$LIVE_DATA/at-marker")" = two ] || fail "--at DATE is not the end of that day"
ok "--at TIME (ISO 8601 UTC or a local date) picks the newest backup at or before it"

# --- a data-only site verifies and restores ------------------------------
D=$T/dataonly
mkdir -p "$D/spool"
echo msg > "$D/spool/m.wav"
"$SITEVAULT" -q keygen --out "$D/site.key" >/dev/null
{
	printf '[site]\nname = branch-data\n\n[server]\nurl = %s\n' "$STORE_URL"
	sv_server_lines
	printf '[keys]\nsecret = %s\n[state]\ndir = %s\n' "$D/site.key" "$D/state"
	printf '[backup]\ndata = %s\n' "$D/spool"
} > "$D/sitevault.conf"
sv_credentials "$D/sitevault.conf"
expect_exit 0 "$SITEVAULT" -c "$D/sitevault.conf" -q backup
expect_exit 0 "$SITEVAULT" -c "$D/sitevault.conf" verify
expect_stdout 'verified branch-data/Data_1'
echo changed > "$D/spool/m.wav"
expect_exit 0 "$SITEVAULT" -c "$D/sitevault.conf" restore latest
[ "$(cat "$D/spool/m.wav")" = msg ] || fail "data-only restore did not restore"
ok "a data-only site verifies and restores"
