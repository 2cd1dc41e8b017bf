#!/bin/bash
# sitevault backup/list/prune against the real FTP servers of the harness
# (vsftpd, proftpd, pure-ftpd): the spec's layout on the server, stock-tool
# recovery, ids and retention, and a server stopped mid-upload.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
need age minisign zstd tar

export SITEVAULT_RETRY_BASE_MS=100
servers=$(ftpd_list_servers plain)
[ -n "$servers" ] || skip "no FTP server can run here (needs root)"
bk_tree 128 4
mkdir -p "$T/big"
# Incompressible, so that the stream has many 64 KiB parts to upload.
for i in 1 2 3 4; do head -c $((6 * 1024 * 1024)) /dev/urandom >"$T/big/m$i.wav"; done
bk_keygen

for srv in $servers; do
	ftpd_start "$srv" plain
	R=$FTPD_ROOT/backups/$SITE
	rm -rf "$T/state"
	bk_conf "$T/conf" "$FTPD_URL/backups" "server.user = $FTPD_USER" \
	    "server.tls = none" "server.retries = 1" "server.connect_timeout = 3s" \
	    "server.stall_timeout = 5s" "backup.part_size = 64K" "backup.retain = 2"
	printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/conf" credentials ||
	    ftpd_fail "$srv: credentials"
	sv() { "$SITEVAULT" -c "$T/conf" "$@"; }

	# A brand-new server (the URL's directory not made yet): empty
	# results, no error, nothing created.
	bk_empty_store "ftp://"
	[ ! -e "$FTPD_ROOT/backups" ] || ftpd_fail "$srv: list or prune made $(ls "$FTPD_ROOT")"
	ok "$srv: list, history and prune on a brand-new server"

	# A backup of each category, in the spec's layout, readable by stock tools.
	expect_exit 0 sv backup --description "on $srv"
	[ -f "$R/SITE" ] && [ -f "$R/history.log" ] || ftpd_fail "$srv: no SITE/history.log"
	for c in Configuration Data; do
		[ -f "$R/${c}_1/manifest" ] && [ -f "$R/${c}_1/manifest.sig" ] &&
		    [ -f "$R/${c}_1/part.000000" ] || ftpd_fail "$srv: ${c}_1: $(ls "$R/${c}_1")"
		bk_stock_check "$R/${c}_1"
	done
	ls "$R"/*/ | grep -vE '^(manifest|manifest\.sig|part\.[0-9]{6}|)$|:$' &&
	    ftpd_fail "$srv: temporary files left"
	ok "$srv: layout, stock age/zstd/tar and minisign"

	# Ids grow; retention keeps exactly 2.
	expect_exit 0 sv -q backup
	[ -s "$T/stdout" ] || [ -s "$T/stderr" ] && fail "$srv: -q printed $(cat "$T/stderr")"
	expect_exit 0 sv -q backup --category data
	[ "$(bk_ids "$R" Data)" = "2 3" ] || ftpd_fail "$srv: retention: $(bk_ids "$R" Data)"
	[ "$(bk_ids "$R" Configuration)" = "1 2" ] || ftpd_fail "$srv: config ids"
	expect_exit 0 sv list
	[ "$(grep -c ' complete ' "$T/stdout")" = 4 ] || ftpd_fail "$srv: list: $(cat "$T/stdout")"
	expect_exit 0 sv history
	expect_stdout "delete +Data +1 +ok"
	ok "$srv: ids grow, retention keeps 2, list and history"

	# The server stops in the middle of an upload.
	bk_conf "$T/conf.big" "$FTPD_URL/backups" "server.user = $FTPD_USER" \
	    "server.tls = none" "server.retries = 1" "server.connect_timeout = 2s" \
	    "server.stall_timeout = 3s" "backup.part_size = 64K" "backup.retain = 2" \
	    "backup.data = $T/big"
	printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/conf.big" credentials ||
	    ftpd_fail "$srv: credentials"
	before=$(bk_snapshot "$R")
	"$SITEVAULT" -c "$T/conf.big" backup --category data >"$T/bg.out" 2>"$T/bg.err" &
	pid=$!
	for _ in $(seq 400); do
		[ -e "$R/Data_4/part.000003" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.05
	done
	[ -e "$R/Data_4/part.000003" ] || ftpd_fail "$srv: upload never started: $(cat "$T/bg.err")"
	# The first half of ftpd_restart: the server is gone, its port kept.
	_ftpd_halt
	got=0; wait "$pid" || got=$?
	[ "$got" -ne 0 ] || fail "$srv: backup succeeded with the server stopped"
	case $got in 69|74|75) ;; *) fail "$srv: exit $got: $(cat "$T/bg.err")" ;; esac
	[ -e "$R/Data_4/manifest" ] && fail "$srv: interrupted backup has a manifest"
	diff <(echo "$before") <(bk_snapshot "$R" | grep -v 'Data_4') >/dev/null ||
	    fail "$srv: the failed run changed other backups"
	ok "$srv: server stopped mid-upload: exit $got, no manifest, nothing deleted"

	ftpd_restart
	expect_exit 0 sv list
	expect_stdout "^Data +4 .* unfinished"
	expect_exit 0 sv prune --dry-run
	expect_stdout "^would delete Data_4 \(unfinished"
	[ -d "$R/Data_4" ] || fail "$srv: --dry-run deleted"
	expect_exit 0 sv prune
	[ -d "$R/Data_4" ] && fail "$srv: prune left Data_4"
	[ "$(bk_ids "$R" Data)" = "2 3" ] || fail "$srv: prune: $(bk_ids "$R" Data)"
	ok "$srv: prune removes the unfinished backup"
	ftpd_stop
done
