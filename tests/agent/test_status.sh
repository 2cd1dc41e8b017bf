#!/bin/bash
# sitevault status: exit 0 when every site and category has a fresh
# complete backup, 1 when one is stale, 2 when one is missing or cannot be
# verified (with the reason), --json one object per site and category; and
# list --all-sites saying why a site is unverified.  Local-directory store.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
. "$top_srcdir/tests/agent/fleetlib.sh"
need python3

S=$T/store
mkdir -p "$S"
bk_tree 16 2
bk_keygen
bk_conf "$T/conf" "$S" "backup.retain = 3"
sv() { "$SITEVAULT" -c "$T/conf" "$@"; }

# 1. Nothing on the server yet: missing, exit 2, the reason on stdout.
expect_exit 2 sv status
expect_stdout "^$SITE/Configuration: no complete backup on the server$"
expect_stdout "^$SITE/Data: no complete backup on the server$"
ok "no backup: exit 2 (missing)"

# 2. Only Configuration: Data is missing; -q prints only the problem.
expect_exit 0 sv -q backup --category configuration
expect_exit 2 sv -q status
[ "$(cat "$T/stdout")" = "$SITE/Data: no complete backup on the server" ] ||
	fail "status -q: $(cat "$T/stdout")"
ok "one category missing: exit 2, -q prints only that"

# 3. Both: exit 0, and the JSON rows say who signed what.
expect_exit 0 sv -q backup
expect_exit 0 sv status
expect_stdout "^$SITE +Configuration +ok +2 "
expect_stdout "^$SITE +Data +ok +1 "
kid=$(python3 -c 'import base64,sys; print(base64.b64decode(sys.argv[1])[2:10][::-1].hex().upper())' "$(sed -n 2p "$T/site.key.pub")")
expect_exit 0 sv --json status
check_json "$T/stdout" "len(rows) == 2 and all(r['status'] == 'ok' and r['reason'] is None and r['signer'] == '$kid' and isinstance(r['id'], int) and isinstance(r['age_seconds'], int) and r['size'] > 0 for r in rows) and [r['id'] for r in rows] == [2, 1]"
expect_exit 0 sv -q status
[ -s "$T/stdout" ] && fail "status -q printed on success: $(cat "$T/stdout")"
ok "fresh backups: exit 0, JSON rows with numeric ids and the signer"

# 4. Stale: older than --max-age (the backup is at least 2 s old now).
sleep 2
expect_exit 1 sv status --max-age 1s
expect_stdout "^$SITE/Data: stale: newest backup is [0-9]+s old \(max age 1s\)$"
expect_exit 1 sv --json status --max-age 1s
check_json "$T/stdout" "all(r['status'] == 'stale' and r['reason'].startswith('stale') for r in rows)"
expect_exit 0 sv status --max-age 1h
expect_exit 64 sv status --max-age soon
ok "stale: exit 1 with --max-age 1s, 0 with 1h"

# 5. Other sites: one trusted, one whose key nobody trusts.
mk_site() {	# NAME: a site with its own key backing up to the same store
	local d=$T/$1
	mkdir -p "$d"
	"$SITEVAULT" -q keygen --out "$d/site.key" >/dev/null
	sed -e "s|^name = .*|name = $1|" -e "s|$T/site.key|$d/site.key|" \
	    -e "s|$T/state|$d/state|" "$T/conf" >"$d/conf"
	"$SITEVAULT" -q -c "$d/conf" backup || fail "backup of $1"
}
mk_site branch-02
mk_site branch-07
t02=branch-02:$T/branch-02/site.key.pub
bk_conf "$T/conf" "$S" "backup.retain = 3" "keys.trusted = $t02"
expect_exit 2 sv status --all-sites
expect_stdout "^branch-02 +Data +ok "
expect_stdout "^branch-07/Configuration: unverified: signed by key [0-9A-F]{16}; no key trusted for branch-07"
expect_exit 2 sv --json status --all-sites
check_json "$T/stdout" "len(rows) == 6 and sorted({r['site'] for r in rows}) == ['branch-01', 'branch-02', 'branch-07'] and all(r['status'] == ('unverified' if r['site'] == 'branch-07' else 'ok') for r in rows) and all(r['time'] is None and isinstance(r['id'], int) for r in rows if r['site'] == 'branch-07')"
expect_exit 0 sv list --all-sites
expect_stdout "Configuration_1: unverified: signed by key [0-9A-F]{16}; no key trusted for branch-07"
expect_exit 0 sv --json list --all-sites
check_json "$T/stdout" "all((r['status'] == 'unverified') == (r['site'] == 'branch-07') and ((r['reason'] or '').find('no key trusted for branch-07') >= 0) == (r['site'] == 'branch-07') for r in rows)"
ok "--all-sites: a trusted site ok, an untrusted one unverified (exit 2) and why, in status and list"

# A key trusted for one site vouches for no other (SITE:FILE pairs).
sed "s|^trusted = .*|trusted = $t02 branch-07:$T/branch-02/site.key.pub|" "$T/conf" >"$T/conf.pairs"
expect_exit 2 "$SITEVAULT" -c "$T/conf.pairs" status --all-sites
expect_stdout "^branch-07/Data: unverified: signed by key [0-9A-F]{16}; not the key trusted for branch-07"
expect_stdout "^branch-02 +Data +ok "
ok "branch-02's key, trusted for branch-07 too, does not verify branch-07's backups"

# 6. The last failure from the local history: a backup refused because
# another key claims the directory.
"$SITEVAULT" -q keygen --out "$T/other.key" >/dev/null
sed "s|$T/site.key|$T/other.key|" "$T/conf" | grep -v '^trusted' >"$T/conf.other"
expect_exit 78 "$SITEVAULT" -c "$T/conf.other" -q backup
expect_exit 0 sv status
expect_stdout "^$SITE/Data: last failure [0-9T:Z-]+ \(backup\): .*belongs to site $SITE with key"
expect_exit 0 sv --json status
check_json "$T/stdout" "all(r['last_failure'] and 'belongs to' in r['last_failure'] and r['last_failure_time'].endswith('Z') for r in rows)"
ok "the last failure is shown, the exit code stays 0"

# 7. A newest manifest that does not verify, and a server rolled back.
expect_exit 0 sv -q backup --category data
flip_byte "$S/$SITE/Data_2/manifest" 10
expect_exit 2 sv status
expect_stdout "^$SITE/Data: Data_2: manifest signature bad$"
rm -rf "$S/$SITE/Data_2"
expect_exit 2 sv status
expect_stdout "^$SITE/Data: newest complete backup on the server is 1, but this site wrote Data_2: deleted or rolled back$"
# Another Data_2, validly signed by this key but not the one this site
# wrote (a second machine with the same key and its own state).
sed "s|^dir = .*|dir = $T/state2|" "$T/conf" >"$T/conf.state2"
expect_exit 0 "$SITEVAULT" -c "$T/conf.state2" -q backup --category data
[ -d "$S/$SITE/Data_2" ] || fail "no new Data_2: $(ls "$S/$SITE")"
expect_exit 2 sv status
expect_stdout "^$SITE/Data: Data_2: manifest differs from the one this site wrote$"
ok "bad signature, rollback and a replaced manifest: exit 2 with the reason"

# 8. What the server says reaches the terminal escaped; a directory whose
# name is not a site name is no site.
printf '2026-12-01T02:00:00Z\tbackup\tData\t-\tfailed\t0\tevil \033[2J\033]0;owned\007 text\n' \
    >>"$S/branch-02/history.log"
mkdir -p "$S/bad$(printf '\033')name/Data_1"
expect_exit 2 sv status --all-sites
grep -q "$(printf '\033')" "$T/stdout" && fail "an escape character reached the terminal"
expect_stdout '^branch-02/Data: last failure 2026-12-01T02:00:00Z \(backup\): evil \\x1b\[2J\\x1b\]0;owned\\x07 text$'
grep -q '^bad' "$T/stdout" && fail "a bad site name listed: $(cat "$T/stdout")"
expect_exit 2 sv --json status --all-sites
check_json "$T/stdout" "any(r['last_failure'] == 'evil \x1b[2J\x1b]0;owned\x07 text' for r in rows)"
ok "server text escaped on the terminal, intact in JSON; bad site names skipped"

# 9. A central administrator's configuration backs up nothing: it watches.
"$SITEVAULT" -q keygen --out "$T/admin.key" >/dev/null
cat >"$T/admin.conf" <<CONF
[site]
name = central
[server]
url = $S
[keys]
secret = $T/admin.key
trusted = $t02
[state]
dir = $T/admin-state
CONF
expect_exit 0 "$SITEVAULT" -c "$T/admin.conf" status
expect_stdout '^central: nothing to check: no paths in \[backup\], no backups on the server \(--all-sites'
expect_exit 0 "$SITEVAULT" -c "$T/admin.conf" --json status
check_json "$T/stdout" "len(rows) == 1 and rows[0]['result'] == 'empty' and rows[0]['site'] == 'central'"
expect_exit 2 "$SITEVAULT" -c "$T/admin.conf" --json status --all-sites
check_json "$T/stdout" "sorted({r['site'] for r in rows}) == ['branch-01', 'branch-02', 'branch-07'] and [r['status'] for r in rows if r['site'] == 'branch-02'] == ['ok', 'ok']"
ok "a configuration without paths watches the fleet; alone it has nothing to check"
