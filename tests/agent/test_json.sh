#!/bin/bash
# --json everywhere: every command prints JSON and nothing else on stdout,
# one object per line, "nothing to do" included; a field has one type in
# every command (an id is a number in list, history, verify and status).
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/agent/backuplib.sh"
need python3

S=$T/store
mkdir -p "$S"
bk_tree 16 2
bk_keygen
bk_conf "$T/conf" "$S" "backup.retain = 1"
# An FTP configuration, for credentials (which never connects).
sed -e "s|^url = .*|url = ftp://127.0.0.1:9/backups\nuser = bkpuser|" "$T/conf" >"$T/ftp.conf"
sv() { "$SITEVAULT" -c "$T/conf" --json "$@"; }
: >"$T/all"

# run CODE NAME CMD...: run CMD (exit CODE); every line of its stdout must
# be one JSON object, and at least one line must be there.
run() {
	local want=$1 name=$2; shift 2
	expect_exit "$want" "$@"
	python3 - "$T/stdout" "$name" <<'PY' || fail "$name: not JSON lines: $(head -c 600 "$T/stdout")"
import json, sys
lines = open(sys.argv[1], encoding="utf-8").read().split("\n")
assert lines[-1] == "", "no newline at the end"
assert len(lines) > 1, "nothing printed"
for l in lines[:-1]:
    o = json.loads(l)
    assert isinstance(o, dict), "not an object: %r" % l
PY
	sed "s/^/$name\t/" "$T/stdout" >>"$T/all"
}

# Nothing there yet: each says so in an object.
run 0 list-empty sv list
run 0 list-all-empty sv list --all-sites
run 0 history-empty sv history
run 0 prune-nothing sv prune
run 0 prune-dry-nothing sv prune --dry-run
run 2 status-missing sv status
run 0 keygen sv keygen --out "$T/other.key"
printf 'secret\n' | run 0 credentials "$SITEVAULT" -c "$T/ftp.conf" --json credentials
run 0 show sv show
run 0 check sv check
run 0 backup sv backup --description 'first "quoted" <run>'
run 0 backup2 sv backup
run 0 list sv list
run 0 list-all sv list --all-sites
run 0 history sv history
run 0 verify sv verify
run 0 verify-id sv verify 2 --category data
run 0 restore-dry sv restore --dry-run --target "$T/restored"
run 0 restore sv restore --target "$T/restored"
run 0 prune-dry sv prune --dry-run
run 0 prune sv prune
run 0 status sv status
run 0 status-all sv status --all-sites
run 0 report sv report --html "$T/r.html"
sleep 2	# older than --max-age 1s now
run 1 status-stale sv status --max-age 1s
ok "every command prints JSON lines only, nothing-to-do included"

# One type per field, across every command above; ids are numbers.
python3 - "$T/all" <<'PY' || fail "field types differ between commands"
import json, sys, collections
types = collections.defaultdict(set)
where = collections.defaultdict(set)
def walk(o, cmd, prefix=""):
    for k, v in o.items():
        path = prefix + k
        if isinstance(v, dict):
            walk(v, cmd, path + ".")
        elif isinstance(v, list):
            for x in v:
                if isinstance(x, dict):
                    walk(x, cmd, path + "[].")
        if v is not None:
            types[path].add(type(v).__name__)
            where[path].add(cmd)
cmds = set()
for line in open(sys.argv[1], encoding="utf-8"):
    cmd, text = line.rstrip("\n").split("\t", 1)
    cmds.add(cmd)
    walk(json.loads(text), cmd)
bad = {k: (v, sorted(where[k])) for k, v in types.items() if len(v) > 1}
for k, v in bad.items():
    print("field %s: types %s in %s" % (k, v[0], v[1]), file=sys.stderr)
for c in ("list", "history", "verify-id", "status"):
    assert c in where["id"], "no id in %s" % c
assert types["id"] == {"int"}, "id is %s" % types["id"]
sys.exit(1 if bad else 0)
PY
ok "one type per field across commands; ids are numbers in list, history, verify and status"
