#!/bin/bash
# bench/incr-bench.sh [SIZE]: incremental backups (full_every) on vsftpd on
# 127.0.0.1 (tests/lib/ftpd.sh), on the voicemail-like set of bench/wavgen.c:
#   1. a full backup of SIZE of audio, then a night with 1 % new messages:
#      bytes uploaded and wall time of the incremental against the full;
#   2. 100,000 small unchanged files: wall time of the incremental backup,
#      which is the stat-only scan, the file list and one tiny upload;
#   3. peak RSS (GNU time %M) of every run.
# Targets (issue 13): an incremental of a 1 % night uploads at most 2 % of
# the full backup's bytes in at most 10 % of its time; the scan of 100,000
# unchanged files takes under 2 s; peak RSS at most 64 MiB.  Run by
# `make bench-incr` (BENCH_SIZE=...); needs root for vsftpd.
set -eu
size=${1:-1G}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
bench_need_time
bench_size "$size" bench-incr

ftpd_require vsftpd plain
"$SITEVAULT" -q keygen --out "$T/site.key"
conf() {	# conf NAME DATA: a configuration backing up DATA
	cat >"$T/$1.conf" <<CONF
[site]
name = $1
[server]
url = $FTPD_URL/sv
user = $FTPD_USER
tls = none
[backup]
data = $2
full_every = 7
retain = 7
[keys]
secret = $T/site.key
[state]
dir = $T/state.$1
CONF
	printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/$1.conf" credentials
}
# run NAME: one data backup; sets secs, kb (peak RSS) and stored (bytes).
run() {
	timed "$SITEVAULT" --json -c "$T/$1.conf" backup --category data \
	    >"$T/out.json" || fail "backup $1 failed"
	secs=$t_s kb=$t_kb
	stored=$(sed -n 's/.*"bytes_stored":\([0-9]*\).*/\1/p' "$T/out.json")
	printf '%-34s %8.2f s %12d bytes stored %8d KiB peak RSS\n' "$2" "$secs" \
	    "$stored" "$kb"
}

echo "bench: generating $size of voicemail-like audio"
"$WAVGEN" "$T/data" "$bytes" >/dev/null || fail "wavgen failed"
conf audio "$T/data/spool"
run audio "full backup"
full_s=$secs full_b=$stored full_kb=$kb
# A night: 1 % new messages, in a new directory per mailbox's worth.
"$WAVGEN" "$T/night" "$((bytes / 100))" 7 >/dev/null || fail "wavgen failed"
mv "$T/night/spool" "$T/data/spool/night1"
run audio "incremental, 1 % new"
inc_s=$secs inc_b=$stored inc_kb=$kb

echo "bench: 100000 small files"
mkdir -p "$T/many"
python3 - "$T/many" <<'PY'
import os, sys
root = sys.argv[1]
for d in range(100):
    p = os.path.join(root, "box%03d" % d)
    os.mkdir(p)
    for f in range(1000):
        with open(os.path.join(p, "msg%04d.txt" % f), "w") as fh:
            fh.write("x")
PY
conf many "$T/many"
run many "full backup, 100000 files"
run many "incremental, nothing changed"
scan_s=$secs scan_kb=$kb

awk -v fs="$full_s" -v fb="$full_b" -v is="$inc_s" -v ib="$inc_b" \
    -v ss="$scan_s" -v k1="$full_kb" -v k2="$inc_kb" -v k3="$scan_kb" 'BEGIN {
	printf "\nincremental/full: %.2f %% of the bytes, %.1f %% of the time\n",
	    100 * ib / fb, 100 * is / fs
	printf "scan of 100000 unchanged files: %.2f s\n", ss
	m = k1; if (k2 > m) m = k2; if (k3 > m) m = k3
	printf "peak RSS: %d MiB\n", (m + 1023) / 1024
}'
