#ifndef RESTORE_H_
#define RESTORE_H_

#include <stddef.h>
#include <stdint.h>

#include "crypto/age.h"
#include "run/fetch.h"
#include "crypto/minisign.h"
#include "archive/unpack.h"

struct manifest;
struct transport;

/*
 * The read path shared by verify, restore and backup's verify_after_upload:
 * given a manifest already verified (store.h), stream the backup's parts
 * through hash checks, decryption and the archive reader.
 */

/* What restore_stream() reports as it goes (all optional). */
struct restore_hooks {
	unpack_entry_fn *each;		/* each entry's path, before it */
	fetch_progress_fn *progress;	/* ciphertext verified so far */
	void *cookie;			/* for both */
};

/**
 * restore_stream(t, m, sks, nsk, root, hooks, st):
 * Stream every part of the backup of the verified manifest ${m}: check each
 * part's size and SHA-256 before decrypting it, decrypt with the identities
 * ${sks}, and read the archive to its end, extracting under ${root} unless
 * it is NULL; ${hooks} (may be NULL) hears of entries and progress.
 * The uncompressed archive is capped at the signed archive size, and the
 * file and byte counts must equal the signed ones.  Fill ${st}.
 * Return 0 or -1 after logging the part or entry that failed.
 */
int restore_stream(struct transport *, const struct manifest *,
    const uint8_t (*)[AGE_KEY_LEN], size_t, const char *,
    const struct restore_hooks *, struct unpack_stats *);

#endif /* !RESTORE_H_ */
