# tests/lib/lib.sh: sourced by the shell tests.  Automake's harness runs each
# test with SITEVAULT, top_srcdir and top_builddir in the environment.
# Exit codes follow the automake convention: 0 pass, 77 skip, 99 hard error,
# anything else fail.

set -eu

: "${SITEVAULT:=${top_builddir:-.}/agent/sitevault}"
: "${top_srcdir:=.}"
# ../shared beside the source tree holds optional test vectors.
SHARED_DIR=${SITEVAULT_SHARED:-$top_srcdir/../shared}

# A private scratch directory, removed when the test ends (even on failure).
T=$(mktemp -d "${TMPDIR:-/tmp}/sv-test.XXXXXX")
_sv_cleanups=""
sv_atexit() { _sv_cleanups="$1; $_sv_cleanups"; }
_sv_exit() {
	local rc=$?
	set +e
	eval "$_sv_cleanups"
	rm -rf "$T"
	exit "$rc"
}
trap _sv_exit EXIT
trap 'exit 99' INT TERM

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "SKIP: $*" >&2; exit 77; }
ok() { echo "ok: $*"; }

# expect_exit CODE CMD...: run CMD, require exit status CODE; its stderr is
# kept in $T/stderr and stdout in $T/stdout.
expect_exit() {
	local want=$1 got=0; shift
	"$@" >"$T/stdout" 2>"$T/stderr" || got=$?
	if [ "$got" -ne "$want" ]; then
		echo "command: $*" >&2
		echo "--- stdout:" >&2; head -c 4000 "$T/stdout" >&2
		echo "--- stderr:" >&2; head -c 4000 "$T/stderr" >&2
		fail "expected exit $want, got $got"
	fi
}

# expect_stderr REGEX: the last expect_exit's stderr matches REGEX.
expect_stderr() {
	grep -qE -- "$1" "$T/stderr" || {
		echo "--- stderr:" >&2; cat "$T/stderr" >&2
		fail "stderr does not match: $1"
	}
}

# expect_stdout REGEX: the last expect_exit's stdout matches REGEX.
expect_stdout() {
	grep -qE -- "$1" "$T/stdout" || {
		echo "--- stdout:" >&2; cat "$T/stdout" >&2
		fail "stdout does not match: $1"
	}
}

need() {
	local c
	for c in "$@"; do
		command -v "$c" >/dev/null 2>&1 || skip "$c is not installed (packaging/install-deps)"
	done
}

# sv_serve PORTFILE WHAT CMD...: start CMD, a stand-in server, in the
# background (killed when the test ends) and wait up to 10 s for it to
# write its port to PORTFILE; WHAT names it if it does not.
sv_serve() {
	local file=$1 what=$2 pid i
	shift 2
	"$@" &
	pid=$!
	sv_atexit "kill $pid"
	for ((i = 0; i < 100; i++)); do [ -s "$file" ] && break; sleep 0.1; done
	[ -s "$file" ] || fail "$what did not start"
}

# sv_ports_used: every local TCP port in use (any state), one a line.
sv_ports_used() {
	local f sl addr rest
	for f in /proc/net/tcp /proc/net/tcp6; do
		[ -r "$f" ] || continue
		while read -r sl addr rest; do
			case $addr in *:*) echo $((16#${addr##*:})) ;; esac
		done <"$f"
	done
}

# sv_reserve_ports NAME FIRST LAST BLOCK: lock a block of BLOCK consecutive
# TCP ports in FIRST-LAST for the servers a test starts; sets sv_port (the
# block's first) and sv_port_lockfd.  The lock is flock(1) on
# ${TMPDIR:-/tmp}/sitevault-NAME-ports/N, held by this shell (and inherited
# by the daemons), so that concurrent tests under `make -j check` never
# share ports; a block whose ports appear in /proc/net/tcp{,6} (another
# program's) is skipped.  Closing the descriptor releases the block.
sv_reserve_ports() {
	local dir=${TMPDIR:-/tmp}/sitevault-$1-ports n start i b base used fd p busy
	mkdir -p "$dir" 2>/dev/null
	chmod 1777 "$dir" 2>/dev/null || true
	n=$(( ($3 - $2 + 1) / $4 ))
	start=$(( (RANDOM * 32768 + RANDOM + $$) % n ))
	used=" $(sv_ports_used | sort -un | tr '\n' ' ') "
	for ((i = 0; i < n; i++)); do
		b=$(( (start + i) % n ))
		base=$(( $2 + b * $4 ))
		# Opened read-only: flock needs no write access, so users share.
		{ [ -e "$dir/$b" ] || : >>"$dir/$b"; } 2>/dev/null
		[ -r "$dir/$b" ] || continue
		exec {fd}<"$dir/$b"
		if ! flock -n "$fd"; then exec {fd}>&-; continue; fi
		busy=0
		for ((p = base; p < base + $4; p++)); do
			case $used in *" $p "*) busy=1; break ;; esac
		done
		if [ "$busy" -eq 1 ]; then exec {fd}>&-; continue; fi
		sv_port=$base
		sv_port_lockfd=$fd
		return 0
	done
	fail "$1: no free block of $4 ports in $2-$3"
}

# flip_byte FILE OFFSET: invert every bit of one byte in place (writing a
# fixed byte would leave a file unchanged when it already held that byte).
flip_byte() {
	python3 - "$1" "$2" <<'PY'
import sys
with open(sys.argv[1], "r+b") as f:
    f.seek(int(sys.argv[2]))
    b = f.read(1)
    f.seek(int(sys.argv[2]))
    f.write(bytes([b[0] ^ 0xFF]))
PY
}
