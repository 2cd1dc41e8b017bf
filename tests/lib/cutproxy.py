#!/usr/bin/env python3
# tests/lib/cutproxy.py LISTEN_PORT TARGET_PORT CUT_BYTES READY_FILE: a TCP
# relay on 127.0.0.1 that cuts its first connection after CUT_BYTES bytes
# from the client (a connection broken in the middle of an upload) and
# relays every later connection whole.  Writes READY_FILE when listening.
import socket, sys, threading

listen, target, cut, ready = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
count = [0]

def pump(src, dst, limit):
    sent = 0
    try:
        while True:
            b = src.recv(65536)
            if not b:
                break
            if limit is not None and sent + len(b) >= limit:
                dst.sendall(b[:limit - sent])
                break
            dst.sendall(b)
            sent += len(b)
    except OSError:
        pass
    for s in (src, dst):
        try:
            s.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        s.close()

srv = socket.socket()
srv.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
srv.bind(("127.0.0.1", listen))
srv.listen(16)
open(ready, "w").close()
while True:
    c, _ = srv.accept()
    u = socket.create_connection(("127.0.0.1", target))
    count[0] += 1
    limit = cut if count[0] == 1 else None
    threading.Thread(target=pump, args=(c, u, limit), daemon=True).start()
    threading.Thread(target=pump, args=(u, c, None), daemon=True).start()
