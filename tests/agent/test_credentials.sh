#!/bin/bash
# tests/agent/test_credentials.sh: `sitevault credentials` writes the sealed
# password into the configuration file in place (every other byte, the
# mode and the owner kept; symlinks followed), reads it without echo on a
# terminal (and restores the terminal when interrupted), or from stdin;
# the value opens only with the site key, and a real login uses it.
. "$top_srcdir/tests/lib/lib.sh"
. "$top_srcdir/tests/lib/ftpd.sh"
need python3

expect_exit 0 "$SITEVAULT" keygen --out "$T/site.key"
expect_exit 0 "$SITEVAULT" keygen --out "$T/other.key"

# The file as an administrator writes it: comments, blank lines, inline
# comments, a CRLF line, [server] not last.
conf() {
	printf '# sitevault test configuration\n[site]\nname = branch-01   # the site\n\n'
	printf '[server]\r\nurl = %s/store   # central server\n' "$1"
	printf 'user = %s\n%s\n# end of server\n\n' "$2" "${3:-}"
	printf '[keys]\nsecret = %s\n\n[state]\ndir = %s/state\n' "${4:-$T/site.key}" "$T"
}

pwin() { printf '%s\n' "$1" | "$SITEVAULT" -c "$2" credentials; }

conf ftp://127.0.0.1:1 svtest "tls = none" >"$T/sv.conf"
cp "$T/sv.conf" "$T/orig.conf"
chmod 640 "$T/sv.conf"
# As root the file must stay root's (sitevault(8), SECURITY): the group
# shows that the owner is kept.
owner=$(id -un):$(id -gn)
if [ "$(id -u)" -eq 0 ]; then owner=root:nogroup; chgrp nogroup "$T/sv.conf"; fi
expect_exit 0 pwin 'first secret' "$T/sv.conf"
expect_stdout "stored in"
# Exactly one line added, after the last key of [server].
diff "$T/orig.conf" "$T/sv.conf" >"$T/diff" && fail "file unchanged"
[ "$(grep -c '^[<>]' "$T/diff")" -eq 1 ] || { cat "$T/diff"; fail "more than one line changed"; }
grep -q '^8a9$' "$T/diff" || { cat "$T/diff"; fail "credentials not after the last [server] key"; }
grep -q '^> credentials = hidden:[A-Za-z0-9+/=]*$' "$T/diff" || fail "bad line: $(cat "$T/diff")"
! grep -q 'first secret' "$T/sv.conf" || fail "password in clear in the file"
[ "$(stat -c '%a %U:%G' "$T/sv.conf")" = "640 $owner" ] ||
    fail "mode/owner not kept: $(stat -c '%a %U:%G' "$T/sv.conf")"
ok "inserted; mode, owner and other bytes kept"

# Again: the line is replaced, its trailing comment kept.
sed -i 's/^credentials = .*/&   # set by sitevault/' "$T/sv.conf"
cp "$T/sv.conf" "$T/before.conf"
expect_exit 0 pwin 'second secret' "$T/sv.conf"
diff "$T/before.conf" "$T/sv.conf" >"$T/diff" && fail "value unchanged"
[ "$(grep -c '^[<>]' "$T/diff")" -eq 2 ] || { cat "$T/diff"; fail "not one line replaced"; }
grep -q '^> credentials = hidden:[A-Za-z0-9+/=]*   # set by sitevault$' "$T/diff" ||
    fail "comment not kept: $(cat "$T/diff")"
[ "$(grep -c credentials "$T/sv.conf")" -eq 1 ] || fail "duplicate credentials lines"
ls -a "$T" | grep -q '^\.sv\.conf\.' && fail "temporary file left"
ok "replaced in place"

# Through a symlink: the target is rewritten, the link stays.
ln -s "$T/sv.conf" "$T/link.conf"
expect_exit 0 pwin 'third secret' "$T/link.conf"
[ -L "$T/link.conf" ] || fail "symlink replaced by a file"
ok "symlink followed"

# Refusals leave the file alone.
cp "$T/sv.conf" "$T/before.conf"
expect_exit 64 "$SITEVAULT" -c "$T/sv.conf" credentials </dev/null
expect_stderr "no password"
expect_exit 64 "$SITEVAULT" -c "$T/sv.conf" credentials extra </dev/null
chmod 644 "$T/site.key"
expect_exit 77 pwin 'x' "$T/sv.conf"
chmod 600 "$T/site.key"
printf '[site]\nname = b\n[server]\nurl = %s/store\n' "$T" >"$T/local.conf"
expect_exit 78 pwin 'x' "$T/local.conf"
expect_stderr "needs no credentials"
cmp -s "$T/before.conf" "$T/sv.conf" || fail "a refused run changed the file"
ok "refusals: empty input 64, argument 64, unsafe key 77, local store 78"

# On a terminal: no echo, asked twice; a mismatch changes nothing; ^C
# restores the terminal.  ttyrun.py PROGRAM ARGS -- ANSWERS runs PROGRAM on
# a pseudo-terminal, typing each answer after a prompt; it prints what the
# terminal showed, then whether echo is on and the wait status.
cat >"$T/ttyrun.py" <<'EOF'
import os, pty, sys, termios, time
sep = sys.argv.index("--")
argv, answers = sys.argv[1:sep], sys.argv[sep + 1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(argv[0], argv)
out = b""
def read_until(what, limit=10):
    global out
    end = time.time() + limit
    while what not in out and time.time() < end:
        try:
            out += os.read(fd, 1024)
        except OSError:
            break
for a in answers:
    read_until(b": ")
    out_before = len(out)
    time.sleep(0.2)
    if a == "^C":
        os.write(fd, b"\x03")
    else:
        os.write(fd, a.encode() + b"\n")
read_until(b"\0", 3)
echo = termios.tcgetattr(fd)[3] & termios.ECHO
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode(errors="replace"))
print("\nECHO=%d STATUS=%d" % (1 if echo else 0, status))
EOF
ftpd_start proftpd
conf "$FTPD_URL" "$FTPD_USER" "tls = none" >"$T/ftp.conf"
python3 "$T/ttyrun.py" "$SITEVAULT" -c "$T/ftp.conf" credentials -- "$FTPD_PASS" "$FTPD_PASS" >"$T/pty.out"
grep -q "FTP password for $FTPD_USER at" "$T/pty.out" || { cat "$T/pty.out"; fail "no prompt"; }
grep -q "Repeat it:" "$T/pty.out" || fail "not asked twice"
! grep -qF "$FTPD_PASS" "$T/pty.out" || fail "the password was echoed"
grep -q "ECHO=1 STATUS=0" "$T/pty.out" || { cat "$T/pty.out"; fail "terminal not restored or failed"; }
expect_exit 0 "$SITEVAULT" -c "$T/ftp.conf" check
grep -q "^PASS  login accepted" "$T/stdout" || fail "sealed password does not log in"
ok "terminal: no echo, twice; the sealed password logs in"

cp "$T/ftp.conf" "$T/before.conf"
python3 "$T/ttyrun.py" "$SITEVAULT" -c "$T/ftp.conf" credentials -- one two >"$T/pty.out"
grep -q "differ" "$T/pty.out" || fail "mismatch not reported"
grep -q "STATUS=$((64 << 8))" "$T/pty.out" || { cat "$T/pty.out"; fail "mismatch: not exit 64"; }
python3 "$T/ttyrun.py" "$SITEVAULT" -c "$T/ftp.conf" credentials -- '^C' >"$T/pty.out"
grep -q "ECHO=1 STATUS=2$" "$T/pty.out" || { cat "$T/pty.out"; fail "^C: echo not restored or not killed by SIGINT"; }
cmp -s "$T/before.conf" "$T/ftp.conf" || fail "file changed"
ok "terminal: mismatch 64, ^C restores echo"

# Another site key cannot open the value: check says so (78).
sed "s|^secret = .*|secret = $T/other.key|" "$T/ftp.conf" >"$T/other.conf"
expect_exit 78 "$SITEVAULT" -c "$T/other.conf" check
grep -q "^FAIL  credentials: .*another site key" "$T/stdout" || fail "wrong key not reported"
ok "wrong site key 78"
