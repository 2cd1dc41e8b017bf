# bench/lib.sh: sourced by the benchmarks in bench/ (after they set
# top_srcdir); brings in tests/lib/lib.sh ($T, $SITEVAULT, fail, skip, need)
# and the measuring code they share.  Every benchmark compares sitevault
# against a baseline run in the same invocation and reports ratios.
: "${top_builddir:=.}"
WAVGEN=${WAVGEN:-$top_builddir/bench/wavgen}
. "$top_srcdir/tests/lib/lib.sh"

# bench_need_time: skip without GNU time (peak RSS is its %M).
bench_need_time() {
	[ -x /usr/bin/time ] ||
		skip "GNU time is not installed (packaging/install-deps)"
	need python3
}

# bench_size SIZE TARGET: set bytes to SIZE (K/M/G suffixes) and check that
# bench/wavgen is built (by `make TARGET`).
bench_size() {
	[ -x "$WAVGEN" ] || fail "$WAVGEN is missing: run make $2"
	bytes=$(numfmt --from=iec "${1%B}") || fail "bad size: $1"
}

# bench_wavgen SIZE: generate SIZE ($bytes) of voicemail-like audio in
# $T/data, then read it once so that both runs read from the page cache.
bench_wavgen() {
	echo "bench: generating $1 of voicemail-like audio in $T/data"
	"$WAVGEN" "$T/data" "$bytes" >"$T/gen.out" || fail "wavgen failed"
	cat "$T/gen.out"
	tar -c -C "$T/data" . | cat >/dev/null
}

# ratio A B: A / B to two decimals.
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }
# mib KIB: KiB rounded up to MiB.
mib() { echo $((($1 + 1023) / 1024)); }
# wall_since START [DIGITS]: seconds since START (date +%s.%N).
wall_since() {
	awk -v a="$1" -v b="$(date +%s.%N)" -v d="${2:-2}" \
	    'BEGIN { printf "%.*f", d, b - a }'
}

# settle: before a timed run, write back the last run's dirty pages (so
# that it is not done during this one), then write BENCH_WARM_MIB (default
# 2048) MiB of memory and free it.  A virtual machine's host may take back
# the pages that the guest freed (the files of the runs before, removed):
# the first run to touch them again pays the host's faults, which made the
# restores of 100,000 small files take 1.5 or 3 s at random, whichever the
# tool; fresh pages put every run on the same footing.
settle() {
	sync
	python3 -c "b = b'\x01' * (${BENCH_WARM_MIB:-2048} << 20)" ||
		fail "settle: cannot write ${BENCH_WARM_MIB:-2048} MiB of memory"
}

# timed CMD...: run CMD under GNU time, after settle; sets t_s (wall s), t_kb
# (peak RSS, KiB) and t_cpu (user + system s: on a shared machine it is
# steadier than the wall time, which depends on what else runs).  Returns
# CMD's status.
timed() {
	local u s rc=0
	settle
	/usr/bin/time -f '%e %M %U %S' -o "$T/timed.out" "$@" || rc=$?
	read -r t_s t_kb u s < <(tail -1 "$T/timed.out")
	t_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
	return "$rc"
}

# best CMD...: the shortest wall time of RUNS runs (default 3), in ns.
best() {
	local i t0 t best=
	for ((i = 0; i < ${RUNS:-3}; i++)); do
		t0=$(date +%s%N)
		"$@"
		t=$(( $(date +%s%N) - t0 ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}

# sitevault against a pipeline of stock tools:
#   time_sv ARGS...: run sitevault -q -c ${CONF:-$T/conf}; sets sv_s,
#	sv_kb, sv_cpu.
#   stage CMD...: one process of a pipeline, its RSS and CPU kept in $T.
#   time_pipe FUNC: run the pipeline FUNC (made of stages); sets pipe_s,
#	pipe_kb (its largest process), pipe_sum (all of them), pipe_cpu.
#   report PHASE SVLABEL PIPELABEL: print the phase's table and add a line
#	to $summary.  The ratio is the throughput ratio pipeline time /
#	sitevault time (above 1: sitevault is faster), or with
#	BENCH_RATIO=wall the wall-time ratio sitevault / pipeline.
time_sv() {
	timed "$SITEVAULT" -q -c "${CONF:-$T/conf}" "$@" ||
		fail "sitevault $1 failed"
	sv_s=$t_s sv_kb=$t_kb sv_cpu=$t_cpu
}
stage() {
	/usr/bin/time -f '%M %U %S' -o "$(mktemp "$T/stage.XXXXXX")" "$@"
}
time_pipe() {
	local f start
	rm -f "$T"/stage.*
	settle
	start=$(date +%s.%N)
	"$1" || fail "pipeline $1 failed"
	pipe_s=$(wall_since "$start")
	read -r pipe_kb pipe_sum pipe_cpu < <(for f in "$T"/stage.*; do
		tail -1 "$f"; done | awk '{ if ($1 > max) max = $1; sum += $1;
		    cpu += $2 + $3 } END { printf "%d %d %.2f\n", max, sum, cpu }')
}
summary=""
report() {
	local r
	if [ "${BENCH_RATIO:-throughput}" = wall ]; then
		r=$(ratio "$sv_s" "$pipe_s")
	else
		r=$(ratio "$pipe_s" "$sv_s")
	fi
	printf '\n%-28s %10s %10s %14s\n' "$1" "wall (s)" "CPU (s)" "peak RSS"
	printf '%-28s %10.2f %10.2f %10d KiB\n' "$2" "$sv_s" "$sv_cpu" "$sv_kb"
	printf '%-28s %10.2f %10.2f %10d KiB   (largest process; all: %d KiB)\n' \
	    "$3" "$pipe_s" "$pipe_cpu" "$pipe_kb" "$pipe_sum"
	if [ "${BENCH_RATIO:-throughput}" = wall ]; then
		printf 'wall-time ratio sitevault/pipeline: %s\n\n' "$r"
		summary+=$(printf '%s: ratio %s, sitevault peak RSS %d MiB (pipeline %d MiB)' \
		    "$1" "$r" "$(mib "$sv_kb")" "$(mib "$pipe_kb")")$'\n'
	else
		printf 'throughput ratio sitevault/pipeline: %s\n\n' "$r"
		summary+=$(printf '%s: throughput ratio %s, CPU %s s against %s s, sitevault peak RSS %d MiB (pipeline %d MiB)' \
		    "$1" "$r" "$sv_cpu" "$pipe_cpu" "$(mib "$sv_kb")" \
		    "$(mib "$pipe_kb")")$'\n'
	fi
}

# bench_site SERVER SECRET: a site key (its age recipient in $R) and
# $T/conf, backing up $T/data's config and spool to the store that the
# [server] lines SERVER name, with the password or secret key SECRET stored
# by `sitevault credentials`.
bench_site() {
	"$SITEVAULT" -q keygen --out "$T/site.key"
	R=$(sed -n 3p "$T/site.key.pub")
	mkdir -p "$T/state"
	cat >"$T/conf" <<CONF
[site]
name = bench
[server]
$1
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
	printf '%s\n' "$2" | "$SITEVAULT" -q -c "$T/conf" credentials
}

# pack_stages: the stock tools' start of a backup, tar | zstd -3 -T0 | age
# of $T/data's config and spool, to stdout.
pack_stages() {
	stage tar -c -C "$T/data" config spool |
	stage zstd -3 -T0 -q -c |
	stage age -r "$R"
}

# unpack_stages: the stock tools' end of a restore, the pipeline's upload
# on stdin, into $T/restore.pipe.
unpack_stages() {
	stage age -d -i "$T/site.key" |
	stage zstd -d -q -c |
	stage tar -x -C "$T/restore.pipe"
}

# retire PATH...: move each existing PATH into $T/retired, removed with $T
# when the benchmark ends.  Removing trees of 100,000 files between phases
# leaves the filesystem busy freeing them, and both tools of the phase
# after it took 4-10 s instead of 1.5 s, at random.
retire() {
	local p
	mkdir -p "$T/retired"
	for p in "$@"; do
		[ -e "$p" ] || [ -L "$p" ] || continue
		_retired=$((${_retired:-0} + 1))
		mv "$p" "$T/retired/$_retired.${p##*/}"
	done
}

# bench_restore DESC [PHASE CONF SVTREE PIPETREE PIPEFUNC]: `sitevault
# restore latest` (configuration CONF, default $T/conf) into $T/restore.sv
# against the pipeline PIPEFUNC (default restore_pipe; DESC: what it runs)
# into $T/restore.pipe (a symlink to each run's tree), both from scratch, BENCH_RUNS times (default 3)
# alternating, so that a burst of load elsewhere hits both alike: the best
# wall time of each (with its CPU seconds) and the highest peak RSS are
# reported as PHASE (default restore).  The trees SVTREE (default
# $T/restore.sv$T/data: sitevault restores the configured absolute paths
# under --target) and PIPETREE (default $T/restore.pipe) must be identical.
bench_restore() {
	local phase=${2:-restore} conf=${3:-$T/conf}
	local svtree=${4:-$T/restore.sv$T/data} pipetree=${5:-$T/restore.pipe}
	local fn=${6:-restore_pipe} runs=${BENCH_RUNS:-3} i bs="" bc="" bk=0
	local ps="" pc="" pk=0 psum=0
	retire "$T/restore.sv" "$T/restore.pipe" "$T"/restore.run.*
	# Every run into a fresh tree, none removed before the end (retire):
	# ext4 skips the inodes of files deleted in the last minutes when it
	# allocates, which would slow whichever run follows a removal.
	for ((i = 1; i <= runs; i++)); do
		echo "bench: sitevault restore ($phase, run $i)"
		CONF=$conf time_sv restore latest --target "$T/restore.run.sv.$i"
		echo "  $sv_s s wall, $sv_cpu s CPU"
		if [ -z "$bs" ] || awk -v a="$sv_s" -v b="$bs" 'BEGIN { exit !(a < b) }'; then
			bs=$sv_s bc=$sv_cpu
		fi
		[ "$sv_kb" -le "$bk" ] || bk=$sv_kb
		echo "bench: $1 ($phase, run $i)"
		mkdir "$T/restore.run.pipe.$i"
		ln -sfn "restore.run.pipe.$i" "$T/restore.pipe"
		time_pipe "$fn"
		echo "  $pipe_s s wall, $pipe_cpu s CPU"
		rm "$T/restore.pipe"
		if [ -z "$ps" ] || awk -v a="$pipe_s" -v b="$ps" 'BEGIN { exit !(a < b) }'; then
			ps=$pipe_s pc=$pipe_cpu
		fi
		[ "$pipe_kb" -le "$pk" ] || pk=$pipe_kb
		[ "$pipe_sum" -le "$psum" ] || psum=$pipe_sum
	done
	mv "$T/restore.run.sv.$runs" "$T/restore.sv"
	mv "$T/restore.run.pipe.$runs" "$T/restore.pipe"
	retire "$T"/restore.run.*
	sv_s=$bs sv_cpu=$bc sv_kb=$bk pipe_s=$ps pipe_cpu=$pc pipe_kb=$pk pipe_sum=$psum
	echo "best of $runs alternating runs each:"
	report "$phase" "sitevault restore" "curl|age -d|zstd -d|tar -x"
	diff -r "$svtree" "$pipetree" >"$T/diff" ||
		{ head -20 "$T/diff" >&2; fail "the two restored trees differ"; }
	echo "restored trees identical (diff -r)"
}
