#!/bin/bash
# bench/age-throughput.sh: encryption and decryption speed of common/age
# (tests/crypto/agetool) against Debian's age on the same 1 GiB input, best of
# RUNS runs each, and the ratio agetool/age (> 1: agetool is faster); then
# the peak RSS of both tools encrypting and decrypting a STREAM_MIB (default
# 2048) stream in a pipe, against agetool's on 1 MiB (flat memory: a ratio
# near 1).  Run by `make bench-age` (and `make bench`), or from a build
# directory after `make tests/crypto/agetool`:
#	top_builddir=. bench/age-throughput.sh
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
AGETOOL=$top_builddir/tests/crypto/agetool
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
STREAM_MIB=${STREAM_MIB:-2048}
need age age-keygen head
bench_need_time
[ -x "$AGETOOL" ] || fail "build $AGETOOL first (make tests/crypto/agetool)"

age-keygen -o "$T/k" 2>/dev/null
r=$(age-keygen -y "$T/k")
head -c "${SIZE_MIB}M" /dev/urandom > "$T/plain"
age -r "$r" -o "$T/age.enc" "$T/plain"
"$AGETOOL" -e -r "$r" < "$T/plain" > "$T/sv.enc"
# Both tools open both files (a correctness check before timing).
cmp -s "$T/plain" <("$AGETOOL" -d -i "$T/k" < "$T/age.enc")
cmp -s "$T/plain" <(age -d -i "$T/k" "$T/sv.enc")

# best CMD... (bench/lib.sh): the shortest wall time of RUNS runs, in ns.
mbs() { echo $(( SIZE_MIB * 1000000000 / $1 )); }	# MiB/s

enc_sv() { "$AGETOOL" -e -r "$r" < "$T/plain" > /dev/null; }
enc_age() { age -r "$r" < "$T/plain" > /dev/null; }
dec_sv() { "$AGETOOL" -d -i "$T/k" < "$T/age.enc" > /dev/null; }
dec_age() { age -d -i "$T/k" < "$T/age.enc" > /dev/null; }

es=$(best enc_sv); ea=$(best enc_age)
ds=$(best dec_sv); da=$(best dec_age)
printf 'age throughput on %d MiB (best of %d):\n' "$SIZE_MIB" "$RUNS"
printf '  encrypt: agetool %5d MiB/s, age %5d MiB/s, ratio %s\n' \
    "$(mbs "$es")" "$(mbs "$ea")" "$(ratio "$ea" "$es")"
printf '  decrypt: agetool %5d MiB/s, age %5d MiB/s, ratio %s\n' \
    "$(mbs "$ds")" "$(mbs "$da")" "$(ratio "$da" "$ds")"

# rss_stream MIB ENC... -- DEC...: MIB of zeros through ENC | DEC; sets
# enc_kb and dec_kb, the peak RSS of each (the stream must come back whole).
rss_stream() {
	local n=$1 i got
	shift
	for ((i = 1; i <= $#; i++)); do [ "${!i}" = -- ] && break; done
	got=$(head -c "${n}M" /dev/zero |
	    /usr/bin/time -f %M -o "$T/enc.rss" "${@:1:i-1}" |
	    /usr/bin/time -f %M -o "$T/dec.rss" "${@:i+1}" | wc -c)
	[ "$got" -eq $((n << 20)) ] || fail "$n MiB came back as $got bytes"
	enc_kb=$(tail -1 "$T/enc.rss") dec_kb=$(tail -1 "$T/dec.rss")
}
rss_stream 1 "$AGETOOL" -e -r "$r" -- "$AGETOOL" -d -i "$T/k"
se1=$enc_kb sd1=$dec_kb
rss_stream "$STREAM_MIB" "$AGETOOL" -e -r "$r" -- "$AGETOOL" -d -i "$T/k"
se=$enc_kb sd=$dec_kb
rss_stream "$STREAM_MIB" age -r "$r" -- age -d -i "$T/k"
ae=$enc_kb ad=$dec_kb
printf 'age peak RSS on a %d MiB stream (in parentheses: agetool on 1 MiB):\n' "$STREAM_MIB"
printf '  encrypt: agetool %6d KiB (%d), age %6d KiB, ratio %d MiB/1 MiB %s, age/agetool %s\n' \
    "$se" "$se1" "$ae" "$STREAM_MIB" "$(ratio "$se" "$se1")" "$(ratio "$ae" "$se")"
printf '  decrypt: agetool %6d KiB (%d), age %6d KiB, ratio %d MiB/1 MiB %s, age/agetool %s\n' \
    "$sd" "$sd1" "$ad" "$STREAM_MIB" "$(ratio "$sd" "$sd1")" "$(ratio "$ad" "$sd")"
