#ifndef REPLACED_H_
#define REPLACED_H_

#include <time.h>

/*
 * The replaced trees a restore leaves beside a configured path (commit.h):
 * "PATH.replaced-YYYYMMDDTHHMMSSZ" (UTC), with "-N" if one of that second
 * existed.  `check` lists them and `prune` removes those older than
 * REPLACED_KEEP seconds (sitevault(8)).
 */

#define REPLACED_KEEP	(7 * 86400)

/* Called with each tree's path and the time in its name. */
typedef void replaced_fn(void *, const char *, time_t);

/**
 * replaced_each(path, fn, cookie):
 * Call ${fn} for each replaced tree of the configured path ${path}, found
 * without following symlinks; a missing parent directory holds none.
 * Return the number of trees, or -1 after logging.
 */
int replaced_each(const char *, replaced_fn *, void *);

#endif /* !REPLACED_H_ */
