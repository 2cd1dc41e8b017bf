#!/usr/bin/env python3
"""craft.py KIND PREFIX OUT.tar: write a hostile tar archive for the
restore tests.  PREFIX is the archive path of the category's root
(a configured path without its leading '/').  Every kind also holds a
harmless file first, so that a restore that stops late is still caught."""
import io
import sys
import tarfile

kind, prefix, out = sys.argv[1], sys.argv[2].strip("/"), sys.argv[3]


def add_file(t, name, data=b"payload\n"):
    ti = tarfile.TarInfo(name)
    ti.size = len(data)
    ti.mode = 0o644
    t.addfile(ti, io.BytesIO(data))


def add_link(t, name, target):
    ln = tarfile.TarInfo(name)
    ln.type = tarfile.SYMTYPE
    ln.linkname = target
    t.addfile(ln)


# A symlink in place of a parent of the configured path, or of the path
# itself: valid entries, but the commit must not resolve through them.
if kind in ("parentlink", "leaflink"):
    with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
        add_link(t, prefix.rsplit("/", 1)[0] if kind == "parentlink"
                 else prefix, sys.argv[4])
    sys.exit(0)

with tarfile.open(out, "w", format=tarfile.PAX_FORMAT) as t:
    d = tarfile.TarInfo(prefix)
    d.type = tarfile.DIRTYPE
    d.mode = 0o755
    t.addfile(d)
    add_file(t, prefix + "/harmless.wav")
    if kind == "dotdot":
        add_file(t, prefix + "/../../../../escape")
    elif kind == "absolute":
        add_file(t, "/tmp/sitevault-absolute-escape")
    elif kind == "symlink":
        ln = tarfile.TarInfo(prefix + "/link")
        ln.type = tarfile.SYMTYPE
        ln.linkname = sys.argv[4]
        t.addfile(ln)
        add_file(t, prefix + "/link/through-symlink")
    elif kind == "hardlink":
        hl = tarfile.TarInfo(prefix + "/hard")
        hl.type = tarfile.LNKTYPE
        hl.linkname = sys.argv[4]
        t.addfile(hl)
    elif kind == "device":
        dev = tarfile.TarInfo(prefix + "/null")
        dev.type = tarfile.CHRTYPE
        dev.devmajor, dev.devminor = 1, 3
        t.addfile(dev)
    elif kind == "newline":
        # Refused as a device; its name must not forge a line in the error.
        dev = tarfile.TarInfo(prefix + "/a\nsitevault: forged")
        dev.type = tarfile.CHRTYPE
        dev.devmajor, dev.devminor = 1, 3
        t.addfile(dev)
    elif kind == "setuid":
        ti = tarfile.TarInfo(prefix + "/suid")
        ti.size = 3
        ti.mode = 0o6755
        t.addfile(ti, io.BytesIO(b"#!\n"))
    elif kind.startswith("sparse-"):
        # A pax sparse 1.0 entry (docs/FORMAT.md) with a hostile map:
        # regions that overlap, lie beyond the size, hold more than the
        # size, or a huge size.
        size, regions = {
            "sparse-overlap": (65536, [(0, 4096), (2048, 4096)]),
            "sparse-beyond": (65536, [(0, 512), (1 << 40, 512)]),
            "sparse-bigmap": (4096, [(0, 8192)]),
            "sparse-huge": (1 << 62, [(0, 512)]),
        }[kind]
        smap = ("%d\n" % len(regions) + "".join(
            "%d\n%d\n" % r for r in regions)).encode()
        smap += b"\0" * (-len(smap) % 512)
        body = smap + b"".join(b"x" * n for _, n in regions)
        ti = tarfile.TarInfo(prefix + "/GNUSparseFile.0/disk.img")
        ti.size = len(body)
        ti.mode = 0o644
        ti.pax_headers = {
            "GNU.sparse.major": "1", "GNU.sparse.minor": "0",
            "GNU.sparse.name": prefix + "/disk.img",
            "GNU.sparse.realsize": str(size),
        }
        t.addfile(ti, io.BytesIO(body))
    elif kind == "fifo":
        f = tarfile.TarInfo(prefix + "/fifo")
        f.type = tarfile.FIFOTYPE
        t.addfile(f)
    else:
        sys.exit("unknown kind " + kind)
