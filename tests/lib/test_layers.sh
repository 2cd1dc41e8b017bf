#!/bin/bash
# tests/lib/test_layers.sh: the source tree keeps the layering of common/
# (tests/lib/check-layers.sh), and the checker does fail on a violation: a
# copy of the tree with one planted upward include and one planted include
# of another folder's internal header must be refused, naming both.
. "$top_srcdir/tests/lib/lib.sh"

check=$top_srcdir/tests/lib/check-layers.sh
out=$("$check" "$top_srcdir" 2>&1) || fail "the tree breaks the layering:
$out"
ok "the tree keeps the layering"

mkdir -p "$T/tree"
(cd "$top_srcdir" && tar cf - common agent) | (cd "$T/tree" && tar xf -)
printf '#include "run/session.h"\n' >> "$T/tree/common/util/json.c"
printf '#include "crypto/age_internal.h"\n' >> "$T/tree/agent/cmd_show.c"
if out=$("$check" "$T/tree" 2>&1); then
	fail "the checker accepted an upward include and a foreign internal header"
fi
echo "$out" | grep -q '^common/util/json.c:[0-9]*: common/util/ includes run/session.h' ||
    fail "the upward include is not named: $out"
echo "$out" | grep -q '^agent/cmd_show.c:[0-9]*: includes crypto/age_internal.h, internal to common/crypto/' ||
    fail "the foreign internal header is not named: $out"
ok "the checker refuses both planted violations, naming file and line"
