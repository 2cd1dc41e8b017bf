#ifndef SELECT_H_
#define SELECT_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#include "conf/category.h"
#include "crypto/age.h"

struct conf;
struct manifest;
struct session;
struct store;

/* One backup chosen by verify or restore, with its verified manifest. */
struct selection {
	enum category cat;
	const char *category;		/* category_name(cat) */
	struct manifest *m;
	uint8_t hash[SHA256_DIGEST_LENGTH];		/* SHA-256 of the manifest text */
};

/**
 * select_configured(c, arg, cats, n):
 * Unless --category ${arg} named one, keep of the ${*n} categories ${cats}
 * only those with paths configured in ${c}: a data-only site verifies and
 * restores its data.  ${*n} may then be 0.
 */
void select_configured(const struct conf *, const char *, enum category *,
    size_t *);

/**
 * select_time(s, out):
 * Parse a --at TIME: ISO 8601 UTC ("2026-12-01T23:00:00Z", seconds
 * optional), a local "YYYY-MM-DD HH:MM[:SS]", or a local date meaning the
 * end of that day.  Return 0, or -1 if ${s} is none of them.
 */
int select_time(const char *, int64_t *);

/**
 * select_backups(s, st, which, at, cats, ncats, rollback, out, nout):
 * Resolve ${which} ("latest" or a decimal id) in each category of ${cats}
 * in the site directory ${st}, keeping the verified manifests.  "latest"
 * is the newest complete backup of each category: unfinished ones are
 * skipped, but a newest manifest that does not verify is an error, never a
 * reason to fall back to an older backup.  A number is that id in each
 * category that has it (EX_NOINPUT if none has).  If ${at} is not 0,
 * ${which} only names it in messages, and each category's pick is its
 * newest complete backup made at or before ${at} (EX_NOINPUT if one has
 * none).  Unless ${rollback} is
 * set, "latest" must not be older than the local state's high-water mark
 * (EX_DATAERR).  Return 0, or the exit code after logging.
 */
int select_backups(struct session *, struct store *, const char *, int64_t,
    const enum category *, size_t, int, struct selection **, size_t *);

/**
 * select_free(sel, n):
 * Free a selection.  Does nothing if ${sel} is NULL.
 */
void select_free(struct selection *, size_t);

/**
 * select_identities(s, files, nfiles, sks, nsk):
 * The age identities that may decrypt: the site key of ${s}, then those of
 * the ${nfiles} identity files ${files} (escrow keys, --identity), in a
 * malloc'd array ${*sks} of ${*nsk}.  Return 0 or the exit code.  Free
 * with select_identities_free().
 */
int select_identities(const struct session *, char *const *, size_t,
    uint8_t (**)[AGE_KEY_LEN], size_t *);

/**
 * select_identities_free(sks, nsk):
 * Wipe and free identities.  Does nothing if ${sks} is NULL.
 */
void select_identities_free(uint8_t (*)[AGE_KEY_LEN], size_t);

/**
 * select_progress(cookie, done, total):
 * A fetch_progress_fn for a struct progress (progress.h) as ${cookie}:
 * ciphertext verified so far, rate and ETA.
 */
void select_progress(void *, uint64_t, uint64_t);

/**
 * select_history(s, site, op, category, id, ok, bytes, desc):
 * Record an operation in the local history and, for the configured site
 * only (never in another site's directory), in the server's history.log.
 * Failures to record are warnings: the operation's outcome stands.
 */
void select_history(struct session *, const char *, const char *,
    const char *, uint64_t, int, uint64_t, const char *);

#endif /* !SELECT_H_ */
