#!/usr/bin/env python3
"""tests/lib/stripftpd.py PORTFILE LOGFILE: a man in the middle that strips
TLS.  It answers 500 to AUTH TLS and AUTH SSL as if the server had no TLS,
then takes USER and PASS in clear; every command line it receives is
appended to LOGFILE, so a test can tell whether a password reached it.
It listens on 127.0.0.1 on a free port written to PORTFILE."""
import socket
import sys


def serve(conn, log):
    f = conn.makefile("rwb", buffering=0)
    f.write(b"220 ready\r\n")
    while True:
        line = f.readline()
        if not line:
            return
        with open(log, "ab") as lf:
            lf.write(line.rstrip(b"\r\n") + b"\n")
        verb = line.split(b" ", 1)[0].strip().upper()
        if verb == b"AUTH":
            f.write(b"500 AUTH not understood\r\n")
        elif verb == b"USER":
            f.write(b"331 Password required\r\n")
        elif verb == b"PASS":
            f.write(b"530 Login incorrect\r\n")
        elif verb == b"QUIT":
            f.write(b"221 Goodbye\r\n")
            return
        else:
            f.write(b"530 Please login with USER and PASS\r\n")


def main():
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    with open(sys.argv[1] + ".tmp", "w") as pf:
        pf.write("%d\n" % s.getsockname()[1])
    import os
    os.rename(sys.argv[1] + ".tmp", sys.argv[1])
    while True:
        conn, _ = s.accept()
        try:
            serve(conn, sys.argv[2])
        except OSError:
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
