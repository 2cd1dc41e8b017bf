#ifndef STAGE_H_
#define STAGE_H_

#include <stdio.h>

/*
 * Staging directories and the final move of a restore.  A restore extracts
 * into a fresh staging directory beside its target (same filesystem), and
 * only when everything verified swaps it into place, so that at any moment
 * the target is either the complete old tree or the complete new one.
 */

/**
 * stage_create(target):
 * Create an empty private staging directory beside ${target}, named
 * ".sitevault-restore.<name>.<pid>", creating ${target}'s parent if needed.
 * Return its malloc'd path, or NULL after logging.
 */
char *stage_create(const char *);

/**
 * stage_same_fs(a, b):
 * Return 1 if the directories holding ${a} and ${b} (or their nearest
 * existing ancestors) are on the same filesystem, 0 if not, -1 on error.
 */
int stage_same_fs(const char *, const char *);

/**
 * stage_commit(staged, target):
 * Put the tree ${staged} in place of ${target}: an atomic exchange where the
 * filesystem supports it (renameat2 RENAME_EXCHANGE), else rename the old
 * tree aside and the new one in; then remove the old tree.  A missing
 * ${target} is simply renamed into.  Return 0 or -1 after logging.
 */
int stage_commit(const char *, const char *);

/**
 * stage_remove(path):
 * Remove the tree ${path} without following symlinks.  A missing path is
 * success.  Return 0 or -1 after logging.
 */
int stage_remove(const char *);

/**
 * stage_diff(staged, target, out):
 * Print to ${out} what moving ${staged} into ${target} would change, one
 * line per path: "new PATH", "changed PATH", "removed PATH" (paths relative
 * to the tree).  Return the number of lines, or -1 after logging.
 */
long stage_diff(const char *, const char *, FILE *);

#endif /* !STAGE_H_ */
