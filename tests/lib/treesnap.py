#!/usr/bin/env python3
"""treesnap ROOT: print one line for ROOT and per entry under it (sorted): relative
path, type, mode, mtime in ns, and the SHA-256 of a file or the target of
a symlink.  Two trees are identical for a restore test when their
snapshots are equal."""
import hashlib
import os
import stat
import sys


def snap(root):
    st = os.lstat(root)
    out = [f"'.' dir {stat.S_IMODE(st.st_mode):o} {st.st_mtime_ns}"]
    for dirpath, dirnames, filenames in os.walk(root):
        for name in sorted(dirnames + filenames):
            p = os.path.join(dirpath, name)
            rel = os.path.relpath(p, root)
            st = os.lstat(p)
            mode = stat.S_IMODE(st.st_mode)
            if stat.S_ISLNK(st.st_mode):
                out.append(f"{rel!r} link {os.readlink(p)!r}")
            elif stat.S_ISDIR(st.st_mode):
                out.append(f"{rel!r} dir {mode:o} {st.st_mtime_ns}")
            elif stat.S_ISREG(st.st_mode):
                h = hashlib.sha256()
                with open(p, "rb") as f:
                    for b in iter(lambda: f.read(1 << 20), b""):
                        h.update(b)
                out.append(f"{rel!r} file {mode:o} {st.st_mtime_ns} "
                           f"{st.st_size} {h.hexdigest()}")
            else:
                out.append(f"{rel!r} other {st.st_mode:o}")
    return sorted(out)


if __name__ == "__main__":
    for line in snap(sys.argv[1]):
        print(line)
