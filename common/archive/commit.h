#ifndef COMMIT_H_
#define COMMIT_H_

#include <time.h>

/*
 * The commit of a restore: moving what a staging directory (stage.h)
 * holds into the live paths as one transaction.
 *
 * A plan compares each staged configured path with the live one, entry by
 * entry, through directory descriptors opened without following symlinks
 * (an archive in which a configured path or a parent of one is a symlink
 * or not a directory is refused before anything moves).  An entry the
 * backup holds is put in place; the live entry it replaces is moved, never
 * deleted, into the replaced tree beside the configured path
 * ("PATH.replaced-YYYYMMDDTHHMMSSZ", mirroring its layout).  A live entry
 * the backup lacks stays, unless the commit deletes: then it is moved to
 * the replaced tree too.  With include patterns, only the entries they
 * select are read or changed.
 *
 * Before the first move the whole plan is written to a journal in the
 * state directory (temporary file, fsync, rename, fsync); every step is a
 * rename that can be told done or not done by looking, so a commit killed
 * at any instant is completed by commit_recover(), which every command
 * runs first.  See sitevault(8), RESTORE.
 */

struct commit;

/* What a commit did (or, planned only, would do). */
struct commit_stats {
	unsigned long long restored;	/* entries put in place from the backup */
	unsigned long long kept;	/* live entries the backup lacks, left */
	unsigned long long replaced;	/* live entries moved to replaced trees */
	unsigned long long unchanged;	/* live entries already as backed up */
};

/*
 * Change callback: ${what} is "restore" (new), "replace" or "remove", and
 * ${path} the live path.
 */
typedef void commit_change_fn(void *, const char *, const char *);

#define COMMIT_DELETE	0x1	/* live entries the backup lacks go too */
#define COMMIT_DRY_RUN	0x2	/* plan only: create nothing, not even
				   missing parents */

/**
 * commit_new(statedir, stage, flags, include, ninclude, now):
 * Start planning the commit of the staging directory ${stage}, journalled
 * in ${statedir}, with the COMMIT_* ${flags}: with COMMIT_DELETE, live
 * entries the backup lacks are moved to the replaced trees; a COMMIT_DRY_RUN
 * plan changes nothing on disk and must not be run.  If ${ninclude} is not
 * 0, only the live paths matching one of the ${include} patterns (a path,
 * meaning it and all beneath it, or a glob of fnmatch(3) with FNM_PATHNAME)
 * are changed.  ${now} names the replaced trees.  Return NULL after
 * logging.
 */
struct commit *commit_new(const char *, const char *, int, char *const *,
    size_t, time_t);

/**
 * commit_add(c, path, live):
 * Plan the configured path ${path}, staged at stage + ${path}, into
 * ${live} (${path} itself, or beneath a --target directory); include
 * patterns match ${path}-based names.  A ${path} of "/" is the whole
 * stage, whatever paths the archive holds (--target).  Missing parents of ${live} are
 * created (unless COMMIT_DRY_RUN).  Return 0, or -1 after logging: EX_DATAERR if the archive does
 * not hold ${path} as a directory reached through directories only,
 * EX_CANTCREAT if ${live} or a parent is a symlink or not a directory.
 */
int commit_add(struct commit *, const char *, const char *);

/**
 * commit_unmatched(c):
 * The first include pattern that selected nothing, or NULL.
 */
const char *commit_unmatched(const struct commit *);

/**
 * commit_each(c, fn, cookie):
 * Call ${fn} for each planned change, in order.
 */
void commit_each(const struct commit *, commit_change_fn *, void *);

/**
 * commit_stats(c):
 * The counts of the plan (after commit_run(), of what it did).
 */
const struct commit_stats *commit_stats(const struct commit *);

/**
 * commit_replaced(c, i):
 * The path of the ${i}th replaced tree the plan moves something into, or
 * NULL past the last.
 */
const char *commit_replaced(const struct commit *, size_t);

/**
 * commit_run(c):
 * Journal the plan and carry it out.  If a step fails, the steps done are
 * undone and the journal removed; if that fails too the journal stays for
 * commit_recover().  Return 0 or -1 after logging.
 */
int commit_run(struct commit *);

/**
 * commit_free(c):
 * Free ${c}.  Does nothing if ${c} is NULL.
 */
void commit_free(struct commit *);

/**
 * commit_pending(statedir):
 * Return 1 if ${statedir} holds the journal of an unfinished commit, else 0.
 */
int commit_pending(const char *);

/**
 * commit_recover(statedir):
 * Complete the commit journalled in ${statedir}, remove its staging
 * directory and the journal.  The caller holds the run lock.  Nothing to
 * do is success.  Return 0 or -1 after logging (the journal then stays).
 */
int commit_recover(const char *);

#endif /* !COMMIT_H_ */
