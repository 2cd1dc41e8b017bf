# tests/lib/ftpd-conf.sh: per-server configuration for tests/lib/ftpd.sh (sourced
# by it).  Each _ftpd_conf_NAME writes its files into $FTPD_DIR and the
# daemon's command line as a bash array into $FTPD_DIR/argv.  They run with
# the FTPD_ variables of the new instance set (see tests/lib/ftpd.sh).

# _ftpd_argv WORD...: record the daemon's command line.
_ftpd_argv() {
	printf 'argv=(' >"$FTPD_DIR/argv"
	printf ' %q' "$@" >>"$FTPD_DIR/argv"
	printf ' )\n' >>"$FTPD_DIR/argv"
}

# _ftpd_ids: numeric uid and gid of FTPD_OWNER into _ftpd_uid/_ftpd_gid.
_ftpd_ids() {
	_ftpd_uid=$(id -u "${FTPD_OWNER%%:*}")
	_ftpd_gid=$(getent group "${FTPD_OWNER##*:}" | cut -d: -f3)
	[ -n "$_ftpd_gid" ] || fail "ftpd: no group ${FTPD_OWNER##*:}"
}

# vsftpd 3.0.3.  Virtual user through PAM (pam_pwdfile reading a per-instance
# crypt(3) file), mapped to guest_username; chrooted into local_root.
#   listen=YES background=NO  standalone, in the foreground (we own the pid)
#   seccomp_sandbox=NO        its seccomp filter breaks in containers
#   isolate=NO isolate_network=NO  no clone(CLONE_NEWPID/NEWNET), which
#                             containers may refuse
#   pasv_address=127.0.0.1    the PASV reply names the loopback address
#   secure_chroot_dir         must exist; the Debian default /run/vsftpd/empty
#                             is made by the (not run) init script
#   ssl_ciphers=HIGH          Debian's default (DES-CBC3-SHA) fails with
#                             OpenSSL 3
#   require_ssl_reuse         left on (the default): data connections must
#                             resume the control connection's TLS session, as
#                             libcurl does unless its session cache is off
_ftpd_conf_vsftpd() {
	local d=$FTPD_DIR pam f pwfile
	_ftpd_ids
	pam=sitevault-ftpd-$(openssl rand -hex 6)
	printf '%s:%s\n' "$FTPD_USER" "$(_ftpd_hash "$FTPD_PASS")" >"$d/passwd"
	chmod 600 "$d/passwd"
	mkdir -p "$d/empty"
	chmod 755 "$d/empty"
	# Remove services that dead tests left behind (their pwdfile is gone).
	for f in /etc/pam.d/sitevault-ftpd-*; do
		[ -f "$f" ] || continue
		pwfile=$(sed -n 's/.*pam_pwdfile\.so pwdfile=//p' "$f")
		if [ -n "$pwfile" ] && [ ! -e "$pwfile" ]; then rm -f "$f"; fi
	done
	_ftpd_pam=/etc/pam.d/$pam
	_ftpd_save
	printf '%s\n' "# sitevault test harness (tests/lib/ftpd.sh); removed at stop" \
	    "auth required pam_pwdfile.so pwdfile=$d/passwd" \
	    "account required pam_permit.so" >"$_ftpd_pam"
	{
		cat <<-EOF
		listen=YES
		listen_ipv6=NO
		listen_address=$FTPD_HOST
		listen_port=$FTPD_PORT
		background=NO
		anonymous_enable=NO
		local_enable=YES
		write_enable=YES
		local_umask=022
		guest_enable=YES
		guest_username=${FTPD_OWNER%%:*}
		virtual_use_local_privs=YES
		local_root=$FTPD_ROOT
		chroot_local_user=YES
		allow_writeable_chroot=YES
		pam_service_name=$pam
		pasv_enable=YES
		pasv_address=$FTPD_HOST
		pasv_min_port=$FTPD_PASV_MIN
		pasv_max_port=$FTPD_PASV_MAX
		port_enable=NO
		seccomp_sandbox=NO
		isolate=NO
		isolate_network=NO
		secure_chroot_dir=$d/empty
		nopriv_user=${FTPD_OWNER%%:*}
		syslog_enable=NO
		xferlog_enable=YES
		xferlog_std_format=NO
		vsftpd_log_file=$FTPD_LOG
		log_ftp_protocol=YES
		max_clients=100
		EOF
		case $FTPD_MODE in
		plain) echo "ssl_enable=NO" ;;
		*)
			cat <<-EOF
			ssl_enable=YES
			rsa_cert_file=$T/ftpd-tls/server.pem
			rsa_private_key_file=$T/ftpd-tls/server.key
			ssl_ciphers=HIGH
			ssl_tlsv1=YES
			ssl_sslv2=NO
			ssl_sslv3=NO
			allow_anon_ssl=NO
			EOF
			;;
		esac
		case $FTPD_MODE in
		tls)
			echo "force_local_logins_ssl=NO"
			echo "force_local_data_ssl=NO" ;;
		tls-required)
			echo "force_local_logins_ssl=YES"
			echo "force_local_data_ssl=YES" ;;
		implicit)
			echo "implicit_ssl=YES"
			echo "force_local_logins_ssl=YES"
			echo "force_local_data_ssl=YES" ;;
		esac
	} >"$d/vsftpd.conf"
	_ftpd_argv "$(_ftpd_bin vsftpd)" "$d/vsftpd.conf"
}

# proftpd 1.3.8.  Virtual user from an AuthUserFile (mode 0600 or proftpd
# refuses it); as root the daemon runs as User/Group and chroots the user
# (DefaultRoot ~), otherwise it runs as the invoking user, unchrooted.
#   ServerType standalone + -n   foreground daemon
#   DelayEngine off              no login-timing delays (and no DelayTable)
#   UseReverseDNS off            no DNS lookups on 127.0.0.1
#   IdentLookups                 not set: mod_ident is not loaded (off)
#   ControlsEngine off           else every instance binds /run/proftpd.sock
#   RequireValidShell off        the virtual user has /bin/false
#   AllowOverwrite on            STOR over an existing file (default: 550)
#   TLS session reuse on data connections stays required (the default)
_ftpd_conf_proftpd() {
	local d=$FTPD_DIR group
	_ftpd_ids
	group=${FTPD_OWNER##*:}
	printf '%s:%s:%s:%s::%s:/bin/false\n' "$FTPD_USER" \
	    "$(_ftpd_hash "$FTPD_PASS")" "$_ftpd_uid" "$_ftpd_gid" \
	    "$FTPD_ROOT" >"$d/passwd"
	printf '%s:x:%s:\n' "$group" "$_ftpd_gid" >"$d/group"
	chmod 600 "$d/passwd" "$d/group"
	{
		cat <<-EOF
		ServerName "sitevault test proftpd"
		ServerType standalone
		Port $FTPD_PORT
		DefaultAddress $FTPD_HOST
		SocketBindTight on
		UseIPv6 off
		PassivePorts $FTPD_PASV_MIN $FTPD_PASV_MAX
		User ${FTPD_OWNER%%:*}
		Group $group
		Umask 022
		MaxInstances 100
		UseReverseDNS off
		DelayEngine off
		WtmpLog off
		ControlsEngine off
		RequireValidShell off
		AuthOrder mod_auth_file.c
		AuthUserFile $d/passwd
		AuthGroupFile $d/group
		PidFile $d/proftpd.pid
		ScoreboardFile $d/proftpd.scoreboard
		SystemLog $FTPD_LOG
		TransferLog $d/xfer.log
		AllowOverwrite on
		AllowStoreRestart on
		EOF
		if [ "$(id -u)" -eq 0 ]; then
			echo "DefaultRoot ~"
		else
			echo "<IfModule mod_cap.c>"
			echo "CapabilitiesEngine off"
			echo "</IfModule>"
		fi
		if [ "$FTPD_MODE" != plain ]; then
			cat <<-EOF
			ModulePath $(_ftpd_proftpd_tlsdir)
			LoadModule mod_tls.c
			TLSEngine on
			TLSLog $d/tls.log
			TLSProtocol ${FTPD_PROFTPD_TLS:-TLSv1.2 TLSv1.3}
			TLSECCertificateFile $T/ftpd-tls/server.pem
			TLSECCertificateKeyFile $T/ftpd-tls/server.key
			TLSVerifyClient off
			TLSRenegotiate none
			EOF
		fi
		case $FTPD_MODE in
		tls) echo "TLSRequired off" ;;
		tls-required) echo "TLSRequired on" ;;
		implicit)
			echo "TLSRequired on"
			echo "TLSOptions UseImplicitSSL" ;;
		esac
	} >"$d/proftpd.conf"
	_ftpd_argv "$(_ftpd_bin proftpd)" -n -c "$d/proftpd.conf"
}

# pure-ftpd 1.0.50.  Virtual user from a PureDB made by pure-pw (the
# "/./" in the home chroots it).  It logs only to syslog (no log file
# option), so FTPD_LOG holds its stderr and xfer.log its transfers.
#   -S 127.0.0.1,PORT  -p MIN:MAX  bind and passive range
#   -E  no anonymous    -l puredb:FILE  virtual users    -A  chroot everyone
#   -H  no DNS lookups  -j  create the home if missing   -O clf:FILE  xfer log
#   -Y 1 TLS optional, -Y 3 TLS required for control and data; -2 cert,key
_ftpd_conf_pureftpd() {
	local d=$FTPD_DIR tls=()
	_ftpd_ids
	printf '%s:%s:%s:%s::%s/./::::::::::::\n' "$FTPD_USER" \
	    "$(_ftpd_hash "$FTPD_PASS")" "$_ftpd_uid" "$_ftpd_gid" \
	    "$FTPD_ROOT" >"$d/passwd"
	chmod 600 "$d/passwd"
	"$FTPD_BASE/pure-ftpd/usr/bin/pure-pw" mkdb "$d/pureftpd.pdb" \
	    -f "$d/passwd" >"$d/pure-pw.log" 2>&1 ||
	    { cat "$d/pure-pw.log" >&2; fail "pure-pw mkdb failed"; }
	case $FTPD_MODE in
	tls) tls=(-Y 1) ;;
	tls-required) tls=(-Y 3) ;;
	esac
	[ "$FTPD_MODE" = plain ] ||
	    tls+=(-2 "$T/ftpd-tls/server.pem,$T/ftpd-tls/server.key")
	FTPD_LOG=$d/stderr.log
	_ftpd_argv "$(_ftpd_bin pureftpd)" -S "$FTPD_HOST,$FTPD_PORT" \
	    -p "$FTPD_PASV_MIN:$FTPD_PASV_MAX" -E -A -H -j \
	    -l "puredb:$d/pureftpd.pdb" -O "clf:$d/xfer.log" -c 100 -C 100 \
	    "${tls[@]}"
}
