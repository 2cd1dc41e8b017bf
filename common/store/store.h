#ifndef STORE_H_
#define STORE_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#include "crypto/minisign.h"
#include "util/path.h"

/*
 * The server layout of docs/FORMAT.md section 1 on top of a transport:
 *
 *   <site>/SITE                 "site NAME\nkeyid HEX\n", written once
 *   <site>/history.log          history.h lines
 *   <site>/<Category>_<id>/     manifest, manifest.sig, part.NNNNNN
 *
 * Category directories are "Configuration_<id>" and "Data_<id>" with a
 * decimal id from 1 to STORE_ID_MAX without leading zeros; other names are
 * not ours and are ignored (with a warning when they start like ours).  A backup is complete when its manifest verifies against the
 * pinned keys and names this site, category and id; unfinished when it has
 * no manifest; "signature bad" otherwise.
 */

struct transport;
struct manifest;
struct mcache;

/* The largest backup id (docs/FORMAT.md): a backup a minute for a million
 * years, far below what any parser of a 64-bit number refuses. */
#define STORE_ID_MAX		UINT64_C(999999999999)

enum store_status {
	STORE_COMPLETE,
	STORE_UNFINISHED,	/* no manifest: a failed or interrupted run */
	STORE_BADSIG,		/* a manifest that does not verify */
	STORE_UNVERIFIED	/* another site's, signed by a key not pinned */
};

/* Why retention keeps a backup (store_plan()). */
enum store_keep {
	STORE_KEEP_NONE,	/* not kept (doomed), or not complete */
	STORE_KEEP_RETAIN,	/* one of the newest ${retain} restorable */
	STORE_KEEP_BASE,	/* a kept backup's chain needs it */
	STORE_KEEP_NEWEST,	/* the newest complete backup, always kept */
	STORE_KEEP_BROKEN	/* newer than the oldest retained, but its
				   chain is broken: not counted, kept */
};

struct store_backup {
	const char *category;	/* "Configuration" or "Data" (static) */
	uint64_t id;
	enum store_status status;
	struct manifest *m;	/* when COMPLETE (or UNVERIFIED and parsed) */
	uint8_t sha256[SHA256_DIGEST_LENGTH];	/* of the manifest text, when ${m} is set */
	uint64_t size;		/* bytes stored: the parts per the signed
				   manifest, else per the listing */
	int has_base;		/* an incremental backup: it needs its base */
	uint64_t base_id;
	uint8_t base_sha256[SHA256_DIGEST_LENGTH];	/* the base's manifest */
	enum store_keep keep;	/* why store_plan() keeps it */
	uint64_t needed_by;	/* STORE_KEEP_BASE: the kept backup needing it */
	int has_signer;		/* manifest.sig names a key: */
	uint8_t signer[MINISIGN_KEYID_LEN];	/* its key id */
	int doomed;		/* marked for deletion by store_plan() */
	int removed;		/* deleted by store_remove() */
	int64_t locked_until;	/* object lock: immutable until then; set
				   by store_check_locks() for the doomed,
				   or by a caller showing every backup */
};

/**
 * store_new(t, site, pubs, npub, own):
 * A view of site directory ${site} through ${t}, verifying manifests
 * against the ${npub} pinned keys ${pubs} (not copied: they must outlive
 * the store).  ${own} is non-zero for the configured site: there a manifest
 * by an unknown key is "signature bad"; elsewhere it is "unverified".
 * Return NULL on failure (logged).
 */
struct store *store_new(struct transport *, const char *,
    const struct minisign_pub *, size_t, int);

/**
 * store_set_cache(st, mc):
 * Serve manifests from (and remember them in) the cache ${mc} (mcache.h;
 * not copied, NULL: none) in later store_scan() calls: a backup whose
 * manifest is cached is not listed, only the manifest's size asked for.
 * Only for commands that show backups (list, status, report), never for
 * verify or restore.
 */
void store_set_cache(struct store *, struct mcache *);

/**
 * store_site(st):
 * The site name of ${st}.
 */
const char *store_site(const struct store *);

/**
 * store_transport(st):
 * The transport of ${st}.
 */
struct transport *store_transport(const struct store *);

/**
 * store_claim(st, keyid, create):
 * Make sure the site directory belongs to this site: if <site>/SITE
 * exists, it must name this site and signing key ${keyid}, else log with
 * class EX_CONFIG and return -1 having changed nothing; if it is missing
 * and ${create} is non-zero, create the directory and write it.
 * Return 0 or -1.
 */
int store_claim(struct store *, const uint8_t[MINISIGN_KEYID_LEN], int);

/**
 * store_backup_dir(buf, site, category, id):
 * The directory of backup ${id} of ${category} on the server,
 * "<site>/<Category>_<id>" (docs/FORMAT.md), into ${buf} of PATH_BUF
 * bytes.  Return 0, or -1 after logging if it does not fit.
 */
int store_backup_dir(char[PATH_BUF], const char *, const char *, uint64_t);

/**
 * store_scan(st, category, out, n):
 * List the backups of ${category} ("Configuration"/"Data"; NULL for both)
 * in the site directory, in order of category then id, fetching and
 * verifying each manifest.  A manifest that does not verify is reported as
 * a warning (not a failure).  A missing site directory is an empty list.
 * Return 0, or -1 after logging a transport failure.
 */
int store_scan(struct store *, const char *, struct store_backup **,
    size_t *);

/**
 * store_backups_free(b, n):
 * Free a list from store_scan().  Does nothing if ${b} is NULL.
 */
void store_backups_free(struct store_backup *, size_t);

/**
 * store_next_id(b, n, category, high):
 * The id for a new backup of ${category}: one more than the highest id in
 * ${b} (whatever its status) and than the local high-water mark ${high};
 * 0 (logged, EX_DATAERR) if that is above STORE_ID_MAX.
 */
uint64_t store_next_id(const struct store_backup *, size_t, const char *,
    uint64_t);

/**
 * store_newest(b, n, category):
 * The complete backup of ${category} with the highest id, or NULL.
 */
const struct store_backup *store_newest(const struct store_backup *, size_t,
    const char *);

/**
 * store_plan(b, n, category, retain, unfinished):
 * In ${b} as sorted by store_scan(), keep the newest ${retain} restorable
 * backups of ${category} (NULL: every category) and every backup their
 * chains need, and mark (doomed = 1) the complete backups older than the
 * oldest of those ${retain} that nothing needs; if ${unfinished}, also
 * every unfinished backup.  A backup is restorable when it is complete
 * and, if incremental, its base (the complete backup of the id and
 * manifest hash it names) is restorable.  ${keep} and ${needed_by} say
 * why each complete backup stays.  The newest complete backup of a
 * category is never marked, even with ${retain} 0.  Backups whose
 * signature is bad are never marked: they need a person.  Return the
 * number marked.
 */
size_t store_plan(struct store_backup *, size_t, const char *, unsigned int,
    int);

/**
 * store_delete(st, category, id):
 * Delete backup ${id} of ${category}: the manifest first (so that an
 * interruption leaves an unfinished backup, never a manifest naming
 * missing parts), then manifest.sig, then every other file, then the
 * directory.  Return 0 or -1.
 */
int store_delete(struct store *, const char *, uint64_t);

/**
 * store_locked_until(st, category, id, until):
 * If the objects of backup ${id} of ${category} are immutable (S3 object
 * lock), set ${*until} to their retention date (seconds since 1970, UTC,
 * that of the manifest, or of the first part of an unfinished backup) and
 * return 1; return 0 if they are not (or the store cannot lock), -1 on
 * error.  For `status` and prune.
 */
int store_locked_until(struct store *, const char *, uint64_t, int64_t *);

/**
 * store_check_locks(st, b, n, now):
 * For every doomed backup in ${b} still immutable at ${now}, set its
 * locked_until.  Asks the store only if its bucket has object lock.
 * Return 0 or -1.
 */
int store_check_locks(struct store *, struct store_backup *, size_t, int64_t);

/**
 * store_remove(st, b, n, why, now, state_dir):
 * Delete every doomed backup in ${b}, in order, except those immutable at
 * ${now} (store_check_locks(): they are left with locked_until set, logged,
 * and are no failure), setting removed = 1 on
 * each, then append one history line per deletion (operation "delete",
 * time ${now}, description ${why}, or "unfinished" for an unfinished one)
 * to the site's history.log and, unless ${state_dir} is NULL, to the local
 * history.  Stops deleting at the first failure (the lines of what was
 * deleted are still appended).  Return 0 or -1.
 */
int store_remove(struct store *, struct store_backup *, size_t, const char *,
    int64_t, const char *);

/**
 * store_history_get(st, text, len):
 * Download <site>/history.log into the malloc'd NUL-terminated ${*text} of
 * ${*len} bytes; a missing log is empty.  Return 0 or -1.
 */
int store_history_get(struct store *, char **, size_t *);

/**
 * store_history_append(st, lines):
 * Append ${lines} (one or more lines, each ending in a newline) to
 * <site>/history.log: download it (missing: empty), append, upload under a
 * temporary name and rename.  Return 0 or -1.
 */
int store_history_append(struct store *, const char *);

/**
 * store_sites(t, names, n):
 * The site directories under the root of ${t} (directories holding a SITE
 * marker or a category directory), sorted; a malloc'd array of ${*n}
 * malloc'd names.  Return 0 or -1.
 */
int store_sites(struct transport *, char ***, size_t *);

/**
 * store_sites_free(names, n):
 * Free a list from store_sites().  Does nothing if ${names} is NULL.
 */
void store_sites_free(char **, size_t);

/**
 * store_free(st):
 * Free ${st} (not the transport).  Does nothing if ${st} is NULL.
 */
void store_free(struct store *);

#endif /* !STORE_H_ */
