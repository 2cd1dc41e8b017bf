#ifndef UNPACK_H_
#define UNPACK_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Reading a category's archive (any compression libarchive detects) from a
 * pull-style source, either only checking it (verify: nothing is written) or
 * extracting it under a root directory with hostile-input safety: absolute
 * paths, "..", paths through symlinks, hard links out of the tree, device
 * nodes and FIFOs are refused; permissions (never setuid or setgid) and
 * times are restored, sparse entries and runs of zeros as holes (a sparse
 * map whose data overlaps or lies beyond the entry's size is refused);
 * ownership only when running as root; reading stops with an error past
 * ${max_bytes} of uncompressed archive (decompression bombs).
 */

struct unpack_stats {
	uint64_t files;		/* regular files */
	uint64_t bytes;		/* bytes of regular file content */
	uint64_t archive_bytes;	/* bytes of the uncompressed tar stream */
	uint64_t stripped;	/* entries whose setuid/setgid bits were
				   dropped: they are never restored */
};

/*
 * Source callback: set ${*buf} to the next bytes of the compressed archive
 * and return their count, 0 at the end, or -1 on error (already logged).
 * unpack_run() reads the source to its end even past the tar trailer, so
 * that a check at the end of the stream (age's last chunk) always runs,
 * and never calls it again after it returned 0.
 */
typedef ssize_t unpack_src_fn(void *, const void **);

/*
 * Per-entry callback (may be NULL): called with each entry's path before
 * it is extracted, e.g. for --dry-run listings.  The path is as stored
 * (directories end in '/'), and only called once the entry was checked.
 */
typedef void unpack_entry_fn(void *, const char *);

/**
 * unpack_run(root, src, cookie, max_bytes, each, each_cookie, st):
 * Read the whole archive from ${src}; extract under ${root} unless ${root}
 * is NULL.  Fill ${st}.  Return 0, or -1 after logging the entry that
 * failed (class EX_DATAERR for hostile or corrupt input, EX_IOERR /
 * EX_CANTCREAT for local write errors).
 *
 * ${root} must be an existing directory.  Verify mode (${root} NULL)
 * applies the same entry checks, so it fails where extraction would.
 * ${max_bytes} caps the whole uncompressed stream, trailer included: pass
 * the archive_bytes pack reported (UINT64_MAX: no cap).  Hard links may
 * only name a regular file extracted earlier in the same run.  On failure
 * whatever was extracted so far stays under ${root}: extract into a
 * staging directory and remove it.
 */
int unpack_run(const char *, unpack_src_fn *, void *, uint64_t,
    unpack_entry_fn *, void *, struct unpack_stats *);

#endif /* !UNPACK_H_ */
