#ifndef PACK_INTERNAL_H_
#define PACK_INTERNAL_H_

#include <sys/stat.h>

#include <locale.h>

#include "archive/pack.h"

/*
 * Inside pack_new(): the writer's state, shared by pack.c (the tar writer
 * and the entries it stores) and pack_tree.c (the walk deciding what to
 * hand it).
 */

struct archive;
struct archive_entry;
struct archive_entry_linkresolver;
struct zstream;

struct pack {
	struct archive *a;	/* the tar writer */
	struct archive *disk;	/* only for cached uid/gid name lookups */
	struct archive_entry_linkresolver *lr;
	struct archive_entry *e;	/* reused for every entry */
	locale_t loc;		/* C.UTF-8 for libarchive calls, or 0 */
	struct zstream *z;	/* zstd compressor, or NULL */
	int (*out)(void *, const void *, size_t);
	void *cookie;
	int outfail;		/* ${out} failed and logged */
	int dead;		/* after a failure: drop output, refuse calls */
	int closed;
	char *buf;		/* PACK_BLOCK bytes */
	char *zero;		/* PACK_BLOCK zero bytes, for holes */
	char *const *exclude;	/* current pack_add_tree() globs, or NULL */
	pack_scan_fn *scan;	/* decides what is stored, or NULL: all */
	void *scan_cookie;
	struct pack_stats st;
};

/**
 * pack_entry(p, path, st):
 * Return the entry of ${p}, cleared and filled in for the object at
 * ${path} (absolute) described by ${st}.
 */
struct archive_entry *pack_entry(struct pack *, const char *,
    const struct stat *);

/**
 * pack_header(p, e, path):
 * Write the header of the entry ${e} for ${path}.  Return 0, or -1 after
 * logging (the pack is then dead).
 */
int pack_header(struct pack *, struct archive_entry *, const char *);

/**
 * pack_warn(p, path, why):
 * A file changed under us: log ${why} about ${path}, count the warning in
 * ${p} and go on.
 */
void pack_warn(struct pack *, const char *, const char *);

/**
 * pack_open_error(p, path, what):
 * After ${what} failed on ${path} (errno set): vanished or replaced is a
 * warning (return 1), anything else, denied included, an error (logged,
 * return -1).
 */
int pack_open_error(struct pack *, const char *, const char *);

/**
 * pack_open(p, dirfd, name, path, lst, flags, follow, st):
 * Open ${name} in ${dirfd} (the object at ${path}, lstat'ed as ${lst})
 * with ${flags}, not following a symlink unless ${follow}, and check that
 * it is still the same object (its fstat in ${st}).  Return the fd, -2 if
 * it vanished or changed (warned), or -1 on error (logged).
 */
int pack_open(struct pack *, int, const char *, const char *,
    const struct stat *, int, int, struct stat *);

/**
 * pack_file(p, path, fd, st):
 * Store the regular file at ${path} open as ${fd}, described by ${st}
 * (a link entry if it is another name of a file already stored).  Return
 * 0, or -1 after logging.
 */
int pack_file(struct pack *, const char *, int, const struct stat *);

/**
 * pack_symlink(p, dirfd, name, path, st):
 * Store the symlink ${name} in ${dirfd}, at ${path}, described by ${st};
 * one that vanished meanwhile is warned about and skipped.  Return 0, or
 * -1 after logging.
 */
int pack_symlink(struct pack *, int, const char *, const char *,
    const struct stat *);

#endif /* !PACK_INTERNAL_H_ */
