#!/bin/bash
# Owners come back as they were (common/archive/unpack_write.c): a restore
# as root gives every entry the owner the archive names, and skips the
# fchown only where a new file already has it (root's, in the group its
# directory gives).  Entries of root, of nobody, of a number no user has,
# a symlink and a directory of another owner, restored into a --target
# under a setgid directory of another group and in place over changed
# owners.

. "$top_srcdir/tests/lib/lib.sh"
export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
. "$top_srcdir/tests/lib/site.sh"
[ "$(id -u)" -eq 0 ] || skip "owners are restored only by root"

F=$T/own L=$T/own/live/etc/voicemail
mkdir -p "$L/root" "$L/users" "$T/ostore"
for i in $(seq 1 300); do echo "root file $i" > "$L/root/f$i.conf"; done
echo nobody > "$L/users/nobody.conf"; chown 65534:65534 "$L/users/nobody.conf"
echo mixed > "$L/users/mixed.conf"; chown 0:65534 "$L/users/mixed.conf"
echo number > "$L/users/number.conf"; chown 4242:4343 "$L/users/number.conf"
echo group > "$L/users/group.conf"; chown 65534:0 "$L/users/group.conf"
ln -s nobody.conf "$L/users/link"; chown -h 4242:4343 "$L/users/link"
chown 65534:65534 "$L/users"
owners() { (cd "$1" && find . -printf '%p %U:%G\n' | sort); }
owners "$L" > "$T/o.before"

"$SITEVAULT" -q keygen --out "$F/site.key" >/dev/null
cat > "$F/sitevault.conf" <<CONF
[site]
name = branch-owner
[server]
url = $T/ostore
[keys]
secret = $F/site.key
[state]
dir = $F/state
[backup]
configuration = $L
CONF
ov() { "$SITEVAULT" -q -c "$F/sitevault.conf" "$@"; }
ov backup

# Into a --target under a setgid directory of nogroup: the directories
# made on the way take that group, the restored entries their own.
mkdir -p "$F/sg"; chgrp 65534 "$F/sg"; chmod 2755 "$F/sg"
expect_exit 0 ov restore latest --target "$F/sg/t"
owners "$F/sg/t$L" > "$T/o.target"
diff "$T/o.before" "$T/o.target" ||
	fail "restore into a target under a setgid directory: owners differ"
ok "restore into a target under a setgid directory: every owner as backed up"

# In place, over owners changed since: each one back.
chown -R 4242:4242 "$L"
expect_exit 0 ov restore latest
owners "$L" > "$T/o.after"
diff "$T/o.before" "$T/o.after" || fail "restore in place: owners differ"
ok "restore in place over changed owners: every owner back"

# Root's files need no fchown: fewer calls than files, at least one per
# entry of another owner (5, and the directory users).
if command -v strace >/dev/null &&
    strace -f -qq -o /dev/null true 2>/dev/null; then
	expect_exit 0 strace -f -qq -o "$T/o.trace" -e trace=fchown,fchownat,lchown,chown \
	    "$SITEVAULT" -q -c "$F/sitevault.conf" restore latest --target "$F/t2"
	n=$(grep -c 'chown' "$T/o.trace" || true)
	[ "$n" -ge 6 ] && [ "$n" -lt 100 ] ||
		fail "restore of 300 root-owned and 6 other entries: $n chown calls"
	diff "$T/o.before" <(owners "$F/t2$L") || fail "restore under strace: owners differ"
	ok "restore of 300 root-owned and 6 other entries: $n chown calls"
else
	echo "# strace cannot trace here: the count of chown calls is not checked"
fi
