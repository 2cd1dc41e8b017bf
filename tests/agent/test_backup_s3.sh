#!/bin/bash
# sitevault against a real S3 gateway (a one-node Ceph with radosgw, from
# tests/lib/ceph.sh): check, backup, list, retention, restore, the attacks
# of restore_cases.sh on the stored objects, faults (wrong keys, no
# endpoint, no bucket, the gateway killed mid-part), and object lock.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ceph.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
need age minisign zstd tar python3
ceph_require

export SITEVAULT_RETRY_BASE_MS=50
bk_tree 32 4
bk_keygen
ceph_start
ceph_bucket sv-plain
ceph_bucket sv-lock lock
R=$T/pulled		# the site's objects, copied out for inspection

s3conf() {
	local f=$1 url=$2 retain=("backup.retain = 2")
	shift 2
	case "$*" in *backup.retain*) retain=() ;; esac
	bk_conf "$f" "$url" "server.endpoint = $CEPH_ENDPOINT" \
	    "server.access_key = $CEPH_ACCESS" "server.retries = 1" \
	    "server.connect_timeout = 3s" "server.stall_timeout = 5s" \
	    "backup.part_size = 64K" "${retain[@]}" "$@"
	printf '%s\n' "$CEPH_SECRET" | "$SITEVAULT" -q -c "$f" credentials ||
	    fail "credentials for $f"
}
s3conf "$T/conf" s3://sv-plain/fleet
sv() { "$SITEVAULT" -c "$T/conf" "$@"; }

# --- check, and a brand-new bucket ---------------------------------------
expect_exit 0 sv check
for l in "endpoint reachable" "credentials accepted" "bucket exists" \
    "upload: .*one PUT" "test file listed" "download" "delete" \
    "object lock: not enabled"; do
	expect_stdout "^PASS  $l"
done
expect_exit 0 sv list
expect_stdout "^$SITE: no backups$"
expect_exit 0 sv prune
expect_stdout "^nothing to prune$"
[ -z "$(ceph_keys sv-plain fleet/)" ] || fail "check, list or prune left objects: $(ceph_keys sv-plain fleet/)"
ok "check passes; list and prune on an empty bucket create nothing"

# --- backup: the layout, stock tools -------------------------------------
expect_exit 0 sv backup --description "first on s3"
ceph_pull sv-plain "fleet/$SITE" "$R"
[ -f "$R/SITE" ] && [ -f "$R/history.log" ] || fail "no SITE/history.log: $(ls "$R")"
for c in Configuration Data; do
	[ -f "$R/${c}_1/manifest" ] && [ -f "$R/${c}_1/manifest.sig" ] &&
	    [ -f "$R/${c}_1/part.000000" ] || fail "${c}_1: $(ls "$R/${c}_1")"
	bk_stock_check "$R/${c}_1"
done
ceph_keys sv-plain fleet/ | grep -v -E "^fleet/$SITE/(SITE|history.log|(Configuration|Data)_1/(manifest|manifest\.sig|part\.[0-9]{6}))$" &&
    fail "objects not in the layout"
ok "backup: the layout under PREFIX/SITE/, stock minisign/age/zstd/tar"

# --- ids, retention, list, history ---------------------------------------
expect_exit 0 sv -q backup
expect_exit 0 sv -q backup --category data
ceph_pull sv-plain "fleet/$SITE" "$R"
[ "$(bk_ids "$R" Data)" = "2 3" ] || fail "retention: $(bk_ids "$R" Data)"
[ "$(bk_ids "$R" Configuration)" = "1 2" ] || fail "config ids: $(bk_ids "$R" Configuration)"
expect_exit 0 sv list
[ "$(grep -c ' complete ' "$T/stdout")" = 4 ] || fail "list: $(cat "$T/stdout")"
expect_exit 0 sv history
expect_stdout "delete +Data +1 +ok"
expect_exit 0 sv status
expect_stdout "Data"
expect_exit 0 sv status --all-sites
expect_stdout "$SITE"
ok "ids grow, retention keeps 2, list, history (one object rewritten), status"

# --- restore round trip ---------------------------------------------------
expect_exit 0 sv restore latest --target "$T/out"
diff -r "$T/src/spool/voicemail" "$T/out$T/src/spool/voicemail" ||
    fail "restored data differs"
diff -r "$T/src/etc/voicemail" "$T/out$T/src/etc/voicemail" ||
    fail "restored configuration differs"
expect_exit 0 sv verify
expect_stdout "verified $SITE/Data_3"
ok "restore --target and verify, both categories"

# --- attacks on the stored objects (as in restore_cases.sh) --------------
cp -a "$R" "$T/pristine"
attack() {
	local name=$1 code=$2 want=$3 exit=${4:-65}
	rm -rf "$R"; cp -a "$T/pristine" "$R"
	(cd "$R" && eval "$code")
	ceph_push "$R" sv-plain "fleet/$SITE"
	rm -rf "$T/out"
	expect_exit "$exit" sv restore latest --category data --target "$T/out"
	expect_stderr "$want"
	[ ! -e "$T/out" ] || fail "attack '$name' created the target"
	ok "attack refused: $name"
}
attack "flipped byte in a part" 'flip_byte Data_3/part.000001 100' 'part.000001: SHA-256'
attack "part deleted" 'rm Data_3/part.000002' 'part.000002'
attack "parts swapped" \
    'mv Data_3/part.000000 x; mv Data_3/part.000001 Data_3/part.000000; mv x Data_3/part.000001' \
    'part.000000'
attack "part from another backup" 'cp Data_2/part.000001 Data_3/part.000001' 'part.000001'
attack "truncated last part" 'last=$(ls Data_3/part.* | tail -1); truncate -s -1 "$last"' \
    'part.*transfer error' 75
attack "older manifest renamed to look newest" 'rm -rf Data_3; mv Data_2 Data_4' \
    'names site branch-01, Data_2'
attack "rollback: newest backup removed" 'rm -rf Data_3' 'rolled back'
attack "manifest deleted: the backup is unfinished, the previous one is newest" \
    'rm Data_3/manifest' 'rolled back'
ceph_push "$T/pristine" sv-plain "fleet/$SITE"
expect_exit 0 sv -q verify

# show names the S3 keys, never the secret.
expect_exit 0 sv show
expect_stdout "^access_key = $CEPH_ACCESS$"
expect_stdout "^endpoint = $CEPH_ENDPOINT$"
expect_stdout "^object_lock_days = 0$"
grep -qF -- "$CEPH_SECRET" "$T/stdout" "$T/conf" && fail "the secret key shows"
ok "show: the S3 keys, credentials hidden"

# Another site's marker in this site's directory: refused, nothing written.
cs3 GET "/sv-plain/fleet/$SITE/SITE" >"$T/site.marker"
printf 'site branch-99\nkeyid 0000000000000000\n' >"$T/other.marker"
cs3 PUT "/sv-plain/fleet/$SITE/SITE" -T "$T/other.marker" >/dev/null
expect_exit 78 sv backup --category configuration
expect_stderr "branch-99|another site"
ceph_keys sv-plain "fleet/$SITE/Configuration_3/" | grep -q . && fail "backup written beside another site's marker"
cs3 PUT "/sv-plain/fleet/$SITE/SITE" -T "$T/site.marker" >/dev/null
ok "another site's SITE marker: exit 78, nothing written"

# --- faults ---------------------------------------------------------------
# Wrong secret key: 77 for every command, and check says which step.
cp "$T/conf" "$T/conf.bad"
printf 'not-the-secret\n' | "$SITEVAULT" -q -c "$T/conf.bad" credentials
expect_exit 77 "$SITEVAULT" -c "$T/conf.bad" list
expect_stderr "credentials refused"
expect_exit 77 "$SITEVAULT" -c "$T/conf.bad" check
expect_stdout "^PASS  endpoint reachable"
expect_stdout "^FAIL  credentials accepted: .*SignatureDoesNotMatch"
ok "wrong secret key: exit 77, check names the credentials"

# No gateway at the endpoint: 69.
sed "s|^endpoint = .*|endpoint = http://127.0.0.1:$((CEPH_PORT + 15))|" "$T/conf" >"$T/conf.down"
expect_exit 69 "$SITEVAULT" -c "$T/conf.down" backup
expect_stderr "cannot connect"
expect_exit 69 "$SITEVAULT" -c "$T/conf.down" check
expect_stdout "^FAIL  endpoint reachable"
ok "unreachable endpoint: exit 69"

# A bucket that does not exist: a configuration error.
sed "s|^url = .*|url = s3://sv-nosuch/fleet|" "$T/conf" >"$T/conf.nob"
expect_exit 78 "$SITEVAULT" -c "$T/conf.nob" check
expect_stdout "^FAIL  bucket exists: .*NoSuchBucket"
ok "missing bucket: exit 78, check says so"

# http:// to another machine is refused before anything is sent.
sed "s|^endpoint = .*|endpoint = http://s3.example.net|" "$T/conf" >"$T/conf.http"
expect_exit 78 "$SITEVAULT" -c "$T/conf.http" list
expect_stderr "only for this machine"
ok "http:// endpoint refused unless loopback"

# The gateway killed in the middle of an upload: no manifest, nothing else
# touched, and prune removes the unfinished backup afterwards.
mkdir -p "$T/big"
for i in 1 2 3; do head -c $((3 * 1024 * 1024)) /dev/urandom >"$T/big/m$i.wav"; done
# bwlimit: 9 MiB take seconds, so that the gateway is surely stopped
# mid-run, however fast this machine (and however loaded, as it polls).
s3conf "$T/conf.big" s3://sv-plain/fleet "backup.data = $T/big" \
    "server.bwlimit = 2M"
before=$(ceph_keys sv-plain "fleet/$SITE/" | grep -v -e history.log -e Data_4)
"$SITEVAULT" -c "$T/conf.big" backup --category data >"$T/bg.out" 2>"$T/bg.err" &
pid=$!
for _ in $(seq 600); do
	cs3 HEAD "/sv-plain/fleet/$SITE/Data_4/part.000003" >/dev/null
	[ "$(cat "$T/cs3.code")" = 200 ] && break
	_ceph_alive "$pid" || break
	sleep 0.02
done
[ "$(cat "$T/cs3.code")" = 200 ] || fail "upload never started: $(cat "$T/bg.err")"
ceph_rgw_halt
got=0; wait "$pid" || got=$?
case $got in 69|74|75) ;; *) fail "killed gateway: exit $got: $(cat "$T/bg.err")" ;; esac
ceph_rgw_start
ceph_keys sv-plain "fleet/$SITE/Data_4/" | grep -q 'manifest' &&
    fail "the interrupted backup has a manifest"
[ "$before" = "$(ceph_keys sv-plain "fleet/$SITE/" | grep -v -e history.log -e Data_4)" ] ||
    fail "the failed run changed other backups"
expect_exit 0 sv list
expect_stdout "^Data +4 .* unfinished"
expect_exit 0 sv prune
expect_stdout "^deleted Data_4 \(unfinished"
[ -z "$(ceph_keys sv-plain "fleet/$SITE/Data_4/")" ] || fail "prune left Data_4"
ok "gateway killed mid-part: exit $got, no manifest, prune removes the rest"

# A full store (a bucket quota): the reply quoted, no retry, what the run
# uploaded removed, the earlier backups and the site usable.
ceph_bucket sv-full
ceph_quota sv-full $((1024 * 1024))
mkdir -p "$T/fullsrc"
echo small >"$T/fullsrc/m.wav"
s3conf "$T/conf.full" s3://sv-full/fleet "backup.data = $T/fullsrc"
sed -i "s|^dir = .*|dir = $T/state.full|" "$T/conf.full"
svf() { "$SITEVAULT" -c "$T/conf.full" "$@"; }
expect_exit 0 svf -q backup --category data
before=$(ceph_keys sv-full fleet/ | grep -v history.log)
head -c 2000000 /dev/urandom >"$T/fullsrc/big.wav"
expect_exit 74 svf backup --category data
expect_stderr "Data_2/part\.[0-9]+: quota or space exhausted: HTTP 403 QuotaExceeded"
grep -q 'retrying' "$T/stderr" && fail "retried on a full store: $(cat "$T/stderr")"
[ -z "$(ceph_keys sv-full "fleet/$SITE/Data_2/")" ] || fail "the failed run left Data_2"
[ "$before" = "$(ceph_keys sv-full fleet/ | grep -v history.log)" ] ||
    fail "the failed run changed the site"
rm "$T/fullsrc/big.wav"
expect_exit 0 svf -q backup --category data
expect_exit 0 svf -q verify latest --category data
expect_exit 0 svf list
expect_stdout '^Data +3 .* complete'
ok "a full store (bucket quota): 74 naming QuotaExceeded, no retry, nothing left, site usable"

# --- object lock ------------------------------------------------------------
s3conf "$T/conf.lock" s3://sv-lock/fleet "server.object_lock_days = 1" \
    "backup.retain = 1"
sed -i "s|^dir = .*|dir = $T/state.lock|" "$T/conf.lock"	# ids from 1
svl() { "$SITEVAULT" -c "$T/conf.lock" "$@"; }
expect_exit 0 svl check
expect_stdout "^PASS  object lock: enabled on the bucket: every backup is immutable for 1 days"
expect_exit 0 svl -q backup --category data
cs3 HEAD "/sv-lock/fleet/$SITE/Data_1/part.000000" -D "$T/head" >/dev/null
grep -qi '^x-amz-object-lock-mode: COMPLIANCE' "$T/head" || fail "part not locked: $(cat "$T/head")"
cs3 HEAD "/sv-lock/fleet/$SITE/Data_1/manifest" -D "$T/head" >/dev/null
until=$(sed -n 's/^x-amz-object-lock-retain-until-date: *\([0-9-]*\)T.*/\1/Ip' "$T/head")
[ "$until" = "$(date -u -d tomorrow +%F)" ] || fail "manifest retained until '$until'"
cs3 HEAD "/sv-lock/fleet/$SITE/history.log" -D "$T/head" >/dev/null
grep -qi 'object-lock' "$T/head" && fail "history.log is locked"
ok "object_lock_days: every object of a backup has COMPLIANCE retention until tomorrow"

# The site's own keys cannot delete a locked version, not even with bypass.
v=$(sed -n 's/^x-amz-version-id: *\([^[:space:]]*\).*/\1/Ip' "$T/head")
cs3 HEAD "/sv-lock/fleet/$SITE/Data_1/part.000000" -D "$T/head" >/dev/null
v=$(sed -n 's/^x-amz-version-id: *\([^[:space:]]*\).*/\1/Ip' "$T/head" | tr -d '\r')
cs3 DELETE "/sv-lock/fleet/$SITE/Data_1/part.000000?versionId=$v" \
    -H 'x-amz-bypass-governance-retention: true' >/dev/null
[ "$(cat "$T/cs3.code")" = 403 ] || fail "locked version deleted: HTTP $(cat "$T/cs3.code")"
ok "a locked version cannot be deleted before its date (HTTP 403)"

# Retention wants Data_1 gone: the backup succeeds and keeps it, saying so.
expect_exit 0 svl backup --category data
expect_stderr "Data_1: kept: immutable until $(date -u -d tomorrow +%F)"
expect_exit 0 svl prune --dry-run
expect_stdout "^kept Data_1 \(retention, .*immutable until $(date -u -d tomorrow +%F)"
expect_exit 0 svl prune
expect_stdout "^kept Data_1 \(retention"
expect_exit 0 svl --json prune
expect_stdout '"action":"kept","immutable_until":"'
expect_exit 0 svl list
expect_stdout "^Data +1 .* complete"
[ -n "$(ceph_keys sv-lock "fleet/$SITE/Data_1/manifest")" ] || fail "Data_1 lost its manifest"
expect_exit 0 svl -q verify 1 --category data
ok "retention and prune keep the immutable backup, and say until when"

# status and list say until when each backup is immutable; a bucket without
# object lock shows no such column.
tmrw=$(date -u -d tomorrow +%F)
expect_exit 2 svl status	# Configuration never backed up here: missing
expect_stdout "IMMUTABLE UNTIL +LAST FAILURE$"
expect_stdout "^$SITE +Data +ok +2 .* $tmrw [0-9:]{8}  "
expect_stdout "^$SITE +Configuration +missing .* - +- *$"
expect_exit 2 svl --json status
grep '"category":"Data"' "$T/stdout" | grep -q "\"immutable_until\":\"${tmrw}T[0-9:]*Z\"" ||
    fail "status --json: no immutable_until: $(cat "$T/stdout")"
grep '"category":"Configuration"' "$T/stdout" | grep -q '"immutable_until":null' ||
    fail "status --json: immutable_until of a missing backup: $(cat "$T/stdout")"
expect_exit 0 svl list
expect_stdout "IMMUTABLE UNTIL +DESCRIPTION$"
expect_stdout "^Data +1 .* $tmrw [0-9:]{8}  "
expect_stdout "^Data +2 .* $tmrw [0-9:]{8}  "
expect_exit 0 svl --json list
[ "$(grep -c "\"immutable_until\":\"${tmrw}T" "$T/stdout")" = 2 ] ||
    fail "list --json: $(cat "$T/stdout")"
expect_exit 0 sv status
grep -q IMMUTABLE "$T/stdout" && fail "status on a bucket without object lock: $(cat "$T/stdout")"
expect_exit 0 sv --json list
grep -q '"immutable_until":null' "$T/stdout" || fail "list --json without object lock: $(cat "$T/stdout")"
ok "status and list (and --json) show until when each backup is immutable"

# A key that may list the backups but not read the lock configuration (a
# bucket policy denies it to the site's user): status and list work, one
# warning says the dates are not shown.
lockpolicy() {	# ACTION RESOURCE: deny ACTION on RESOURCE of sv-lock
	printf '{"Version":"2012-10-17","Statement":[{"Effect":"Deny",'
	printf '"Principal":{"AWS":["arn:aws:iam:::user/sitevault"]},'
	printf '"Action":["%s"],"Resource":["arn:aws:s3:::sv-lock%s"]}]}' "$1" "$2"
}
lockpolicy s3:GetBucketObjectLockConfiguration "" >"$T/policy"
cs3 PUT "/sv-lock?policy=" --data-binary "@$T/policy" >"$T/cs3.out"
[ "$(cat "$T/cs3.code")" = 204 ] || [ "$(cat "$T/cs3.code")" = 200 ] ||
    fail "bucket policy not set: HTTP $(cat "$T/cs3.code") $(cat "$T/cs3.out")"
nowarn() {	# the one warning, and no lock column
	[ "$(grep -c 'warning: s3://sv-lock/fleet: reading the .* refused: .*; immutable-until dates are not shown$' "$T/stderr")" = 1 ] ||
	    fail "$*: not one warning: $(cat "$T/stderr")"
	[ "$(grep -c . "$T/stderr")" = 1 ] || fail "$*: more than the warning: $(cat "$T/stderr")"
	grep -q IMMUTABLE "$T/stdout" && fail "$*: lock column shown: $(cat "$T/stdout")"
	grep -q '"immutable_until":"' "$T/stdout" && fail "$*: a date shown: $(cat "$T/stdout")"
	true
}
expect_exit 2 svl status	# Configuration missing, as above
expect_stderr "configuration refused: .*403"
nowarn status
expect_stdout "^$SITE +Data +ok +2 "
expect_exit 2 svl --json status
nowarn status --json
grep '"category":"Data"' "$T/stdout" | grep -q '"immutable_until":null' ||
    fail "status --json: $(cat "$T/stdout")"
expect_exit 0 svl list
nowarn list
expect_stdout "^Data +2 .* complete"
expect_exit 0 svl --json list --all-sites
nowarn list --json
[ "$(grep -c '"immutable_until":null' "$T/stdout")" = 2 ] || fail "list --json: $(cat "$T/stdout")"
ok "lock configuration refused: status and list warn once, show no dates"

# Without the policy the column is back.
cs3 DELETE "/sv-lock?policy=" >/dev/null
expect_exit 0 svl list
expect_stdout "IMMUTABLE UNTIL +DESCRIPTION$"
ok "without the policy the dates are back"

# Only s3:GetObjectRetention denied: the gateway's HEAD then omits the
# dates, as it does for objects that have none; the agent asks the first
# object of the run for its retention and warns once, not silently showing
# no dates.
lockpolicy s3:GetObjectRetention "/fleet/$SITE/*" >"$T/policy"
cs3 PUT "/sv-lock?policy=" --data-binary "@$T/policy" >"$T/cs3.out"
[ "$(cat "$T/cs3.code")" = 204 ] || fail "bucket policy not set: HTTP $(cat "$T/cs3.code")"
expect_exit 0 svl list
nowarn list
expect_stderr "retention of a backup refused: .*/Data_[12]/manifest.* 403"
expect_stdout "^Data +1 .* complete"
expect_stdout "^Data +2 .* complete"
cs3 DELETE "/sv-lock?policy=" >/dev/null
expect_exit 0 svl list
expect_stdout "^Data +2 .* $tmrw [0-9:]{8}  "
ok "only GetObjectRetention refused: list warns once instead of hiding the dates"

# A backup's retention refused: the gateway omits the dates from a HEAD
# when only s3:GetObjectRetention is denied, so deny the HEAD of the other
# objects of a backup, asked for when it has no manifest (deleted here: a
# delete marker, as object lock allows).  One warning for the whole run.
for id in 1 2; do
	cs3 DELETE "/sv-lock/fleet/$SITE/Data_$id/manifest" >/dev/null
	[ "$(cat "$T/cs3.code")" = 204 ] || fail "manifest of Data_$id not hidden: HTTP $(cat "$T/cs3.code")"
done
lockpolicy s3:GetObject "/fleet/$SITE/Data_*" >"$T/policy"
cs3 PUT "/sv-lock?policy=" --data-binary "@$T/policy" >"$T/cs3.out"
[ "$(cat "$T/cs3.code")" = 204 ] || fail "bucket policy not set: HTTP $(cat "$T/cs3.code")"
expect_exit 0 svl list
nowarn list
expect_stderr "retention of a backup refused: .*/Data_1/.* 403"
expect_stdout "^Data +1 .* unfinished"
expect_stdout "^Data +2 .* unfinished"
expect_exit 0 svl --json list
nowarn list --json
cs3 DELETE "/sv-lock?policy=" >/dev/null
ok "retention refused: list warns once per run, shows no dates"

# object_lock_days on a bucket without object lock: check fails, backup fails.
s3conf "$T/conf.nolock" s3://sv-plain/other "server.object_lock_days = 1"
expect_exit 78 "$SITEVAULT" -c "$T/conf.nolock" check
expect_stdout "^FAIL  object lock: .*no object lock"
got=0; "$SITEVAULT" -c "$T/conf.nolock" backup --category data >"$T/stdout" 2>"$T/stderr" || got=$?
[ "$got" -ne 0 ] || fail "a locked backup succeeded on a bucket without object lock"
ceph_keys sv-plain "other/$SITE/" | grep -q manifest && fail "unlocked backup made visible"
ok "object_lock_days on a bucket without object lock: check fails, backup refused"

# Bodies go as UNSIGNED-PAYLOAD (docs/FORMAT.md): no hash pass over a part
# here nor in the store; requests without a body sign the empty hash.
s3conf "$T/conf.v" s3://sv-plain/verbose
sed -i "s|^dir = .*|dir = $T/state.v|" "$T/conf.v"
expect_exit 0 "$SITEVAULT" -c "$T/conf.v" -v backup --category configuration
expect_stderr "> PUT /sv-plain/verbose/$SITE/Configuration_1/part.000000 "
expect_stderr "> x-amz-content-sha256: UNSIGNED-PAYLOAD"
expect_stderr "> x-amz-content-sha256: e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
grep -E '> x-amz-content-sha256: [0-9a-f]{64}' "$T/stderr" | grep -qv e3b0c442 &&
    fail "a body was hashed for the signature"
ok "parts signed as UNSIGNED-PAYLOAD, bodiless requests with the empty hash"
