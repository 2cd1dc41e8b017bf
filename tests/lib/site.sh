# tests/lib/site.sh: sourced after tests/lib/lib.sh (and tests/lib/ftpd.sh for FTP
# stores, tests/lib/ceph.sh for S3).  Sets up a site: key, configuration, and
# a small voicemail tree.
#
# Tests read and damage the store as files under STORE_DIR.  For FTP and the
# local directory those are the store itself; for S3 they are a copy of the
# objects under the url's prefix: sv_store_pull refreshes it from the
# gateway (before reading or changing it), sv_store_push makes the objects
# what it holds (after changing it).

# sv_store_init KIND: KIND is "local", "s3" (a one-node Ceph of
# tests/lib/ceph.sh, which skips where Ceph is not installed) or an FTP
# server name of tests/ftpd.sh.  Sets STORE_URL and STORE_DIR (the store's
# root directory on disk, or for S3 its copy).
sv_store_init() {
	STORE_KIND=$1
	case $1 in
	local)
		STORE_DIR=$T/store
		mkdir -p "$STORE_DIR"
		STORE_URL=$STORE_DIR
		;;
	s3)
		ceph_require
		ceph_start
		ceph_bucket sv-cases
		STORE_DIR=$T/s3copy
		STORE_URL=s3://sv-cases/fleet
		sv_store_pull
		;;
	*)
		ftpd_start "$1"
		STORE_DIR=$FTPD_ROOT
		STORE_URL=$FTPD_URL
		;;
	esac
}

# sv_store_pull: make STORE_DIR what the store holds (S3 only; the others
# are read in place).
sv_store_pull() {
	[ "$STORE_KIND" = s3 ] || return 0
	ceph_pull sv-cases fleet "$STORE_DIR"
	(cd "$STORE_DIR" && find . -type f -exec md5sum {} + | sort) >"$STORE_DIR.sums"
}

# sv_store_push [PATH...]: after a test changed STORE_DIR, make the store
# hold it: for S3, delete the objects whose files are gone and PUT the
# files changed since sv_store_pull; for FTP, give PATHs (files the test
# made) to the server's user.
sv_store_push() {
	local f
	case $STORE_KIND in
	local) ;;
	s3)
		(cd "$STORE_DIR" && find . -type f -exec md5sum {} + | sort) >"$T/s3copy.now"
		# Gone: in the old sums, not on disk.
		sed 's/^[0-9a-f]*  \.\///' "$STORE_DIR.sums" | while IFS= read -r f; do
			[ -f "$STORE_DIR/$f" ] && continue
			cs3 DELETE "/sv-cases/$(_ceph_penc "fleet/$f")" >/dev/null
			[ "$(cat "$T/cs3.code")" = 204 ] || fail "s3: DELETE fleet/$f failed"
		done
		comm -13 "$STORE_DIR.sums" "$T/s3copy.now" | sed 's/^[0-9a-f]*  \.\///' |
		    while IFS= read -r f; do
			cs3 PUT "/sv-cases/$(_ceph_penc "fleet/$f")" -T "$STORE_DIR/$f" >/dev/null
			[ "$(cat "$T/cs3.code")" = 200 ] || fail "s3: PUT fleet/$f failed"
		done
		mv "$T/s3copy.now" "$STORE_DIR.sums"
		;;
	*) [ $# -eq 0 ] || ftpd_chown "$@" ;;
	esac
}

# sv_server_lines: the [server] lines besides url for this store.
sv_server_lines() {
	case $STORE_KIND in
	local) ;;
	s3) printf 'endpoint = %s\naccess_key = %s\nconnect_timeout = 5s\nstall_timeout = 10s\nretries = 1\n' \
	    "$CEPH_ENDPOINT" "$CEPH_ACCESS" ;;
	*) printf 'user = %s\ntls = none\nconnect_timeout = 5s\nstall_timeout = 10s\nretries = 1\n' "$FTPD_USER" ;;
	esac
}

# sv_credentials CONF: seal the store's password or secret key into CONF.
sv_credentials() {
	case $STORE_KIND in
	local) ;;
	s3) printf '%s\n' "$CEPH_SECRET" | "$SITEVAULT" -q -c "$1" credentials ;;
	*) printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$1" credentials ;;
	esac
}

# sv_site NAME DIR [CONFIG LINES...]: make a site in DIR: DIR/site.key,
# DIR/sitevault.conf, DIR/state; extra lines are appended to [backup]
# unless they start a section themselves.
sv_site() {
	local name=$1 dir=$2; shift 2
	mkdir -p "$dir"
	"$SITEVAULT" -q keygen --out "$dir/site.key" >/dev/null
	{
		printf '[site]\nname = %s\n\n[server]\nurl = %s\n' "$name" "$STORE_URL"
		sv_server_lines
		printf '\n[keys]\nsecret = %s\n' "$dir/site.key"
		printf '\n[state]\ndir = %s\n' "$dir/state"
		printf '\n[backup]\nconfiguration = %s\ndata = %s\n' \
		    "$dir/live/etc/voicemail" "$dir/live/spool/voicemail"
		printf 'part_size = 64K\nretain = 5\n'
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$dir/sitevault.conf"
	sv_credentials "$dir/sitevault.conf"
}

# sv_tree DIR: a small voicemail tree under DIR/live with what a restore must
# keep: names with spaces and non-ASCII, an empty directory, a symlink,
# modes and times.
sv_tree() {
	local live=$1/live
	mkdir -p "$live/etc/voicemail/users" "$live/spool/voicemail/1001/INBOX" \
	    "$live/spool/voicemail/1002/Old Messages" "$live/spool/voicemail/empty"
	printf 'user 1001\nuser 1002\n' > "$live/etc/voicemail/users/list.conf"
	printf 'greeting=standard\n' > "$live/etc/voicemail/mailbox settings.conf"
	chmod 640 "$live/etc/voicemail/mailbox settings.conf"
	head -c 300000 /dev/urandom > "$live/spool/voicemail/1001/INBOX/msg0001.wav"
	head -c 1000 /dev/urandom > "$live/spool/voicemail/1001/INBOX/Grüße – ünïcødé.wav"
	head -c 70000 /dev/urandom > "$live/spool/voicemail/1002/Old Messages/msg 2.wav"
	: > "$live/spool/voicemail/1002/empty.txt"
	ln -s "1001/INBOX/msg0001.wav" "$live/spool/voicemail/latest.wav"
	chmod 600 "$live/spool/voicemail/1001/INBOX/msg0001.wav"
	touch -d '2024-02-29 12:34:56.123456789' "$live/spool/voicemail/1002/empty.txt"
	touch -h -d '2023-01-01 00:00:00' "$live/spool/voicemail/latest.wav"
}

# sv_snap DIR: snapshot of a tree (tests/lib/treesnap.py) on stdout.
sv_snap() {
	python3 "$top_srcdir/tests/lib/treesnap.py" "$1"
}

# sv_snap_site DIR: snapshot of both configured paths of the site in DIR
# (their parents are not backed up: a restore may touch their times).
sv_snap_site() {
	sv_snap "$1/live/etc/voicemail"
	sv_snap "$1/live/spool/voicemail"
}

# sv_badftpd_site: serve R=$T/root with tests/lib/badftpd.py, misbehaving
# as the JSON file B=$T/behaviour.json says (at first: not at all), and
# make the site branch-01 in S=$T/s storing there.
sv_badftpd_site() {
	R=$T/root
	mkdir -p "$R"
	B=$T/behaviour.json
	echo '{}' >"$B"
	sv_serve "$T/port" badftpd.py \
	    python3 "$top_srcdir/tests/lib/badftpd.py" "$R" "$T/port" "$B"
	STORE_KIND=badftpd STORE_DIR=$R
	STORE_URL=ftp://127.0.0.1:$(cat "$T/port")
	FTPD_USER=svuser FTPD_PASS=pw
	S=$T/s
	sv_site branch-01 "$S"
}
