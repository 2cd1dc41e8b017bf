#!/bin/bash
# The Debian package: built with dpkg-buildpackage from a clean copy of the
# distributed sources (as a release would be), lintian finds no error, it
# holds every file with the right Depends, and its program runs from a
# throwaway root.  In CI (CI=true, as root) it is also installed on the
# machine: the user, the directories, their owners and modes, then purged.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/packaging/ops-lib.sh"
need dpkg-buildpackage dpkg-deb dpkg-parsechangelog dh fakeroot lintian objdump

version=$("$SITEVAULT" --version | awk '{ print $2 }')
[ -n "$version" ] || fail "no version from $SITEVAULT --version"
arch=$(dpkg --print-architecture)

# A clean source tree: what `make dist` would pack, with debian/ beside it.
src=$T/src/sitevault-$version
mkdir "$T/src"
if ! sv_make distdir distdir="$src" >"$T/dist.log" 2>&1; then
	cat "$T/dist.log" >&2
	missing=$(sed -n "s/.*No rule to make target '\([^']*\)', needed by 'distdir-am'.*/\1/p" "$T/dist.log")
	[ -z "$missing" ] || fail "make distdir: Makefile.am distributes $missing, which is not in the source tree"
	fail "make distdir"
fi
cp -r "$src/packaging/debian" "$src/debian"
debver=$(cd "$src" && dpkg-parsechangelog -S Version)
case $debver in
"$version"-*) ;;
*) fail "debian/changelog is at $debver but the program at $version: add an entry (dch -v $version-1)" ;;
esac

start=$SECONDS
(cd "$src" && env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
    DEB_BUILD_OPTIONS=nocheck dpkg-buildpackage -us -uc -b) >"$T/build.log" 2>&1 ||
    { tail -60 "$T/build.log" >&2; fail "dpkg-buildpackage failed (log above)"; }
deb=$T/src/sitevault_${debver}_$arch.deb
[ -f "$deb" ] || fail "no $deb"
ok "dpkg-buildpackage built $(basename "$deb") in $((SECONDS - start))s"

# lintian: no errors.  Warnings are shown, not fatal.  Exit 1 means tags at
# the --fail-on level, anything else that lintian itself failed.
rc=0
lintian --fail-on error "$T/src/sitevault_${debver}_$arch.changes" \
    >"$T/lintian" 2>"$T/lintian.err" || rc=$?
if [ "$rc" -ne 0 ] || grep -q '^E:' "$T/lintian"; then
	cat "$T/lintian" "$T/lintian.err" >&2
	fail "lintian reports errors (exit $rc)"
fi
cat "$T/lintian"
ok "lintian: no errors, $(grep -c '^W:' "$T/lintian" || true) warnings"

# The files, and which of them are conffiles.
dpkg-deb -c "$deb" | awk '{ print $1, $6 }' >"$T/contents"
for f in "-rwxr-xr-x ./usr/bin/sitevault" \
    "-rw-r--r-- ./etc/sitevault/sitevault.conf" \
    "-rw-r--r-- ./etc/cron.d/sitevault" \
    "-rw-r--r-- ./etc/logrotate.d/sitevault" \
    "-rw-r--r-- ./lib/systemd/system/sitevault-backup.service" \
    "-rw-r--r-- ./lib/systemd/system/sitevault-backup.timer" \
    "-rw-r--r-- ./lib/systemd/system/sitevault-failure@.service" \
    "-rwxr-xr-x ./usr/libexec/sitevault/sitevault-failure-mail" \
    "-rw-r--r-- ./usr/share/man/man8/sitevault.8.gz" \
    "-rw-r--r-- ./usr/share/man/man5/sitevault.conf.5.gz" \
    "-rw-r--r-- ./usr/share/doc/sitevault/examples/sitevault.conf" \
    "-rw-r--r-- ./usr/share/bash-completion/completions/sitevault" \
    "drwxr-xr-x ./var/lib/sitevault/"; do
	grep -qxF -- "$f" "$T/contents" || fail "the package lacks: $f"
done
dpkg-deb --ctrl-tarfile "$deb" | tar -xO ./conffiles | sort >"$T/conffiles"
printf '%s\n' /etc/cron.d/sitevault /etc/logrotate.d/sitevault \
    /etc/sitevault/sitevault.conf | cmp -s - "$T/conffiles" ||
    { cat "$T/conffiles" >&2; fail "conffiles"; }
ok "package contents and conffiles"

# Depends: every library the program links, by the package that ships it
# (what dh_shlibdeps must find), and adduser for postinst.
X=$T/root
dpkg-deb -x "$deb" "$X"
depends=$(dpkg-deb -f "$deb" Depends)
for lib in $(objdump -p "$X/usr/bin/sitevault" | awk '$1 == "NEEDED" { print $2 }'); do
	pkg=$(dpkg -S "*/$lib" 2>/dev/null | sed -n '1s/[:,].*//p')
	[ -n "$pkg" ] || fail "no package ships $lib"
	case ", $depends" in *", $pkg "* | *", $pkg,"* | *", $pkg") ;;
	*) fail "Depends ($depends) lacks $pkg for $lib" ;; esac
done
case ", $depends," in *", adduser,"*) ;; *) fail "Depends lacks adduser" ;; esac
[ "$(dpkg-deb -f "$deb" Recommends)" = "age, minisign, zstd" ] ||
    fail "Recommends is $(dpkg-deb -f "$deb" Recommends)"
"$X/usr/bin/sitevault" --version | grep -qx "sitevault $version" ||
    fail "the packaged program is not version $version"
ok "Depends ($depends), Recommends, --version from a throwaway root"

# Installed for real, only in CI (the machine is disposable there).
if [ "${CI:-}" = true ] && [ "$(id -u)" -eq 0 ]; then
	sv_atexit "dpkg --purge sitevault >/dev/null 2>&1"
	if ! dpkg-query -W -f '${Status}' sitevault 2>/dev/null | grep -q installed &&
	    getent passwd sitevault >/dev/null; then
		deluser --quiet --system sitevault >/dev/null	# left by an earlier run
	fi
	dpkg -i "$deb" >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log" >&2; fail "dpkg -i"; }
	getent passwd sitevault >"$T/pw" || fail "postinst created no user sitevault"
	IFS=: read -r _ _ uid gid _ home shell <"$T/pw"
	[ "$uid" -lt 1000 ] || fail "sitevault is not a system user (uid $uid)"
	[ "$(getent group sitevault | cut -d: -f3)" = "$gid" ] || fail "no group sitevault"
	[ "$home" = /var/lib/sitevault ] || fail "home is $home"
	case $shell in */nologin | /bin/false) ;; *) fail "login shell $shell" ;; esac
	while read -r path want; do
		got=$(stat -c '%U:%G %a' "$path") || fail "missing $path"
		[ "$got" = "$want" ] || fail "$path is $got, not $want"
	done <<-'EOF'
	/etc/sitevault root:sitevault 750
	/etc/sitevault/sitevault.conf root:sitevault 640
	/var/lib/sitevault sitevault:sitevault 700
	/usr/bin/sitevault root:root 755
	EOF
	[ -L /etc/systemd/system/timers.target.wants/sitevault-backup.timer ] ||
	    fail "the timer is not enabled"
	/usr/bin/sitevault --version | grep -qx "sitevault $version" ||
	    fail "/usr/bin/sitevault --version"
	logrotate -d /etc/logrotate.d/sitevault >"$T/lr" 2>&1 ||
	    { cat "$T/lr" >&2; fail "logrotate rejects /etc/logrotate.d/sitevault"; }
	ok "installed: user sitevault, directories, owners and modes, timer enabled"

	dpkg --purge sitevault >"$T/dpkg.log" 2>&1 || { cat "$T/dpkg.log" >&2; fail "dpkg --purge"; }
	for p in /etc/sitevault /var/lib/sitevault /usr/bin/sitevault /etc/cron.d/sitevault \
	    /etc/systemd/system/timers.target.wants/sitevault-backup.timer; do
		[ ! -e "$p" ] && [ ! -L "$p" ] || fail "purge left $p"
	done
	ok "purged: configuration, state and units gone"
else
	echo "note: not installed on this machine (only with CI=true as root)"
fi

# Last, as it needs the real agent: `sitevault check` from the package's
# program against a local store.
sv_site "$T/site" "$X/usr/bin/sitevault"
sv_run 0 "$X/usr/bin/sitevault" -c "$SV_CONF" check
grep -q PASS "$T/stdout" || fail "check printed no PASS line"
! grep -q FAIL "$T/stdout" || { cat "$T/stdout" >&2; fail "check reports FAIL"; }
ok "the packaged sitevault passes check against a local store"
