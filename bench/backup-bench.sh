#!/bin/bash
# bench/backup-bench.sh [SIZE]: time sitevault against the stock tools on
# the same deterministic voicemail-like data set (bench/wavgen.c: 8 kHz
# 16-bit mono WAV messages of 10-120 s of speech-like sound, plus 300 small
# config files) and the same vsftpd on 127.0.0.1 (tests/lib/ftpd.sh):
#   backup:  `sitevault backup` against
#            `tar -c | zstd -3 -T0 | age -r R | curl -T -`
#   restore: `sitevault restore latest --target DIR` of that backup against
#            `curl | age -d -i KEY | zstd -d | tar -x -C DIR2` of the
#            pipeline's upload; the two restored trees must be identical.
#            Best of BENCH_RUNS (default 3) runs of each, alternating.
#   small:   the same restore of BENCH_SMALL (default 100000; 0: skipped)
#            files of 1-4 KiB in 100 directories, a site of their own.
#            sitevault's restore ends with the files on disk (syncfs),
#            tar's does not; so a second comparison, against the same
#            pipeline followed by `sync`, shows what that promise costs
#            (the target is against the pipeline without it).
#   local:   `sitevault backup` to a local directory store against
#            `tar -c | zstd -3 -T0 | age -r R >FILE; sync`, the same
#            promise of all data on disk at the end.
# Each phase reports both wall times, CPU seconds (user + system, of all the
# pipeline's processes), the throughput ratio pipeline/sitevault (above 1:
# sitevault is faster) and the peak RSS (GNU time %M) of sitevault and of
# the pipeline's largest process.  Then memory against the stream size:
# the peak RSS of a backup and a verify of SIZE and of BENCH_MEM_FACTOR
# (default 10) times SIZE, and their ratio.  SIZE: bytes of audio, with K/M/G
# suffixes (default 1G).  Run by `make bench` (BENCH_SIZE=...); needs root
# for vsftpd.  Targets: backup throughput >= 1.25x the pipeline's, restore
# >= 1.1x, small-file restore >= 1x, local backup >= 1/1.1x, CPU seconds
# <= the pipeline's, peak RSS <= 64 MiB whatever SIZE (memory ratio near 1).
set -eu
size=${1:-1G}
small=${BENCH_SMALL:-100000}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
need age zstd tar curl
bench_need_time
bench_size "$size" bench
bench_wavgen "$size"

ftpd_require vsftpd plain
bench_site "url = $FTPD_URL/sv
user = $FTPD_USER
tls = none" "$FTPD_PASS"
mkdir -p "$FTPD_ROOT/pipe"
ftpd_chown "$FTPD_ROOT/pipe"
printf 'user = "%s:%s"\n' "$FTPD_USER" "$FTPD_PASS" >"$T/curlrc"

# Timing: time_sv, stage, time_pipe and report (bench/lib.sh).

# The pipelines, one stage per process, reading the same files and
# writing to the same server as sitevault.
# (pack_stages and unpack_stages: bench/lib.sh.)
backup_pipe() {
	pack_stages |
	stage curl -sS --ftp-pasv -K "$T/curlrc" -T - \
	    "$FTPD_URL/pipe/backup.tar.zst.age"
}
local_pipe() {
	pack_stages >"$T/local.pipe/backup.tar.zst.age" &&
	stage sync
}
restore_pipe() {
	stage curl -sS --ftp-pasv -K "$T/curlrc" \
	    "$FTPD_URL/pipe/backup.tar.zst.age" | unpack_stages
}
small_restore_pipe() {
	stage curl -sS --ftp-pasv -K "$T/curlrc" \
	    "$FTPD_URL/pipe/small.tar.zst.age" | unpack_stages
}
small_restore_pipe_sync() {
	small_restore_pipe && stage sync
}

echo "bench: sitevault backup"
time_sv backup
echo "bench: tar | zstd -3 -T0 | age | curl"
time_pipe backup_pipe
report backup "sitevault backup" "tar|zstd -3 -T0|age|curl"
printf 'stored: sitevault %d bytes, pipeline %d bytes\n' \
    "$(du -sb "$FTPD_ROOT/sv" | cut -f1)" \
    "$(stat -c %s "$FTPD_ROOT/pipe/backup.tar.zst.age")"

# Restore: both trees from scratch, on the same filesystem as the data.
bench_restore "curl | age -d | zstd -d | tar -x"
retire "$T/restore.sv" "$T/restore.pipe"

# Many small files: the cost per entry, not per byte.  BENCH_SMALL files of
# 1-4 KiB of deterministic text (as compressible as configuration files) in
# 100 directories, backed up as a Configuration-only site of their own.
if [ "$small" -gt 0 ]; then
	echo "bench: generating $small files of 1-4 KiB in $T/small"
	python3 - "$T/small" "$small" <<'PY' || fail "cannot make the small files"
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(15)
words = [bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz")
               for _ in range(r.randint(2, 9))) for _ in range(2000)]
for i in range(n):
    d = os.path.join(root, "box%03d" % (i % 100))
    if i < 100:
        os.makedirs(d)
    size = r.randint(1024, 4096)
    out = bytearray()
    while len(out) < size:
        out += r.choice(words) + (b"\n" if r.random() < 0.1 else b" ")
    with open(os.path.join(d, "msg%06d.txt" % i), "wb") as f:
        f.write(out[:size])
PY
	sed -e 's/^name = bench$/name = small/' \
	    -e "s|^configuration = .*|configuration = $T/small|" \
	    -e '/^data = /d' -e "s|^dir = $T/state\$|dir = $T/state.small|" \
	    "$T/conf" >"$T/conf.small"
	mkdir -p "$T/state.small"
	echo "bench: sitevault backup of the small files"
	CONF=$T/conf.small time_sv backup
	stage tar -c -C "$T" small | stage zstd -3 -T0 -q -c |
	    stage age -r "$R" | stage curl -sS --ftp-pasv -K "$T/curlrc" -T - \
	    "$FTPD_URL/pipe/small.tar.zst.age" ||
		fail "pipeline backup of the small files failed"
	bench_restore "curl | age -d | zstd -d | tar -x of $small files" \
	    "restore of $small small files" "$T/conf.small" \
	    "$T/restore.sv$T/small" "$T/restore.pipe/small" small_restore_pipe
	bench_restore "curl | age -d | zstd -d | tar -x; sync of $small files" \
	    "restore of $small small files, pipeline + sync" "$T/conf.small" \
	    "$T/restore.sv$T/small" "$T/restore.pipe/small" \
	    small_restore_pipe_sync
	retire "$T/restore.sv" "$T/restore.pipe" "$T/small"
fi

# The local directory store, on the same filesystem as the data.
mkdir -p "$T/local.sv" "$T/local.pipe" "$T/state.local"
sed -e "s|^url = .*|url = file://$T/local.sv|" -e '/^user = /d' \
    -e '/^tls = /d' -e "s|^dir = $T/state\$|dir = $T/state.local|" \
    "$T/conf" >"$T/conf.local"
echo "bench: sitevault backup to a local directory"
CONF=$T/conf.local time_sv backup
echo "bench: tar | zstd -3 -T0 | age >file; sync"
time_pipe local_pipe
report local "sitevault backup (local)" "tar|zstd -T0|age>f;sync"

# Memory against the stream size: peak RSS of a backup and a verify of one
# file of SIZE and of one BENCH_MEM_FACTOR (default 10) times as large, on
# the same server.  Stored uncompressed, so that every byte flows through
# packing, encryption, upload and back (zeros, written, not sparse: age's
# output is random whatever goes in).  Flat memory: the ratio stays near 1.
factor=${BENCH_MEM_FACTOR:-10}
sed -e "s|^url = .*|url = $FTPD_URL/mem|" -e '/^configuration = /d' \
    -e "s|^data = .*|data = $T/mem|" -e 's|^compression = .*|compression = none|' \
    -e "s|^dir = $T/state\$|dir = $T/state.mem|" "$T/conf" >"$T/conf.mem"
mem_run() {	# mem_run BYTES: sets mem_bk, mem_vk (peak RSS, KiB)
	rm -rf "$T/mem" "$T/state.mem" "$FTPD_ROOT/mem"
	mkdir -p "$T/mem" "$T/state.mem"
	head -c "$1" /dev/zero >"$T/mem/stream.wav"
	CONF=$T/conf.mem time_sv backup --category data
	mem_bk=$sv_kb
	CONF=$T/conf.mem time_sv verify latest --category data
	mem_vk=$sv_kb
	rm -rf "$T/mem" "$FTPD_ROOT/mem"
}
echo "bench: peak RSS of backup and verify of $size and of $factor x $size"
mem_run "$bytes"
small_bk=$mem_bk small_vk=$mem_vk
mem_run "$((bytes * factor))"
printf '\n%-28s %14s %14s\n' memory "$size" "$factor x $size"
printf '%-28s %10d KiB %10d KiB\n' "sitevault backup" "$small_bk" "$mem_bk"
printf '%-28s %10d KiB %10d KiB\n' "sitevault verify" "$small_vk" "$mem_vk"
printf 'peak RSS ratio %s x %s / %s: backup %s, verify %s\n' "$factor" "$size" \
    "$size" "$(ratio "$mem_bk" "$small_bk")" "$(ratio "$mem_vk" "$small_vk")"
summary+=$(printf 'memory: peak RSS at %s x %s / at %s: backup %s (%d MiB), verify %s (%d MiB)' \
    "$factor" "$size" "$size" "$(ratio "$mem_bk" "$small_bk")" "$(mib "$mem_bk")" \
    "$(ratio "$mem_vk" "$small_vk")" "$(mib "$mem_vk")")$'\n'

printf '\n%s' "$summary"
ftpd_stop
