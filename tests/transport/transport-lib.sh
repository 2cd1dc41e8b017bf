# tests/transport/transport-lib.sh: helpers for the transport tests (sourced after
# tests/lib/lib.sh and, for FTP, tests/lib/ftpd.sh).  The operations run through
# tests/transport/transport_tool, which reads the FTP password on stdin.

TOOL=${top_builddir:-.}/tests/transport/transport_tool
[ -x "$TOOL" ] || fail "$TOOL missing (make check builds it)"
# Short backoff: the tests wait for retries.
export SITEVAULT_RETRY_BASE_MS=${SITEVAULT_RETRY_BASE_MS:-100}

# tv_conf FILE URL [KEY=VALUE...]: a configuration for store URL; the
# [server] keys given replace the defaults (tls = none for ftp://).
tv_conf() {
	local f=$1 url=$2 kv k
	local -A v=([retries]=3 [connect_timeout]=5s [stall_timeout]=10s)
	shift 2
	case $url in
	/*|file:*) ;;
	ftp:*) v[user]=$FTPD_USER; v[tls]=none ;;
	*) v[user]=$FTPD_USER ;;
	esac
	for kv in "$@"; do v[${kv%%=*}]=${kv#*=}; done
	{
		printf '[site]\nname = branch-01\n[server]\nurl = %s\n' "$url"
		for k in "${!v[@]}"; do printf '%s = %s\n' "$k" "${v[$k]}"; done
		printf '[keys]\nsecret = %s/site.key\n[state]\ndir = %s/state\n' \
		    "$T" "$T"
		printf '[backup]\ndata = %s\n' "$T"
	} >"$f"
}

# tt CODE CONF OP ARGS [-- OP ARGS]...: run the tool (password on stdin),
# require exit CODE; output in $T/stdout and $T/stderr.
tool_pw() { printf '%s\n' "${FTPD_PASS:-}" | "$TOOL" "$@"; }
tt() {
	local code=$1
	shift
	expect_exit "$code" tool_pw "$@"
}

# out_has LINE: the last tt printed exactly LINE.
out_has() {
	grep -qxF -- "$1" "$T/stdout" || {
		echo "--- stdout:" >&2; cat "$T/stdout" >&2
		echo "--- stderr:" >&2; tail -n 20 "$T/stderr" >&2
		fail "output lacks line: $1"
	}
}
out_lacks() {
	if grep -qF -- "$1" "$T/stdout"; then
		cat "$T/stdout" >&2
		fail "output has: $1"
	fi
}

# no_temp DIR: no temporary upload name is left under DIR on disk.
no_temp() {
	local left
	left=$(find "$1" -name '*.sv-tmp.*' 2>/dev/null | head -5)
	[ -z "$left" ] || fail "temporary files left: $left"
}

# ops_suite CONF DISKROOT: every operation against the store of CONF, whose
# base directory is DISKROOT on this machine.  Names with spaces, '#', '%',
# non-ASCII; listings with dot files, symlinks and a name like "a -> b".
ops_suite() {
	local c=$1 r=$2 d="branch-01/Data 1" f="a b#%ü.txt"
	head -c 300000 /dev/urandom >"$T/data1"
	head -c 1000 /dev/urandom >"$T/data2"

	tt 0 "$c" mkdir "$d/sub dir" -- mkdir "$d/sub dir" -- mkdir "$d"
	[ -d "$r/$d/sub dir" ] || fail "mkdir: $r/$d/sub dir not made"

	tt 0 "$c" put "$d/$f" "$T/data1" -- size "$d/$f" -- exists "$d/$f" \
	    -- exists "$d/sub dir" -- exists "$d/nothing" \
	    -- exists "no/such/dir"
	cmp -s "$T/data1" "$r/$d/$f" || fail "put: bytes on disk differ"
	[ "$(tr '\n' ' ' <"$T/stdout")" = "300000 1 2 0 0 " ] ||
	    fail "size/exists: got $(tr '\n' ' ' <"$T/stdout")"
	no_temp "$r"

	# Overwrite through rename onto the existing name.
	tt 0 "$c" put "$d/$f" "$T/data2" -- get "$d/$f" "$T/back"
	cmp -s "$T/data2" "$T/back" || fail "get after overwrite differs"
	cmp -s "$T/data2" "$r/$d/$f" || fail "overwrite: bytes on disk differ"

	# Names the listing parsers must get right, made on disk.
	printf x >"$r/$d/.hidden"
	printf xy >"$r/$d/ lead"
	printf xyz >"$r/$d/x -> y"
	printf xyzw >"$r/$d/semi;colon = 1"
	ln -s "$f" "$r/$d/link"
	if declare -F ftpd_chown >/dev/null && [ -n "${FTPD_ROOT:-}" ]; then
		ftpd_chown "$r/$d"
	fi
	tt 0 "$c" list "$d"
	out_has "f 1000 $f"
	out_has "d 0 sub dir"
	out_has "f 1 .hidden"
	out_has "f 2  lead"
	out_has "f 3 x -> y"
	out_has "f 4 semi;colon = 1"
	grep -qE '^f [0-9]+ link$' "$T/stdout" || fail "symlink not listed as link"
	! grep -qE ' \.\.?$' "$T/stdout" || fail "list shows . or .."
	[ "$(wc -l <"$T/stdout")" -eq 7 ] || { cat "$T/stdout"; fail "list: not 7 entries"; }

	tt 0 "$c" list "no such" -- list "" -- getbuf "$d/x -> y" 3
	out_has "# missing"
	out_has "d 0 branch-01"
	out_has "xyz"

	tt 66 "$c" get "$d/nothing" "$T/back"
	expect_stderr "no such file"
	tt 66 "$c" size "$d/nothing"
	tt 66 "$c" getbuf "no/such/dir/file" 10
	tt 65 "$c" getbuf "$d/$f" 999
	expect_stderr "larger than 999 bytes"

	tt 0 "$c" rename "$d/$f" "branch-01/moved" -- exists "$d/$f" \
	    -- exists branch-01/moved -- delete branch-01/moved \
	    -- delete branch-01/moved -- exists branch-01/moved \
	    -- delete "no/such/file" -- rmdir "$d/sub dir" -- rmdir "$d/sub dir"
	[ "$(tr '\n' ' ' <"$T/stdout")" = "0 1 0 " ] ||
	    fail "rename/delete: got $(tr '\n' ' ' <"$T/stdout")"
	[ ! -e "$r/branch-01/moved" ] || fail "delete left the file"
	[ ! -e "$r/$d/sub dir" ] || fail "rmdir left the directory"

	# A directory that is not empty stays.
	if tool_pw "$c" rmdir "$d" >"$T/stdout" 2>"$T/stderr"; then
		fail "rmdir of a non-empty directory succeeded"
	fi
	[ -d "$r/$d" ] || fail "non-empty directory removed"

	# Into a directory that does not exist: refused, nothing made.
	if tool_pw "$c" put "nodir/x" "$T/data2" >"$T/stdout" 2>"$T/stderr"; then
		fail "put into a missing directory succeeded"
	fi
	[ ! -e "$r/nodir" ] || fail "put made a directory"

	# Paths that climb out or hide control characters are refused.
	tt 78 "$c" exists "branch-01/../../etc"
	expect_stderr "invalid store path"
	tt 78 "$c" mkdir "/abs"
	tt 78 "$c" put "a//b" "$T/data2"
	tt 78 "$c" delete "$(printf 'a\nb')"
	no_temp "$r"
}

# big_size: bytes for the streaming test: 256 MiB, 1 GiB with
# SITEVAULT_TEST_BIG=1.
big_size() {
	if [ -n "${SITEVAULT_TEST_BIG:-}" ]; then
		echo $((1024 << 20))
	else
		echo $((256 << 20))
	fi
}

# streamed CONF BYTES: put_stream BYTES generated bytes and read them back
# whole.  Peak RSS is printed for the log, not asserted: memory against the
# stream size is measured in `make bench` (bench/backup-bench.sh).
streamed() {
	local c=$1 n=$2 sum
	expect_exit 0 tool_pw "$c" mkdir big
	expect_exit 0 tool_pw --rss "$c" putgen big/file "$n"
	sum=$(cat "$T/stdout")
	echo "put_stream $n bytes: max RSS $(sed -n 's/^maxrss_kib=//p' "$T/stderr") KiB; $(grep MiB/s "$T/stderr")"
	expect_exit 0 tool_pw --rss "$c" getsum big/file
	[ "$(cat "$T/stdout")" = "$sum" ] || fail "streamed file differs: $sum vs $(cat "$T/stdout")"
	echo "get $n bytes: max RSS $(sed -n 's/^maxrss_kib=//p' "$T/stderr") KiB; $(grep MiB/s "$T/stderr")"
	tt 0 "$c" delete big/file -- rmdir big
}
