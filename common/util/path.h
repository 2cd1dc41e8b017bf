#ifndef PATH_H_
#define PATH_H_

#include <limits.h>

#include "util/log.h"

/*
 * Building file and server paths into a caller's buffer of PATH_BUF bytes.
 * A path that does not fit is an error, never a silently shorter name (a
 * cut path could name another file).
 */

/* Room for any path this program builds, local or on the server. */
#define PATH_BUF	PATH_MAX

/**
 * path_fmt(buf, fmt, ...):
 * Format a path into ${buf} of PATH_BUF bytes.  Return 0, or -1 after
 * logging (EX_DATAERR, naming the start of the path) if it does not fit.
 */
int path_fmt(char[PATH_BUF], const char *, ...) LOG_PRINTF(2, 3);

/**
 * path_join(buf, dir, name):
 * As path_fmt(${buf}, "%s/%s", ${dir}, ${name}).
 */
int path_join(char[PATH_BUF], const char *, const char *);

#endif /* !PATH_H_ */
