#!/bin/bash
# tests/transport/test_transport_local.sh: the local directory store through the same
# operations as the FTP servers, plus what only it has (fsync'd rename,
# a missing store directory).
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/transport/transport-lib.sh"

mkdir -p "$T/store"
tv_conf "$T/local.conf" "$T/store"
ops_suite "$T/local.conf" "$T/store"
ok "operations"

tv_conf "$T/url.conf" "file://$T/store"
tt 0 "$T/url.conf" connect -- tls -- free "" -- mkdir a -- list ""
out_has "na"
out_has "d 0 a"
grep -qE '^[0-9]+$' "$T/stdout" || fail "free space not reported"
ok "file:// URL, free space"

# Files are private (umask 077 in the tool, as in the agent).
printf 'x' >"$T/x"
tt 0 "$T/local.conf" put a/x "$T/x"
[ "$(stat -c %a "$T/store/a/x")" = 600 ] || fail "stored file mode $(stat -c %a "$T/store/a/x")"

# A store directory that is missing (an NFS mount that is not mounted) is
# unavailable, and never created.
tv_conf "$T/gone.conf" "$T/not-mounted"
tt 69 "$T/gone.conf" connect
expect_stderr "store directory missing"
tt 69 "$T/gone.conf" mkdir branch-01
# Not an empty listing either: "no backups" would hide the unmounted store.
tt 69 "$T/gone.conf" list ""
expect_stderr "store directory missing"
tt 69 "$T/gone.conf" list branch-01
expect_stderr "store directory missing"
tt 69 "$T/gone.conf" exists branch-01/SITE
[ ! -e "$T/not-mounted" ] || fail "missing store directory was created"
ok "missing store directory"

# An empty store directory: everything under it is missing, not an error.
mkdir "$T/empty"
tv_conf "$T/empty.conf" "$T/empty"
tt 0 "$T/empty.conf" list "" -- list branch-01 -- exists branch-01/SITE \
    -- list branch-01/Data_1
[ "$(tr '\n' ' ' <"$T/stdout")" = "# missing 0 # missing " ] ||
    fail "empty store: got $(tr '\n' ' ' <"$T/stdout")"
ok "empty store directory"

# A store at "/": messages name paths with one slash.
tv_conf "$T/slash.conf" /
printf 'abc' >"$T/store/three"
tt 65 "$T/slash.conf" getbuf "${T#/}/store/three" 2
expect_stderr "^transport_tool: $T/store/three: larger than 2 bytes$"
ok "store at /: one slash in messages"

streamed "$T/local.conf" "$(big_size)"
ok "streaming"
