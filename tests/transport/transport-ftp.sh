# tests/transport/transport-ftp.sh: the body of tests/test_transport_<server>.sh (one
# file per server, so that `make -j check` runs them in parallel): every
# store operation, one control connection per run, refused logins,
# unreachable servers, streaming with flat memory, a server restarted in
# the middle of an upload, a hung server, and TLS (explicit, implicit,
# required against a server without it, verification, pinning).

# sessions: the server's per-connection processes (not the listener).
sessions() { _ftpd_tree "$FTPD_PID"; }

# wait_tmp DIR: wait until an upload's temporary file under DIR has data.
wait_tmp() {
	local i f
	for ((i = 0; i < 1000; i++)); do
		for f in "$1"/*.sv-tmp.*; do
			[ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 4000000 ] && return 0
		done
		sleep 0.01
	done
	fail "no upload seen in $1"
}

ftp_plain() {
	local c=$T/plain.conf r=$FTPD_ROOT/store n
	tv_conf "$c" "$FTPD_URL/store"
	ops_suite "$c" "$r"
	ok "$FTPD_NAME: operations"

	# One control connection for a whole run; the password never shows,
	# even in -v output.
	tt 0 -v "$c" mkdir one -- put one/a "$T/data2" -- list one \
	    -- getbuf one/a 2000 -- size one/a -- delete one/a -- rmdir one
	n=$(grep -c "Trying $FTPD_HOST:$FTPD_PORT\.\.\." "$T/stderr")
	[ "$n" -eq 1 ] || fail "$n control connections for one run"
	grep -q '> PASS \*\*\*\*\*\*\*\*' "$T/stderr" || fail "no masked PASS line"
	! grep -qF -- "$FTPD_PASS" "$T/stderr" "$T/stdout" ||
	    fail "the password appears in the output"
	ok "$FTPD_NAME: one control connection, password masked"

	# A brand-new server: the base directory of the URL does not exist
	# yet.  Its listing and everything under it are missing, not errors
	# (decided from the listing of the parent, whatever the reply code).
	tv_conf "$T/new.conf" "$FTPD_URL/new%20base/deeper"
	tt 0 "$T/new.conf" list "" -- list branch-01 -- exists branch-01 \
	    -- exists branch-01/SITE -- list branch-01/Data_1
	[ "$(tr '\n' ' ' <"$T/stdout")" = "# missing # missing 0 0 # missing " ] ||
	    fail "brand-new base: got $(tr '\n' ' ' <"$T/stdout")"
	[ ! -e "$FTPD_ROOT/new base" ] || fail "listing made the base directory"
	# A base that exists but is refused stays an error.
	mkdir -p "$FTPD_ROOT/locked/in"
	chmod 000 "$FTPD_ROOT/locked"
	tv_conf "$T/locked.conf" "$FTPD_URL/locked/in"
	tt 74 "$T/locked.conf" list ""
	expect_stderr "list: server replied \"550 "
	chmod 755 "$FTPD_ROOT/locked"
	ok "$FTPD_NAME: a base directory not made yet lists as missing"

	# Messages name the path under the server's root with one '/'.
	tv_conf "$T/top.conf" "$FTPD_URL/"
	tt 66 "$T/top.conf" get "store/branch-01/Data_7/manifest" "$T/back"
	expect_stderr "^transport_tool: $FTPD_URL/store/branch-01/Data_7/manifest: no such file$"
	tt 65 "$T/top.conf" getbuf "store/branch-01/Data 1/x -> y" 1
	expect_stderr "^transport_tool: $FTPD_URL/store/branch-01/Data 1/x -> y: larger than 1 bytes$"
	chmod 000 "$FTPD_ROOT/locked"
	tt 74 "$T/top.conf" list "locked/in"
	expect_stderr "^transport_tool: $FTPD_URL/locked/in: list: server replied \"550 "
	chmod 755 "$FTPD_ROOT/locked"
	! grep -q "$FTPD_URL//" "$T/stderr" || fail "double slash: $(cat "$T/stderr")"
	ok "$FTPD_NAME: messages name paths with one slash"

	# pure-ftpd delays its answer to a wrong password (against guessing);
	# libcurl counts the login in the connect timeout, so allow for it.
	tv_conf "$T/bad.conf" "$FTPD_URL/store" connect_timeout=30s
	FTPD_PASS=not-the-password tt 77 "$T/bad.conf" list ""
	expect_stderr 'login refused: server replied "530 '
	tv_conf "$T/down.conf" "ftp://$FTPD_HOST:1/store" retries=1
	tt 69 "$T/down.conf" list ""
	expect_stderr "cannot connect.* \(2 attempts over [0-9]+\.[0-9] s\)$"
	ok "$FTPD_NAME: wrong password 77, unreachable 69"

	streamed "$c" "$(big_size)"
	ok "$FTPD_NAME: streaming"
}

# The server dies in the middle of an upload and comes back: the retry
# resends the part, and nothing is visible under the final name before.
ftp_restart() {
	local c=$T/restart.conf r=$FTPD_ROOT/store pid rc=0
	tv_conf "$c" "$FTPD_URL/store" retries=6
	head -c $((192 << 20)) /dev/urandom >"$T/big"
	tt 0 "$c" mkdir up
	# Stop the server's session the moment the upload's temporary file
	# appears: its pids are found beforehand, since a busy machine can
	# otherwise finish the 192 MiB first.  Should the upload still win
	# the race, the file under its final name must be complete; try again.
	local try s i
	for try in 1 2 3; do
		tool_pw "$c" put up/big "$T/big" >"$T/up.out" 2>"$T/up.err" &
		pid=$!
		s=""
		for ((i = 0; i < 2000; i++)); do
			[ -n "$s" ] || s=$(sessions | tr '\n' ' ')
			if [ -n "$s" ] && compgen -G "$r/up/*.sv-tmp.*" >/dev/null; then
				kill -STOP $s 2>/dev/null || true
				# ... and any session that started meanwhile.
				kill -STOP $(sessions) 2>/dev/null || true
				break
			fi
			[ -e "$r/up/big" ] && break
			sleep 0.005
		done
		[ -e "$r/up/big" ] || break
		kill -CONT $s 2>/dev/null || true
		wait "$pid" || true
		cmp -s "$T/big" "$r/up/big" || fail "partial file under the final name"
		rm -f "$r/up/big"
		echo "upload finished before the server was stopped (try $try)"
	done
	[ ! -e "$r/up/big" ] || fail "final name visible during the upload"
	kill -KILL $(sessions) 2>/dev/null || true
	ftpd_restart
	wait "$pid" || rc=$?
	[ "$rc" -eq 0 ] || { cat "$T/up.err" >&2; fail "upload across a restart: exit $rc"; }
	grep -q "retrying" "$T/up.err" || fail "no retry seen (upload not interrupted?)"
	cmp -s "$T/big" "$r/up/big" || fail "file after restart differs"
	no_temp "$r"
	rm -f "$r/up/big"
	ok "$FTPD_NAME: restart mid-upload, retried"

	# A stream cannot be resent: it fails, and leaves no file.
	tool_pw "$c" putgen up/stream $((16 << 20)) $((4 << 20)) \
	    >"$T/up.out" 2>"$T/up.err" &
	pid=$!
	wait_tmp "$r/up"
	ftpd_restart
	rc=0
	wait "$pid" || rc=$?
	[ "$rc" -eq 75 ] || { cat "$T/up.err" >&2; fail "interrupted stream: exit $rc, expected 75"; }
	[ ! -e "$r/up/stream" ] || fail "interrupted stream visible under its name"
	ok "$FTPD_NAME: interrupted stream fails cleanly"

	# A hung server (its session stopped): the stall timeout ends the
	# wait, and a new connection serves the retry.
	tv_conf "$c" "$FTPD_URL/store" stall_timeout=2s
	printf 'hello' >"$T/hello"
	tool_pw "$c" put up/hello "$T/hello" -- sleep 1500 -- getbuf up/hello 10 \
	    >"$T/up.out" 2>"$T/up.err" &
	pid=$!
	sleep 0.7
	kill -STOP $(sessions) 2>/dev/null || true
	rc=0
	wait "$pid" || rc=$?
	kill -KILL $(sessions) 2>/dev/null || true
	[ "$rc" -eq 0 ] || { cat "$T/up.err" >&2; fail "hung server: exit $rc"; }
	[ "$(cat "$T/up.out")" = hello ] || fail "hung server: got $(cat "$T/up.out")"
	grep -q "retrying" "$T/up.err" || fail "hung server: no retry seen"
	ok "$FTPD_NAME: hung server, stall timeout, reconnect"
}

# TLS: explicit on a server that offers it, verified against the test CA.
ftp_tls() {
	local c=$T/tls.conf pin
	ftpd_start "$FTPD_NAME" tls
	tv_conf "$c" "$FTPD_URL/store" tls=required "ca_file=$FTPD_CAFILE"
	tt 0 "$c" mkdir s -- put s/a "$T/data2" -- put s/b "$T/data2" -- list s \
	    -- get s/a "$T/back" -- tls -- delete s/a -- delete s/b -- rmdir s
	out_has "on"
	out_has "f 1000 a"
	cmp -s "$T/data2" "$T/back" || fail "TLS download differs"
	tv_conf "$c" "$FTPD_URL/store" tls=try "ca_file=$FTPD_CAFILE"
	tt 0 "$c" list "" -- tls
	out_has "on"
	ok "$FTPD_NAME: explicit TLS (required, try)"

	# Verification is always on: an unknown CA or a wrong pin is refused.
	tv_conf "$c" "$FTPD_URL/store" tls=required
	tt 69 "$c" list ""
	expect_stderr "TLS failed: .*certificate"
	pin=$(openssl x509 -in "$T/ftpd-tls/server.pem" -pubkey -noout |
	    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary |
	    base64)
	tv_conf "$c" "$FTPD_URL/store" tls=required "ca_file=$FTPD_CAFILE" \
	    "pinned_pubkey=sha256//$pin"
	tt 0 "$c" list ""
	tv_conf "$c" "$FTPD_URL/store" tls=required "ca_file=$FTPD_CAFILE" \
	    "pinned_pubkey=sha256//AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	tt 69 "$c" list ""
	ok "$FTPD_NAME: verification, pinning"
	ftpd_stop

	# A server that insists on TLS refuses the password in clear.
	ftpd_start "$FTPD_NAME" tls-required
	tv_conf "$c" "$FTPD_URL/store"
	tt 77 "$c" list ""
	expect_stderr "login refused"
	ftpd_stop

	if ftpd_supports "$FTPD_NAME" implicit >/dev/null; then
		ftpd_start "$FTPD_NAME" implicit
		tv_conf "$c" "$FTPD_URL/store" "ca_file=$FTPD_CAFILE"
		tt 0 "$c" mkdir i -- put i/a "$T/data2" -- list i -- tls
		out_has "on"
		out_has "f 1000 a"
		ftpd_stop
		ok "$FTPD_NAME: implicit TLS (ftps://)"
	fi
}

# tls = required against a server without TLS: refused with the reason.
ftp_tls_refused() {
	local c=$T/req.conf
	tv_conf "$c" "$FTPD_URL/store" tls=required
	tt 69 "$c" list ""
	expect_stderr "refused TLS .*tls = required.*server replied"
	ok "$FTPD_NAME: tls = required without TLS on the server: 69"
}

# ftp_suite NAME: everything above against server NAME.
ftp_suite() {
	ftpd_require "$1" plain
	ftp_plain
	ftp_tls_refused
	ftp_restart
	ftpd_stop
	ftp_tls
}
