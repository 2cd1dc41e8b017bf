#!/bin/bash
# bwlimit caps uploads and downloads through a real FTP server (vsftpd),
# and check reports it.  Only a lower bound on the elapsed time is
# asserted, a generous one (half of what the cap allows), so that a loaded
# machine cannot make this fail.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3

ftpd_supports vsftpd plain || skip "vsftpd cannot run here (needs root)"
sv_store_init vsftpd
S=$T/a
sv_tree "$S"
# 3 MiB that do not compress, in 1 MiB parts, at 512 KiB/s: about 6 s.
head -c $((3 * 1024 * 1024)) /dev/urandom > "$S/live/spool/voicemail/big.wav"
sv_site branch-01 "$S" "compression = none"
sed -i 's/^part_size = 64K$/part_size = 1M/; s/^\[server\]$/[server]\nbwlimit = 512K/' \
    "$S/sitevault.conf"
grep -q '^tls = ' "$S/sitevault.conf" ||
    sed -i 's/^\[server\]$/[server]\ntls = none/' "$S/sitevault.conf"
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }

expect_exit 0 sv check
expect_stdout '^PASS +bandwidth: uploads and downloads capped at 512K bytes/s'

t0=$(date +%s.%N)
expect_exit 0 sv -q backup --category data
t1=$(date +%s.%N)
python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 3.0 else 1)" ||
    fail "3 MiB uploaded in $(python3 -c "print(round($t1 - $t0, 2))") s, past a 512K/s cap"
ok "bwlimit caps the upload ($(python3 -c "print(round($t1 - $t0, 1))") s for 3 MiB at 512 KiB/s)"

t0=$(date +%s.%N)
expect_exit 0 sv -q verify latest --category data
t1=$(date +%s.%N)
python3 -c "import sys; sys.exit(0 if $t1 - $t0 >= 3.0 else 1)" ||
    fail "3 MiB downloaded in $(python3 -c "print(round($t1 - $t0, 2))") s, past a 512K/s cap"
ok "bwlimit caps the download ($(python3 -c "print(round($t1 - $t0, 1))") s)"

# No cap: check says so.
sed -i 's/^bwlimit = 512K$/bwlimit = 0/' "$S/sitevault.conf"
expect_exit 0 sv check
expect_stdout '^PASS +bandwidth: no cap \(bwlimit = 0\)'
