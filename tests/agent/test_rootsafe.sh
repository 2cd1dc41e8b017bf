#!/bin/bash
# tests/agent/test_rootsafe.sh: run as root, sitevault refuses (77) the files
# and state directory that someone else could change (sitevault(8),
# SECURITY), naming the file and the fix; the packaged layout (a state
# directory owned by the service user under root's directories) works.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
[ "$(id -u)" -eq 0 ] || skip "the root rules need root (CI runs as root)"
id nobody >/dev/null 2>&1 || skip "no user nobody"

chmod 755 "$T"
sv_store_init local
S=$T/s
sv_site branch-01 "$S"
sv_tree "$S"
C=$S/sitevault.conf
sv() { "$SITEVAULT" -c "$C" "$@"; }
expect_exit 0 sv -q backup
ok "a safe layout works"

# refused WHAT REGEX CMD...: exit 77, the message matches.
refused() {
	local what=$1 re=$2; shift 2
	expect_exit 77 "$@"
	expect_stderr "$re"
	ok "$what refused"
}

chmod 666 "$C"
refused "an others-writable configuration" "$C: unsafe configuration file: writable by group or others .*chmod go-w" sv list
chmod 620 "$C"
refused "a group-writable configuration" "$C: unsafe configuration file: writable by group" sv list
chmod 644 "$C"; chown nobody "$C"
refused "a configuration owned by nobody" "$C: unsafe configuration file: owned by uid [0-9]+, not root.*chown root" sv list
chown root "$C"
chmod 777 "$S"
refused "a configuration in an others-writable directory" "$C: unsafe configuration file: the directory $S above it is writable" sv list
chmod 1777 "$S"
expect_exit 0 sv -q list
ok "a sticky directory above a file of root's"
chmod 755 "$S"; chown nobody "$S"
refused "a configuration in a directory of nobody's" "the directory $S above it is owned by uid" sv list
chown root "$S"

# A key of nobody's, or under a directory another user can write.
mkdir "$T/keys"; cp "$S/site.key" "$T/keys/site.key"
sed -i "s|^secret = .*|secret = $T/keys/site.key|" "$C"
chmod 777 "$T/keys"
refused "a key in an others-writable directory" "$T/keys/site.key: unsafe key file: the directory $T/keys" sv list
chmod 755 "$T/keys"
expect_exit 0 sv -q list

# recipients and trusted files.
"$SITEVAULT" -q keygen --out "$T/escrow.key" >/dev/null
grep -o 'age1[0-9a-z]*' "$T/escrow.key.pub" >"$T/keys/escrow.txt" 2>/dev/null ||
    sed -n 's/^# public key: //p' "$T/escrow.key" >"$T/keys/escrow.txt"
[ -s "$T/keys/escrow.txt" ] || fail "no escrow recipient"
sed -i "s|^secret = .*|&\nrecipients = $T/keys/escrow.txt|" "$C"
expect_exit 0 sv -q backup --category configuration
chmod 666 "$T/keys/escrow.txt"
refused "an others-writable recipients file" "$T/keys/escrow.txt: unsafe recipients file: writable by group or others" sv backup --category configuration
chmod 644 "$T/keys/escrow.txt"
cp "$S/site.key.pub" "$T/keys/other.pub"
sed -i "s|^secret = .*|&\ntrusted = branch-02:$T/keys/other.pub|" "$C"
expect_exit 0 sv -q list
chown nobody "$T/keys/other.pub"
refused "a trusted key of nobody's" "$T/keys/other.pub: unsafe public key file: owned by uid" sv list
chown root "$T/keys/other.pub"

# The state directory.
chmod 777 "$S/state"
refused "an others-writable state directory" "$S/state: unsafe state directory: writable by group or others" sv backup --category configuration
chmod 700 "$S/state"
# The package's layout: the service user's directory under root's ones.
chown -R nobody "$S/state"
expect_exit 0 sv -q backup --category configuration
[ "$(stat -c %U "$S/state/history.log")" = nobody ] || fail "history.log taken from the service user"
ok "a state directory of the service user under root's directories"
# ... but not under a directory someone else can write or owns.
mkdir -m 777 "$T/open"; mv "$S/state" "$T/open/state"
sed -i "s|^dir = .*|dir = $T/open/state|" "$C"
refused "a state directory of nobody's in an others-writable directory" "$T/open/state: unsafe state directory: the directory $T/open above it is writable" sv backup --category configuration
chmod 1777 "$T/open"
refused "a state directory of nobody's in a sticky directory" "$T/open/state: unsafe state directory: the directory $T/open above it is writable" sv backup --category configuration
chmod 755 "$T/open"; chown nobody "$T/open"
refused "a state directory in a directory of nobody's" "the directory $T/open above it is owned by uid" sv backup --category configuration
chown root "$T/open"
expect_exit 0 sv -q backup --category configuration
chmod 666 "$T/open/state/history.log"
refused "an others-writable file in the state directory" "$T/open/state/history.log: unsafe file in the state directory: writable by group or others" sv backup --category configuration
chmod 600 "$T/open/state/history.log"
chown daemon "$T/open/state/lock"
refused "a file of a third user in the state directory" "$T/open/state/lock: unsafe file in the state directory: owned by uid" sv backup --category configuration
chown nobody "$T/open/state/lock"
expect_exit 0 sv -q backup --category configuration
ok "the state directory back to normal works"
