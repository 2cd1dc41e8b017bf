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
