#!/bin/bash
# bench/fleet-status.sh [SITES] [BACKUPS]: time `sitevault status
# --all-sites` over a generated server tree (local-directory store) of
# SITES sites (default 50) with BACKUPS complete backups each (default 20,
# of one small category), every site signing with its own key, trusted by
# the administrator's configuration.  Reports the cold run (every manifest
# downloaded and verified, the cache filled) and the median of 5 warm runs
# (manifests from the cache, verified again).  Target (issue 12): warm
# under 1 s for 50 x 20.  Run by `make bench-fleet` (and `make bench`).
set -eu
sites=${1:-50}
backups=${2:-20}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
need python3

S=$T/store
mkdir -p "$S" "$T/src/etc"
printf 'user=1001\n' >"$T/src/etc/users.conf"
echo "bench: generating $sites sites x $backups backups in $S"
start=$SECONDS
trusted=""
for i in $(seq -w 1 "$sites"); do
	d=$T/site$i
	mkdir -p "$d"
	"$SITEVAULT" -q keygen --out "$d/site.key" >/dev/null
	cat >"$d/conf" <<CONF
[site]
name = branch-$i
[server]
url = $S
[backup]
configuration = $T/src/etc
retain = $backups
[keys]
secret = $d/site.key
[state]
dir = $d/state
CONF
	for b in $(seq 1 "$backups"); do
		"$SITEVAULT" -q -c "$d/conf" backup || fail "backup $b of branch-$i"
	done
	[ "$i" = "$(seq -w 1 "$sites" | head -1)" ] || trusted="$trusted branch-$i:$d/site.key.pub"
done
echo "bench: generated in $((SECONDS - start)) s"

# The administrator's view from the first site, trusting every other.
admin=$T/site$(seq -w 1 "$sites" | head -1)/conf
python3 - "$admin" "$trusted" <<'PY'
import sys
p, trusted = sys.argv[1], sys.argv[2].split()
text = open(p).read()
text = text.replace("[keys]\n", "[keys]\ntrusted = %s\n" % " ".join(trusted), 1)
open(p, "w").write(text)
PY

run() {	# one status run; prints its wall time in seconds
	local t0 t rc=0
	t0=$(date +%s.%N)
	"$SITEVAULT" -c "$admin" -q status --all-sites >"$T/out" 2>&1 || rc=$?
	t=$(wall_since "$t0" 3)
	[ "$rc" -eq 0 ] || { cat "$T/out" >&2; fail "status exit $rc"; }
	echo "$t"
}
cold=$(run)
warm=$(for i in 1 2 3 4 5; do run; done | sort -n | sed -n 3p)
rows=$("$SITEVAULT" -c "$admin" --json status --all-sites | wc -l)
[ "$rows" -eq "$sites" ] || fail "status --all-sites: $rows rows, want $sites"
echo "bench: status --all-sites, $sites sites x $backups backups ($rows rows):" \
    "cold ${cold} s, warm ${warm} s (median of 5)"
