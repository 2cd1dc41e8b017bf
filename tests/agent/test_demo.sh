#!/bin/bash
# The README's first command ends with `make demo`: run the same script, so
# that a broken demo fails the suite.
. "$top_srcdir/tests/lib/lib.sh"
WAVGEN="$top_builddir/bench/wavgen" "$top_srcdir/tests/agent/demo.sh" "$T/demo" > "$T/demo.out" 2>&1 ||
	{ cat "$T/demo.out"; fail "make demo failed"; }
grep -q '^identical: ' "$T/demo.out" || { cat "$T/demo.out"; fail "demo did not compare"; }
grep -q 'complete' "$T/demo.out" || fail "demo list shows no complete backup"
ok "the README demo: backup, list, verify, restore, identical"
