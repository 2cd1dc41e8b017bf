#ifndef FETCH_H_
#define FETCH_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "crypto/age.h"

struct manifest;
struct transport;

/*
 * The read side of a backup: a download thread fetches the parts a signed
 * manifest lists, one after the other, and checks each part's size and
 * SHA-256 against the manifest BEFORE any byte of it is decrypted; a
 * decryption thread passes verified parts through the age reader, and the
 * reader is handed plaintext whose chunk tags verified, in place.  Two part
 * buffers are reused from part to part (one downloading, one decrypting),
 * so memory is bounded by the part size whatever the backup size.
 */

/*
 * Progress callback (may be NULL): ${bytes} of ciphertext verified so far
 * out of ${total}.
 */
typedef void fetch_progress_fn(void *, uint64_t, uint64_t);

/**
 * fetch_new(t, dir, m, sks, nsk, progress, cookie):
 * Start fetching the parts of the backup described by the verified
 * manifest ${m} from directory ${dir} ("site/Data_7") through ${t}, to be
 * decrypted with the ${nsk} identities ${sks}.  Return NULL on failure.
 */
struct fetch *fetch_new(struct transport *, const char *,
    const struct manifest *, const uint8_t (*)[AGE_KEY_LEN], size_t,
    fetch_progress_fn *, void *);

/**
 * fetch_read(f, buf):
 * An unpack_src_fn: point ${*buf} at the next verified plaintext and return
 * its length, 0 at the verified end of the stream, or -1 after logging the
 * part or chunk that failed (class EX_DATAERR for verification failures,
 * the transport's class for download failures).
 */
ssize_t fetch_read(void *, const void **);

/**
 * fetch_drain(f):
 * Read and verify whatever the consumer left unread (the archive reader
 * may stop before the end of the compressed stream): every part must be
 * downloaded and verified and the age stream must end properly.
 * Return 0 or -1.
 */
int fetch_drain(struct fetch *);

/**
 * fetch_free(f):
 * Stop the download thread and free ${f}.  Does nothing if ${f} is NULL.
 */
void fetch_free(struct fetch *);

#endif /* !FETCH_H_ */
