#ifndef FILELIST_H_
#define FILELIST_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>

/*
 * The file list of a backup of a chain (docs/FORMAT.md, "The file list"):
 * every object the backup's paths held at that moment, with the stat
 * fields that decide whether it changed.  A canonical text, one line per
 * object, sorted by path:
 *
 *   sitevault-files 1
 *   TYPE MODE SIZE MTIME CTIME INODE PATH
 *
 * TYPE is f, d or l; MODE four octal digits; MTIME and CTIME seconds, a
 * dot and nine digits of nanoseconds; PATH as stored in the archive (the
 * absolute path without its leading '/'), with '\', bytes below 0x20 and
 * 0x7F written \xHH.  The parser accepts only what filelist_format()
 * writes.
 */

#define FILELIST_MAX	(UINT64_C(512) << 20)	/* bytes of text */

/*
 * In memory a list costs one fixed-width entry and the raw path per
 * object: the paths are packed one after another in large chunks (no
 * allocation per object), so that an incremental backup of a large tree
 * holds the base's list and the new one in little more than their text.
 * An entry's path stays where it is until the list is freed.
 */
struct filelist_entry {
	const char *path;		/* raw bytes, NUL-terminated */
	uint64_t size;
	int64_t mtime, ctime;		/* seconds */
	uint64_t ino;
	uint32_t mtime_ns, ctime_ns;	/* 0 to 999999999 */
	unsigned int mode;		/* permission bits (07777) */
	char type;			/* 'f', 'd' or 'l' */
};

struct filelist_chunk;
struct filelist_parser;

struct filelist {
	struct filelist_entry *e;
	size_t n, cap;
	int sorted;			/* by path, without duplicates */
	struct filelist_chunk *paths;	/* the newest chunk first */
};

/**
 * filelist_new():
 * An empty list, or NULL (logged).
 */
struct filelist *filelist_new(void);

/**
 * filelist_add(fl, path, st):
 * Append the object at ${path} (archive name) described by ${st}, which
 * must be a regular file, directory or symlink.  Return 0 or -1 (logged).
 */
int filelist_add(struct filelist *, const char *, const struct stat *);

/**
 * filelist_forget(fl, path):
 * Remove the last entry of ${fl} if it is ${path} (an object that
 * vanished before it could be stored).
 */
void filelist_forget(struct filelist *, const char *);

/**
 * filelist_sort(fl):
 * Sort ${fl} by path.  Return 0, or -1 (logged, EX_SOFTWARE) if a path
 * occurs twice.
 */
int filelist_sort(struct filelist *);

/**
 * filelist_find(fl, path):
 * The entry of ${path} in the sorted ${fl}, or NULL.
 */
const struct filelist_entry *filelist_find(const struct filelist *,
    const char *);

/**
 * filelist_find_near(fl, path, hint):
 * As filelist_find(), trying the entry at index ${*hint} first, and
 * setting ${*hint} to the index after the entry found: a walk that meets
 * the objects mostly in the list's order finds each in one comparison.
 */
const struct filelist_entry *filelist_find_near(const struct filelist *,
    const char *, size_t *);

/**
 * filelist_merge(a, b, fn, cookie):
 * Walk the sorted lists ${a} and ${b} together in path order, calling
 * ${fn}(${cookie}, ea, eb) once per path of either: ${ea} its entry in
 * ${a} or NULL, ${eb} its entry in ${b} or NULL.  Stop at the first
 * non-zero return of ${fn} and return it; else return 0.
 */
int filelist_merge(const struct filelist *, const struct filelist *,
    int (*)(void *, const struct filelist_entry *,
    const struct filelist_entry *), void *);

/**
 * filelist_unchanged(e, st):
 * Non-zero if ${st} describes the same object as ${e}, unchanged: same
 * type, mode, size, mtime, ctime and inode.
 */
int filelist_unchanged(const struct filelist_entry *, const struct stat *);

/**
 * filelist_write(fl, out, cookie):
 * Sort ${fl} and hand its canonical text to ${out}(${cookie}, buf, len)
 * in pieces of at most 64 KiB; ${out} returns 0, or non-zero after
 * logging why.  Return 0 or -1 (logged; EX_SOFTWARE if the text would
 * pass FILELIST_MAX).
 */
int filelist_write(struct filelist *, int (*)(void *, const void *, size_t),
    void *);

/**
 * filelist_format(fl, len):
 * Sort ${fl} and return its canonical text (malloc'd, NUL-terminated,
 * ${*len} bytes without the NUL), or NULL (logged).
 */
char *filelist_format(struct filelist *, size_t *);

/**
 * filelist_parse(name, text, len):
 * Parse the canonical text ${text}; anything else is rejected naming
 * ${name} and the line (EX_DATAERR).  Return the sorted list or NULL.
 */
struct filelist *filelist_parse(const char *, const char *, size_t);

/**
 * filelist_parser_new(name):
 * Start reading a list's canonical text piece by piece, as it is
 * decompressed or read, so that the whole text is never held: failures
 * name ${name} and the line (EX_DATAERR).  Return NULL (logged).
 */
struct filelist_parser *filelist_parser_new(const char *);

/**
 * filelist_parser_feed(ps, buf, len):
 * Read the next ${len} bytes of text into the filelist_parser ${ps} (a
 * void pointer, so that it fits an output callback).  Return 0, or -1
 * after logging (then and after, only filelist_parser_free() is useful).
 */
int filelist_parser_feed(void *, const void *, size_t);

/**
 * filelist_parser_finish(ps):
 * The end of the text: return the sorted list, or NULL after logging
 * (as filelist_parse()).  Frees ${ps}.
 */
struct filelist *filelist_parser_finish(struct filelist_parser *);

/**
 * filelist_parser_free(ps):
 * Free ${ps} and what it read.  Does nothing if ${ps} is NULL.
 */
void filelist_parser_free(struct filelist_parser *);

/**
 * filelist_free(fl):
 * Free ${fl}.  Does nothing if ${fl} is NULL.
 */
void filelist_free(struct filelist *);

#endif /* !FILELIST_H_ */
