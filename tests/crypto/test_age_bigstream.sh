#!/bin/bash
# A 2 GiB stream through common/age both ways (tests/crypto/agetool in a pipe):
# the plaintext comes back whole, past the 32-bit chunk and size boundaries.
# Peak RSS is printed for the log but not asserted: memory is measured in
# `make bench` (bench/age-throughput.sh), where a run is not sharing the
# machine with the rest of the suite.  A few seconds here.
. "$top_srcdir/tests/lib/lib.sh"
need head sha256sum
AGETOOL=$top_builddir/tests/crypto/agetool
[ -x "$AGETOOL" ] || fail "$AGETOOL not built"
set -o pipefail

# SHA-256 of 2 GiB of zero bytes
want=a7c744c13cc101ed66c29f672f92455547889cc586ce6d44fe76ae824958ea51

"$AGETOOL" -k > "$T/k.both"
head -n 1 "$T/k.both" > "$T/k"
r=$(tail -n 1 "$T/k.both")
start=$SECONDS
got=$(head -c 2G /dev/zero | "$AGETOOL" -s -e -r "$r" 2> "$T/enc.err" |
    "$AGETOOL" -s -d -i "$T/k" 2> "$T/dec.err" | sha256sum) ||
	{ cat "$T/enc.err" "$T/dec.err" >&2; fail "pipeline failed"; }
[ "${got%% *}" = "$want" ] || fail "2 GiB came back different: $got"
for side in enc dec; do
	rss=$(sed -n 's/^agetool: maxrss \([0-9]*\) KiB$/\1/p' "$T/$side.err")
	[ -n "$rss" ] || fail "$side: no maxrss reported"
	echo "$side: peak RSS $rss KiB for 2 GiB"
done
ok "2 GiB both ways in $((SECONDS - start)) s"
