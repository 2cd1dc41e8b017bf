# tests/lib/ftpd-check.sh: the body of tests/test_ftpd_<server>.sh (one file per
# server, so that `make -j check` runs them in parallel).  It checks the
# harness (tests/lib/ftpd.sh) and, with curl, what the transport relies on:
# passive transfers (EPSV and PASV), rename, listing, download, delete,
# refused logins, explicit and implicit TLS with certificate verification,
# and the replies documented at the top of tests/ftpd.sh.

# Extra curl options for every fc.
FC_EXTRA=()

# fc WANT WHAT CURL-ARGS...: ftpd_curl (verbose, into $T/fc.err) must exit
# WANT; else show curl's dialogue (no PASS line) and the server's logs.
fc() {
	local want=$1 what=$2 got=0
	shift 2
	ftpd_curl -sS -v --max-time 30 ${FC_EXTRA[@]+"${FC_EXTRA[@]}"} "$@" \
	    >"$T/fc.out" 2>"$T/fc.err" || got=$?
	[ "$got" -eq "$want" ] && return 0
	echo "--- curl $* (exit $got):" >&2
	grep -v '^> PASS' "$T/fc.err" | tail -n 40 >&2
	ftpd_fail "$what: curl exit $got, expected $want"
}

# reply RE WHAT: the last fc's server replies include one matching RE.
reply() {
	grep -qE "^< $1" "$T/fc.err" && return 0
	echo "--- server replies:" >&2
	grep -E '^< ' "$T/fc.err" | tail -n 20 >&2
	ftpd_fail "$2: no reply matching '$1'"
}

# listed NAME WHAT / unlisted NAME WHAT: the last fc's output (a listing)
# does or does not have a line ending in NAME.
listed() {
	grep -qF -x -e "$1" -e "$1"$'\r' "$T/fc.out" ||
	    grep -qE " $(printf '%s' "$1" | sed 's/[.[\*^$]/\\&/g')"$'\r?$' "$T/fc.out" ||
	    { cat "$T/fc.out" >&2; ftpd_fail "$2: '$1' not in the listing"; }
}
unlisted() {
	if grep -qF -e "$1" "$T/fc.out"; then
		cat "$T/fc.out" >&2
		ftpd_fail "$2: '$1' still in the listing"
	fi
}

# check_transfers: upload, rename, list, download, delete on the current
# instance, passive with EPSV and with PASV.  Sessions are few (commands
# before a transfer ride in its session with -Q) because proftpd accepts
# a new connection only ~0.4 s after the previous one ends.  In the modes
# tls-required and implicit the NLST and subdirectory checks are left out.
check_transfers() {
	local m="$FTPD_NAME/$FTPD_MODE" u=$FTPD_URL full=1
	case $FTPD_MODE in tls-required|implicit) full=0 ;; esac
	head -c 300000 /dev/urandom >"$T/data"
	printf 'line one\r\nline two\n\r\000end' >>"$T/data"

	fc 0 "$m: EPSV upload" -T "$T/data" "$u/up%20load.tmp"
	reply '229 ' "$m: EPSV upload"
	cmp -s "$T/data" "$FTPD_ROOT/up load.tmp" ||
	    ftpd_fail "$m: EPSV upload: bytes on disk differ"
	fc 0 "$m: PASV upload" --ftp-pasv --disable-epsv -T "$T/data" "$u/pasv.bin"
	reply '227 .*\(127,0,0,1,' "$m: PASV upload"
	cmp -s "$T/data" "$FTPD_ROOT/pasv.bin" ||
	    ftpd_fail "$m: PASV upload: bytes on disk differ"

	fc 0 "$m: rename, then LIST" -Q "RNFR up load.tmp" \
	    -Q "RNTO final name.bin" "$u/"
	reply '350 ' "$m: RNFR"
	reply '250 ' "$m: RNTO"
	[ -f "$FTPD_ROOT/final name.bin" ] && [ ! -e "$FTPD_ROOT/up load.tmp" ] ||
	    ftpd_fail "$m: rename not done on disk"
	listed "final name.bin" "$m: LIST"
	listed "pasv.bin" "$m: LIST"
	unlisted "up load.tmp" "$m: LIST"
	if [ "$full" -eq 1 ]; then
		fc 0 "$m: NLST (PASV)" --ftp-pasv --disable-epsv --list-only "$u/"
		listed "final name.bin" "$m: NLST"
	fi

	# Two downloads, one control connection.
	fc 0 "$m: downloads" -o "$T/back1" "$u/final%20name.bin" \
	    -o "$T/back2" "$u/pasv.bin"
	cmp -s "$T/data" "$T/back1" || ftpd_fail "$m: download differs"
	cmp -s "$T/data" "$T/back2" || ftpd_fail "$m: second download differs"

	if [ "$full" -eq 1 ]; then
		fc 0 "$m: MKD + STOR in a subdirectory" --ftp-create-dirs \
		    -T "$T/data" "$u/sub%20dir/x.bin"
		cmp -s "$T/data" "$FTPD_ROOT/sub dir/x.bin" ||
		    ftpd_fail "$m: upload into a new directory differs"
		fc 0 "$m: DELE, RMD, then LIST" -Q "DELE final name.bin" \
		    -Q "DELE pasv.bin" -Q "DELE sub dir/x.bin" -Q "RMD sub dir" "$u/"
	else
		fc 0 "$m: DELE, then LIST" -Q "DELE final name.bin" \
		    -Q "DELE pasv.bin" "$u/"
	fi
	reply '250 ' "$m: DELE"
	unlisted "final name.bin" "$m: LIST after DELE"
	unlisted "pasv.bin" "$m: LIST after DELE"
	[ -z "$(ls -A "$FTPD_ROOT")" ] || ftpd_fail "$m: files left after DELE/RMD"

	# A wrong password is refused (curl 67: login denied, reply 530);
	# checked in two modes only: pure-ftpd takes 3.5 s to refuse.
	case $FTPD_MODE in plain|tls) ;; *) ok "$m: transfers"; return 0 ;; esac
	local saved=$FTPD_DIR/curlrc.good
	cp "$FTPD_DIR/curlrc" "$saved"
	printf 'user = "%s:%s"\n' "$FTPD_USER" "not-$FTPD_PASS" >"$FTPD_DIR/curlrc"
	fc 67 "$m: wrong password" -o /dev/null "$u/"
	reply '530 ' "$m: wrong password"
	mv "$saved" "$FTPD_DIR/curlrc"
	ok "$m: transfers, rename, listing, delete, refused login"
}

# check_replies: what the servers answer for missing files and existing
# directories (documented in tests/lib/ftpd.sh for the transport).
check_replies() {
	local m="$FTPD_NAME" u=$FTPD_URL
	mkdir -p "$FTPD_ROOT/d"
	ftpd_chown "$FTPD_ROOT/d"
	fc 78 "$m: RETR of a missing file" --ignore-content-length \
	    -o /dev/null "$u/missing"
	reply '550 ' "$m: RETR missing"
	fc 21 "$m: DELE of a missing file" -Q "DELE missing" -o /dev/null "$u/"
	reply '550 ' "$m: DELE missing"
	fc 21 "$m: SIZE of a missing file" -Q "SIZE missing" -o /dev/null "$u/"
	reply '550 ' "$m: SIZE missing"
	fc 21 "$m: RNFR of a missing file" -Q "RNFR missing" -o /dev/null "$u/"
	reply '550 ' "$m: RNFR missing"
	fc 9 "$m: CWD of a missing directory" -o /dev/null "$u/nodir/"
	reply '550 ' "$m: CWD missing"
	fc 21 "$m: MKD of an existing directory" -Q "MKD d" -o /dev/null "$u/"
	reply '550 ' "$m: MKD existing"
	case $m in
	vsftpd)
		fc 19 "$m: MLSD unsupported" -X MLSD "$u/"
		reply '500 ' "$m: MLSD"
		fc 0 "$m: LIST of a missing path is empty" -X "LIST missing" "$u/"
		[ ! -s "$T/fc.out" ] || ftpd_fail "$m: LIST missing not empty" ;;
	proftpd)
		fc 0 "$m: MLSD" -X MLSD "$u/"
		grep -q 'type=dir;.* d'$'\r''\?$' "$T/fc.out" ||
		    ftpd_fail "$m: MLSD lacks d"
		fc 18 "$m: LIST of a missing path" -X "LIST missing" "$u/"
		reply '450 ' "$m: LIST missing" ;;
	pureftpd)
		fc 0 "$m: MLSD" -X MLSD "$u/"
		grep -q 'type=dir;.* d'$'\r''\?$' "$T/fc.out" ||
		    ftpd_fail "$m: MLSD lacks d"
		fc 0 "$m: LIST of a missing path is empty" -X "LIST missing" "$u/"
		reply '226 0 matches' "$m: LIST missing" ;;
	esac
	rmdir "$FTPD_ROOT/d"
	ok "$m: replies for missing files and existing directories"
}

# check_restart: same port and files after ftpd_restart; nothing left
# running after ftpd_stop.
check_restart() {
	local m=$FTPD_NAME port=$FTPD_PORT pid=$FTPD_PID pgid
	echo kept >"$FTPD_ROOT/kept"
	ftpd_restart
	[ "$FTPD_PORT" = "$port" ] || ftpd_fail "$m: restart changed the port"
	[ "$FTPD_PID" != "$pid" ] || ftpd_fail "$m: restart kept the old pid"
	if _ftpd_alive "$pid"; then ftpd_fail "$m: old daemon $pid still alive"; fi
	fc 0 "$m: download after restart" -o "$T/kept" "$FTPD_URL/kept"
	[ "$(cat "$T/kept")" = kept ] || ftpd_fail "$m: file lost over restart"
	rm -f "$FTPD_ROOT/kept"
	# Leave a session open while stopping: its process must go too.
	pgid=$FTPD_PID
	ftpd_curl -sS --max-time 20 --limit-rate 1k -T "$T/data" \
	    "$FTPD_URL/slow.bin" >/dev/null 2>&1 &
	local cpid=$! i
	for ((i = 0; i < 50; i++)); do
		[ -n "$(_ftpd_tree "$pgid")" ] && break
		sleep 0.1
	done
	[ -n "$(_ftpd_tree "$pgid")" ] || ftpd_fail "$m: no session process seen"
	local tree
	tree="$pgid $(_ftpd_tree "$pgid" | tr '\n' ' ')"
	ftpd_stop
	kill "$cpid" 2>/dev/null || true
	wait "$cpid" 2>/dev/null || true
	for i in $tree; do
		if _ftpd_alive "$i"; then
			ftpd_fail "$m: process $i survived ftpd_stop"
		fi
	done
	# (Zombies that init has not reaped yet do not count.)
	if ps -o stat= -g "$pgid" 2>/dev/null | grep -qv '^Z'; then
		ps -o pid,stat,cmd -g "$pgid" >&2
		ftpd_fail "$m: processes left in group $pgid"
	fi
	if [ "$m" = vsftpd ] && [ -e "$_ftpd_pam" ]; then
		ftpd_fail "$m: PAM service $_ftpd_pam left behind"
	fi
	ok "$m: restart keeps port and files; stop leaves no process"
}

# check_tls_negative: certificate verification and required TLS.
check_tls_negative() {
	local m="$FTPD_NAME/$FTPD_MODE" got=0
	# Without the test CA the certificate does not verify (curl 60).
	curl -K "$FTPD_DIR/curlrc" -sS --max-time 20 --ssl-reqd -o /dev/null \
	    "$FTPD_URL/" 2>"$T/fc.err" || got=$?
	[ "$got" -eq 60 ] || { cat "$T/fc.err" >&2; ftpd_fail "$m: unverified cert accepted (curl $got)"; }
	if [ "$FTPD_MODE" = tls-required ]; then
		# A client without TLS must not log in nor store anything.
		got=0
		# (pure-ftpd answers 421 and leaves the connection open, so
		# curl would wait for its timeout.)
		curl -K "$FTPD_DIR/curlrc" -sS --max-time 3 -T "$T/data" \
		    "$FTPD_URL/clear.bin" 2>"$T/fc.err" || got=$?
		[ "$got" -ne 0 ] && [ ! -e "$FTPD_ROOT/clear.bin" ] ||
		    ftpd_fail "$m: cleartext client was served"
	fi
	ok "$m: certificate verification and TLS requirement enforced"
}

# ftpd_check NAME: the whole test for one server.
ftpd_check() {
	local name=$1 mode
	ftpd_require "$name" plain
	case " $(ftpd_list_servers) " in
	*" $name "*) ;;
	*) ftpd_fail "ftpd_list_servers omits $name: $(ftpd_list_servers)" ;;
	esac
	check_transfers
	check_replies
	check_restart
	for mode in tls tls-required implicit; do
		if ! ftpd_supports "$name" "$mode" >/dev/null; then
			echo "note: $name: no $mode mode here"
			continue
		fi
		ftpd_start "$name" "$mode"
		# vsftpd 3.0.3 fails most TLS 1.3 uploads ("426 Failure reading
		# network stream"): the transport must cap FTPS at TLS 1.2.
		FC_EXTRA=()
		if [ "$name" = vsftpd ]; then FC_EXTRA=(--tls-max 1.2); fi
		check_transfers
		check_tls_negative
		ftpd_stop
	done
}
