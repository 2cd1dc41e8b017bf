#!/bin/bash
# Interoperability with Debian's stock minisign (0.11), both directions:
# what sitevault signs, minisign verifies; what minisign signs, sitevault
# verifies; tampering fails in both.
. "$top_srcdir/tests/lib/lib.sh"
need minisign age
SIGTOOL=$top_builddir/tests/lib/sigtool

# vec NAME: a test vector block of docs/FORMAT.md.
vec() {
	awk -v name="$1" '
	    $0 == "<!-- vector:" name " -->" { state = 1; next }
	    state == 1 && $0 == "```" { state = 2; next }
	    state == 2 && $0 == "```" { found = 1; exit }
	    state == 2 { print }
	    END { exit !found }' "$top_srcdir/docs/FORMAT.md"
}

# keyid_of PUBFILE: the key id as sitevault prints it (16 hex digits).
keyid_of() {
	local b
	b=($(sed -n 2p "$1" | base64 -d | od -An -tx1 -j2 -N8))
	echo "${b[7]}${b[6]}${b[5]}${b[4]}${b[3]}${b[2]}${b[1]}${b[0]}" | tr a-f A-F
}

# 1. The documented vector verifies with minisign, and a flipped byte fails.
vec site.key.pub >"$T/v.pub"
vec manifest >"$T/manifest"
vec manifest.sig >"$T/manifest.sig"
expect_exit 0 minisign -V -p "$T/v.pub" -m "$T/manifest" -x "$T/manifest.sig"
expect_stdout "Trusted comment: sitevault site=branch-01 category=Configuration id=7 time=2026-11-23T17:00:00Z"
sed 's/^files 42$/files 43/' "$T/manifest" >"$T/manifest.bad"
cmp -s "$T/manifest" "$T/manifest.bad" && fail "sed did not change the manifest"
expect_exit 1 minisign -V -p "$T/v.pub" -m "$T/manifest.bad" -x "$T/manifest.sig"
ok "FORMAT.md vector verifies with minisign; a flipped byte does not"

# 2. A manifest signed with a new sitevault key verifies with minisign -p FILE.pub.
expect_exit 0 "$SITEVAULT" -q keygen --out "$T/site.key"
kid=$(keyid_of "$T/site.key.pub")
rcpt=$(sed -n 3p "$T/site.key.pub")
sed -e "s/^signer .*/signer $kid/" \
    -e "s/^recipient age1s5s0.*/recipient $rcpt/" \
    -e "s/^id 7$/id 12/" "$T/manifest" >"$T/m2"
expect_exit 0 "$SIGTOOL" manifest-sign "$T/site.key" "$T/m2" "$T/m2.sig"
expect_exit 0 minisign -V -p "$T/site.key.pub" -m "$T/m2" -x "$T/m2.sig"
expect_stdout "Trusted comment: sitevault site=branch-01 category=Configuration id=12 "
expect_exit 0 "$SIGTOOL" manifest-verify "$T/site.key.pub" "$T/m2" "$T/m2.sig"
sed 's/^bytes 1234567$/bytes 1234568/' "$T/m2" >"$T/m2.bad"
expect_exit 1 minisign -V -p "$T/site.key.pub" -m "$T/m2.bad" -x "$T/m2.sig"
expect_exit 65 "$SIGTOOL" manifest-verify "$T/site.key.pub" "$T/m2.bad" "$T/m2.sig"
expect_stderr "does not verify"
# The signature of one key does not pass under another.
expect_exit 1 minisign -V -p "$T/v.pub" -m "$T/m2" -x "$T/m2.sig"
expect_exit 65 "$SIGTOOL" manifest-verify "$T/v.pub" "$T/m2" "$T/m2.sig"
expect_stderr "not a trusted key"
ok "sitevault signatures verify with minisign; tampering and other keys fail"

# 3. What minisign -S signs (prehashed by default), sitevault verifies.
minisign -G -W -p "$T/m.pub" -s "$T/m.key" >/dev/null </dev/null ||
	fail "minisign -G -W failed"
printf 'some file\n' >"$T/f"
expect_exit 0 minisign -S -s "$T/m.key" -m "$T/f" -x "$T/f.sig" -t "made by minisign"
expect_exit 0 "$SIGTOOL" verify "$T/m.pub" "$T/f" "$T/f.sig"
expect_stdout "^trusted comment: made by minisign$"
printf 'some filf\n' >"$T/f.bad"
expect_exit 65 "$SIGTOOL" verify "$T/m.pub" "$T/f.bad" "$T/f.sig"
expect_stderr "does not verify"
sed '3s/made by/mad by/' "$T/f.sig" >"$T/f.sig.bad"
expect_exit 65 "$SIGTOOL" verify "$T/m.pub" "$T/f" "$T/f.sig.bad"
expect_stderr "trusted comment signature"
expect_exit 65 "$SIGTOOL" verify "$T/site.key.pub" "$T/f" "$T/f.sig"
expect_stderr "not a trusted key"
# Legacy (non-prehashed) signatures are refused on purpose.
expect_exit 0 minisign -S -l -s "$T/m.key" -m "$T/f" -x "$T/f.legacy"
expect_exit 65 "$SIGTOOL" verify "$T/m.pub" "$T/f" "$T/f.legacy"
expect_stderr "legacy"
ok "minisign signatures verify with sitevault; tampering fails; legacy refused"

# 4. A manifest signed by minisign (another implementation of the format)
#    passes sitevault's full manifest check when it names that signer.
mkid=$(keyid_of "$T/m.pub")
sed "s/^signer .*/signer $mkid/" "$T/manifest" >"$T/m3"
tc="sitevault site=branch-01 category=Configuration id=7 time=2026-11-23T17:00:00Z"
expect_exit 0 minisign -S -s "$T/m.key" -m "$T/m3" -x "$T/m3.sig" -t "$tc"
expect_exit 0 "$SIGTOOL" manifest-verify "$T/m.pub" "$T/m3" "$T/m3.sig"
expect_exit 0 minisign -S -s "$T/m.key" -m "$T/m3" -x "$T/m3.sig" -t "${tc/id=7/id=8}"
expect_exit 65 "$SIGTOOL" manifest-verify "$T/m.pub" "$T/m3" "$T/m3.sig"
expect_stderr "does not match the manifest"
ok "a minisign-made manifest signature passes; a wrong trusted comment fails"
