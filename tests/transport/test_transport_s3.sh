#!/bin/bash
# tests/transport/test_transport_s3.sh: the transport against a real S3
# gateway (one-node Ceph, tests/lib/ceph.sh): every store operation on
# object keys, names that need encoding, listings longer than one page,
# path-style and virtual-host-style addressing, one connection per run with
# the signature masked in -v output, refused keys (77), no endpoint (69),
# and a connection cut in the middle of a part (retried; never visible
# half-written), and TLS verified as for FTPS (a CA file, a pinned key).
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ceph.sh"
. "$top_srcdir/tests/lib/ftpd.sh"	# for its test certificates
TOOL=${top_builddir:-.}/tests/transport/transport_tool
[ -x "$TOOL" ] || fail "$TOOL missing (make check builds it)"
need python3
ceph_require
export SITEVAULT_RETRY_BASE_MS=50
_ftpd_certs
CEPH_TLS_CERT=$T/ftpd-tls/server.pem CEPH_TLS_KEY=$T/ftpd-tls/server.key
ceph_start
ceph_bucket sv-t

# s3conf FILE URL [LINE...]: a configuration for the gateway.
s3conf() {
	local f=$1 url=$2 l
	shift 2
	{
		printf '[site]\nname = branch-01\n[server]\nurl = %s\n' "$url"
		printf 'access_key = %s\nretries = 2\nconnect_timeout = 3s\n' "$CEPH_ACCESS"
		printf 'stall_timeout = 5s\n'
		case "$*" in *endpoint*) ;; *) printf 'endpoint = %s\n' "$CEPH_ENDPOINT" ;; esac
		for l in "$@"; do printf '%s\n' "$l"; done
		printf '[keys]\nsecret = %s/site.key\n[state]\ndir = %s/state\n' "$T" "$T"
	} >"$f"
}
tt() {
	local code=$1
	shift
	expect_exit "$code" sh -c 'printf "%s\n" "$0" | "$@"' "${SECRET:-$CEPH_SECRET}" "$TOOL" "$@"
}
out_has() {
	grep -qxF -- "$1" "$T/stdout" || {
		echo "--- stdout:" >&2; cat "$T/stdout" >&2
		fail "output lacks line: $1"
	}
}

c=$T/s3.conf
s3conf "$c" "s3://sv-t/base/dir"
d="branch-01/Data 1" f="a b#%ü+&=?.txt"
head -c 300000 /dev/urandom >"$T/data1"
head -c 1000 /dev/urandom >"$T/data2"

tt 0 "$c" connect -- mkdir "$d" -- put "$d/$f" "$T/data1" -- size "$d/$f" \
    -- exists "$d/$f" -- exists "$d" -- exists "$d/nothing" -- exists "no/such/dir"
[ "$(tr '\n' ' ' <"$T/stdout")" = "300000 1 2 0 0 " ] ||
    fail "size/exists: got $(tr '\n' ' ' <"$T/stdout")"
cs3 GET "/sv-t/base/dir/branch-01/Data%201/$(_ceph_qenc "$f")" >"$T/raw"
cmp -s "$T/data1" "$T/raw" || fail "the object is not under the encoded key"
ok "put, size, exists; the key is PREFIX/path, the name encoded"

tt 0 "$c" put "$d/$f" "$T/data2" -- get "$d/$f" "$T/back" -- put "$d/sub/x" "$T/data2" \
    -- put "$d/.hidden" "$T/data2" -- list "$d" -- list "" -- list "no such" -- getbuf "$d/sub/x" 1000
cmp -s "$T/data2" "$T/back" || fail "get after overwrite differs"
out_has "f 1000 $f"
out_has "d 0 sub"
out_has "f 1000 .hidden"
out_has "d 0 branch-01"
out_has "# missing"
ok "overwrite, get, list with files and directories, a missing directory"

tt 66 "$c" get "$d/nothing" "$T/back"
expect_stderr "no such file"
tt 66 "$c" size "$d/nothing"
tt 65 "$c" getbuf "$d/$f" 999
expect_stderr "larger than 999 bytes"
tt 78 "$c" exists "branch-01/../../etc"
expect_stderr "invalid store path"
tt 78 "$c" put "a//b" "$T/data2"
tt 70 "$c" rename "$d/$f" "branch-01/moved"
expect_stderr "S3 has no rename"
tt 74 "$c" rmdir "$d"
expect_stderr "not empty"
tt 0 "$c" delete "$d/$f" -- delete "$d/$f" -- delete "$d/sub/x" -- delete "$d/.hidden" \
    -- delete "no/such/file" -- rmdir "$d/sub" -- rmdir "$d" -- exists "$d"
[ "$(cat "$T/stdout")" = 0 ] || fail "delete: got $(cat "$T/stdout")"
[ -z "$(ceph_keys sv-t base/)" ] || fail "objects left: $(ceph_keys sv-t base/)"
ok "66 for missing, 65 too large, 78 bad paths, no rename, delete and rmdir"

# More keys than one ListObjectsV2 page (1000): the continuation token.
args=()
for i in $(seq -w 1 1010); do args+=(put "many/k$i" "$T/data2" --); done
tt 0 "$c" "${args[@]}" list many
[ "$(grep -c '^f 1000 k' "$T/stdout")" = 1010 ] || fail "listing: $(grep -c . "$T/stdout") lines"
out_has "f 1000 k1010"
ok "a listing of 1010 keys over two pages"

# One connection for a whole run; the signature and secret never show.
tt 0 -v "$c" put one/a "$T/data2" -- list one -- getbuf one/a 2000 -- size one/a -- delete one/a
n=$(grep -c 'Trying 127.0.0.1' "$T/stderr")
[ "$n" -eq 1 ] || fail "$n connections for one run"
grep -q '> Authorization: \*\*\*\*\*\*\*\*' "$T/stderr" || fail "no masked Authorization line"
grep -q 'Signature=' "$T/stderr" && fail "the signature appears in -v output"
! grep -qF -- "$CEPH_SECRET" "$T/stderr" "$T/stdout" || fail "the secret key appears"
ok "one connection per run, Authorization masked"

# Virtual-host style: BUCKET.localhost (curl resolves *.localhost itself).
s3conf "$T/vh.conf" "s3://sv-t/vh" "addressing = virtual" \
    "endpoint = http://localhost:$((CEPH_PORT + 1))"
tt 0 -v "$T/vh.conf" put x/y "$T/data2" -- list x -- getbuf x/y 2000 -- delete x/y
grep -q '> Host: sv-t.localhost' "$T/stderr" || fail "not a virtual-host request"
grep -q '> PUT /vh/x/y ' "$T/stderr" || fail "the bucket is in the path"
out_has "f 1000 y"
ok "virtual-host-style addressing"

# Refused keys: 77, not retried.
SECRET=wrong tt 77 "$c" connect
expect_stderr "credentials refused.*SignatureDoesNotMatch"
grep -q retrying "$T/stderr" && fail "a refused signature was retried"
s3conf "$T/key.conf" "s3://sv-t/base" "access_key = NOSUCHKEY" 2>/dev/null
sed -i '0,/^access_key = /{/^access_key = /d}' "$T/key.conf"
tt 77 "$T/key.conf" list ""
expect_stderr "InvalidAccessKeyId"
ok "a wrong secret key or access key: 77"

# No gateway at the endpoint: 69 after the retries.
s3conf "$T/down.conf" "s3://sv-t/base" "endpoint = http://127.0.0.1:$((CEPH_PORT + 14))"
tt 69 "$T/down.conf" connect
expect_stderr "cannot connect"
ok "an unreachable endpoint: 69"

# A connection cut in the middle of a part: the PUT is retried whole and
# the object is complete; without retries nothing is visible at all.
pport=$((CEPH_PORT + 13))
head -c $((4 * 1024 * 1024)) /dev/urandom >"$T/big"
cut_proxy() {
	rm -f "$T/proxy.ready"
	python3 "$top_srcdir/tests/lib/cutproxy.py" "$pport" "$((CEPH_PORT + 1))" \
	    1000000 "$T/proxy.ready" </dev/null >/dev/null 2>&1 &
	PROXY=$!
	sv_atexit "kill $PROXY 2>/dev/null"
	for _ in $(seq 100); do [ -e "$T/proxy.ready" ] && return 0; sleep 0.05; done
	fail "proxy did not start"
}
cut_proxy
s3conf "$T/cut.conf" "s3://sv-t/cut" "endpoint = http://127.0.0.1:$pport"
tt 0 "$T/cut.conf" put p/part.000000 "$T/big"
expect_stderr "retrying"
cs3 GET /sv-t/cut/p/part.000000 >"$T/back"
cmp -s "$T/big" "$T/back" || fail "the retried part differs"
kill "$PROXY"; wait "$PROXY" 2>/dev/null || true
cut_proxy
s3conf "$T/cut0.conf" "s3://sv-t/cut" "endpoint = http://127.0.0.1:$pport"
sed -i 's/^retries = .*/retries = 0/' "$T/cut0.conf"
tt 75 "$T/cut0.conf" put p/part.000001 "$T/big"
cs3 HEAD /sv-t/cut/p/part.000001 >/dev/null
[ "$(cat "$T/cs3.code")" = 404 ] || fail "a cut upload is visible: HTTP $(cat "$T/cs3.code")"
kill "$PROXY"; wait "$PROXY" 2>/dev/null || true
ok "a connection cut mid-part: retried whole; without retries, nothing visible"

# TLS: the gateway's certificate is verified against ca_file (the system's
# store does not know the test CA), and a pinned key must match.
pin=$(openssl x509 -in "$T/ftpd-tls/server.pem" -pubkey -noout |
    openssl pkey -pubin -outform der | openssl dgst -sha256 -binary | base64)
s3conf "$T/tls.conf" "s3://sv-t/tls" "endpoint = $CEPH_TLS_ENDPOINT" \
    "ca_file = $FTPD_CAFILE"
tt 0 "$T/tls.conf" put x/y "$T/data2" -- get x/y "$T/back" -- tls -- delete x/y
cmp -s "$T/data2" "$T/back" || fail "TLS round trip differs"
out_has "on"
s3conf "$T/tls-noca.conf" "s3://sv-t/tls" "endpoint = $CEPH_TLS_ENDPOINT"
tt 69 "$T/tls-noca.conf" connect
expect_stderr "TLS failed"
s3conf "$T/tls-pin.conf" "s3://sv-t/tls" "endpoint = $CEPH_TLS_ENDPOINT" \
    "ca_file = $FTPD_CAFILE" "pinned_pubkey = sha256//$pin"
tt 0 "$T/tls-pin.conf" connect
s3conf "$T/tls-badpin.conf" "s3://sv-t/tls" "endpoint = $CEPH_TLS_ENDPOINT" \
    "ca_file = $FTPD_CAFILE" "pinned_pubkey = sha256//LPJNul+wow4m6DsqxbninhsWHlwfp0JecwQzYpOLmCQ="
tt 69 "$T/tls-badpin.conf" connect
expect_stderr "TLS failed"
ok "TLS: verified with ca_file, refused without it, pinned key enforced"
