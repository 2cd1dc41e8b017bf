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
#   small:   the same restore of BENCH_SMALL (default 100000) files of
#            1-4 KiB in 100 directories (0: skipped), as a Configuration-only
#            site of its own.
#   local:   `sitevault backup` to a local directory store against
#            `tar -c | zstd -3 -T0 | age -r R >FILE; sync`, the same
#            promise of all data on disk at the end.
# Each phase reports both wall times, CPU seconds (user + system, of all the
# pipeline's processes), the throughput ratio pipeline/sitevault (above 1:
# sitevault is faster) and the peak RSS (GNU time %M) of sitevault and of
# the pipeline's largest process.  SIZE: bytes of audio, with K/M/G
# suffixes (default 1G).  Run by `make bench` (BENCH_SIZE=...); needs root
# for vsftpd.  Targets: backup throughput >= 1.25x the pipeline's, restore
# >= 1.1x, small-file restore >= 1x, local backup >= 1/1.1x, CPU seconds
# <= the pipeline's, peak RSS <= 64 MiB whatever SIZE.
set -eu
size=${1:-1G}
small=${BENCH_SMALL:-100000}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"
WAVGEN=${WAVGEN:-$top_builddir/bench/wavgen}
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
need age zstd tar curl
[ -x /usr/bin/time ] || skip "GNU time is not installed (packaging/install-deps)"
[ -x "$WAVGEN" ] || fail "$WAVGEN is missing: run make bench"
bytes=$(numfmt --from=iec "${size%B}") || fail "bad size: $size"

echo "bench: generating ${size} of voicemail-like audio in $T/data"
"$WAVGEN" "$T/data" "$bytes" >"$T/gen.out" || fail "wavgen failed"
cat "$T/gen.out"
# Both runs read from the page cache: warm it once for both.
tar -c -C "$T/data" . | cat >/dev/null

ftpd_require vsftpd plain
"$SITEVAULT" -q keygen --out "$T/site.key"
R=$(sed -n 3p "$T/site.key.pub")
mkdir -p "$T/state"
cat >"$T/conf" <<CONF
[site]
name = bench
[server]
url = $FTPD_URL/sv
user = $FTPD_USER
tls = none
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
printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/conf" credentials
mkdir -p "$FTPD_ROOT/pipe"
ftpd_chown "$FTPD_ROOT/pipe"
printf 'user = "%s:%s"\n' "$FTPD_USER" "$FTPD_PASS" >"$T/curlrc"

# Timing, shared by both phases.  Before each timed run, sync, so that one
# run's dirty pages are not written back during the next one.  CPU time
# (user + sys) is printed too: on a shared machine it is steadier than the
# wall time, which depends on what else runs.
#   time_sv ARGS...: run sitevault; sets sv_s (wall s), sv_kb, sv_cpu.
#   stage CMD...: one process of a pipeline, its RSS and CPU kept in $T.
#   time_pipe FUNC: run the pipeline FUNC (made of stages); sets pipe_s,
#	pipe_kb (its largest process), pipe_sum (all of them), pipe_cpu.
#   report PHASE SVLABEL PIPELABEL: print the phase's table, keep a summary.
time_sv() {
	local u s
	sync
	/usr/bin/time -f '%e %M %U %S' -o "$T/sv.time" "$SITEVAULT" -q \
	    -c "${CONF:-$T/conf}" "$@" || fail "sitevault $1 failed"
	read -r sv_s sv_kb u s < <(tail -1 "$T/sv.time")
	sv_cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
}
stage() {
	/usr/bin/time -f '%M %U %S' -o "$(mktemp "$T/stage.XXXXXX")" "$@"
}
time_pipe() {
	local f start end
	rm -f "$T"/stage.*
	sync
	start=$(date +%s.%N)
	"$1" || fail "pipeline $1 failed"
	end=$(date +%s.%N)
	pipe_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
	read -r pipe_kb pipe_sum pipe_cpu < <(for f in "$T"/stage.*; do
		tail -1 "$f"; done | awk '{ if ($1 > max) max = $1; sum += $1;
		    cpu += $2 + $3 } END { printf "%d %d %.2f\n", max, sum, cpu }')
}
summary=""
report() {
	local ratio
	ratio=$(awk -v a="$sv_s" -v b="$pipe_s" 'BEGIN { printf "%.2f", b / a }')
	printf '\n%-28s %10s %10s %14s\n' "$1" "wall (s)" "CPU (s)" "peak RSS"
	printf '%-28s %10.2f %10.2f %10d KiB\n' "$2" "$sv_s" "$sv_cpu" "$sv_kb"
	printf '%-28s %10.2f %10.2f %10d KiB   (largest process; all: %d KiB)\n' \
	    "$3" "$pipe_s" "$pipe_cpu" "$pipe_kb" "$pipe_sum"
	printf 'throughput ratio sitevault/pipeline: %s\n\n' "$ratio"
	summary+=$(printf '%s: throughput ratio %s, CPU %s s against %s s, sitevault peak RSS %d MiB (pipeline %d MiB)' \
	    "$1" "$ratio" "$sv_cpu" "$pipe_cpu" $(((sv_kb + 1023) / 1024)) \
	    $(((pipe_kb + 1023) / 1024)))$'\n'
}

# The pipelines, one stage per process, reading the same files and
# writing to the same server as sitevault.
backup_pipe() {
	( cd "$T/data" &&
	  stage tar -c config spool |
	  stage zstd -3 -T0 -q -c |
	  stage age -r "$R" |
	  stage curl -sS --ftp-pasv -K "$T/curlrc" -T - \
	      "$FTPD_URL/pipe/backup.tar.zst.age" )
}
local_pipe() {
	( cd "$T/data" &&
	  stage tar -c config spool |
	  stage zstd -3 -T0 -q -c |
	  stage age -r "$R" >"$T/local.pipe/backup.tar.zst.age" ) &&
	stage sync
}
restore_pipe() {
	stage curl -sS --ftp-pasv -K "$T/curlrc" \
	    "$FTPD_URL/pipe/${1:-backup}.tar.zst.age" |
	stage age -d -i "$T/site.key" |
	stage zstd -d -q -c |
	stage tar -x -C "$T/restore.pipe"
}
small_backup_pipe() {
	( cd "$T" && tar -c small | zstd -3 -T0 -q -c | age -r "$R" |
	  curl -sS --ftp-pasv -K "$T/curlrc" -T - \
	      "$FTPD_URL/pipe/small.tar.zst.age" )
}
small_restore_pipe() {
	restore_pipe small
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
echo "bench: sitevault restore"
time_sv restore latest --target "$T/restore.sv"
echo "bench: curl | age -d | zstd -d | tar -x"
mkdir "$T/restore.pipe"
time_pipe restore_pipe
report restore "sitevault restore" "curl|age -d|zstd -d|tar -x"
# sitevault restores the configured absolute paths under --target.
diff -r "$T/restore.sv$T/data" "$T/restore.pipe" >"$T/diff" ||
	{ head -20 "$T/diff" >&2; fail "the two restored trees differ"; }
echo "restored trees identical (diff -r)"
rm -rf "$T/restore.sv" "$T/restore.pipe"

# Many small files: the cost per entry, not per byte.  Deterministic text
# of 1-4 KiB, about as compressible as configuration files.
if [ "$small" -gt 0 ]; then
	echo "bench: generating $small files of 1-4 KiB in $T/small"
	python3 - "$T/small" "$small" <<'PY' || fail "cannot make the small files"
import os, random, sys
root, n = sys.argv[1], int(sys.argv[2])
r = random.Random(15)
words = [bytes(r.choice(b"abcdefghijklmnopqrstuvwxyz") for _ in range(r.randint(2, 9)))
         for _ in range(2000)]
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
	tar -c -C "$T" small | cat >/dev/null
	echo "bench: sitevault backup of the small files"
	CONF=$T/conf.small time_sv backup
	small_backup_pipe || fail "pipeline backup of the small files failed"
	echo "bench: sitevault restore of $small small files"
	CONF=$T/conf.small time_sv restore latest --target "$T/restore.sv"
	echo "bench: curl | age -d | zstd -d | tar -x of $small small files"
	mkdir "$T/restore.pipe"
	time_pipe small_restore_pipe
	report "restore, $small small files" "sitevault restore" \
	    "curl|age -d|zstd -d|tar -x"
	diff -r "$T/restore.sv$T/small" "$T/restore.pipe/small" >"$T/diff" ||
		{ head -20 "$T/diff" >&2; fail "the two restored trees differ"; }
	echo "restored trees identical (diff -r)"
	rm -rf "$T/restore.sv" "$T/restore.pipe" "$T/small"
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

printf '\n%s' "$summary"
ftpd_stop
