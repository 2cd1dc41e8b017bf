#!/bin/bash
# [state] metrics against Debian's real prometheus-node-exporter: after
# backup, verify, restore and prune the textfile holds the values of the
# run that just finished, the exporter serves them on /metrics, and it
# parsed the file without error (node_textfile_scrape_error 0).
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
need python3 curl
NE=${NODE_EXPORTER:-/usr/bin/prometheus-node-exporter}
[ -x "$NE" ] || skip "prometheus-node-exporter is not installed (packaging/install-deps)"

S=$T/store
mkdir -p "$S" "$T/prom"
bk_tree 16 2
bk_keygen
bk_conf "$T/conf" "$S" "backup.retain = 1"
# The key goes in [state] after dir; bk_conf knows no state.* extras.
printf 'metrics = %s\n' "$T/prom/sitevault.prom" >>"$T/conf"
sv() { "$SITEVAULT" -c "$T/conf" "$@"; }

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
"$NE" --web.listen-address="127.0.0.1:$port" --collector.disable-defaults \
    --collector.textfile --collector.textfile.directory="$T/prom" \
    >"$T/ne.log" 2>&1 &
ne_pid=$!
sv_atexit "kill $ne_pid 2>/dev/null; wait $ne_pid 2>/dev/null"
for i in $(seq 1 100); do
	curl -sf "http://127.0.0.1:$port/metrics" >/dev/null && break
	kill -0 "$ne_pid" 2>/dev/null || { cat "$T/ne.log" >&2; fail "node_exporter exited"; }
	sleep 0.1
done

# scrape PY: scrape /metrics; the python expression PY holds over m, a
# dict from "name{labels}" (as the exporter prints it) to float.
scrape() {
	curl -sf "http://127.0.0.1:$port/metrics" >"$T/scrape" || fail "scrape failed"
	python3 - "$T/scrape" "$1" <<'PY' || { grep -E '^(sitevault|node_textfile)' "$T/scrape" >&2; fail "scrape: $1"; }
import sys
m = {}
for l in open(sys.argv[1]):
    if l.startswith("#") or not l.strip():
        continue
    k, v = l.rsplit(" ", 1)
    m[k] = float(v)
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

t0=$(date +%s)
expect_exit 0 sv --json backup
cp "$T/stdout" "$T/backup.json"
bytes=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["backups"]; print(" ".join(str(x["bytes_stored"]) for x in b))' "$T/backup.json")
files=$(python3 -c 'import json,sys; b=json.load(open(sys.argv[1]))["backups"]; print(" ".join(str(x["files"]) for x in b))' "$T/backup.json")
set -- $bytes; cb=$1 db=$2
set -- $files; cf=$1 df=$2
t1=$(date +%s)
scrape "m['node_textfile_scrape_error'] == 0 and m['sitevault_last_run_exit_code{operation=\"backup\"}'] == 0 and $t0 <= m['sitevault_last_run_timestamp_seconds{operation=\"backup\"}'] <= $t1 and m['sitevault_last_backup_bytes{category=\"Configuration\"}'] == $cb and m['sitevault_last_backup_bytes{category=\"Data\"}'] == $db and m['sitevault_last_backup_files{category=\"Configuration\"}'] == $cf and m['sitevault_last_backup_files{category=\"Data\"}'] == $df and $t0 <= m['sitevault_last_success_timestamp_seconds{category=\"Data\"}'] <= $t1 and m['sitevault_last_run_duration_seconds'] >= 0"
grep -q '^# TYPE sitevault_last_backup_bytes gauge$' "$T/prom/sitevault.prom" &&
    grep -q '^# HELP sitevault_last_run_exit_code ' "$T/prom/sitevault.prom" ||
	fail "HELP/TYPE lines: $(cat "$T/prom/sitevault.prom")"
[ "$(stat -c %a "$T/prom/sitevault.prom")" = 644 ] ||
	fail "mode $(stat -c %a "$T/prom/sitevault.prom"): the exporter's user cannot read it"
[ "$(ls -A "$T/prom")" = sitevault.prom ] || fail "left behind: $(ls -A "$T/prom")"
ok "backup: exit code, time, bytes and files per category served by node_exporter"

expect_exit 0 sv verify
expect_exit 0 sv restore --target "$T/restored"
expect_exit 0 sv -q backup --category data
expect_exit 0 sv prune
scrape "m['node_textfile_scrape_error'] == 0 and all(m['sitevault_last_run_exit_code{operation=\"%s\"}' % o] == 0 for o in ('backup', 'verify', 'restore', 'prune')) and m['sitevault_last_backup_bytes{category=\"Configuration\"}'] == $cb and m['sitevault_last_success_timestamp_seconds{category=\"Data\"}'] >= m['sitevault_last_success_timestamp_seconds{category=\"Configuration\"}']"
ok "verify, restore and prune recorded beside the backup"

# A failure: the exit code of the run that just finished.
flip_byte "$S/$SITE/Data_2/part.000000" 100
expect_exit 65 sv verify --category data
scrape "m['node_textfile_scrape_error'] == 0 and m['sitevault_last_run_exit_code{operation=\"verify\"}'] == 65 and m['sitevault_last_run_exit_code{operation=\"backup\"}'] == 0"
ok "a failed verify: exit code 65 in the metrics, the backup's values kept"
