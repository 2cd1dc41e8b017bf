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
# does.  SIZE: bytes of audio (default 1G); the OSD keeps objects in RAM,
# about twice what is stored.  Targets: ratio <= 1.0, peak RSS <= 64 MiB.
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
ceph_stop
