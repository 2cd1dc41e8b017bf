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
    elif kind == "fifo":
        f = tarfile.TarInfo(prefix + "/fifo")
        f.type = tarfile.FIFOTYPE
        t.addfile(f)
    else:
        sys.exit("unknown kind " + kind)
