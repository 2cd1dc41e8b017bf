#!/bin/bash
# bench/s3-bench.sh [SIZE]: time sitevault against the stock tools on the
# data set of bench/backup-bench.sh (bench/wavgen.c), with a one-node Ceph's
# radosgw on 127.0.0.1 (tests/lib/ceph.sh) as the store:
#   backup:  `sitevault backup` against `tar -c | zstd -T0 -3 | age -r R`
#            into a file, then `curl --aws-sigv4 -T FILE` (radosgw refuses
#            a chunked upload without a length, so the stock pipeline needs
#            the file: the time counts both steps)
#   restore: `sitevault restore latest --target DIR` against
#            `curl --aws-sigv4 | age -d | zstd -d | tar -x`; the two restored
#            trees must be identical.
# Reports both wall times, their ratio and the peak RSS as backup-bench.sh
# does, the CPU the gateway and the OSD spent meanwhile (a share of the
# same cores), and the load average before each run: on a machine others
# load, wall times say little (CPU times are steadier).  SIZE: bytes of
# audio (default 1G); the OSD keeps objects in RAM, about twice what is
# stored.  Targets: ratio <= 1.0, peak RSS <= 64 MiB; the last lines say
# whether each is met.
set -eu
size=${1:-1G}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
. "$top_srcdir/tests/lib/ceph.sh"
need age zstd tar curl
ceph_require
bench_need_time
bench_size "$size" bench
bench_wavgen "$size"

CEPH_MEMSTORE_BYTES=$((bytes * 3 + (1 << 30))) ceph_start
ceph_bucket sv-bench
bench_site "url = s3://sv-bench/sv
endpoint = $CEPH_ENDPOINT
access_key = $CEPH_ACCESS" "$CEPH_SECRET"
printf 'user = "%s:%s"\n' "$CEPH_ACCESS" "$CEPH_SECRET" >"$T/curlrc"
S3CURL=(curl -sS -f -K "$T/curlrc" --aws-sigv4 aws:amz:us-east-1:s3
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

# Timing: time_sv, stage, time_pipe and report (bench/lib.sh); the ratio
# here is sitevault's wall time over the pipeline's (below 1: faster).
BENCH_RATIO=wall

# Around them: the store's CPU (radosgw and ceph-osd, seconds so far) and
# the 1-minute load average before each run, and a verdict per phase.
srv_cpu() {
	local f t=0
	for f in "/proc/$CEPH_RGW_PID/stat" "/proc/$CEPH_OSD_PID/stat"; do
		t=$((t + $(awk '{ print $14 + $15 }' "$f")))
	done
	awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
load() { cut -d' ' -f1 /proc/loadavg; }
eval "_lib_$(declare -f time_sv)"
eval "_lib_$(declare -f time_pipe)"
eval "_lib_$(declare -f report)"
time_sv() {
	local c0
	sv_load=$(load) c0=$(srv_cpu)
	_lib_time_sv "$@"
	sv_srv=$(awk -v a="$c0" -v b="$(srv_cpu)" 'BEGIN { printf "%.2f", b - a }')
}
time_pipe() {
	local c0
	pipe_load=$(load) c0=$(srv_cpu)
	_lib_time_pipe "$@"
	pipe_srv=$(awk -v a="$c0" -v b="$(srv_cpu)" 'BEGIN { printf "%.2f", b - a }')
}
verdicts=""
report() {
	local r
	_lib_report "$@"
	r=$(ratio "$sv_s" "$pipe_s")
	printf 'store CPU (radosgw + ceph-osd): %s s with sitevault, %s s with the pipeline\n' \
	    "$sv_srv" "$pipe_srv"
	printf 'load average before: %s (sitevault), %s (pipeline), %s CPUs\n\n' \
	    "$sv_load" "$pipe_load" "$(nproc)"
	verdicts+=$(awk -v p="$1" -v r="$r" -v m="$(mib "$sv_kb")" \
	    -v c="$(ratio "$sv_cpu" "$pipe_cpu")" 'BEGIN {
	    printf "%s: %s (wall ratio %s, CPU ratio %s); %s (%d MiB)", p,
	    r <= 1.0 ? "speed target met" : "SLOWER than the pipeline", r, c,
	    m <= 64 ? "RSS target met" : "RSS OVER 64 MiB", m }')$'\n'
}

# (pack_stages and unpack_stages: bench/lib.sh.)
backup_pipe() {
	pack_stages >"$T/pipe.age" &&
	stage "${S3CURL[@]}" -T "$T/pipe.age" "$CEPH_ENDPOINT/sv-bench/pipe/backup.tar.zst.age"
}
restore_pipe() {
	stage "${S3CURL[@]}" "$CEPH_ENDPOINT/sv-bench/pipe/backup.tar.zst.age" |
	    unpack_stages
}

echo "bench: sitevault backup"
time_sv backup
echo "bench: tar | zstd -T0 -3 | age > file; curl --aws-sigv4 -T file"
time_pipe backup_pipe
report backup "sitevault backup" "tar|zstd|age; curl -T"
rm -f "$T/pipe.age"

bench_restore "curl --aws-sigv4 | age -d | zstd -d | tar -x"

printf '\n%s' "$summary"
printf '\n%s' "$verdicts"
printf '(%s CPUs, 1-minute load average now %s: where other work runs, the\n wall-time ratios are unreliable and the CPU ratios the better guide)\n' \
    "$(nproc)" "$(load)"
ceph_stop
