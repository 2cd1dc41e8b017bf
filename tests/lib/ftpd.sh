# tests/lib/ftpd.sh: start REAL FTP servers (Debian's vsftpd, proftpd, pure-ftpd)
# on 127.0.0.1 for the integration tests.  Source it after tests/lib/lib.sh:
#
#	. "$top_srcdir/tests/lib/lib.sh"
#	. "$top_srcdir/tests/lib/ftpd.sh"
#	ftpd_require proftpd tls	# skips (77) if proftpd cannot run here
#	ftpd_curl -sS -T file "$FTPD_URL/dir/file"
#	printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -c conf credentials
#	[ -f "$FTPD_ROOT/dir/file" ] || ftpd_fail "upload missing"
#
# Call ftpd_start/stop/restart in the test's shell, never in $(...) or a
# pipeline (they keep state in shell variables and a held lock).
# API (every name starts with ftpd_ / FTPD_):
#   ftpd_list_servers [MODE]  names usable here for MODE, one line, space
#                             separated (vsftpd proftpd pureftpd)
#   ftpd_supports NAME [MODE] status 0 if NAME can run in MODE here
#   ftpd_start NAME [MODE]    start an instance; MODE: plain (default), tls
#                             (AUTH TLS offered, optional), tls-required
#                             (login refused without AUTH TLS), implicit
#                             (ftps://, vsftpd and proftpd only).  Fails the
#                             test (exit 1) if it does not come up.
#   ftpd_require NAME [MODE]  ftpd_start, but skip (77) when NAME/MODE cannot
#                             run here (missing package, not root)
#   ftpd_stop [ID]            stop an instance and all its processes (default:
#                             the current one); idempotent
#   ftpd_restart [ID]         stop and start again: same port, passive range,
#                             user, password, root and config
#   ftpd_use ID               make instance ID current (sets the FTPD_ vars)
#   ftpd_logs [ID]            print the tails of the instance's logs to stderr
#   ftpd_fail MSG...          ftpd_logs, then fail MSG
#   ftpd_chown PATH...        give files a test created under FTPD_ROOT to the
#                             server's user (so the server may overwrite them)
#   ftpd_curl ARGS...         curl logged in as FTPD_USER (password from a
#                             private file, not argv), with --ssl-reqd and
#                             --cacert FTPD_CAFILE in the TLS modes
# Variables of the current instance (all exported except FTPD_PASS, which
# stays a shell variable so that the agent under test never finds the
# password in its environment, see sitevault(8), SECURITY CONSIDERATIONS):
#   FTPD_ID FTPD_NAME FTPD_MODE FTPD_HOST(127.0.0.1) FTPD_PORT FTPD_URL
#   (ftp://127.0.0.1:PORT, ftps:// for implicit) FTPD_USER FTPD_PASS
#   FTPD_ROOT (the user's home on disk; "/" on the server for vsftpd,
#   pure-ftpd and root proftpd, which chroot) FTPD_PID FTPD_CAFILE (CA of the
#   server cert; generated once per test, valid for 127.0.0.1 and localhost)
#   FTPD_PASV_MIN FTPD_PASV_MAX FTPD_OWNER (user:group owning FTPD_ROOT)
#   FTPD_LOG (main log) FTPD_DIR (the instance's config, logs and state).
#
# Users: virtual users only, /etc/passwd is never changed.  proftpd reads an
# AuthUserFile, pure-ftpd a PureDB made with pure-pw, vsftpd authenticates
# through PAM with pam_pwdfile (libpam-pwdfile) and a per-instance service
# file /etc/pam.d/sitevault-ftpd-<rand>, removed at stop.  Virtual users act
# as an existing system user: nobody:nogroup for proftpd and pure-ftpd;
# vsftpd's guest_username must have an existing home directory (vsftpd
# chdirs there before local_root), so vsftpd uses daemon:daemon (home
# /usr/sbin).
#
# As root, $T is made 0711 so that the servers' unprivileged users can
# reach FTPD_ROOT below it (vsftpd enters local_root after dropping root).
#
# Root: vsftpd (PAM config, chroot) and pure-ftpd (Debian builds it without
# --with-nonroot: "421 Sorry, but I can't trust you") need root; proftpd
# also runs as any user (no chroot then: the login directory is FTPD_ROOT's
# absolute path).  CI runs as root.
#
# Ports: each instance takes a block of FTPD_BLOCK consecutive ports between
# 20000 and 31999 (below Linux's ephemeral range, so that client sockets do
# not take them): the first is the control port, the rest the passive range.
# A block is reserved with flock(1) on ${TMPDIR:-/tmp}/sitevault-ftpd-ports/N,
# held by this shell (and inherited by the daemon), so concurrent tests under
# `make -j check` never share ports; a block whose ports appear in
# /proc/net/tcp{,6} (another program's) is skipped.
#
# Processes: each daemon runs in the foreground in its own session (setsid),
# so ftpd_stop kills its process group and every descendant it finds (the
# per-connection session processes), then reaps it.  A watchdog per instance
# kills the daemon if this test shell dies without running its exit trap
# (e.g. SIGKILL from a timeout), so no daemon outlives the suite.
#
# What the servers answer (vsftpd 3.0.3, proftpd 1.3.8, pure-ftpd 1.0.50 as
# Debian 12 ships them, seen with curl 7.88; tests/lib/ftpd-check.sh asserts
# the marked [t] ones), for the transport:
#   [t] RETR, SIZE, DELE, RNFR of a missing file: 550 on all three (curl 78
#       for RETR); MDTM and RMD of missing ones: 550 too
#   [t] CWD of a missing directory: 550 on all three (so is STOR into one)
#   [t] MKD of an existing directory: 550 on all three ("Create directory
#       operation failed." / "d: File exists" / "Can't create directory: File
#       exists"): decide existence from a listing, not from MKD
#   [t] LIST of a missing path: vsftpd 150+226 with an empty listing; proftpd
#       150 then 450 (curl 18); pure-ftpd 226 "0 matches total", empty
#   NLST of a missing path: vsftpd empty 226; proftpd 450; pure-ftpd 550
#   NLST lists dot files and . and .. on pure-ftpd only; LIST hides dot files
#     on all three unless "LIST -a"
#   [t] MLSD/MLST: proftpd and pure-ftpd yes (facts type, size, modify, ...),
#       vsftpd no (500 Unknown command)
#   LIST: "ls -l" lines everywhere; owner column: vsftpd numeric uid,
#     proftpd the virtual user's name, pure-ftpd the numeric uid
#   STOR over an existing file replaces it (proftpd: AllowOverwrite on);
#   RNTO onto an existing name replaces it on all three; RNTO into a missing
#   directory: 550, but 451 on pure-ftpd
#   [t] wrong password: 530 on all three (curl 67); pure-ftpd answers it
#       only after ~3.5 s
#   TLS: data connections must resume the control connection's TLS session
#     on vsftpd ("522 SSL connection failed: session reuse required") and
#     proftpd (425): keep libcurl's session cache on.  vsftpd 3.0.3 fails
#     most TLS 1.3 uploads with "426 Failure reading network stream": cap
#     FTPS at TLS 1.2 (curl --tls-max 1.2; CURL_SSLVERSION_MAX_TLSv1_2).
#     curl's first "AUTH SSL" gets 500 from pure-ftpd, then AUTH TLS works.
#   tls-required and a client without TLS: vsftpd 530 "Non-anonymous
#     sessions must use encryption.", proftpd 550 "SSL/TLS required on the
#     control channel", pure-ftpd 421 at USER and keeps the connection open
#     (the client hits its timeout); clear data (PROT C): 522 / 534+425 / 521
#   proftpd accepts a new connection only ~0.4 s after the previous session
#     ended (a fixed EINTR retry sleep on SIGCHLD): reuse one connection.
#   PWD is "/" on all three when chrooted (proftpd as non-root: the real
#   path of FTPD_ROOT).

FTPD_BASE=${SITEVAULT_FTPD_ROOT:-/opt/sitevault-ftpd}
FTPD_BLOCK=${FTPD_BLOCK:-40}
FTPD_HOST=127.0.0.1
_ftpd_n=0
_ftpd_shell=$$

# _ftpd_bin NAME: the daemon's executable.
_ftpd_bin() {
	case $1 in
	vsftpd) echo "$FTPD_BASE/vsftpd/usr/sbin/vsftpd" ;;
	proftpd) echo "$FTPD_BASE/proftpd-core/usr/sbin/proftpd" ;;
	pureftpd) echo "$FTPD_BASE/pure-ftpd/usr/sbin/pure-ftpd" ;;
	*) return 1 ;;
	esac
}

# _ftpd_proftpd_tlsdir: the directory holding mod_tls.so (Debian ships it in
# proftpd-mod-crypto, unpacked beside proftpd-core), or nothing.
_ftpd_proftpd_tlsdir() {
	local d
	for d in "$FTPD_BASE/proftpd-core/usr/lib/proftpd" \
	    "$FTPD_BASE/proftpd-mod-crypto/usr/lib/proftpd"; do
		if [ -f "$d/mod_tls.so" ]; then echo "$d"; return 0; fi
	done
	return 1
}

# ftpd_supports NAME [MODE]: explain on stdout and return 1 when NAME cannot
# run in MODE on this machine.
ftpd_supports() {
	local name=$1 mode=${2:-plain} bin
	bin=$(_ftpd_bin "$name") || { echo "unknown FTP server '$name'"; return 1; }
	case $mode in
	plain|tls|tls-required|implicit) ;;
	*) echo "unknown mode '$mode'"; return 1 ;;
	esac
	if [ ! -x "$bin" ]; then
		echo "$bin missing (run packaging/install-deps)"; return 1
	fi
	if [ "$(id -u)" -ne 0 ] && [ "$name" != proftpd ]; then
		echo "$name needs root here"; return 1
	fi
	case $name:$mode in
	pureftpd:implicit)
		echo "pure-ftpd has no implicit TLS"; return 1 ;;
	proftpd:plain) ;;
	proftpd:*)
		_ftpd_proftpd_tlsdir >/dev/null ||
		    { echo "proftpd mod_tls.so missing (proftpd-mod-crypto)"; return 1; }
		;;
	vsftpd:*)
		[ -e /lib/x86_64-linux-gnu/security/pam_pwdfile.so ] ||
		    [ -n "$(find /lib /usr/lib -name pam_pwdfile.so 2>/dev/null | head -1)" ] ||
		    { echo "pam_pwdfile.so missing (libpam-pwdfile)"; return 1; }
		;;
	esac
	return 0
}

# ftpd_list_servers [MODE]: the servers usable here in MODE.
ftpd_list_servers() {
	local n out=""
	for n in vsftpd proftpd pureftpd; do
		ftpd_supports "$n" "${1:-plain}" >/dev/null && out="$out${out:+ }$n"
	done
	echo "$out"
}

# ftpd_require NAME [MODE]: ftpd_start, or skip when NAME cannot run here.
# Under CI a missing package is an install-deps bug: fail instead.
ftpd_require() {
	local why
	if ! why=$(ftpd_supports "$@"); then
		case $why in
		*needs\ root*|*implicit*) skip "$why" ;;
		esac
		[ "${CI:-}" = true ] && fail "$why"
		skip "$why"
	fi
	ftpd_start "$@"
}

# _ftpd_certs: a CA and a server certificate for 127.0.0.1 and localhost,
# made once per test.
_ftpd_certs() {
	local d=$T/ftpd-tls
	FTPD_CAFILE=$d/ca.pem
	export FTPD_CAFILE
	[ -f "$d/server.pem" ] && return 0
	mkdir -p "$d"
	printf '%s\n' "basicConstraints=critical,CA:FALSE" \
	    "keyUsage=critical,digitalSignature,keyEncipherment" \
	    "extendedKeyUsage=serverAuth" \
	    "subjectAltName=IP:127.0.0.1,DNS:localhost" >"$d/ext.cnf"
	{
		openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -keyout "$d/ca.key" -out "$d/ca.pem" -days 7 \
		    -subj "/CN=sitevault test CA" \
		    -addext "basicConstraints=critical,CA:TRUE" \
		    -addext "keyUsage=critical,keyCertSign,cRLSign" &&
		openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
		    -nodes -keyout "$d/server.key" -out "$d/server.csr" \
		    -subj "/CN=127.0.0.1" &&
		openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" \
		    -CAkey "$d/ca.key" -set_serial "0x$(openssl rand -hex 8)" \
		    -days 7 -extfile "$d/ext.cnf" -out "$d/server.pem"
	} >"$d/openssl.log" 2>&1 || { cat "$d/openssl.log" >&2; fail "openssl: cannot make test certificates"; }
}

# _ftpd_reserve: lock a free block of ports (sv_reserve_ports, lib.sh);
# sets _ftpd_port and _ftpd_lockfd.
_ftpd_reserve() {
	sv_reserve_ports ftpd 20000 31999 "$FTPD_BLOCK"
	_ftpd_port=$sv_port _ftpd_lockfd=$sv_port_lockfd
}

# _ftpd_hash PASSWORD: a SHA-512 crypt(3) hash, as every server here takes.
_ftpd_hash() { printf '%s\n' "$1" | openssl passwd -6 -stdin; }


# _ftpd_alive PID: the process exists and is not a zombie.
_ftpd_alive() {
	local st
	[ -n "$1" ] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _ftpd_tree PID: every descendant of PID, one a line.
_ftpd_tree() {
	local c
	for c in $(pgrep -P "$1" 2>/dev/null); do
		echo "$c"
		_ftpd_tree "$c"
	done
}

# _ftpd_kill_tree PID: TERM the process group PID leads and every
# descendant; KILL what is left after 5 s.
_ftpd_kill_tree() {
	local pid=$1 all p i left
	all="$pid $(_ftpd_tree "$pid" | tr '\n' ' ')"
	kill -TERM -- "-$pid" 2>/dev/null || true
	kill -TERM $all 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		left=0
		for p in $all; do _ftpd_alive "$p" && left=1; done
		[ "$left" -eq 0 ] && return 0
		if [ "$i" -eq 50 ]; then
			kill -KILL -- "-$pid" $all 2>/dev/null || true
		fi
		sleep 0.1
	done
	return 1
}

# _ftpd_save: write the current instance's variables to $FTPD_DIR/env.
_ftpd_save() {
	local v
	for v in FTPD_ID FTPD_NAME FTPD_MODE FTPD_PORT FTPD_URL FTPD_USER \
	    FTPD_PASS FTPD_ROOT FTPD_PID FTPD_CAFILE FTPD_PASV_MIN FTPD_PASV_MAX \
	    FTPD_OWNER FTPD_LOG FTPD_DIR _ftpd_lockfd _ftpd_wdog _ftpd_pam; do
		printf '%s=%q\n' "$v" "${!v}"
	done >"$FTPD_DIR/env"
}

# ftpd_use ID: make instance ID the current one.
ftpd_use() {
	[ -f "$T/ftpd/$1/env" ] || fail "ftpd_use: no instance '$1'"
	. "$T/ftpd/$1/env"
	export FTPD_ID FTPD_NAME FTPD_MODE FTPD_HOST FTPD_PORT FTPD_URL \
	    FTPD_USER FTPD_ROOT FTPD_PID FTPD_CAFILE FTPD_PASV_MIN \
	    FTPD_PASV_MAX FTPD_OWNER FTPD_LOG FTPD_DIR
}

# ftpd_logs [ID]: the tails of an instance's logs, on stderr.
ftpd_logs() {
	local d=$T/ftpd/${1:-${FTPD_ID:-}} f
	[ -d "$d" ] || return 0
	for f in "$d"/*.log; do
		[ -s "$f" ] || continue
		echo "--- ${f##*/} (tail):" >&2
		tail -n 25 "$f" >&2
	done
}

# ftpd_fail MSG...: fail, showing the current instance's logs first.
ftpd_fail() {
	ftpd_logs
	fail "${FTPD_NAME:-ftpd}${FTPD_MODE:+ ($FTPD_MODE)}: $*"
}

# ftpd_chown PATH...: give PATHs to the server's user, so that the server
# can overwrite or delete what the test put under FTPD_ROOT.
ftpd_chown() {
	[ "$(id -u)" -eq 0 ] || return 0
	chown -R "$FTPD_OWNER" "$@"
}

# ftpd_curl CURL-ARGS...: curl logged in to the current instance: the user
# and password come from a private config file (not argv), and TLS modes
# add --ssl-reqd (explicit) and --cacert FTPD_CAFILE.
ftpd_curl() {
	local tls=()
	case $FTPD_MODE in
	tls|tls-required) tls=(--ssl-reqd --cacert "$FTPD_CAFILE") ;;
	implicit) tls=(--cacert "$FTPD_CAFILE") ;;
	esac
	curl -K "$FTPD_DIR/curlrc" "${tls[@]}" "$@"
}

# _ftpd_login_ok: one real login and listing; return curl's exit status.
_ftpd_login_ok() {
	ftpd_curl -sS --max-time 5 -o /dev/null "$FTPD_URL/" \
	    2>"$FTPD_DIR/startcheck.log"
}

# _ftpd_launch: run the current instance's daemon and wait until a login
# works (10 s at most).
_ftpd_launch() {
	local i rc=0 argv
	. "$FTPD_DIR/argv"	# sets argv, written by _ftpd_conf_NAME
	setsid "${argv[@]}" </dev/null >>"$FTPD_DIR/stderr.log" 2>&1 &
	FTPD_PID=$!
	# A watchdog: kill the daemon if this shell dies without its exit trap.
	# Its sleep is waited for even when ftpd_stop TERMs it, so that no
	# orphan is left behind.
	(
		exec </dev/null >/dev/null 2>&1
		s=""
		trap 'if [ -n "$s" ]; then kill "$s"; wait "$s"; fi; exit 0' TERM
		while kill -0 "$_ftpd_shell" 2>/dev/null && _ftpd_alive "$FTPD_PID"; do
			sleep 1 &
			s=$!
			wait "$s" || true
			s=""
		done
		if _ftpd_alive "$FTPD_PID"; then _ftpd_kill_tree "$FTPD_PID"; fi
		if [ -n "$_ftpd_pam" ]; then rm -f "$_ftpd_pam"; fi
	) &
	_ftpd_wdog=$!
	_ftpd_save
	for ((i = 0; i < 100; i++)); do
		_ftpd_alive "$FTPD_PID" || ftpd_fail "exited at start (pid $FTPD_PID)"
		rc=0
		_ftpd_login_ok || rc=$?
		[ "$rc" -eq 0 ] && return 0
		# 7: nothing listening yet; anything else is a real failure.
		[ "$rc" -eq 7 ] || break
		sleep 0.1
	done
	cat "$FTPD_DIR/startcheck.log" >&2
	ftpd_fail "no working login on port $FTPD_PORT (curl exit $rc)"
}

# ftpd_start NAME [MODE]: see the top of this file.
ftpd_start() {
	local name=$1 mode=${2:-plain} why
	why=$(ftpd_supports "$name" "$mode") || fail "ftpd_start: $why"
	need curl openssl flock setsid pgrep
	_ftpd_certs
	_ftpd_n=$((_ftpd_n + 1))
	FTPD_ID=$name.$_ftpd_n
	FTPD_NAME=$name
	FTPD_MODE=$mode
	FTPD_DIR=$T/ftpd/$FTPD_ID
	FTPD_ROOT=$FTPD_DIR/root
	FTPD_LOG=$FTPD_DIR/$name.log
	mkdir -p "$FTPD_ROOT"
	_ftpd_reserve
	FTPD_PORT=$_ftpd_port
	FTPD_PASV_MIN=$((FTPD_PORT + 1))
	FTPD_PASV_MAX=$((FTPD_PORT + FTPD_BLOCK - 1))
	FTPD_URL=ftp://$FTPD_HOST:$FTPD_PORT
	[ "$mode" = implicit ] && FTPD_URL=ftps://$FTPD_HOST:$FTPD_PORT
	FTPD_USER=svtest
	FTPD_PASS=$(openssl rand -hex 16)
	_ftpd_pam=""
	_ftpd_wdog=""
	FTPD_PID=""
	(umask 077 && printf 'user = "%s:%s"\n' "$FTPD_USER" "$FTPD_PASS" \
	    >"$FTPD_DIR/curlrc")
	if [ "$(id -u)" -eq 0 ]; then
		case $name in
		vsftpd) FTPD_OWNER=daemon:daemon ;;
		*) FTPD_OWNER=nobody:$(id -gn nobody) ;;
		esac
	else
		FTPD_OWNER=$(id -un):$(id -gn)
	fi
	chown "$FTPD_OWNER" "$FTPD_ROOT"
	# vsftpd enters FTPD_ROOT as its guest user: $T (0700) must be
	# searchable (not readable) by others.
	[ "$(id -u)" -ne 0 ] || chmod 0711 "$T"
	"_ftpd_conf_$name"
	_ftpd_save
	sv_atexit "ftpd_stop $FTPD_ID"
	ftpd_use "$FTPD_ID"	# exports
	_ftpd_launch
	ftpd_use "$FTPD_ID"
}

# ftpd_stop [ID]: stop an instance and every process it started.
ftpd_stop() {
	local id=${1:-${FTPD_ID:-}} cur=${FTPD_ID:-}
	[ -n "$id" ] && [ -f "$T/ftpd/$id/env" ] || return 0
	ftpd_use "$id"
	_ftpd_halt
	if [ -n "$_ftpd_pam" ]; then rm -f "$_ftpd_pam"; fi
	if [ -n "$_ftpd_lockfd" ]; then exec {_ftpd_lockfd}>&-; fi
	_ftpd_lockfd=""
	_ftpd_save
	if [ -n "$cur" ] && [ "$cur" != "$id" ]; then ftpd_use "$cur"; fi
	return 0
}

# _ftpd_halt: stop the current instance's processes; keep its ports and files.
_ftpd_halt() {
	if [ -n "$_ftpd_wdog" ]; then
		kill "$_ftpd_wdog" 2>/dev/null || true
		wait "$_ftpd_wdog" 2>/dev/null || true
	fi
	if [ -n "$FTPD_PID" ]; then
		_ftpd_kill_tree "$FTPD_PID" ||
		    echo "ftpd: $FTPD_ID: processes survived SIGKILL" >&2
		wait "$FTPD_PID" 2>/dev/null || true
	fi
	FTPD_PID=""
	_ftpd_wdog=""
	_ftpd_save
	return 0
}

# ftpd_restart [ID]: stop and start again with the same port and config.
ftpd_restart() {
	local id=${1:-${FTPD_ID:-}}
	ftpd_use "$id"
	[ -n "$_ftpd_lockfd" ] || fail "ftpd_restart: $id was stopped for good"
	_ftpd_halt
	_ftpd_launch
	ftpd_use "$id"
}

. "${top_srcdir}/tests/lib/ftpd-conf.sh"
