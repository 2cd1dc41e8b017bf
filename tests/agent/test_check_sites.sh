#!/bin/bash
# check WARNs when the FTP account can write another site's directory beside
# its own (a compromised site could delete its neighbours' backups) and says
# what to change; it passes when no other site is visible, or when the
# neighbour is read-only to this account.  Real vsftpd; the probe leaves
# nothing behind.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
. "$top_srcdir/tests/agent/backuplib.sh"

ftpd_require vsftpd plain
bk_tree 4 1
bk_keygen
B=$FTPD_ROOT/backups
mkdir -p "$B"
ftpd_chown "$B"
bk_conf "$T/conf" "$FTPD_URL/backups" "server.user = $FTPD_USER" \
    "server.tls = none" "server.retries = 1" "server.connect_timeout = 3s"
printf '%s\n' "$FTPD_PASS" | "$SITEVAULT" -q -c "$T/conf" credentials ||
	ftpd_fail "credentials"
sv() { "$SITEVAULT" -c "$T/conf" "$@"; }

expect_exit 0 sv check
expect_stdout "^PASS +one site per account: no other site directory under "
ok "alone under the url: PASS"

# A neighbour this account may write: WARN, with the fix; exit stays 0.
mkdir -p "$B/branch-09/Data_1"
ftpd_chown "$B/branch-09" "$B/branch-09/Data_1"
expect_exit 0 sv check
expect_stdout "^WARN +one site per account: this account can write 1 other site directory \(branch-09, \.\.\.\): a compromised site could delete its neighbours' backups; give each site its own FTP account"
[ "$(ls -A "$B/branch-09")" = Data_1 ] || fail "probe left behind: $(ls -A "$B/branch-09")"
expect_exit 0 sv --json check
python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
r = [x for x in rows if x.get("check") == "one site per account"]
assert len(r) == 1 and r[0]["status"] == "WARN", rows
' "$T/stdout" || fail "check --json: $(cat "$T/stdout")"
ok "a writable neighbour: WARN naming it and the fix"

# Read-only to this account (owned by root, mode 0755): PASS.
chown -R root:root "$B/branch-09"
chmod -R 0755 "$B/branch-09"
expect_exit 0 sv check
expect_stdout "^PASS +one site per account: 1 other site visible \(branch-09, \.\.\.\) but not writable$"
ok "a read-only neighbour: PASS"
