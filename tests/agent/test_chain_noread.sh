#!/bin/bash
# An incremental backup decides what changed from lstat() alone: it never
# opens an unchanged file (traced with strace), and it opens a changed one.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3 strace
strace -f -qq -o /dev/null true 2>/dev/null || skip "strace cannot trace here"

sv_store_init local
S=$T/a
sv_tree "$S"
sv_site branch-01 "$S" "full_every = 7"
sv() { "$SITEVAULT" -c "$S/sitevault.conf" "$@"; }
D=$S/live/spool/voicemail

expect_exit 0 sv backup --category data
head -c 1000 /dev/urandom > "$D/1002/Old Messages/msg 2.wav"
# LeakSanitizer cannot run under ptrace (a --enable-sanitizers build).
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0 \
    strace -f -qq -e trace=open,openat,openat2 -o "$T/trace" \
    "$SITEVAULT" -c "$S/sitevault.conf" backup --category data >"$T/out" 2>&1 ||
    { cat "$T/out"; fail "traced backup failed"; }
grep -q 'incremental on Data_1$' "$T/out" || fail "not incremental: $(cat "$T/out")"
grep -q 'msg 2.wav' "$T/trace" || fail "the changed file was not read"
# (ASCII names: strace writes other bytes as escapes.)
for f in msg0001.wav empty.txt; do
	grep -qF "$f\"" "$T/trace" && fail "the unchanged $f was opened: $(grep -F "$f" "$T/trace")"
done
ok "an incremental backup opens the changed file and no unchanged one"
