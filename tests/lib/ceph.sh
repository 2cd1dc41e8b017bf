# tests/lib/ceph.sh: a real one-node Ceph cluster with the RADOS Gateway for
# the S3 tests (sourced after tests/lib/lib.sh).  Everything lives under
# $T/ceph, bound to 127.0.0.1 on ports of a block locked for this test:
# ceph-mon (msgr2), one ceph-osd on memstore (data in RAM: keep objects
# small), radosgw (beast; buckets by path, or as BUCKET.localhost for
# virtual-host-style requests) and an S3 user.  Start-up takes about 3 s.
#
#	ceph_require               skip (77, with the reason) without the packages
#	ceph_start                 start; sets CEPH_ENDPOINT CEPH_ACCESS CEPH_SECRET
#	                           (and CEPH_TLS_ENDPOINT, https, if CEPH_TLS_CERT
#	                           and CEPH_TLS_KEY name a PEM certificate and key)
#	ceph_rgw_halt / ceph_rgw_start   stop or start the gateway alone (its port kept)
#	ceph_stop                  stop every daemon, by pid (also at exit)
#	cs3 METHOD PATH [CURL ARGS...]   a signed request to the gateway; the
#	                           body goes to stdout, the HTTP code to $T/cs3.code
#
# The gateway runs with tcp_nodelay=1: without it each request on a kept
# connection waits 40 ms for a delayed ACK (measured: 44 ms against 2 ms).
#
# Ports: the block's first for the monitor, +1 the gateway, +2 to +9 for the
# OSD, +10 the gateway's TLS port; +11 to +15 are free for the tests.
#
# Daemons run in the foreground (-f) as background jobs with every stream
# redirected, else they keep the caller's pipes open.  PID 1 here may reap
# late: a stopped daemon can stay a zombie, so liveness is read from
# /proc/PID/stat, never from kill -0.

CEPH_BLOCK=16
CEPH_ACCESS=SVTESTACCESSKEY0001
CEPH_SECRET=sv-test-secret-key-0001-abcdefghijklmnop
CEPH_MON_PID="" CEPH_OSD_PID="" CEPH_RGW_PID="" _ceph_lockfd=""

ceph_require() {
	local c
	for c in ceph-mon ceph-osd radosgw radosgw-admin ceph ceph-authtool \
	    monmaptool uuidgen curl; do
		command -v "$c" >/dev/null 2>&1 ||
		    skip "$c is not installed: the S3 tests need a one-node Ceph (packaging/install-deps)"
	done
}

# _ceph_alive PID: the process exists and is not a zombie.
_ceph_alive() {
	local st
	[ -n "$1" ] && read -r st 2>/dev/null <"/proc/$1/stat" || return 1
	st=${st##*) }
	[ "${st%% *}" != Z ]
}

# _ceph_reserve: lock a block of CEPH_BLOCK free ports in 32000-39999
# (sv_reserve_ports, lib.sh).
_ceph_reserve() {
	sv_reserve_ports ceph 32000 39999 "$CEPH_BLOCK"
	CEPH_PORT=$sv_port _ceph_lockfd=$sv_port_lockfd
}

# _ceph_wait WHAT CMD...: poll CMD (quietly) for up to 60 s.
_ceph_wait() {
	local what=$1 i
	shift
	for ((i = 0; i < 600; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	_ceph_logs >&2
	fail "ceph: $what did not come up"
}

_ceph_logs() {
	local f
	for f in "$CEPH_DIR"/log/*.log "$CEPH_DIR"/*.out; do
		[ -s "$f" ] || continue
		echo "--- $f"
		tail -n 15 "$f"
	done
}

_ceph() { ceph -c "$CEPH_DIR/ceph.conf" --connect-timeout 10 "$@"; }

_ceph_osd_up() {
	_ceph osd stat -f json 2>/dev/null | grep -q '"num_up_osds":1'
}

_ceph_rgw_up() {
	[ "$(curl -s -o /dev/null -w '%{http_code}' "$CEPH_ENDPOINT/")" = 200 ]
}

_ceph_user_ok() {
	cs3 GET / >/dev/null && [ "$(cat "$T/cs3.code")" = 200 ]
}

_ceph_conf() {
	local d=$CEPH_DIR fsid tls=""
	fsid=$(uuidgen)
	if [ -n "${CEPH_TLS_CERT:-}" ]; then
		tls=" ssl_endpoint=127.0.0.1:$((CEPH_PORT + 10)) ssl_certificate=$CEPH_TLS_CERT"
		tls+=" ssl_private_key=$CEPH_TLS_KEY"
	fi
	cat >"$d/ceph.conf" <<EOF
[global]
fsid = $fsid
mon host = v2:127.0.0.1:$CEPH_PORT
mon initial members = a
public addr = 127.0.0.1
ms bind msgr1 = false
ms bind msgr2 = true
ms bind port min = $((CEPH_PORT + 2))
ms bind port max = $((CEPH_PORT + 9))
auth cluster required = cephx
auth service required = cephx
auth client required = cephx
keyring = $d/\$name.keyring
run dir = $d/run
admin socket = $d/run/\$name.asok
log file = $d/log/\$name.log
pid file = $d/run/\$name.pid
osd objectstore = memstore
memstore device bytes = ${CEPH_MEMSTORE_BYTES:-1073741824}
osd data = $d/osd\$id
osd pool default size = 1
osd pool default min size = 1
osd pool default pg num = 8
osd pool default pgp num = 8
osd pool default pg autoscale mode = off
mon allow pool size one = true
mon allow pool delete = true
osd crush chooseleaf type = 0
paxos propose interval = 0.05
mon data avail warn = 1
mon data avail crit = 0
mon data = $d/mon
mon warn on pool no redundancy = false
osd journal size = 100
[client.rgw.sv]
rgw frontends = beast endpoint=127.0.0.1:$((CEPH_PORT + 1))$tls tcp_nodelay=1
rgw dns name = localhost
rgw data = $d/rgw
rgw gc obj min wait = 0
rgw enable usage log = false
EOF
}

ceph_start() {
	local d osdsec uuid i
	ceph_require
	_ceph_reserve
	CEPH_DIR=$T/ceph
	d=$CEPH_DIR
	mkdir -p "$d/run" "$d/log" "$d/mon" "$d/osd0" "$d/rgw"
	CEPH_ENDPOINT=http://127.0.0.1:$((CEPH_PORT + 1))
	CEPH_TLS_ENDPOINT=https://127.0.0.1:$((CEPH_PORT + 10))
	sv_atexit ceph_stop
	_ceph_conf
	{
		ceph-authtool --create-keyring "$d/mon.keyring" --gen-key -n mon. --cap mon 'allow *' &&
		ceph-authtool --create-keyring "$d/client.admin.keyring" --gen-key -n client.admin \
		    --cap mon 'allow *' --cap osd 'allow *' --cap mgr 'allow *' &&
		ceph-authtool "$d/mon.keyring" --import-keyring "$d/client.admin.keyring" &&
		monmaptool --create --fsid "$(sed -n 's/^fsid = //p' "$d/ceph.conf")" \
		    --addv a "[v2:127.0.0.1:$CEPH_PORT]" "$d/monmap" &&
		ceph-mon -c "$d/ceph.conf" --mkfs -i a --monmap "$d/monmap" \
		    --keyring "$d/mon.keyring"
	} >"$d/setup.out" 2>&1 || { cat "$d/setup.out" >&2; fail "ceph: monitor setup failed"; }
	ceph-mon -c "$d/ceph.conf" -i a -f </dev/null >"$d/mon.out" 2>&1 &
	CEPH_MON_PID=$!
	_ceph_wait "the monitor" _ceph mon stat

	uuid=$(uuidgen)
	osdsec=$(ceph-authtool --gen-print-key)
	{
		printf '{"cephx_secret": "%s"}' "$osdsec" |
		    _ceph osd new "$uuid" -i - -n client.admin &&
		printf '[osd.0]\n\tkey = %s\n' "$osdsec" >"$d/osd.0.keyring" &&
		ceph-osd -c "$d/ceph.conf" -i 0 --mkfs --osd-uuid "$uuid"
	} >>"$d/setup.out" 2>&1 || { cat "$d/setup.out" >&2; fail "ceph: OSD setup failed"; }
	ceph-osd -c "$d/ceph.conf" -i 0 -f </dev/null >"$d/osd.out" 2>&1 &
	CEPH_OSD_PID=$!
	_ceph_wait "the OSD" _ceph_osd_up

	_ceph auth get-or-create client.rgw.sv mon 'allow rw' osd 'allow rwx' \
	    -o "$d/client.rgw.sv.keyring" >>"$d/setup.out" 2>&1 ||
	    { cat "$d/setup.out" >&2; fail "ceph: gateway key failed"; }
	ceph_rgw_start
	radosgw-admin -c "$d/ceph.conf" -n client.admin user create --uid=sitevault \
	    --display-name=sitevault --access-key="$CEPH_ACCESS" \
	    --secret-key="$CEPH_SECRET" >>"$d/setup.out" 2>&1 ||
	    { cat "$d/setup.out" >&2; fail "ceph: S3 user failed"; }
	_ceph_wait "the S3 user" _ceph_user_ok
}

# ceph_rgw_start: start the gateway and wait for its HTTP port.
ceph_rgw_start() {
	radosgw -c "$CEPH_DIR/ceph.conf" -n client.rgw.sv -f </dev/null \
	    >>"$CEPH_DIR/rgw.out" 2>&1 &
	CEPH_RGW_PID=$!
	_ceph_wait "the gateway" _ceph_rgw_up
}

# _ceph_kill PID: TERM, then KILL after 5 s; wait until it is gone.
_ceph_kill() {
	local pid=$1 i
	[ -n "$pid" ] || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 100; i++)); do
		_ceph_alive "$pid" || break
		[ "$i" -eq 50 ] && kill -KILL "$pid" 2>/dev/null
		sleep 0.1
	done
	{ wait "$pid"; } 2>/dev/null || true
}

# ceph_rgw_halt: stop the gateway at once (a cut connection for clients).
ceph_rgw_halt() {
	kill -KILL "$CEPH_RGW_PID" 2>/dev/null || true
	_ceph_kill "$CEPH_RGW_PID"
	CEPH_RGW_PID=""
}

ceph_stop() {
	_ceph_kill "$CEPH_RGW_PID"
	_ceph_kill "$CEPH_OSD_PID"
	_ceph_kill "$CEPH_MON_PID"
	CEPH_RGW_PID="" CEPH_OSD_PID="" CEPH_MON_PID=""
	if [ -n "$_ceph_lockfd" ]; then exec {_ceph_lockfd}>&-; fi
	_ceph_lockfd=""
}

# cs3 METHOD PATH [CURL ARGS...]: a SigV4-signed request (path-style) as the
# test user.  The keys go through a curl config file, not the command line.
cs3() {
	local m=$1 p=$2
	shift 2
	local how=(-X "$m")
	# -X HEAD would wait for the body its Content-Length announces.
	[ "$m" != HEAD ] || how=(-I)
	printf 'user = "%s:%s"\n' "$CEPH_ACCESS" "$CEPH_SECRET" >"$T/cs3.cfg"
	rm -f "$T/cs3.body"
	curl -s -K "$T/cs3.cfg" --aws-sigv4 "aws:amz:us-east-1:s3" "${how[@]}" \
	    -H 'x-amz-content-sha256: UNSIGNED-PAYLOAD' -o "$T/cs3.body" \
	    -w '%{http_code}' "$@" "$CEPH_ENDPOINT$p" >"$T/cs3.code" || true
	[ "$m" = HEAD ] || cat "$T/cs3.body" 2>/dev/null || true
	rm -f "$T/cs3.body"
}

# ceph_bucket NAME [lock]: create a bucket (with object lock if asked).
ceph_bucket() {
	local h=()
	[ "${2:-}" = lock ] && h=(-H 'x-amz-bucket-object-lock-enabled: true')
	cs3 PUT "/$1" "${h[@]}" >"$T/cs3.out"
	[ "$(cat "$T/cs3.code")" = 200 ] || { cat "$T/cs3.out" >&2; fail "ceph: bucket $1 not made"; }
}

# ceph_quota BUCKET BYTES: cap what BUCKET may hold (RGW answers a PUT
# beyond it with 403 QuotaExceeded: a full store).
ceph_quota() {
	{
		radosgw-admin -c "$CEPH_DIR/ceph.conf" -n client.admin quota set \
		    --quota-scope=bucket --bucket="$1" --max-size="$2" &&
		radosgw-admin -c "$CEPH_DIR/ceph.conf" -n client.admin quota enable \
		    --quota-scope=bucket --bucket="$1"
	} >>"$CEPH_DIR/setup.out" 2>&1 || fail "ceph: quota on $1 not set"
}

# ceph_keys BUCKET PREFIX: every key under PREFIX (no delimiter), one a line.
ceph_keys() {
	local b=$1 p=$2 tok="" q out
	while :; do
		q="list-type=2&prefix=$(_ceph_qenc "$p")"
		[ -z "$tok" ] || q="continuation-token=$(_ceph_qenc "$tok")&$q"
		cs3 GET "/$b?$q" >"$T/cs3.list"
		[ "$(cat "$T/cs3.code")" = 200 ] || { cat "$T/cs3.list" >&2; fail "ceph: listing $b/$p failed"; }
		out=$(python3 - "$T/cs3.list" <<'PY'
import sys, xml.etree.ElementTree as ET
r = ET.parse(sys.argv[1]).getroot()
ns = r.tag[:r.tag.index('}') + 1] if r.tag.startswith('{') else ''
for c in r.findall(ns + 'Contents'):
    print('K' + c.find(ns + 'Key').text)
t = r.find(ns + 'NextContinuationToken')
if r.find(ns + 'IsTruncated').text == 'true' and t is not None:
    print('T' + t.text)
PY
)
		tok=""
		while IFS= read -r l; do
			case $l in K*) printf '%s\n' "${l#K}" ;; T*) tok=${l#T} ;; esac
		done <<<"$out"
		[ -n "$tok" ] || break
	done
}

# _ceph_enc S SAFE: percent-encode S, keeping A-Za-z0-9 -_.~ and SAFE.
_ceph_enc() {
	local s=$1 safe=$2 i c out="" LC_ALL=C
	for ((i = 0; i < ${#s}; i++)); do
		c=${s:i:1}
		case $c in
		[A-Za-z0-9_.~-]) out+=$c ;;
		*) if [ "$c" = "$safe" ]; then out+=$c; else out+=$(printf '%%%02X' "'$c"); fi ;;
		esac
	done
	printf '%s\n' "$out"
}
_ceph_qenc() { _ceph_enc "$1" ""; }
_ceph_penc() { _ceph_enc "$1" /; }

# ceph_pull BUCKET PREFIX DIR: copy every object under PREFIX/ into DIR
# (DIR replaced), so that tests can read the store as files.
ceph_pull() {
	local b=$1 p=$2 d=$3 k
	rm -rf "$d"
	mkdir -p "$d"
	ceph_keys "$b" "$p/" >"$T/cs3.keys"
	while IFS= read -r k; do
		mkdir -p "$d/$(dirname "${k#"$p"/}")"
		cs3 GET "/$b/$(_ceph_penc "$k")" >"$d/${k#"$p"/}"
		[ "$(cat "$T/cs3.code")" = 200 ] || fail "ceph: GET $k failed"
	done <"$T/cs3.keys"
}

# ceph_push DIR BUCKET PREFIX: make the objects under PREFIX/ exactly the
# files under DIR (delete the others, PUT every file), for attacks made on
# a pulled copy.
ceph_push() {
	local d=$1 b=$2 p=$3 k f
	ceph_keys "$b" "$p/" >"$T/cs3.keys"
	while IFS= read -r k; do
		cs3 DELETE "/$b/$(_ceph_penc "$k")" >/dev/null
	done <"$T/cs3.keys"
	(cd "$d" && find . -type f | sed 's|^\./||') >"$T/cs3.files"
	while IFS= read -r f; do
		cs3 PUT "/$b/$(_ceph_penc "$p/$f")" -T "$d/$f" >/dev/null
		[ "$(cat "$T/cs3.code")" = 200 ] || fail "ceph: PUT $p/$f failed"
	done <"$T/cs3.files"
}
