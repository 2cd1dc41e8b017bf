#!/bin/bash
# A short run of every libFuzzer target (FUZZ_TARGETS from Makefile.am, built
# by clang before the tests) on a copy of its seed corpus, so that `make
# check` catches crashes the seeds or a few seconds of fuzzing reach.  Seeds
# are tests/corpus/fuzz_X/*, and tests/corpus/fuzz_X.dict a libFuzzer
# dictionary if present.  Crash inputs are kept in $top_builddir/tests/ as
# fuzz_X-crash-*.  FUZZ_TEST_SECONDS sets the time per target (default 20).
. "$top_srcdir/tests/lib/lib.sh"

: "${FUZZ_TARGETS:=}"
secs=${FUZZ_TEST_SECONDS:-20}
[ -n "$FUZZ_TARGETS" ] || skip "no fuzz targets: clang not found by configure"

for t in $FUZZ_TARGETS; do
	name=$(basename "$t")
	bin=$top_builddir/$t
	[ -x "$bin" ] || fail "$bin not built (check_DATA should build it)"
	mkdir -p "$T/$name"
	if [ -d "$top_srcdir/tests/corpus/$name" ]; then
		cp "$top_srcdir/tests/corpus/$name"/* "$T/$name"/ 2>/dev/null || :
	fi
	dict=$top_srcdir/tests/corpus/$name.dict
	[ -f "$dict" ] && dict="-dict=$dict" || dict=
	echo "fuzz: $name for ${secs}s"
	# -close_fd_mask=2: the target's own stderr (expected error messages)
	# is closed; libFuzzer and the sanitizers still report.
	if ! "$bin" -max_total_time="$secs" -rss_limit_mb=1024 -timeout=10 \
	    -close_fd_mask=2 -print_final_stats=1 $dict \
	    -artifact_prefix="$top_builddir/tests/$name-" \
	    "$T/$name" >"$T/$name.log" 2>&1; then
		tail -n 60 "$T/$name.log" >&2
		fail "$name found a failure (input saved in $top_builddir/tests/)"
	fi
	grep -E 'stat::number_of_executed_units|cov:' "$T/$name.log" | tail -n 2
	ok "$name"
done
