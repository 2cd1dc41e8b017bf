#!/bin/bash
# bench/backup-bench.sh [SIZE]: time `sitevault backup` against the stock
# pipeline `tar -c | zstd -3 | age -r R | curl -T -` uploading the same
# deterministic voicemail-like data set (bench/wavgen.c: 8 kHz 16-bit mono
# WAV messages of 10-120 s of speech-like sound, plus 300 small config files)
# to the same vsftpd on 127.0.0.1 (tests/ftpd.sh), and report each one's
# wall time and peak RSS (GNU time %M).  SIZE: bytes of audio, with K/M/G
# suffixes (default 1G).  Run by `make bench` (BENCH_SIZE=...); needs root
# for vsftpd.  Targets (issue 5): wall time <= 1.0x the pipeline's, peak
# RSS <= 64 MiB.
set -eu
size=${1:-1G}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
: "${top_builddir:=.}"
WAVGEN=${WAVGEN:-$top_builddir/bench/wavgen}
. "$top_srcdir/tests/lib.sh"
. "$top_srcdir/tests/ftpd.sh"
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

echo "bench: sitevault backup"
/usr/bin/time -f '%e %M' -o "$T/sv.time" \
	"$SITEVAULT" -q -c "$T/conf" backup || fail "sitevault backup failed"

echo "bench: tar | zstd -3 | age | curl"
TM="/usr/bin/time -f %e_%M"
start=$(date +%s.%N)
( cd "$T/data" &&
  $TM -o "$T/p1" tar -c config spool |
  $TM -o "$T/p2" zstd -3 -q -c |
  $TM -o "$T/p3" age -r "$R" |
  $TM -o "$T/p4" curl -sS --ftp-pasv -K "$T/curlrc" -T - \
      "$FTPD_URL/pipe/backup.tar.zst.age" ) || fail "pipeline failed"
end=$(date +%s.%N)

read -r sv_s sv_kb <"$T/sv.time"
pipe_s=$(awk -v a="$start" -v b="$end" 'BEGIN { printf "%.2f", b - a }')
pipe_max=0 pipe_sum=0
for f in p1 p2 p3 p4; do
	kb=$(tail -1 "$T/$f" | cut -d_ -f2)
	pipe_sum=$((pipe_sum + kb))
	[ "$kb" -gt "$pipe_max" ] && pipe_max=$kb
done
sv_stored=$(du -sb "$FTPD_ROOT/sv" | cut -f1)
pipe_stored=$(stat -c %s "$FTPD_ROOT/pipe/backup.tar.zst.age")
printf '\n%-28s %10s %14s %14s\n' "" "wall (s)" "peak RSS" "stored"
printf '%-28s %10.2f %10d KiB %14d\n' "sitevault backup" "$sv_s" "$sv_kb" "$sv_stored"
printf '%-28s %10.2f %10d KiB %14d   (largest process; all four: %d KiB)\n' \
	"tar|zstd -3|age|curl" "$pipe_s" "$pipe_max" "$pipe_stored" "$pipe_sum"
awk -v a="$sv_s" -v b="$pipe_s" \
	'BEGIN { printf "wall-time ratio sitevault/pipeline: %.2f\n", a / b }'
ftpd_stop
