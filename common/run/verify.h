#ifndef VERIFY_H_
#define VERIFY_H_

#include <stddef.h>
#include <stdint.h>

#include "conf/category.h"
#include "crypto/age.h"
#include "crypto/minisign.h"

/*
 * Checking one backup on the server without writing anything, as
 * verify_after_upload does: the backup chosen and its manifest checked as
 * for `sitevault verify` (select.h), then every part, chunk and archive
 * entry as restore.h streams them.
 */

struct transport;

struct verify_result {
	size_t nparts;
	uint64_t stored;	/* bytes of the parts */
	uint64_t plain;		/* bytes of the uncompressed archive */
};

/**
 * verify_backup(t, site, cat, id, pubs, npub, sks, nsk, res):
 * Verify backup ${id} of category ${cat} in ${site} through ${t}: the manifest
 * against the ${npub} keys ${pubs}, the parts against the manifest, the
 * age stream with the ${nsk} identities ${sks}.  Fill ${res}.  Return 0,
 * or -1 after logging what failed with the backup, part and reason (class
 * EX_DATAERR for data that does not verify).
 */
int verify_backup(struct transport *, const char *, enum category, uint64_t,
    const struct minisign_pub *, size_t, const uint8_t (*)[AGE_KEY_LEN],
    size_t, struct verify_result *);

#endif /* !VERIFY_H_ */
