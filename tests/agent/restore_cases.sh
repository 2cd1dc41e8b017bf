# tests/agent/restore_cases.sh: the verify/restore tests, run against one store.
# Sourced by tests/test_restore_<store>.sh after STORE is set.

. "$top_srcdir/tests/lib/lib.sh"
[ "$STORE" = local ] || . "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3 age
export SITEVAULT_RETRY_BASE_MS=10

sv_store_init "$STORE"
S=$T/a
sv_tree "$S"
sv_site branch-01 "$S"
C="$S/sitevault.conf"
sv() { "$SITEVAULT" -c "$C" "$@"; }
LIVE_DATA=$S/live/spool/voicemail
LIVE_CONF=$S/live/etc/voicemail
SITE_DIR=$STORE_DIR/branch-01

expect_exit 0 sv -q backup
sv_snap_site "$S" > "$T/snap.1"

# --- round trip into the configured paths -------------------------------
rm -f "$LIVE_DATA/1001/INBOX/msg0001.wav"
echo changed > "$LIVE_CONF/users/list.conf"
mkdir "$LIVE_DATA/new since backup"
expect_exit 0 sv restore latest
sv_snap_site "$S" > "$T/snap.2"
diff -u "$T/snap.1" "$T/snap.2" || fail "restore into configured paths differs"
ok "round trip into the configured paths, both categories"

# --- --target, one category, by id ---------------------------------------
expect_exit 0 sv restore 1 --category data --target "$T/out"
sv_snap "$T/out$LIVE_DATA" > "$T/snap.t"
sv_snap "$LIVE_DATA" > "$T/snap.d"
diff -u "$T/snap.d" "$T/snap.t" || fail "restore --target differs"
[ ! -e "$T/out$LIVE_CONF" ] || fail "--category data restored configuration"
grep -q $'\r' "$T/stderr" && fail "progress line written to a non-terminal"
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
expect_stdout 'changed users/list.conf'
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
cp -a "$SITE_DIR" "$T/site.pristine"

# attack NAME SHELL: damage the store with SHELL, then restore must exit 65
# naming what failed and leave the live tree byte-identical.
attack() {
	local name=$1 code=$2 want=${3:-}
	rm -rf "$SITE_DIR"; cp -a "$T/site.pristine" "$SITE_DIR"
	(cd "$SITE_DIR" && eval "$code")
	expect_exit 65 sv restore latest --category data
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
attack "truncated last part" \
    'last=$(ls Data_3/part.* | tail -1); truncate -s -1 "$last"' 'part'
attack "older manifest renamed to look newest" \
    'rm -rf Data_3; mv Data_1 Data_4' 'names site branch-01, Data_1'
attack "rollback: newest backups removed" 'rm -rf Data_3 Data_2' 'rolled back'
rm -rf "$SITE_DIR"; cp -a "$T/site.pristine" "$SITE_DIR"

# Another site with its own key, trusted by nobody here.
O=$T/other
sv_tree "$O"
sv_site branch-02 "$O"
expect_exit 0 "$SITEVAULT" -q -c "$O/sitevault.conf" backup --category data
attack "manifest signed by an untrusted key" \
    'rm -rf Data_3; cp -a ../branch-02/Data_1 Data_3' 'signature|key'
# Now trust branch-02's key: its manifest still names its own site.
printf '\n[keys]\n' >/dev/null
sed -i "s|^secret = .*|&\ntrusted = $O/site.key.pub|" "$C"
attack "manifest of another site in this site's directory" \
    'rm -rf Data_3; cp -a ../branch-02/Data_1 Data_3' 'branch-02'
sed -i '/^trusted = /d' "$C"

# --- crafted archives: hostile even though signed by the site key ---------
mkdir -p "$T/outside"
echo sentinel > "$T/outside/sentinel"
for kind in dotdot absolute symlink hardlink device fifo newline; do
	rm -rf "$SITE_DIR/Data_"*
	python3 "$top_srcdir/tests/lib/craft.py" "$kind" "${LIVE_DATA#/}" "$T/$kind.tar" \
	    "$T/outside" "/etc/passwd" 2>/dev/null ||
	    python3 "$top_srcdir/tests/lib/craft.py" "$kind" "${LIVE_DATA#/}" "$T/$kind.tar"
	"$top_builddir/tests/lib/forge" "$S/site.key" "$STORE_DIR" branch-01 Data 7 \
	    "$T/$kind.tar" 65536
	[ "$STORE_KIND" = local ] || ftpd_chown "$SITE_DIR"
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
rm -rf "$SITE_DIR"; cp -a "$T/site.pristine" "$SITE_DIR"

# --- a restore killed at random moments leaves old or new, never a mix ----
# A larger data set so the restore takes a while; kill -9 at random points.
sed -i 's/^part_size = .*/part_size = 1M/' "$C"
for i in $(seq 1 40); do head -c 1000000 /dev/urandom > "$LIVE_DATA/bulk$i.wav"; done
expect_exit 0 sv -q backup --category data
sv_snap "$LIVE_DATA" > "$T/snap.new"
rm -f "$LIVE_DATA"/bulk*.wav; echo old > "$LIVE_DATA/old-only.txt"
sv_snap "$LIVE_DATA" > "$T/snap.old"
seen=""
for delay in 0.02 0.05 0.1 0.15 0.2 0.3 0.4 0.6 0.8 1.2 "0.$RANDOM" "0.$RANDOM"; do
	# The agent itself, not a shell around it, is killed.
	"$SITEVAULT" -q -c "$C" restore latest --category data & pid=$!
	sleep "$delay"; kill -9 "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true
	sv_snap "$LIVE_DATA" > "$T/snap.k"
	if cmp -s "$T/snap.k" "$T/snap.old"; then state=old
	elif cmp -s "$T/snap.k" "$T/snap.new"; then state=new
	else diff -u "$T/snap.old" "$T/snap.k" | head -20; fail "killed after ${delay}s: target is neither old nor new"; fi
	echo "killed after ${delay}s: target $state"
	seen="$seen $state"
	if [ $state = new ]; then
		rm -f "$LIVE_DATA"/bulk*.wav; echo old > "$LIVE_DATA/old-only.txt"
		sv_snap "$LIVE_DATA" > "$T/snap.old"
	fi
done
case $seen in *old*) ;; *) echo "note: no kill landed before the swap" ;; esac
# The next restore after the kills completes and cleans up after itself.
expect_exit 0 sv -q restore latest --category data
sv_snap "$LIVE_DATA" > "$T/snap.k"
cmp -s "$T/snap.k" "$T/snap.new" || fail "restore after kills differs"
ls -a "$(dirname "$LIVE_DATA")" | grep -q '^\.sitevault-' && fail "leftovers of killed restores remain"
ok "restore killed at random moments: always old or new"

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
	[ "$STORE_KIND" = local ] || printf 'user = %s\ntls = none\n' "$FTPD_USER"
	printf '[keys]\nsecret = %s\ntrusted = %s\n' "$N/site.key" "$N/branch-01.pub"
	printf '[state]\ndir = %s\n' "$N/state"
	printf '[backup]\ndata = %s\n' "$N/spool"
} > "$N/sitevault.conf"
[ "$STORE_KIND" = local ] || printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$N/sitevault.conf" credentials
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
grep -qxF 'new a\nsitevault: forged\t\x1b[31m' "$T/stdout" ||
    { cat "$T/stdout"; fail "dry run: no escaped \"new\" line"; }
! grep -q '^sitevault: forged' "$T/stdout" "$T/stderr" ||
    fail "a name forged a line: $(cat "$T/stdout")"
! grep -q $'\033' "$T/stdout" "$T/stderr" || fail "an escape sequence reached the output"
[ ! -e "$LIVE_DATA/$forged" ] || fail "--dry-run restored the file"
expect_exit 0 sv -q restore latest --category data
[ "$(cat "$LIVE_DATA/$forged")" = x ] || fail "the name was not restored as it is"
ok "names with control characters: escaped in --dry-run -v and errors, restored intact"
