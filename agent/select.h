#ifndef SELECT_H_
#define SELECT_H_

#include <stddef.h>
#include <stdint.h>

struct manifest;
struct session;

/* One backup chosen by verify or restore, with its verified manifest. */
struct selection {
	const char *category;		/* "Configuration" or "Data" */
	struct manifest *m;
	uint8_t hash[32];		/* SHA-256 of the manifest text */
};

/**
 * select_category(arg, cats, n):
 * Parse --category ${arg} (NULL, "all", "configuration" or "data") into
 * the category names ${cats} (at most 2), count in ${*n}.  Return 0, or -1
 * if ${arg} is not one of them.
 */
int select_category(const char *, const char *[2], size_t *);

/**
 * select_backups(s, site, which, cats, ncats, rollback, out, nout):
 * Resolve ${which} ("latest" or a decimal id) in each category of ${cats}
 * on the store of ${s} for ${site}, loading and verifying each manifest.
 * "latest" is the newest complete backup of each category; a number is
 * that id in each category that has it (EX_NOINPUT if none has).  Unless
 * ${rollback} is set, "latest" must not be older than the local state's
 * high-water mark for that category (EX_DATAERR).  Return 0, or the exit
 * code after logging.  Free with select_free().
 */
int select_backups(struct session *, const char *, const char *,
    const char *const *, size_t, int, struct selection **, size_t *);

/**
 * select_free(sel, n):
 * Free a selection.  Does nothing if ${sel} is NULL.
 */
void select_free(struct selection *, size_t);

#endif /* !SELECT_H_ */
