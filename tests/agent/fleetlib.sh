# tests/agent/fleetlib.sh: helpers of the fleet tests (status, report,
# metrics, JSON); source after tests/lib/lib.sh.

# check_json FILE PY: every line of FILE parses as JSON, and the python
# expression PY holds over the list of objects "rows".
check_json() {
	python3 - "$1" "$2" <<'PY' || fail "json check: $2 on $(cat "$1")"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
sys.exit(0 if eval(sys.argv[2]) else 1)
PY
}

# fleet_trusted SITE FILE: the [keys] trusted entry for FILE's key, trusted
# for SITE's backups: "SITE:FILE" (sitevault.conf(5)), or the bare FILE for
# an agent whose parser predates SITE:FILE pairs.
fleet_trusted() {
	local probe=$T/trusted-probe.conf
	"$SITEVAULT" -q keygen --out "$T/trusted-probe.key" >/dev/null 2>&1 || true
	printf '[site]\nname = probe\n[server]\nurl = %s\n[keys]\nsecret = %s\ntrusted = %s:%s\n' \
	    "$T" "$T/trusted-probe.key" "$1" "$2" >"$probe"
	if "$SITEVAULT" -c "$probe" show >/dev/null 2>&1; then
		printf '%s:%s\n' "$1" "$2"
	else
		printf '%s\n' "$2"
	fi
}
