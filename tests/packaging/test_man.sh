#!/bin/bash
# The manuals: sitevault(8) and sitevault.conf(5) render without a single
# warning (groff -ww, man --warnings as lintian runs it, mandoc -Tlint when
# installed), and document every command, option, exit code and key.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/packaging/ops-lib.sh"
need groff man col

man8=$top_srcdir/packaging/man/sitevault.8
man5=$top_srcdir/packaging/man/sitevault.conf.5
export LC_ALL=C.UTF-8 MANWIDTH=80

for page in "$man8" "$man5"; do
	# -ww: all warnings; -z: no output, diagnostics only.
	groff -ww -mandoc -z "$page" 2>"$T/groff.err" || fail "groff failed on $page"
	[ ! -s "$T/groff.err" ] || { cat "$T/groff.err" >&2; fail "groff warns on $page"; }
	# What lintian runs on installed manuals.
	man --warnings -E UTF-8 -l -Tutf8 -Z "$page" >/dev/null 2>"$T/man.err" ||
	    fail "man --warnings failed on $page"
	[ ! -s "$T/man.err" ] || { cat "$T/man.err" >&2; fail "man warns on $page"; }
	if command -v mandoc >/dev/null 2>&1; then
		mandoc -Tlint -Wwarning "$page" >"$T/lint" 2>&1 ||
		    { cat "$T/lint" >&2; fail "mandoc -Tlint on $page"; }
	fi
	man -l "$page" 2>"$T/man.err" | col -bx >"$T/$(basename "$page").txt"
	[ ! -s "$T/man.err" ] || { cat "$T/man.err" >&2; fail "man -l $page wrote to stderr"; }
	grep -q '^NAME' "$T/$(basename "$page").txt" || fail "man -l $page rendered no NAME"
done
ok "both pages render without warnings"

# A page with a real mistake must be caught, or the checks above prove
# nothing.
printf '.TH X 8\n.SH NAME\nx \\- y\n.BOGUS\n' >"$T/bad.8"
groff -ww -man -z "$T/bad.8" 2>"$T/groff.err" || true
[ -s "$T/groff.err" ] || fail "groff -ww does not flag an unknown macro"

txt8=$T/sitevault.8.txt
txt5=$T/sitevault.conf.5.txt

# Every command and long option the agent's --help names is documented.
"$SITEVAULT" --help >"$T/help"
cmds=$(sed -n '/^commands:/,/^$/p' "$T/help" | awk '/^  [a-z]/ { print $1 }')
[ "$(echo "$cmds" | wc -w)" -ge 10 ] || fail "could not read the commands from --help"
for c in $cmds; do
	grep -q "^\.It Cm $c\b" "$man8" || fail "sitevault.8 has no entry for command $c"
	grep -q "^\.Cm $c\$" "$man8" || fail "sitevault.8 SYNOPSIS lacks $c"
done
for o in $(grep -o -- '--[a-z][a-z-]*' "$T/help" | sort -u); do
	grep -q "Fl Fl ${o#--}\b" "$man8" || fail "sitevault.8 does not document $o"
done
for o in -c -q -v -h -V; do
	grep -q "Fl ${o#-}\b" "$man8" || fail "sitevault.8 does not document $o"
done
ok "every command and option of --help is in sitevault(8)"

# Every exit code, in the EXIT STATUS section.
sed -n '/^EXIT STATUS/,/^[A-Z]/p' "$txt8" >"$T/exit"
for code in 0 64 65 66 69 73 74 75 77 78; do
	grep -qE "^ +$code +[A-Z]" "$T/exit" || fail "EXIT STATUS lacks $code"
done

# The sections and examples the issue asks for.
for re in '^ENVIRONMENT' 'SITEVAULT_CONFIG' '^FILES' '^EXAMPLES' \
    'systemctl enable --now sitevault-backup.timer' '/etc/cron.d/sitevault' \
    'sitevault -q backup' '--from-site branch-01' '--identity /media/safe/escrow.key' \
    'minisign -V -p site.key.pub -m manifest -x manifest.sig' \
    'cat ../Data_42/part.\* \| age -d -i site.key \| zstd -d \| tar -x' \
    '--json list --all-sites' '/var/lib/sitevault/'; do
	grep -qE -- "$re" "$txt8" || fail "sitevault.8 lacks: $re"
done
ok "exit codes, environment, files and examples are in sitevault(8)"

# sitevault.conf(5): every key, with its default.  The keys come from the
# shipped example configuration (commented-out keys included) and, when
# present, from SPEC section 3.
keys=$(sed -nE 's/^#?([a-z_]+) = .*/\1/p' "$top_srcdir/config/sitevault.conf" | sort -u)
if [ -f "$SHARED_DIR/SPEC.md" ]; then
	keys="$keys $(sed -n '/^## 3\./,/^## 4\./p' "$SHARED_DIR/SPEC.md" |
	    sed -nE 's/^([a-z_]+) = .*/\1/p')"
fi
keys=$(echo $keys | tr ' ' '\n' | sort -u)
[ "$(echo "$keys" | wc -l)" -ge 20 ] || fail "found only $(echo $keys) as keys"
for k in $keys; do
	grep -q "^\.It Cm $k No = " "$man5" || fail "sitevault.conf.5 lacks key $k"
done

# key|default as sitevault.conf(5) must state it (words joined again where
# man hyphenated them).
while IFS='|' read -r key def; do
	awk -v k="     $key = " 'index($0, k) == 1 { on = 1 } on && /^$/ { exit } on' \
	    "$txt5" | tr -s ' \n' ' ' | sed 's/‐ //g' >"$T/para"
	grep -qF "Default: $def" "$T/para" ||
	    { cat "$T/para" >&2; fail "sitevault.conf.5: $key does not default to $def"; }
done <<'EOF'
tls|required
connect_timeout|‘30s’
stall_timeout|‘60s’
retries|‘5’; range 0 to 100
retain|‘20’; at least 1
compression|‘zstd:3’
part_size|‘16M’; range 64K to 4G
verify_after_upload|no
secret|/etc/sitevault/site.key
dir|/var/lib/sitevault
EOF
tr -s ' \n' ' ' <"$txt5" | sed 's/‐ //g' >"$T/all5"
grep -q 'gzip with level N from 1 to 9' "$T/all5" || fail "gzip range missing"
grep -q 'zstd with level 1 to 19' "$T/all5" || fail "zstd range missing"
ok "every key of sitevault.conf(5), with defaults and ranges"
