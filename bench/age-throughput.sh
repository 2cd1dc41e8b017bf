#!/bin/bash
# bench/age-throughput.sh: encryption and decryption speed of common/age
# (tests/crypto/agetool) against Debian's age on the same 1 GiB input, best of
# RUNS runs each, and the ratio agetool/age (> 1: agetool is faster).
# Run from a build directory after `make check` (or `make tests/crypto/agetool`):
#	top_builddir=. bench/age-throughput.sh
set -euo pipefail
: "${top_builddir:=.}"
AGETOOL=$top_builddir/tests/crypto/agetool
SIZE_MIB=${SIZE_MIB:-1024}
RUNS=${RUNS:-3}
for c in age age-keygen head; do
	command -v "$c" >/dev/null || { echo "bench: $c is not installed" >&2; exit 1; }
done
[ -x "$AGETOOL" ] || { echo "bench: build $AGETOOL first (make tests/crypto/agetool)" >&2; exit 1; }

T=$(mktemp -d "${TMPDIR:-/tmp}/age-bench.XXXXXX")
trap 'rm -rf "$T"' EXIT
age-keygen -o "$T/k" 2>/dev/null
r=$(age-keygen -y "$T/k")
head -c "${SIZE_MIB}M" /dev/urandom > "$T/plain"
age -r "$r" -o "$T/age.enc" "$T/plain"
"$AGETOOL" -e -r "$r" < "$T/plain" > "$T/sv.enc"
# Both tools open both files (a correctness check before timing).
cmp -s "$T/plain" <("$AGETOOL" -d -i "$T/k" < "$T/age.enc")
cmp -s "$T/plain" <(age -d -i "$T/k" "$T/sv.enc")

# best CMD...: the shortest wall time of RUNS runs, in nanoseconds.
best() {
	local i t0 t best=
	for ((i = 0; i < RUNS; i++)); do
		t0=$(date +%s%N)
		"$@"
		t=$(( $(date +%s%N) - t0 ))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
	done
	echo "$best"
}
mbs() { echo $(( SIZE_MIB * 1000000000 / $1 )); }	# MiB/s

enc_sv() { "$AGETOOL" -e -r "$r" < "$T/plain" > /dev/null; }
enc_age() { age -r "$r" < "$T/plain" > /dev/null; }
dec_sv() { "$AGETOOL" -d -i "$T/k" < "$T/age.enc" > /dev/null; }
dec_age() { age -d -i "$T/k" < "$T/age.enc" > /dev/null; }

es=$(best enc_sv); ea=$(best enc_age)
ds=$(best dec_sv); da=$(best dec_age)
printf 'age throughput on %d MiB (best of %d):\n' "$SIZE_MIB" "$RUNS"
printf '  encrypt: agetool %5d MiB/s, age %5d MiB/s, ratio %s\n' \
    "$(mbs "$es")" "$(mbs "$ea")" "$(awk -v a="$ea" -v b="$es" 'BEGIN{printf "%.2f", a/b}')"
printf '  decrypt: agetool %5d MiB/s, age %5d MiB/s, ratio %s\n' \
    "$(mbs "$ds")" "$(mbs "$da")" "$(awk -v a="$da" -v b="$ds" 'BEGIN{printf "%.2f", a/b}')"
