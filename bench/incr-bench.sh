#!/bin/bash
# bench/incr-bench.sh [SIZE]: incremental backups (full_every) on vsftpd on
# 127.0.0.1 (tests/lib/ftpd.sh), on the voicemail-like set of bench/wavgen.c:
#   1. a full backup of SIZE of audio, then a night with 1 % new messages:
#      bytes uploaded and wall time of the incremental against the full;
#   2. 100,000 small unchanged files: wall time of the incremental backup,
#      which is the stat-only scan, the file list and one tiny upload;
#   3. peak RSS (GNU time %M) of every run, and the time and peak RSS of the
#      full backup of those files and of the restore of their chain.
# On a shared machine the CPU time (user + system) is steadier than the
# wall time: both ratios are printed.
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
# run NAME LABEL: one data backup; sets secs, cpu, kb (peak RSS) and
# stored (bytes).
run() {
	timed "$SITEVAULT" --json -c "$T/$1.conf" backup --category data \
	    >"$T/out.json" || fail "backup $1 failed"
	secs=$t_s cpu=$t_cpu kb=$t_kb
	stored=$(sed -n 's/.*"bytes_stored":\([0-9]*\).*/\1/p' "$T/out.json")
	printf '%-30s %7.2f s %7.2f s CPU %12d bytes stored %7d KiB peak RSS\n' \
	    "$2" "$secs" "$cpu" "$stored" "$kb"
}

echo "bench: load before: $(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)"
bench_wavgen "$size"
conf audio "$T/data/spool"
run audio "full backup, $size"
full_s=$secs full_c=$cpu full_b=$stored full_kb=$kb
# A night: 1 % new messages, in a new directory per mailbox's worth.
"$WAVGEN" "$T/night" "$((bytes / 100))" 7 >/dev/null || fail "wavgen failed"
mv "$T/night/spool" "$T/data/spool/night1"
run audio "incremental, 1 % new"
inc_s=$secs inc_c=$cpu inc_b=$stored inc_kb=$kb
rm -rf "$T/data" "$T/night"

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
mfull_s=$secs mfull_kb=$kb
run many "incremental, nothing changed"
scan_s=$secs scan_kb=$kb
# The restore of that chain (the full backup, then the incremental one).
timed "$SITEVAULT" -q -c "$T/many.conf" restore latest --category data \
    --target "$T/restored" || fail "restore of the chain failed"
rest_s=$t_s rest_kb=$t_kb
printf '%-30s %7.2f s %7.2f s CPU %12s %19d KiB peak RSS\n' \
    "restore of that chain" "$t_s" "$t_cpu" "" "$t_kb"
[ "$(find "$T/restored" -type f | wc -l)" = 100000 ] ||
    fail "the chain restore did not bring back 100000 files"
echo "bench: load after: $(cut -d' ' -f1-3 /proc/loadavg)"

awk -v size="$size" -v fs="$full_s" -v fc="$full_c" -v fb="$full_b" \
    -v is="$inc_s" -v ic="$inc_c" -v ib="$inc_b" -v ss="$scan_s" \
    -v k1="$full_kb" -v k2="$inc_kb" -v k3="$mfull_kb" -v k4="$scan_kb" \
    -v ms="$mfull_s" -v rs="$rest_s" -v k5="$rest_kb" '
function mib(k) { return int((k + 1023) / 1024) }
function ok(c) { return c ? "ok" : "MISSED" }
BEGIN {
	b = 100 * ib / fb; t = 100 * is / fs; c = 100 * ic / fc
	m = k1; if (k2 > m) m = k2; if (k3 > m) m = k3; if (k4 > m) m = k4
	printf "\nincremental backups, %s of voicemail, 1 %% new messages a night (target):\n", size
	printf "  upload of the night     %6.2f %% of the full backup'"'"'s bytes (<= 2 %%)   %s\n", b, ok(b <= 2)
	printf "  time of the night       %6.2f %% of the full backup'"'"'s wall time (<= 10 %%)  %s\n", t, ok(t <= 10)
	printf "                          %6.2f %% of its CPU time\n", c
	printf "  scan of 100000 unchanged files  %.2f s (< 2 s)  %s\n", ss, ok(ss < 2)
	printf "  peak RSS: full %d, night %d, 100000 files full %d, unchanged %d MiB (<= 64 MiB)  %s\n", mib(k1), mib(k2), mib(k3), mib(k4), ok(m <= 64 * 1024)
	printf "  not targets: 100000 files full backup %.2f s; chain restore %.2f s, %d MiB\n", ms, rs, mib(k5)
}'
