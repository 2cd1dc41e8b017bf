#!/bin/bash
# tests/agent/test_nodump.sh: a running backup, which holds the key and the
# password, is not dumpable: another process of the same user cannot read
# its memory or environment through /proc (nor ptrace it), and its /proc
# files belong to root.
. "$top_srcdir/tests/lib/lib.sh"
need python3 ss

# As root, run as nobody: root may read any process anyway.
as=()
if [ "$(id -u)" -eq 0 ]; then
	need setpriv
	id nobody >/dev/null 2>&1 || skip "no user nobody"
	as=(setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups)
	chmod 755 "$T"
fi
D=$T/n
mkdir -p "$D/data"
echo x >"$D/data/f"
# A server that accepts the connection and never greets: the backup waits
# there, with its key and password loaded.
sv_serve "$T/port" "the silent server" python3 -c '
import socket, sys, time
s = socket.socket(); s.bind(("127.0.0.1", 0)); s.listen(4)
open(sys.argv[1] + ".tmp", "w").write("%d\n" % s.getsockname()[1])
import os; os.rename(sys.argv[1] + ".tmp", sys.argv[1])
c = []
while True:
    c.append(s.accept()[0])
' "$T/port"
cat >"$D/sitevault.conf" <<CONF
[site]
name = branch-01
[server]
url = ftp://127.0.0.1:$(cat "$T/port")/b
user = svuser
tls = none
connect_timeout = 60s
retries = 0
[backup]
data = $D/data
[keys]
secret = $D/site.key
[state]
dir = $D/state
CONF
[ ${#as[@]} -eq 0 ] || chown -R nobody:"$(id -g nobody)" "$D"
"${as[@]}" "$SITEVAULT" -q keygen --out "$D/site.key" >/dev/null
printf 'pw\n' | "${as[@]}" "$SITEVAULT" -q -c "$D/sitevault.conf" credentials

"${as[@]}" "$SITEVAULT" -c "$D/sitevault.conf" backup >"$T/out" 2>&1 &
bk=$!
sv_atexit "kill $bk 2>/dev/null"
# The backup is waiting for the greeting once it has a connection.
for i in $(seq 300); do
	[ -n "$(ss -Htn state established "( dport = :$(cat "$T/port") )")" ] && break
	[ "$i" -lt 300 ] || fail "the backup did not connect: $(cat "$T/out")"
	sleep 0.1
done
pid=$(pgrep -P "$bk" -x sitevault || echo "$bk")
[ -r "/proc/$pid/status" ] || fail "no running backup"
grep -q '^Name:.*sitevault' "/proc/$pid/status" || fail "pid $pid is not sitevault: $(head -1 /proc/$pid/status)"
grep '^Uid:' "/proc/$pid/status"
[ "$(stat -c %u "/proc/$pid/status")" = 0 ] ||
    fail "/proc/$pid/status belongs to uid $(stat -c %u "/proc/$pid/status"): the process is dumpable"
if "${as[@]}" head -c 1 "/proc/$pid/environ" >/dev/null 2>&1; then
	fail "another process of the same user reads /proc/$pid/environ"
fi
if "${as[@]}" python3 -c 'import sys; open(sys.argv[1], "rb")' "/proc/$pid/mem" 2>/dev/null; then
	fail "another process of the same user opens /proc/$pid/mem"
fi
kill "$bk"
ok "a running backup is not dumpable"
