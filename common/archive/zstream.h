#ifndef ZSTREAM_H_
#define ZSTREAM_H_

#include <stddef.h>

/*
 * A zstd compressor for the archive stream, on every core: the data is cut
 * into jobs of ZSTREAM_JOB bytes compressed by worker threads (up to
 * ZSTREAM_WORKERS_MAX, one per online CPU) while the calling thread keeps
 * reading files.  The output is one standard zstd frame (`zstd -d` reads
 * it), without the optional checksum, as libarchive writes it: the age
 * stream around it authenticates every byte.  Memory stays bounded
 * whatever the data size: about (2 * workers + 4) jobs of input and output,
 * 12 MiB with two workers.
 */

#define ZSTREAM_JOB		(1024 * 1024)
#define ZSTREAM_WORKERS_MAX	4

struct zstream;

/**
 * zstream_new(level, out, cookie):
 * Start a zstd frame at compression ${level} (1 to ZSTD_maxCLevel(), else
 * EX_CONFIG); compressed bytes go to ${out}(${cookie}, buf, len), which
 * returns 0, or non-zero after logging why.  Return NULL after logging.
 */
struct zstream *zstream_new(int, int (*)(void *, const void *, size_t),
    void *);

/**
 * zstream_write(z, buf, len):
 * Compress ${len} bytes of ${buf}; may block while the workers catch up.
 * Return 0, or -1 after logging (by ${out} if it failed).
 */
int zstream_write(struct zstream *, const void *, size_t);

/**
 * zstream_finish(z):
 * End the frame and hand out everything still buffered.  Return 0 or -1
 * (logged).  Only zstream_free() may follow.
 */
int zstream_finish(struct zstream *);

/**
 * zstream_free(z):
 * Stop the workers and free ${z}.  Does nothing if ${z} is NULL.
 */
void zstream_free(struct zstream *);

#endif /* !ZSTREAM_H_ */
