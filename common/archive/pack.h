#ifndef PACK_H_
#define PACK_H_

#include <stddef.h>
#include <stdint.h>

#include <sys/stat.h>

#include "conf/conf.h"

/*
 * Writing a category's archive: a pax tar stream through libarchive,
 * compressed per the configuration, pushed out through a callback in
 * blocks, so memory stays bounded whatever the data size.  Entry names are
 * the absolute paths without the leading '/', so that `tar -x` of the
 * stream rebuilds the tree under the current directory.
 *
 * Details a restore relies on:
 * - Full pax format: every entry has an extended header with mtime and
 *   atime to the nanosecond; UTF-8 names are stored as pax UTF-8 whatever
 *   the process locale, other names byte for byte.
 * - The configured path gets an entry of its own, its parents do not.  If
 *   the configured path is a symlink it is followed (like `tar -H`);
 *   nothing below it ever is.
 * - A file with several names in the archive is stored once; its later
 *   names are tar hard-link entries to the first (counted in files).
 * - A file with holes (SEEK_DATA/SEEK_HOLE) is a pax sparse 1.0 entry
 *   holding only its data regions (docs/FORMAT.md); its holes are never
 *   read.  Without SEEK_HOLE support a file is read and stored whole.
 * - Sockets, FIFOs and device nodes are skipped with a warning.
 * - ${out} receives blocks of at most 128 KiB as they fill.
 */

struct pack_stats {
	uint64_t files;		/* regular files stored */
	uint64_t bytes;		/* bytes of regular file content stored */
	uint64_t archive_bytes;	/* bytes of the uncompressed tar stream */
	uint64_t warnings;	/* files that changed or vanished, sockets */
	uint64_t sparse;	/* files stored as sparse entries */
};

/**
 * pack_new(comp, level, out, cookie):
 * Start an archive compressed with ${comp} at ${level}; compressed bytes go
 * to ${out}(${cookie}, buf, len), which returns 0, or non-zero after
 * logging why (pack then fails without a second message).  Return NULL on
 * failure (logged; EX_CONFIG for a level the compressor refuses).
 */
struct pack *pack_new(enum conf_compression, int,
    int (*)(void *, const void *, size_t), void *);

/*
 * Scan callback for incremental backups (may be unset): called for every
 * regular file, directory and symlink pack meets, before it is opened,
 * with its archive name and lstat() (for the configured path itself,
 * stat()).  It returns 1 to store the object, 0 to leave it out (a file is
 * then never opened; a directory still has its contents walked, only its
 * own entry is left out), or -1 to fail after logging.  When an object it
 * said to store vanishes before it could be stored, pack calls it once
 * more with the same name and a NULL stat, so that it can forget it.
 */
typedef int pack_scan_fn(void *, const char *, const struct stat *);

/**
 * pack_set_scan(p, scan, cookie):
 * Have ${scan}(${cookie}, ...) decide what pack_add_tree() stores.
 */
void pack_set_scan(struct pack *, pack_scan_fn *, void *);

/**
 * pack_add_tree(p, path, exclude):
 * Add ${path} (absolute) and everything under it, without following
 * symlinks, skipping names that match a glob of the NULL-terminated
 * ${exclude}.  Regular files, directories and symlinks keep their mode,
 * owner and times; sockets are skipped with a warning; a file that changes
 * or vanishes while read is reported as a warning and the backup goes on.
 * An unreadable path is an error naming it (EX_NOINPUT / EX_IOERR).
 * Return 0 or -1.
 *
 * ${path} must be absolute without "." or ".." components (EX_CONFIG).
 * A glob matches (fnmatch(3), no flags) either a name or its whole
 * absolute path; an excluded directory is skipped with all it holds.  A
 * file that shrinks while read is padded with zeros to the size its
 * header announced.  After a failure the archive is unusable: only
 * pack_free() remains.
 */
int pack_add_tree(struct pack *, const char *, char *const *);

/**
 * pack_finish(p, st):
 * Close the archive, flushing the compressor, and fill ${st}.
 * Return 0 or -1.
 */
int pack_finish(struct pack *, struct pack_stats *);

/**
 * pack_free(p):
 * Free ${p}.  Does nothing if ${p} is NULL.
 */
void pack_free(struct pack *);

#endif /* !PACK_H_ */
