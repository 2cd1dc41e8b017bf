#!/bin/bash
# tests/lib/deadline.sh TEST [ARG...]: runs one test of `make check` (the
# harness's LOG_COMPILER, Makefile.am) under a deadline of SV_TEST_DEADLINE
# seconds, 1200 by default.  A test that hangs would otherwise stall the
# whole suite with nothing in its log; past the deadline, this prints what
# each of the test's processes is waiting in, kills the test's process
# group and fails the test (99, a hard error).  The slowest test takes a
# few minutes under the sanitizers on two cores.
set -u
limit=${SV_TEST_DEADLINE:-1200}
case $limit in '' | *[!0-9]*) echo "SV_TEST_DEADLINE=$limit: not a number of seconds" >&2; exit 99 ;; esac

# The test in a process group of its own, so that all of it can be killed.
set -m
"$@" &
pid=$!
set +m

# _deadline_report: each process of the test's group, the system call it
# is blocked in and the kernel's stack (as root), for the log.
_deadline_report() {
	local p t
	echo "DEADLINE: $* still running after ${limit} s; its processes:"
	ps -o pid,ppid,etimes,stat,wchan:24,args \
	    -p "$(pgrep -d, -g "$pid" 2>/dev/null)" 2>/dev/null
	for p in $(pgrep -g "$pid" 2>/dev/null); do
		for t in /proc/"$p"/task/*; do
			echo "-- $p/${t##*/} $(cat "$t/comm" 2>/dev/null):" \
			    "syscall $(cut -d' ' -f1 "$t/syscall" 2>/dev/null)"
			head -n 8 "$t/stack" 2>/dev/null
		done
	done
}

# The watchdog writes into $fired (made by mktemp: this run's own file,
# never a name recreated in a shared directory) when it kills the test.
fired=$(mktemp "${TMPDIR:-/tmp}/sv-deadline.XXXXXX") || exit 99
(
	for ((i = 0; i < limit; i++)); do
		kill -0 "$pid" 2>/dev/null || exit 0
		sleep 1
	done
	echo fired >>"$fired"
	_deadline_report "$@" >&2
	kill -TERM -- "-$pid" 2>/dev/null
	# The whole group, not only its leader: a child may ignore TERM.
	for ((i = 0; i < 20; i++)); do
		pgrep -g "$pid" >/dev/null || exit 0
		sleep 1
	done
	kill -KILL -- "-$pid" 2>/dev/null
) &
watchdog=$!

rc=0
wait "$pid" || rc=$?
if [ -s "$fired" ]; then
	wait "$watchdog" 2>/dev/null
	rm -f "$fired"
	echo "DEADLINE: $* killed after ${limit} s" >&2
	exit 99
fi
kill "$watchdog" 2>/dev/null
wait "$watchdog" 2>/dev/null
rm -f "$fired"
exit "$rc"
