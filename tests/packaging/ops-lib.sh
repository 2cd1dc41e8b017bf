# tests/packaging/ops-lib.sh: helpers of the packaging and operations tests, sourced
# after tests/lib.sh.

# sv_make ARGS...: run make in the build tree, out of the test harness's
# own make (its jobserver and flags are not ours).
sv_make() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	    make -s -C "$top_builddir" "$@"
}

# sv_make_var NAME: the value of make variable NAME in the build tree,
# fully expanded (e.g. bindir -> /usr/local/bin).
sv_make_var() {
	printf 'sv-print-%%:\n\t@echo $($*)\n' >"$T/print.mk"
	sv_make -f Makefile -f "$T/print.mk" "sv-print-$1"
}

# sv_skip_unimplemented CMD CODE: after a run of `sitevault CMD` that exited
# CODE with its stderr in $T/stderr, skip the test if (and only if) that
# command is still a stub: exit 70 with the stub's own message.  Anything
# else is left to the caller to fail on.
sv_skip_unimplemented() {
	if [ "$2" -eq 70 ] &&
	    grep -q "^sitevault: $1: not implemented" "$T/stderr"; then
		skip "sitevault $1 is not implemented yet (this check runs once it is)"
	fi
}

# sv_run CODE AGENT ARGS...: like expect_exit, but a command of the agent
# that is still a stub skips the test instead of failing it.  AGENT is any
# sitevault binary; the command is the first word of ARGS that is neither an
# option nor the argument of -c/--config.
sv_run() {
	local want=$1 got=0 line cmd=""; shift
	line="$*"
	"$@" >"$T/stdout" 2>"$T/stderr" || got=$?
	[ "$got" -ne "$want" ] || return 0
	shift
	while [ $# -gt 0 ]; do
		case $1 in
		-c | --config) shift ;;
		-*) ;;
		*) cmd=$1; break ;;
		esac
		shift
	done
	sv_skip_unimplemented "$cmd" "$got"
	echo "command: $line" >&2
	echo "--- stdout:" >&2; head -c 4000 "$T/stdout" >&2
	echo "--- stderr:" >&2; head -c 4000 "$T/stderr" >&2
	fail "expected exit $want, got $got"
}

# sv_site DIR AGENT: a site backing up to the local store DIR/store, with
# its key made by AGENT's keygen; sets SV_CONF to the configuration file.
# The secret key belongs to the user running the test, as the agent wants.
sv_site() {
	local dir=$1 agent=$2
	mkdir -p "$dir/store" "$dir/state" "$dir/src/conf" "$dir/src/data"
	echo "mailbox 100 = alice" >"$dir/src/conf/users"
	head -c 100000 /dev/urandom >"$dir/src/data/msg0001.wav"
	cat >"$dir/sitevault.conf" <<-EOF
	[site]
	name = pkgtest
	[server]
	url = $dir/store
	[backup]
	configuration = $dir/src/conf
	data = $dir/src/data
	part_size = 64K
	[keys]
	secret = $dir/site.key
	[state]
	dir = $dir/state
	EOF
	SV_CONF=$dir/sitevault.conf
	sv_run 0 "$agent" -c "$SV_CONF" keygen --out "$dir/site.key"
}
