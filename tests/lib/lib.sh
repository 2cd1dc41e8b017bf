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
