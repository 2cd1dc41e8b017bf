#ifndef READFILE_H_
#define READFILE_H_

#include <stddef.h>

/*
 * The one reader of small files that must be what they claim: the
 * configuration, keys, public keys, identity files, the local state.  The
 * checks are made on the opened descriptor (no race with a rename), and a
 * FIFO, directory or device in the file's place is refused, not waited on
 * or read forever.
 */

#define READFILE_PRIVATE	1	/* owned by us or root, mode 0600 or less */
#define READFILE_MISSING_OK	2	/* a missing file reads as empty */
#define READFILE_ROOTSAFE	4	/* as root, safepath_file() (util/safepath.h) */
/* Report every failure in the class ${cls} (e.g. EX_CONFIG). */
#define READFILE_CLASS(cls)	((cls) << 8)

/**
 * readfile_load(path, max, flags, what, len):
 * Read the regular file ${path}, at most ${max} bytes, into a malloc'd
 * buffer of ${max} + 1 bytes, NUL-terminated, its length in ${*len}.
 * ${what} names the kind of file in messages ("key file").  With
 * READFILE_PRIVATE in ${flags}, refuse (EX_NOPERM) a file not owned by the
 * user or root, or open to group or others.  With READFILE_ROOTSAFE, as
 * root, refuse (EX_NOPERM, whatever the class) what safepath_file()
 * refuses.  A missing file is EX_NOINPUT
 * (or an empty buffer with READFILE_MISSING_OK); anything but a regular
 * file, or a larger one, is EX_DATAERR.  Return NULL after logging.
 */
char *readfile_load(const char *, size_t, int, const char *, size_t *);

/**
 * readfile_free(buf, max):
 * Wipe and free a buffer from readfile_load(${...}, ${max}, ...).  Does
 * nothing if ${buf} is NULL.
 */
void readfile_free(char *, size_t);

/**
 * readfile_line(cursor):
 * The next line of the NUL-terminated text at ${*cursor} (a buffer from
 * readfile_load(), or any text we own), terminated in place where its
 * newline was, with ${*cursor} moved past it; empty lines included.
 * Return NULL at the end of the text.
 */
char *readfile_line(char **);

#endif /* !READFILE_H_ */
