#!/bin/sh
# tests/lib/check-layers.sh [TOP]: the layering of common/ (README.md, "For
# developers").  Every #include "L/x.h" of a file in common/M/ must name the
# same folder or a lower layer, and a folder's *_internal.h headers may be
# included only from that folder (and from its tests, tests/M/).  Prints
# each violation as FILE:LINE: why, and exits 1 if there is one.
set -u
top=${1:-.}
cd "$top" || exit 2

# Lowest first; calls go down.  archive and transport are siblings: neither
# includes the other.
rank() {
	case $1 in
	util) echo 0 ;; conf) echo 1 ;; crypto) echo 2 ;; format) echo 3 ;;
	archive) echo 4 ;; transport) echo 4 ;; store) echo 5 ;; run) echo 6 ;;
	agent) echo 7 ;; *) echo -1 ;;
	esac
}

bad=0
for f in $(find common agent tests bench -name '*.[ch]' 2>/dev/null | sort); do
	case $f in
	common/*/*) from=$(echo "$f" | cut -d/ -f2) ;;
	common/*) echo "$f: a source file directly in common/; put it in its layer's folder"; bad=1; continue ;;
	agent/*) from=agent ;;
	tests/*/*) from=tests:$(echo "$f" | cut -d/ -f2) ;;
	*) from=other ;;
	esac
	grep -n '^[[:space:]]*#[[:space:]]*include[[:space:]]*"[a-z]*/[^"]*"' "$f" |
	    sed 's/^\([0-9]*\):.*"\([^"]*\)".*/\1 \2/' |
	while read -r line inc; do
		layer=${inc%%/*}
		[ "$layer" = ".." ] && continue		# a test helper beside it
		r=$(rank "$layer")
		[ "$r" -ge 0 ] || continue		# not a common/ folder
		if [ ! -f "common/$inc" ]; then
			echo "$f:$line: includes \"$inc\", which is not in common/"
			echo x; continue
		fi
		case $inc in
		*_internal.h)
			if [ "$from" != "$layer" ] && [ "$from" != "tests:$layer" ]; then
				echo "$f:$line: includes $inc, internal to common/$layer/"
				echo x
			fi ;;
		esac
		case $from in
		tests:*|other) continue ;;
		esac
		[ "$from" = "$layer" ] && continue
		fr=$(rank "$from")
		if [ "$r" -ge "$fr" ]; then
			echo "$f:$line: common/$from/ includes $inc: calls go down the layers (util conf crypto format archive|transport store run), never up or sideways"
			echo x
		fi
	done > "${TMPDIR:-/tmp}/layers.$$"
	if grep -q '^x$' "${TMPDIR:-/tmp}/layers.$$"; then
		grep -v '^x$' "${TMPDIR:-/tmp}/layers.$$"
		bad=1
	fi
	rm -f "${TMPDIR:-/tmp}/layers.$$"
done
exit $bad
