#!/usr/bin/env python3
"""tests/lib/badftpd.py ROOT PORTFILE BEHAVIOUR: a small FTP server that
serves the real directory tree ROOT (as "/") on 127.0.0.1 and misbehaves as
the JSON file BEHAVIOUR says, read again before every command (a missing
file: behave).  Passive mode only (EPSV, PASV), no TLS (500 to AUTH), any
user and password, no MLSD (FEAT without MLST: clients use LIST).

BEHAVIOUR keys:
  "size":   "half" | "zero" | "huge": answer SIZE with half the real size,
            0, or 10 GiB more (a client must not stop, or size its buffer,
            on what SIZE says)
  "inject": {"DIR": ["ls -l line", ...]}: extra raw lines in the LIST of
            DIR (relative to ROOT, no leading slash): names no real tree
            can hold ("../x", "a/b")
  "bulk":   {"DIR": [COUNT, LEN]}: COUNT more files in the LIST of DIR,
            with names of LEN bytes (a huge listing)
The port is written to PORTFILE; every command received is appended to
PORTFILE.log."""
import json
import os
import socket
import stat
import sys
import threading
import time

ROOT = os.path.realpath(sys.argv[1])
PORTFILE = sys.argv[2]
BEHAVIOUR = sys.argv[3]


def behaviour():
    try:
        with open(BEHAVIOUR) as f:
            return json.load(f)
    except (OSError, ValueError):
        return {}


def ls_line(name, st):
    kind = "d" if stat.S_ISDIR(st.st_mode) else "-"
    when = time.strftime("%b %d %H:%M", time.gmtime(st.st_mtime))
    return "%srwxr-xr-x    1 0        0        %12d %s %s" % (
        kind, st.st_size, when, name)


class Session:
    def __init__(self, conn):
        self.c = conn
        self.f = conn.makefile("rb")
        self.cwd = "/"
        self.pasv = None
        self.rnfr = None
        self.type = "A"

    def reply(self, text):
        self.c.sendall(text.encode("utf-8", "surrogateescape") + b"\r\n")

    def real(self, arg):
        """The path on disk for ARG, or None outside ROOT."""
        p = arg if arg.startswith("/") else os.path.join(self.cwd, arg)
        p = os.path.normpath("/" + p)
        return os.path.join(ROOT, p.lstrip("/")), p

    def data(self):
        if self.pasv is None:
            self.reply("425 Use EPSV or PASV first")
            return None
        s, self.pasv = self.pasv, None
        s.settimeout(10)
        try:
            d, _ = s.accept()
        except OSError:
            self.reply("425 No data connection")
            return None
        finally:
            s.close()
        return d

    def open_pasv(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        s.listen(1)
        self.pasv = s
        return s.getsockname()[1]

    def run(self):
        self.reply("220 badftpd ready")
        while True:
            line = self.f.readline()
            if not line:
                return
            line = line.rstrip(b"\r\n").decode("utf-8", "surrogateescape")
            with open(PORTFILE + ".log", "a") as lf:
                lf.write(line + "\n")
            verb, _, arg = line.partition(" ")
            verb = verb.upper()
            fn = getattr(self, "do_" + verb, None)
            if fn is None:
                self.reply("500 Unknown command")
                continue
            if fn(arg) == "quit":
                return

    def do_AUTH(self, arg):
        self.reply("500 AUTH not understood")

    def do_USER(self, arg):
        self.reply("331 Password please")

    def do_PASS(self, arg):
        self.reply("230 Logged in")

    def do_SYST(self, arg):
        self.reply("215 UNIX Type: L8")

    def do_FEAT(self, arg):
        self.reply("211-Features:\r\n EPSV\r\n PASV\r\n SIZE\r\n UTF8\r\n211 End")

    def do_OPTS(self, arg):
        self.reply("200 OK")

    def do_PWD(self, arg):
        self.reply('257 "%s" is the current directory' % self.cwd)

    def do_CWD(self, arg):
        path, virt = self.real(arg)
        if os.path.isdir(path):
            self.cwd = virt
            self.reply("250 OK")
        else:
            self.reply("550 Failed to change directory")

    def do_CDUP(self, arg):
        return self.do_CWD("..")

    def do_TYPE(self, arg):
        self.type = arg
        self.reply("200 Type set")

    def do_NOOP(self, arg):
        self.reply("200 OK")

    def do_REST(self, arg):
        self.reply("350 Restart position accepted" if arg == "0" else
                   "504 Only 0")

    def do_EPSV(self, arg):
        self.reply("229 Entering Extended Passive Mode (|||%d|)" %
                   self.open_pasv())

    def do_PASV(self, arg):
        port = self.open_pasv()
        self.reply("227 Entering Passive Mode (127,0,0,1,%d,%d)" %
                   (port >> 8, port & 255))

    def do_SIZE(self, arg):
        path, _ = self.real(arg)
        if not os.path.isfile(path):
            self.reply("550 Could not get file size")
            return
        n = os.path.getsize(path)
        lie = behaviour().get("size")
        if lie == "half":
            n //= 2
        elif lie == "zero":
            n = 0
        elif lie == "huge":
            n += 10 << 30
        self.reply("213 %d" % n)

    def do_MDTM(self, arg):
        path, _ = self.real(arg)
        if not os.path.exists(path):
            self.reply("550 No such file")
            return
        self.reply("213 " + time.strftime(
            "%Y%m%d%H%M%S", time.gmtime(os.path.getmtime(path))))

    def do_LIST(self, arg):
        args = [a for a in arg.split() if not a.startswith("-")]
        path, virt = self.real(args[0] if args else ".")
        lines = []
        if os.path.isdir(path):
            for name in sorted(os.listdir(path)):
                try:
                    lines.append(ls_line(name, os.lstat(os.path.join(path,
                                                                    name))))
                except OSError:
                    pass
            lines += behaviour().get("inject", {}).get(virt.strip("/"), [])
        bulk = behaviour().get("bulk", {}).get(virt.strip("/"))
        d = self.data()
        if d is None:
            return
        self.reply("150 Here comes the directory listing")
        d.sendall("".join(l + "\r\n" for l in lines).encode(
            "utf-8", "surrogateescape"))
        if bulk:
            count, width = bulk
            for i in range(0, count, 1000):
                d.sendall(b"".join(
                    b"-rw-r--r--    1 0        0               0 Jan 01 "
                    b"00:00 " + (b"f%09d" % j).ljust(width, b"x") + b"\r\n"
                    for j in range(i, min(count, i + 1000))))
        d.close()
        self.reply("226 Directory send OK")

    def do_NLST(self, arg):
        path, _ = self.real(arg or ".")
        names = sorted(os.listdir(path)) if os.path.isdir(path) else []
        d = self.data()
        if d is None:
            return
        self.reply("150 Here comes the list")
        d.sendall("".join(n + "\r\n" for n in names).encode(
            "utf-8", "surrogateescape"))
        d.close()
        self.reply("226 OK")

    def do_RETR(self, arg):
        path, _ = self.real(arg)
        if not os.path.isfile(path):
            self.reply("550 Failed to open file")
            return
        d = self.data()
        if d is None:
            return
        self.reply("150 Opening BINARY mode data connection")
        with open(path, "rb") as f:
            while True:
                b = f.read(65536)
                if not b:
                    break
                d.sendall(b)
        d.close()
        self.reply("226 Transfer complete")

    def do_STOR(self, arg):
        path, _ = self.real(arg)
        if not os.path.isdir(os.path.dirname(path)):
            self.reply("553 Could not create file")
            return
        d = self.data()
        if d is None:
            return
        self.reply("150 Ok to send data")
        with open(path, "wb") as f:
            while True:
                b = d.recv(65536)
                if not b:
                    break
                f.write(b)
        d.close()
        self.reply("226 Transfer complete")

    def do_DELE(self, arg):
        path, _ = self.real(arg)
        try:
            os.unlink(path)
            self.reply("250 Delete operation successful")
        except OSError:
            self.reply("550 Delete operation failed")

    def do_MKD(self, arg):
        path, virt = self.real(arg)
        try:
            os.mkdir(path)
            self.reply('257 "%s" created' % virt)
        except OSError:
            self.reply("550 Create directory operation failed")

    def do_RMD(self, arg):
        path, _ = self.real(arg)
        try:
            os.rmdir(path)
            self.reply("250 Remove directory operation successful")
        except OSError:
            self.reply("550 Remove directory operation failed")

    def do_RNFR(self, arg):
        path, _ = self.real(arg)
        if os.path.exists(path):
            self.rnfr = path
            self.reply("350 Ready for RNTO")
        else:
            self.reply("550 RNFR command failed")

    def do_RNTO(self, arg):
        path, _ = self.real(arg)
        try:
            os.rename(self.rnfr, path)
            self.reply("250 Rename successful")
        except (OSError, TypeError):
            self.reply("550 Rename failed")
        self.rnfr = None

    def do_QUIT(self, arg):
        self.reply("221 Goodbye")
        return "quit"


def serve(conn):
    try:
        Session(conn).run()
    except OSError:
        pass
    finally:
        conn.close()


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(16)
    with open(PORTFILE + ".tmp", "w") as pf:
        pf.write("%d\n" % s.getsockname()[1])
    os.rename(PORTFILE + ".tmp", PORTFILE)
    while True:
        conn, _ = s.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
