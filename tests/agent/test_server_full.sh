#!/bin/bash
# tests/agent/test_server_full.sh: a real vsftpd whose disk fills in the
# middle of a backup (its directory is a small tmpfs).  The agent quotes
# the server's own reply, calls it "server out of space", retries once at
# most, removes what the failed run uploaded, and leaves the earlier
# backups and the site usable.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3
[ "$(id -u)" -eq 0 ] || skip "mounting a small filesystem needs root (CI runs as root)"
export SITEVAULT_RETRY_BASE_MS=10
ftpd_require vsftpd
mkdir -p "$FTPD_ROOT/full"
mount -t tmpfs -o size=1m,mode=0755 sitevault-test "$FTPD_ROOT/full" 2>"$T/mount.err" ||
    skip "cannot mount a tmpfs here: $(cat "$T/mount.err")"
sv_atexit "umount -l '$FTPD_ROOT/full'"
ftpd_chown "$FTPD_ROOT/full"

STORE_KIND=vsftpd STORE_DIR=$FTPD_ROOT/full STORE_URL=$FTPD_URL/full
S=$T/s
sv_site branch-01 "$S"
sv_tree "$S"
sed -i 's/^part_size = .*/part_size = 128K/; s/^retries = .*/retries = 5/' "$S/sitevault.conf"
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }
D=$STORE_DIR/branch-01
expect_exit 0 sv -q backup
ok "a backup that fits"

# 2 MiB that zstd cannot shrink: the second megabyte does not fit.
head -c 2000000 /dev/urandom >"$S/live/spool/voicemail/big.wav"
before=$(cd "$D" && find . | sort)
expect_exit 74 sv backup --category data
expect_stderr 'Data_2/part\.[0-9]+.*: server out of space: server replied "45[12] '
! grep -q 'last reply "221' "$T/stderr" || fail "quoted the goodbye, not the refusal"
n=$(grep -c 'server out of space.*retrying' "$T/stderr" || true)
[ "$n" -le 1 ] || fail "retried $n times on a full disk"
[ ! -e "$D/Data_2" ] || fail "the failed run left Data_2: $(ls -la "$D/Data_2")"
[ "$(cd "$D" && find . | grep -v '^./history.log$' | sort)" = "$(echo "$before" | grep -v '^./history.log$')" ] ||
    fail "the failed run changed the site: $(cd "$D" && find . | sort)"
ok "a full server: its reply quoted, one retry at most, nothing left behind"

rm "$S/live/spool/voicemail/big.wav"
expect_exit 0 sv -q backup --category data
expect_exit 0 sv verify latest --category data
expect_exit 0 sv list
expect_stdout '^Data +3 .* complete'
ok "the site stays usable (ids do not come back)"
