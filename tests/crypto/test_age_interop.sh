#!/bin/bash
# Interoperability of common/age (through tests/crypto/agetool) with Debian's
# age: files sitevault writes open with `age -d -i`, files `age -r` writes
# open with agetool, keys agree with age-keygen, at sizes around the 64 KiB
# chunk; and tampering is refused by both.
. "$top_srcdir/tests/lib/lib.sh"
need age age-keygen cmp head
AGETOOL=$top_builddir/tests/crypto/agetool
[ -x "$AGETOOL" ] || fail "$AGETOOL not built"

# Keys: one from age-keygen, one from agetool; each side reads the other's.
age-keygen -o "$T/k1" 2>/dev/null
r1=$(age-keygen -y "$T/k1")
"$AGETOOL" -k > "$T/k2.both"
head -n 1 "$T/k2.both" > "$T/k2"
r2=$(tail -n 1 "$T/k2.both")
[ "$(age-keygen -y "$T/k2")" = "$r2" ] || fail "age-keygen -y disagrees with age_public"
ok "keys: age-keygen -y gives agetool's recipient"

for size in 0 1 1000 65535 65536 65537 131072 200000 1048576; do
	head -c "$size" /dev/urandom > "$T/p"
	# sitevault -> age, two recipients, each identity opens it
	"$AGETOOL" -e -r "$r1" -r "$r2" < "$T/p" > "$T/c1"
	for k in k1 k2; do
		age -d -i "$T/$k" "$T/c1" > "$T/o" || fail "age -d ($k) of $size B"
		cmp -s "$T/p" "$T/o" || fail "age -d ($k) of $size B: wrong plaintext"
	done
	# age -> sitevault
	age -r "$r1" -r "$r2" -o "$T/c2" "$T/p"
	for k in k1 k2; do
		"$AGETOOL" -d -i "$T/$k" < "$T/c2" > "$T/o" || fail "agetool -d ($k) of $size B"
		cmp -s "$T/p" "$T/o" || fail "agetool -d ($k) of $size B: wrong plaintext"
	done
	ok "$size B both ways"
done

# Refusals on both sides: a wrong key, a flipped payload byte, a cut file.
head -c 150000 /dev/urandom > "$T/p"
age-keygen -o "$T/k3" 2>/dev/null
age -r "$r1" -o "$T/c2" "$T/p"
expect_exit 1 "$AGETOOL" -d -i "$T/k3" < "$T/c2"
expect_stderr 'no identity matches'
size=$(stat -c %s "$T/c2")
cp "$T/c2" "$T/bad"
flip_byte "$T/bad" $((size - 100))
expect_exit 1 "$AGETOOL" -d -i "$T/k1" < "$T/bad"
expect_stderr 'chunk does not verify.*chunk 2'
# the two full chunks verified and were released; the bad one was not
[ "$(stat -c %s "$T/stdout")" -eq 131072 ] || fail "released plaintext of a bad chunk"
"$AGETOOL" -e -r "$r1" < "$T/p" > "$T/c1"
head -c $(( $(stat -c %s "$T/c1") - (150000 - 131072) - 16 )) "$T/c1" > "$T/cut"
expect_exit 1 "$AGETOOL" -d -i "$T/k1" < "$T/cut"
expect_stderr 'truncated'
expect_exit 1 age -d -i "$T/k1" "$T/cut"
cp "$T/c1" "$T/bad"
flip_byte "$T/bad" $(( $(stat -c %s "$T/c1") - 100 ))
expect_exit 1 age -d -i "$T/k1" "$T/bad"
ok "refusals: wrong key, flipped byte, truncation"
