# tests/lib/site.sh: sourced after tests/lib/lib.sh (and tests/lib/ftpd.sh for FTP
# stores).  Sets up a site: key, configuration, and a small voicemail tree.

# sv_store_init KIND: KIND is "local" or an FTP server name of tests/ftpd.sh.
# Sets STORE_URL and STORE_DIR (the store's root directory on disk).
sv_store_init() {
	STORE_KIND=$1
	if [ "$1" = local ]; then
		STORE_DIR=$T/store
		mkdir -p "$STORE_DIR"
		STORE_URL=$STORE_DIR
	else
		ftpd_start "$1"
		STORE_DIR=$FTPD_ROOT
		STORE_URL=$FTPD_URL
	fi
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
		if [ "$STORE_KIND" != local ]; then
			printf 'user = %s\ntls = none\nconnect_timeout = 5s\nstall_timeout = 10s\nretries = 1\n' "$FTPD_USER"
		fi
		printf '\n[keys]\nsecret = %s\n' "$dir/site.key"
		printf '\n[state]\ndir = %s\n' "$dir/state"
		printf '\n[backup]\nconfiguration = %s\ndata = %s\n' \
		    "$dir/live/etc/voicemail" "$dir/live/spool/voicemail"
		printf 'part_size = 64K\nretain = 5\n'
		local l
		for l in "$@"; do printf '%s\n' "$l"; done
	} > "$dir/sitevault.conf"
	if [ "$STORE_KIND" != local ]; then
		printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$dir/sitevault.conf" credentials
	fi
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
