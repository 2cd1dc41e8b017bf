#ifndef SCRATCH_H_
#define SCRATCH_H_

/*
 * Scratch directories for the unit tests: one private directory per test
 * program (or per test), removed whole at the end, whatever modes the test
 * left on what it made.
 */

/**
 * scratch_new(name):
 * Make a new private directory ${TMPDIR:-/tmp}/sv-${name}.XXXXXX and return
 * its real path (malloc'd; the caller frees it).  Aborts the test program
 * if it cannot be made.
 */
char *scratch_new(const char *);

/**
 * scratch_clear(path):
 * Remove everything under the directory ${path}, keeping ${path} itself.
 * Return 0, or -1 if anything is left.
 */
int scratch_clear(const char *);

/**
 * scratch_rm(path):
 * Remove ${path} and everything under it, making every directory writable
 * and searchable first.  Does nothing if ${path} is NULL.  Return 0, or -1
 * if anything is left.
 */
int scratch_rm(const char *);

/**
 * scratch_end(dirp):
 * scratch_rm(*${dirp}), then free *${dirp} and set it to NULL: a test's
 * teardown.  Return scratch_rm's result.
 */
int scratch_end(char **);

#endif /* !SCRATCH_H_ */
