#!/bin/bash
# bench/age-throughput.sh: encryption and decryption speed of common/age
# (tests/crypto/agetool) against Debian's age on the same 1 GiB input, best of
# RUNS runs each, and the ratio agetool/age (> 1: agetool is faster).
# Run from a build directory after `make check` (or `make tests/crypto/agetool`):
#	top_builddir=. bench/age-throughput.sh
set -euo pipefail
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
AGETOOL=$top_builddir/tests/crypto/agetool
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
need age age-keygen head
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
