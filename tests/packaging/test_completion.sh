#!/bin/bash
# The bash completion loads beside bash-completion and completes commands,
# options and categories as the agent's --help names them, and backup ids
# from `sitevault --json list` (under a timeout, and only for verify and
# restore).
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/packaging/ops-lib.sh"
bc=/usr/share/bash-completion/bash_completion
[ -f "$bc" ] || skip "bash-completion is not installed (packaging/install-deps)"
comp=$top_srcdir/packaging/completion/sitevault

# complete WORDS...: what completing the last of WORDS offers, sorted, one
# line; runs in a fresh bash with bash-completion and our file loaded.
complete_words() {
	bash --norc --noprofile -c '
		. "$1"; . "$2"; shift 2
		complete -p sitevault >/dev/null || exit 3
		COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
		COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
		_sitevault sitevault "${COMP_WORDS[COMP_CWORD]}" "${COMP_WORDS[COMP_CWORD - 1]}"
		printf "%s\n" "${COMPREPLY[@]}" | sort | tr "\n" " " | sed "s/ \$//"
	' sh "$bc" "$comp" "$@"
}

bash -n "$comp" || fail "the completion does not parse"
out=$(complete_words sitevault "") || fail "the completion does not load (exit $?)"

# Commands: exactly those of the agent's --help.
"$SITEVAULT" --help >"$T/help"
want=$(sed -n '/^commands:/,/^$/p' "$T/help" | awk '/^  [a-z]/ { print $1 }' | sort | tr '\n' ' ' | sed 's/ $//')
[ -n "$want" ] || fail "could not read the commands from --help"
[ "$out" = "$want" ] || fail "commands: got '$out', want '$want'"

# Each command's options: those its --help synopsis names (plus the global
# ones, which every command accepts too).
while read -r c rest; do
	[ -n "$c" ] || continue
	got=$(complete_words sitevault "$c" --)
	for o in $(awk -v c="$c" '/^  [a-z]/ { on = ($1 == c) } /^$/ { on = 0 } on' "$T/help" | grep -o -- '--[a-z][a-z-]*' | sort -u) \
	    --config --quiet --verbose --json; do
		case " $got " in *" $o "*) ;; *) fail "sitevault $c --: $o missing (got: $got)" ;; esac
	done
done <<<"$want"

# words before the cursor | the word being completed | what is offered
while IFS='|' read -r words cur expected; do
	# shellcheck disable=SC2086
	got=$(complete_words $words "$cur")
	[ "$got" = "$expected" ] || fail "'$words $cur': got '$got', want '$expected'"
done <<'EOF'
sitevault|re|report restore
sitevault -q -c /x|ba|backup
sitevault backup --category||all configuration data
sitevault verify --category|c|configuration
sitevault|--|--config --help --json --quiet --verbose --version
sitevault restore 3|--dry|--dry-run
sitevault list|--all|--all-sites
sitevault show|--|--config --json --quiet --verbose
sitevault backup --description||
sitevault restore --from-site||
sitevault restore --at||
sitevault restore|--inc|--include
sitevault restore latest|--del|--delete
sitevault|st|status
sitevault status|--|--all-sites --config --json --max-age --quiet --verbose
sitevault report|--h|--html
sitevault status --max-age|2|26h 2d
EOF
ok "commands, options and categories complete"

# Ids: a stand-in agent on PATH answers `--json list` as the real one does,
# one object per backup.  Ids are offered for verify and restore only.
mkdir "$T/bin"
cat >"$T/bin/sitevault" <<'EOF'
#!/bin/sh
echo "$@" >>"$CALLS"
case "$*" in *"--json list"*) ;; *) exit 64 ;; esac
[ -n "$NEVER" ] && sleep 3600
printf '{"site":"s","category":"Configuration","id":12,"status":"complete"}\n'
printf '{"site":"s","category":"Data","id": 3,"status":"complete"}\n'
printf '{"site":"s","category":"Data","id":7,"status":"complete"}\n'
EOF
chmod 755 "$T/bin/sitevault"
export CALLS=$T/calls
got=$(PATH=$T/bin:$PATH complete_words sitevault restore "")
[ "$got" = "12 3 7 latest" ] || fail "restore ids: got '$got'"
got=$(PATH=$T/bin:$PATH complete_words sitevault -c /etc/sv.conf verify --category data "")
[ "$got" = "12 3 7 latest" ] || fail "verify ids: got '$got'"
grep -q -- "^-c /etc/sv.conf --json list" "$CALLS" || fail "the id query ignores -c: $(cat "$CALLS")"
got=$(PATH=$T/bin:$PATH complete_words sitevault restore 7 "")
[ -z "$got" ] || fail "an id is offered twice: '$got'"
: >"$CALLS"
PATH=$T/bin:$PATH complete_words sitevault backup "" >/dev/null
PATH=$T/bin:$PATH complete_words sitevault list "" >/dev/null
[ ! -s "$CALLS" ] || fail "the server is asked outside verify/restore"
got=$(SITEVAULT_COMPLETE_IDS=no PATH=$T/bin:$PATH complete_words sitevault verify "")
[ "$got" = latest ] || fail "SITEVAULT_COMPLETE_IDS=no still queries: '$got'"
# A server that never answers: the completion gives up on its own (its
# timeout ends the agent and what it started) and still offers latest.
# Without it the completion would wait an hour: the outer timeout, far
# above the completion's, only turns that hang into a failure.
export bc comp
export -f complete_words
rc=0
got=$(NEVER=1 PATH=$T/bin:$PATH timeout 60 bash -c 'complete_words "$@"' sh \
    sitevault verify "") || rc=$?
[ "$rc" -eq 0 ] || fail "a server that never answers hangs the completion (exit $rc)"
[ "$got" = latest ] || fail "a server that never answers: got '$got'"
ok "backup ids complete for verify and restore, under a timeout"

# Last, as it needs the real agent: ids from a real local store.
sv_site "$T/site" "$SITEVAULT"
sv_run 0 "$SITEVAULT" -q -c "$SV_CONF" backup
sv_run 0 "$SITEVAULT" -c "$SV_CONF" --json list
mkdir "$T/real"
ln -s "$(cd "$(dirname "$SITEVAULT")" && pwd)/$(basename "$SITEVAULT")" "$T/real/sitevault"
got=$(PATH=$T/real:$PATH complete_words sitevault -c "$SV_CONF" restore "")
[ "$got" = "1 latest" ] || fail "ids from the real agent: got '$got'"
ok "backup ids from the real agent"
