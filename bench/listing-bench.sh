#!/bin/bash
# bench/listing-bench.sh [ENTRIES]: peak RSS of `sitevault list` when the
# site directory's FTP listing holds ENTRIES more entries (default 210000)
# with 250-byte names (about 60 MB, under the 64 MiB listing cap), against
# the same with a tenth of them: tests/lib/badftpd.py serves both on
# 127.0.0.1.  The listing is parsed as it arrives, never held: memory grows
# only with what the entries need, reported per entry.  Run by
# `make bench-listing` (and `make bench`).
set -eu
entries=${1:-210000}
: "${top_srcdir:=$(cd "$(dirname "$0")/.." && pwd)}"
. "$top_srcdir/bench/lib.sh"
. "$top_srcdir/tests/lib/site.sh"
need python3
bench_need_time

sv_badftpd_site
sv_tree "$S"
"$SITEVAULT" -q -c "$S/sitevault.conf" backup || fail "the first backup failed"

# list_rss N: `sitevault list` with N more entries; sets t_s and t_kb.
list_rss() {
	printf '{"bulk": {"branch-01": [%d, 250]}}\n' "$1" >"$B"
	timed "$SITEVAULT" -c "$S/sitevault.conf" list >"$T/out" 2>&1 ||
		{ cat "$T/out" >&2; fail "list with $1 more entries failed"; }
	grep -qE '^Data +[0-9]+ .* complete' "$T/out" ||
		fail "list with $1 more entries: $(cat "$T/out")"
}
small=$((entries / 10))
echo "bench: sitevault list, $small and $entries more entries of 250 bytes"
list_rss "$small"
small_s=$t_s small_kb=$t_kb
list_rss "$entries"
printf '\n%-28s %10s %10s %14s\n' listing entries "wall (s)" "peak RSS"
printf '%-28s %10d %10.2f %10d KiB\n' "sitevault list" "$small" "$small_s" "$small_kb"
printf '%-28s %10d %10.2f %10d KiB\n' "sitevault list" "$entries" "$t_s" "$t_kb"
printf 'peak RSS ratio %d/%d entries: %s; %d bytes per entry more\n' \
    "$entries" "$small" "$(ratio "$t_kb" "$small_kb")" \
    $(((t_kb - small_kb) * 1024 / (entries - small)))
