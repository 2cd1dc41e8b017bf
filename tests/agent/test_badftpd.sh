#!/bin/bash
# tests/agent/test_badftpd.sh: a misbehaving FTP server (tests/lib/badftpd.py,
# serving a real tree) cannot brick the site: an id too large for any
# parser, names that are not plain names inside an old backup, and SIZE
# answers that lie.  Every command ends with the right exit code, and the
# site stays usable.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3
export SITEVAULT_RETRY_BASE_MS=10

sv_badftpd_site
sed -i "s/^retain = .*/retain = 3/" "$S/sitevault.conf"
sv_tree "$S"
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }
D=$R/branch-01
expect_exit 0 sv check
expect_exit 0 sv -q backup
expect_exit 0 sv -q backup
ok "a well-behaved run on badftpd"

# usable: every command works and the site is whole.
usable() {
	expect_exit 0 sv list
	expect_exit 0 sv history
	expect_exit 0 sv verify latest --category data
	expect_exit 0 sv restore --dry-run --category configuration
	expect_exit 0 sv prune
	expect_exit 0 sv check
	grep -q '^[^#]' "$S/state/state" || fail "empty state"
}

# 12. A directory whose id no parser takes: ignored with a warning; the
# next id follows the real ones, and retention keeps what it must.
mkdir "$D/Data_9999999999999999999" "$D/Data_0099" "$D/Configuration_1000000000000"
expect_exit 0 sv backup --category data
expect_stderr 'Data_9999999999999999999: not a backup name'
expect_stdout '^Data_3: '
[ -d "$D/Data_1" ] || fail "retention deleted Data_1 (retain = 3) because of a foreign entry"
expect_exit 0 sv list
expect_stdout '^Data +3 .* complete'
! grep -q '9999999999999999999\|10000000000000000000' "$S/state/state" ||
    fail "the state recorded a foreign id: $(cat "$S/state/state")"
expect_exit 0 sv -q backup --category data
[ -d "$D/Data_4" ] || fail "no Data_4"
[ -d "$D/Data_1" ] && fail "retention did not delete Data_1 once 4 were complete"
usable
ok "out-of-range and foreign ids are ignored; ids and retention stay right"

# 14. Entries that are not plain names inside an old backup: skipped and
# reported; prune and the backup that runs it succeed.
printf '{"inject": {"branch-01/Configuration_1": [%s, %s]}}\n' \
    '"-rw-r--r-- 1 0 0 5 Jan 01 00:00 ../PWNED"' \
    '"-rw-r--r-- 1 0 0 5 Jan 01 00:00 a/b"' >"$B"
touch "$R/PWNED"
expect_exit 0 sv -q backup --category configuration
expect_exit 0 sv backup --category configuration
expect_stderr 'Configuration_1: entry "../PWNED" skipped: not a plain name'
expect_stderr 'directory left in place'
[ -e "$R/PWNED" ] || fail "a ../ name deleted a file outside the backup"
[ -e "$D/Configuration_1/manifest" ] && fail "Configuration_1 still complete"
expect_exit 0 sv list
! grep -q '^Configuration +1 .* complete' "$T/stdout" || fail "Configuration_1 still listed complete"
usable
ok "names that are not plain names never block prune nor reach DELE"
echo '{}' >"$B"

# 13. SIZE lies: downloads go by the signed sizes and caps, never by SIZE.
for lie in half zero huge; do
	printf '{"size": "%s"}\n' "$lie" >"$B"
	expect_exit 0 sv verify latest --category data
	expect_exit 0 sv restore --dry-run --category configuration
	expect_exit 0 sv check
	expect_stdout '^PASS  SITE marker: belongs to site branch-01'
	expect_exit 0 sv -q backup
	ok "SIZE answers $lie: verify, restore, check and backup succeed"
done
echo '{}' >"$B"
usable
ok "the site stays usable"

# 15. A site listing of 210,000 entries with 250-byte names (about 60 MB,
# under the 64 MiB cap): every command still works (memory on such a
# listing is measured by bench/listing-bench.sh).
printf '{"bulk": {"branch-01": [210000, 250]}}\n' >"$B"
expect_exit 0 sv list
expect_stdout '^Data +[0-9]+ .* complete'
expect_exit 0 sv -q backup --category configuration
echo '{}' >"$B"
ok "a huge listing: list and backup work"
