#ifndef BLOB_H_
#define BLOB_H_

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

struct blob_writer;

/*
 * Small objects (a backup's file list) compressed as a plain gzip or zstd
 * stream, so that `zstd -d` or `gzip -d` alone reads them; both ways
 * stream, so that the text itself is never held whole.
 */

/**
 * blob_compress(comp, level, in, len, out, outlen):
 * Compress the ${len} bytes of ${in} with ${comp} at ${level} (none:
 * a copy) into the malloc'd ${*out} of ${*outlen} bytes.  Return 0 or -1
 * (logged).
 */
int blob_compress(enum conf_compression, int, const void *, size_t,
    uint8_t **, size_t *);

/**
 * blob_writer_new(comp, level, out, cookie):
 * Start a stream compressed with ${comp} at ${level} (none: passed
 * through) whose bytes go to ${out}(${cookie}, buf, len) as they come;
 * ${out} returns 0, or non-zero after logging why.  Return NULL (logged).
 */
struct blob_writer *blob_writer_new(enum conf_compression, int,
    int (*)(void *, const void *, size_t), void *);

/**
 * blob_writer_write(w, buf, len):
 * Compress ${len} bytes of ${buf} into the stream of the blob_writer
 * ${w} (a void pointer, so that it fits an output callback).  Return 0
 * or -1 (logged).
 */
int blob_writer_write(void *, const void *, size_t);

/**
 * blob_writer_finish(w):
 * End the stream and hand out what remains.  Return 0 or -1 (logged).
 */
int blob_writer_finish(struct blob_writer *);

/**
 * blob_writer_free(w):
 * Free ${w}.  Does nothing if ${w} is NULL.
 */
void blob_writer_free(struct blob_writer *);

/**
 * blob_decompress(name, comp, in, len, out, cookie):
 * Decompress ${in} (compressed with ${comp}), handing the bytes to
 * ${out}(${cookie}, buf, len) in pieces as they come; ${out} returns 0,
 * or non-zero after logging why (which stops it), and sets the limit on
 * the size.  Failures name ${name} (EX_DATAERR).  Return 0 or -1.
 */
int blob_decompress(const char *, enum conf_compression, const void *,
    size_t, int (*)(void *, const void *, size_t), void *);

#endif /* !BLOB_H_ */
