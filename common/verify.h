#ifndef VERIFY_H_
#define VERIFY_H_

#include <stddef.h>
#include <stdint.h>

#include "age.h"
#include "minisign.h"

/*
 * Checking a backup on the server without writing anything: the manifest's
 * signature against the pinned keys and its site, category and id; then,
 * one part at a time, each part's size and SHA-256 before its bytes go to
 * the age reader, which authenticates every chunk and the end of the
 * stream.  Memory: one part.  (The verify/restore issue extends this with
 * reading the archive inside.)
 */

struct transport;

struct verify_result {
	size_t nparts;
	uint64_t stored;	/* bytes of the parts */
	uint64_t plain;		/* bytes of the decrypted (compressed) stream */
};

/**
 * verify_backup(t, site, category, id, pubs, npub, sks, nsk, res):
 * Verify backup ${id} of ${category} in ${site} through ${t}: the manifest
 * against the ${npub} keys ${pubs}, the parts against the manifest, the
 * age stream with the ${nsk} identities ${sks}.  Fill ${res}.  Return 0,
 * or -1 after logging what failed with the backup, part and reason (class
 * EX_DATAERR for data that does not verify).
 */
int verify_backup(struct transport *, const char *, const char *, uint64_t,
    const struct minisign_pub *, size_t, const uint8_t (*)[AGE_KEY_LEN],
    size_t, struct verify_result *);

#endif /* !VERIFY_H_ */
