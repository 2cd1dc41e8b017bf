#!/bin/bash
# tests/lib/deadline.sh, the harness's wrapper: a test's own status passes
# through; one that outlives SV_TEST_DEADLINE is killed with every process
# of its group, fails with 99 and leaves a report of what it waited in.
. "$top_srcdir/tests/lib/lib.sh"
need pgrep
D=$top_srcdir/tests/lib/deadline.sh

expect_exit 7 env SV_TEST_DEADLINE=30 "$D" bash -c 'echo out; exit 7'
expect_stdout '^out$'
ok "a test's status and output pass through"

# A hung test whose child ignores TERM: both gone, 99, and the report.
expect_exit 99 env SV_TEST_DEADLINE=2 "$D" bash -c \
    'echo $$ >"$1/pid"; (trap "" TERM; exec sleep 300) & echo $! >"$1/child"; wait' \
    sh "$T"
expect_stderr 'DEADLINE: .* still running after 2 s'
expect_stderr 'sleep 300'
expect_stderr 'DEADLINE: .* killed after 2 s'
# alive PID: PID exists and is not a zombie (one killed but not yet reaped
# by whichever process adopted it).
alive() {
	local st
	read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}
for f in pid child; do
	for ((i = 0; i < 50; i++)); do alive "$(cat "$T/$f")" || break; sleep 0.1; done
	! alive "$(cat "$T/$f")" || fail "the test's $f survived the deadline"
done
ok "a hung test is killed with its whole group, 99, with a report"

expect_exit 99 env SV_TEST_DEADLINE=2x "$D" true
expect_stderr 'SV_TEST_DEADLINE=2x: not a number of seconds'
ok "a bad SV_TEST_DEADLINE is refused"
