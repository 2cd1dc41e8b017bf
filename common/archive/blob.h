#ifndef BLOB_H_
#define BLOB_H_

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

/*
 * Small in-memory objects (a backup's file list) compressed as a plain
 * gzip or zstd stream, so that `zstd -d` or `gzip -d` alone reads them.
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
 * blob_decompress(name, comp, in, len, max, out, outlen):
 * Decompress ${in} (compressed with ${comp}) into the malloc'd,
 * NUL-terminated ${*out} of ${*outlen} bytes, refusing more than ${max}
 * bytes.  Failures name ${name} (EX_DATAERR).  Return 0 or -1.
 */
int blob_decompress(const char *, enum conf_compression, const void *,
    size_t, uint64_t, char **, size_t *);

#endif /* !BLOB_H_ */
