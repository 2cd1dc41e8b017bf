#ifndef PACKTEST_H_
#define PACKTEST_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Helpers shared by tests/archive/test_pack.c and tests/archive/test_unpack.c: scratch
 * directories, an in-memory archive buffer usable as pack output and
 * unpack source, and tree comparison.
 */

/* A growable byte buffer; ${chunk} caps each unpack source read. */
struct pt_mem {
	unsigned char *p;
	size_t len;
	size_t cap;
	size_t pos;
	size_t chunk;
	int srccalls_after_end;	/* src calls after it returned 0 */
	int ended;
};

/**
 * pt_join(a, b):
 * Return "${a}/${b}" (malloc'd).
 */
char *pt_join(const char *, const char *);

/**
 * pt_mkfile(path, data, len, mode, sec, nsec):
 * Create ${path} with ${len} bytes of ${data}, ${mode}, and mtime/atime
 * ${sec}.${nsec}.
 */
void pt_mkfile(const char *, const void *, size_t, mode_t, time_t, long);

/**
 * pt_settime(path, sec, nsec):
 * Set the times of ${path} (not following a symlink).
 */
void pt_settime(const char *, time_t, long);

/**
 * pt_mem_out(cookie, buf, len):
 * A pack output callback appending to the struct pt_mem ${cookie}.
 */
int pt_mem_out(void *, const void *, size_t);

/**
 * pt_mem_src(cookie, buf):
 * An unpack source callback reading the struct pt_mem ${cookie}.
 */
ssize_t pt_mem_src(void *, const void **);

/**
 * pt_mem_free(m):
 * Free the buffer of ${m}.
 */
void pt_mem_free(struct pt_mem *);

/**
 * pt_list_add(cookie, name):
 * An unpack entry callback appending "${name}\n" to the char ** ${cookie}.
 */
void pt_list_add(void *, const char *);

/**
 * pt_tree_equal(a, b, symlink_times):
 * Compare the trees at ${a} and ${b}: types, modes, sizes, contents,
 * mtimes (of symlinks too if ${symlink_times}), symlink targets, owners.
 * Return 0, or -1 after printing the first difference.
 */
int pt_tree_equal(const char *, const char *, int);

/**
 * pt_snapshot(path):
 * Return a text listing of every object under ${path} with type, size,
 * mode, mtime and a checksum of contents (malloc'd).
 */
char *pt_snapshot(const char *);

/**
 * pt_find_name(path, name):
 * Return the number of objects named ${name} under ${path}.
 */
int pt_find_name(const char *, const char *);

#endif /* !PACKTEST_H_ */
