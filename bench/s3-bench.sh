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
# same two cores), and the load average before each run: on a machine
# others load, wall times say little (CPU times are steadier).  SIZE: bytes
# of audio (default 1G); the OSD keeps objects in RAM, about twice what is
# stored.  Targets: ratio <= 1.0, peak RSS <= 64 MiB; the last lines say
# whether each is met.
set -eu
size=${1:-1G}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"
WAVGEN=${WAVGEN:-$top_builddir/bench/wavgen}
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ceph.sh"
need age zstd tar curl
ceph_require
[ -x /usr/bin/time ] || skip "GNU time is not installed (packaging/install-deps)"
[ -x "$WAVGEN" ] || fail "$WAVGEN is missing: run make bench"
bytes=$(numfmt --from=iec "${size%B}") || fail "bad size: $size"

echo "bench: generating ${size} of voicemail-like audio in $T/data"
"$WAVGEN" "$T/data" "$bytes" >"$T/gen.out" || fail "wavgen failed"
cat "$T/gen.out"
tar -c -C "$T/data" . | cat >/dev/null

CEPH_MEMSTORE_BYTES=$((bytes * 3 + (1 << 30))) ceph_start
ceph_bucket sv-bench
"$SITEVAULT" -q keygen --out "$T/site.key"
R=$(sed -n 3p "$T/site.key.pub")
mkdir -p "$T/state"
cat >"$T/conf" <<CONF
[site]
name = bench
[server]
url = s3://sv-bench/sv
endpoint = $CEPH_ENDPOINT
access_key = $CEPH_ACCESS
[backup]
configuration = $T/data/config
data = $T/data/spool
compression = zstd:3
part_size = 16M
retain = 2
[keys]
secret = $T/site.key
[state]
dir = $T/state
CONF
printf '%s\n' "$CEPH_SECRET" | "$SITEVAULT" -q -c "$T/conf" credentials
printf 'user = "%s:%s"\n' "$CEPH_ACCESS" "$CEPH_SECRET" >"$T/curlrc"
S3CURL=(curl -sS -f -K "$T/curlrc" --aws-sigv4 aws:amz:us-east-1:s3
    -H "x-amz-content-sha256: UNSIGNED-PAYLOAD")

# Timing, shared by both phases.  Before each timed run, sync, so that one
# run's dirty pages are not written back during the next one.  CPU time
# (user + sys) is printed too: on a shared machine it is steadier than the
# wall time, which depends on what else runs.
#   time_sv ARGS...: run sitevault; sets sv_s (wall s), sv_kb, sv_cpu.
#   stage CMD...: one process of a pipeline, its RSS and CPU kept in $T.
#   time_pipe FUNC: run the pipeline FUNC (made of stages); sets pipe_s,
#	pipe_kb (its largest process), pipe_sum (all of them), pipe_cpu.
#   report PHASE SVLABEL PIPELABEL: print the phase's table, keep a summary.
# srv_cpu: CPU seconds radosgw and ceph-osd have used so far.
srv_cpu() {
	local f t=0
	for f in "/proc/$CEPH_RGW_PID/stat" "/proc/$CEPH_OSD_PID/stat"; do
		t=$((t + $(awk '{ print $14 + $15 }' "$f")))
	done
	awk -v t="$t" -v hz="$(getconf CLK_TCK)" 'BEGIN { printf "%.2f", t / hz }'
}
# load: the 1-minute load average, noted before each run.
load() { cut -d' ' -f1 /proc/loadavg; }
time_sv() {
	local u s c0
	sync
	sv_load=$(load)
	c0=$(srv_cpu)
	/usr/bin/time -f '%e %M %U %S' -o "$T/sv.time" "$SITEVAULT" -q \
	    -c "$T/conf" "$@" || fail "sitevault $1 failed"
	read -r sv_s sv_kb u s < <(tail -1 "$T/sv.time")
	sv_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	sv_srv=$(awk -v a="$c0" -v b="$(srv_cpu)" 'BEGIN { printf "%.2f", b - a }')
}
stage() {
	/usr/bin/time -f '%M %U %S' -o "$(mktemp "$T/stage.XXXXXX")" "$@"
}
time_pipe() {
	local f start end c0
	rm -f "$T"/stage.*
	sync
	pipe_load=$(load)
	c0=$(srv_cpu)
	start=$(date +%s.%N)
	"$1" || fail "pipeline $1 failed"
	end=$(date +%s.%N)
	pipe_srv=$(awk -v a="$c0" -v b="$(srv_cpu)" 'BEGIN { printf "%.2f", b - a }')
	pipe_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	read -r pipe_kb pipe_sum pipe_cpu < <(for f in "$T"/stage.*; do
		tail -1 "$f"; done | awk '{ if ($1 > max) max = $1; sum += $1;
		    cpu += $2 + $3 } END { printf "%d %d %.2f\n", max, sum, cpu }')
}
summary=""
report() {
	local ratio cratio mib verdict
	ratio=$(awk -v a="$sv_s" -v b="$pipe_s" 'BEGIN { printf "%.2f", a / b }')
	cratio=$(awk -v a="$sv_cpu" -v b="$pipe_cpu" 'BEGIN { printf "%.2f", a / b }')
	mib=$(((sv_kb + 1023) / 1024))
	printf '\n%-28s %10s %10s %14s %12s %6s\n' "$1" "wall (s)" "CPU (s)" \
	    "peak RSS" "store CPU" "load"
	printf '%-28s %10.2f %10.2f %10d KiB %10.2f s %6s\n' "$2" "$sv_s" \
	    "$sv_cpu" "$sv_kb" "$sv_srv" "$sv_load"
	printf '%-28s %10.2f %10.2f %10d KiB %10.2f s %6s   (RSS: largest process; all: %d KiB)\n' \
	    "$3" "$pipe_s" "$pipe_cpu" "$pipe_kb" "$pipe_srv" "$pipe_load" "$pipe_sum"
	printf 'ratio sitevault/pipeline: wall %s, CPU %s\n\n' "$ratio" "$cratio"
	verdict=$(awk -v r="$ratio" -v m="$mib" 'BEGIN {
	    printf "%s, %s", r <= 1.0 ? "speed target met" : "SLOWER than the pipeline",
	    m <= 64 ? "RSS target met" : "RSS OVER 64 MiB" }')
	summary+=$(printf '%-8s wall ratio %s (CPU ratio %s), sitevault peak RSS %d MiB (pipeline %d MiB): %s' \
	    "$1:" "$ratio" "$cratio" "$mib" $(((pipe_kb + 1023) / 1024)) "$verdict")$'\n'
}

backup_pipe() {
	( cd "$T/data" &&
	  stage tar -c config spool |
	  stage zstd -T0 -3 -q -c |
	  stage age -r "$R" >"$T/pipe.age" ) &&
	stage "${S3CURL[@]}" -T "$T/pipe.age" "$CEPH_ENDPOINT/sv-bench/pipe/backup.tar.zst.age"
}
restore_pipe() {
	stage "${S3CURL[@]}" "$CEPH_ENDPOINT/sv-bench/pipe/backup.tar.zst.age" |
	stage age -d -i "$T/site.key" |
	stage zstd -d -q -c |
	stage tar -x -C "$T/restore.pipe"
}

echo "bench: sitevault backup"
time_sv backup
echo "bench: tar | zstd -T0 -3 | age > file; curl --aws-sigv4 -T file"
time_pipe backup_pipe
report backup "sitevault backup" "tar|zstd|age; curl -T"
rm -f "$T/pipe.age"

echo "bench: sitevault restore"
time_sv restore latest --target "$T/restore.sv"
echo "bench: curl --aws-sigv4 | age -d | zstd -d | tar -x"
mkdir "$T/restore.pipe"
time_pipe restore_pipe
report restore "sitevault restore" "curl|age -d|zstd -d|tar -x"
diff -r "$T/restore.sv$T/data" "$T/restore.pipe" >"$T/diff" ||
	{ head -20 "$T/diff" >&2; fail "the two restored trees differ"; }
echo "restored trees identical (diff -r)"

printf '\n%s' "$summary"
printf '(%s CPUs; 1-minute load average now %s: with other work running, the\n wall-time ratios are unreliable and the CPU ratios are the better guide)\n' \
    "$(nproc)" "$(load)"
ceph_stop
