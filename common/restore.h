#ifndef RESTORE_H_
#define RESTORE_H_

#include <stddef.h>
#include <stdint.h>

#include "age.h"
#include "minisign.h"
#include "unpack.h"

struct manifest;
struct transport;

/*
 * The checks shared by verify, restore and backup's verify_after_upload:
 * load a backup's manifest and prove it is the signed manifest of the
 * backup the caller asked for, then stream its parts through hash checks,
 * decryption and the archive reader.
 */

/**
 * restore_load_manifest(t, site, category, id, pubs, npub, hash):
 * Download "${site}/${category}_${id}/manifest" and its signature, verify
 * the signature against the ${npub} pinned keys ${pubs} (the site key and
 * the trusted keys), and check that the signed site, category and id are
 * the ones of the directory it came from.  Set ${hash} (if not NULL) to the
 * SHA-256 of the manifest text.  Return the manifest, or NULL after
 * logging: class EX_NOINPUT when the backup has no manifest, EX_DATAERR
 * when it does not verify.
 */
struct manifest *restore_load_manifest(struct transport *, const char *,
    const char *, uint64_t, const struct minisign_pub *, size_t,
    uint8_t[32]);

/**
 * restore_stream(t, m, sks, nsk, root, each, cookie, st):
 * Stream every part of the backup of the verified manifest ${m}: check each
 * part's size and SHA-256 before decrypting it, decrypt with the identities
 * ${sks}, and read the archive to its end, extracting under ${root} unless
 * it is NULL; ${each}(${cookie}, path) is called per entry if not NULL.
 * The uncompressed archive is capped at the signed archive size, and the
 * file and byte counts must equal the signed ones.  Fill ${st}.
 * Return 0 or -1 after logging the part or entry that failed.
 */
int restore_stream(struct transport *, const struct manifest *,
    const uint8_t (*)[AGE_KEY_LEN], size_t, const char *,
    unpack_entry_fn *, void *, struct unpack_stats *);



/**
 * restore_ids(t, site, category, ids, n):
 * List the ids of the backup directories "${category}_<id>" under ${site},
 * complete or not, in increasing order, into the malloc'd ${*ids}.
 * Return 0 or -1 after logging.
 */
int restore_ids(struct transport *, const char *, const char *, uint64_t **,
    size_t *);

/**
 * restore_latest(t, site, category, pubs, npub, hash):
 * Find the newest complete backup of ${category}: the highest id whose
 * manifest exists; directories without a manifest (unfinished backups) are
 * skipped, but a manifest that does not verify is an error, never a reason
 * to fall back to an older backup.  Return the verified manifest, or NULL
 * after logging (EX_NOINPUT when the category has no complete backup).
 */
struct manifest *restore_latest(struct transport *, const char *,
    const char *, const struct minisign_pub *, size_t, uint8_t[32]);

#endif /* !RESTORE_H_ */
