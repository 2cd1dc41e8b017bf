# tests/agent/backuplib.sh: helpers for the backup/list/history/prune tests.
# Source after tests/lib.sh.  Everything lives under $T.

SITE=${SITE:-branch-01}

# bk_tree: a small voicemail-like source tree under $T/src, with names,
# modes, a symlink and an empty file; $1 = KiB of random audio-like data
# per message file (default 64), $2 = messages (default 6).
bk_tree() {
	local kb=${1:-64} n=${2:-6} i
	mkdir -p "$T/src/etc/voicemail/users" "$T/src/spool/voicemail/1001" \
	    "$T/src/spool/voicemail/1002"
	for i in $(seq 1 12); do
		printf 'user=%s\nname=User %s\npin=****\n' "$((1000 + i))" "$i" \
		    >"$T/src/etc/voicemail/users/$((1000 + i)).conf"
	done
	printf '[general]\nlanguage=en\n' >"$T/src/etc/voicemail/voicemail.conf"
	: >"$T/src/etc/voicemail/empty"
	ln -sf voicemail.conf "$T/src/etc/voicemail/current.conf"
	for i in $(seq 1 "$n"); do
		head -c "$((kb * 1024))" /dev/urandom \
		    >"$T/src/spool/voicemail/100$((i % 2 + 1))/msg$i.wav"
	done
}

# bk_conf FILE URL [EXTRA...]: a configuration for site $SITE storing at
# URL, keys in $T/site.key, state in $T/state; each EXTRA is "section.key =
# value" appended to its section.
bk_conf() {
	local file=$1 url=$2; shift 2
	local backup="" server="" keys="" site="" kv
	local conf_paths=$T/src/etc/voicemail data_paths=$T/src/spool/voicemail
	for kv in "$@"; do
		case $kv in
		"backup.configuration = "*) conf_paths=${kv#*= } ;;
		"backup.data = "*) data_paths=${kv#*= } ;;
		backup.*) backup+="${kv#backup.}"$'\n' ;;
		server.*) server+="${kv#server.}"$'\n' ;;
		keys.*) keys+="${kv#keys.}"$'\n' ;;
		site.*) site+="${kv#site.}"$'\n' ;;
		*) fail "bk_conf: bad extra $kv" ;;
		esac
	done
	cat >"$file" <<CONF
[site]
name = $SITE
$site
[server]
url = $url
$server
[backup]
configuration = $conf_paths
data = $data_paths
$backup
[keys]
secret = $T/site.key
$keys
[state]
dir = $T/state
CONF
}

# bk_keygen: the site key $T/site.key (and .pub).
bk_keygen() {
	[ -f "$T/site.key" ] || "$SITEVAULT" -q keygen --out "$T/site.key" ||
	    fail "keygen failed"
}

# bk_snapshot DIR: a listing of names, sizes and contents' hashes under DIR.
bk_snapshot() {
	(cd "$1" && find . -printf '%p %y %s\n' | LC_ALL=C sort &&
	    find . -type f -print0 | LC_ALL=C sort -z | xargs -0r sha256sum)
}

# bk_stock_check DIR: the backup in DIR verifies with stock minisign and
# decrypts with stock age, decompresses with zstd and lists with tar;
# the listing goes to $T/tar.list.
bk_stock_check() {
	local d=$1
	minisign -Vq -p "$T/site.key.pub" -m "$d/manifest" -x "$d/manifest.sig" ||
	    fail "$d: stock minisign does not verify the manifest"
	cat "$d"/part.* | age -d -i "$T/site.key" | zstd -dq | tar -t >"$T/tar.list" ||
	    fail "$d: cat part.* | age -d | zstd -d | tar -t failed"
}

# bk_ids DIR CATEGORY: the ids of CATEGORY's directories in DIR, sorted.
bk_ids() {
	ls "$1" | sed -n "s/^$2_\([0-9]*\)\$/\1/p" | sort -n | tr '\n' ' ' |
	    sed 's/ $//'
}

# bk_empty_store WHERE: on a store with nothing in it yet, list, history and
# prune (sv, run by the test) succeed with empty results; list --all-sites
# says "no sites under WHERE" (a regular expression).
bk_empty_store() {
	expect_exit 0 sv list
	expect_stdout "^$SITE: no backups$"
	expect_exit 0 sv list --all-sites
	expect_stdout "^no sites under $1"
	expect_exit 0 sv history
	expect_stdout "^$SITE: no history yet$"
	expect_exit 0 sv prune --dry-run
	expect_stdout "^nothing to prune$"
	expect_exit 0 sv prune
	expect_stdout "^nothing to prune$"
}
