/*
 * Decompression of a zstd archive on a thread of its own (unpack_internal.h):
 * libzstd decompresses a frame in one thread, so the lever is overlap with
 * the tar parsing and the writes of unpack.c.  The thread reads the source,
 * decompresses into a few buffers and queues them; the reader takes one at
 * a time, in place, and gives it back on its next call.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <zstd.h>

#include "util/log.h"
#include "archive/unpack.h"
#include "archive/unpack_internal.h"

/* Decompressed bytes in flight: ZBUFS buffers of ZBUF bytes. */
#define ZBUFS	4
#define ZBUF	(256 * 1024)

struct unpack_zstd {
	unpack_src_fn *src;
	void *cookie;
	const void *first;	/* read from ${src} before the thread started */
	size_t firstlen;
	ZSTD_DCtx *d;
	pthread_t thr;
	int started;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	/* Under ${mtx}: a ring of ${count} full buffers, the oldest at ${head}. */
	uint8_t *bufs[ZBUFS];
	size_t lens[ZBUFS];
	size_t head, count;
	int lent;		/* the reader holds bufs[head] */
	int done;		/* the thread has finished */
	int failed;		/* ... after a failure it logged */
	int stop;		/* the reader asks the thread to stop */
	struct log_failure fail;
	int adopted;
};

/* Wait for a buffer to fill; return its index, or -1 when asked to stop. */
static int
zbuf_get(struct unpack_zstd *z)
{
	int i = -1;

	pthread_mutex_lock(&z->mtx);
	while (z->count == ZBUFS && !z->stop)
		pthread_cond_wait(&z->cv, &z->mtx);
	if (!z->stop)
		i = (int)((z->head + z->count) % ZBUFS);
	pthread_mutex_unlock(&z->mtx);
	return (i);
}

static void
zbuf_put(struct unpack_zstd *z, int i, size_t len)
{

	pthread_mutex_lock(&z->mtx);
	z->lens[i] = len;
	z->count++;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mtx);
}

/*
 * Fill ${out} from the source.  Set ${*eof} at the end of the source;
 * ${*inframe} says whether a frame is open.  Return 0 or -1 after logging.
 */
static int
zfill(struct unpack_zstd *z, ZSTD_inBuffer *in, ZSTD_outBuffer *out,
    int *eof, int *inframe, int *more)
{
	size_t r, ipos, opos;
	ssize_t n;

	while (out->pos < out->size) {
		/* A full output may hide more: ask before reading on. */
		if (in->pos == in->size && !*more) {
			if (*eof)
				return (0);
			if ((n = z->src(z->cookie, &in->src)) < 0)
				return (-1);
			in->size = (size_t)n;
			in->pos = 0;
			if (n == 0) {
				*eof = 1;
				return (0);
			}
		}
		ipos = in->pos;
		opos = out->pos;
		r = ZSTD_decompressStream(z->d, out, in);
		if (ZSTD_isError(r)) {
			log_fail(EX_DATAERR, "archive: zstd: %s",
			    ZSTD_getErrorName(r));
			return (-1);
		}
		*more = out->pos == out->size;
		if (in->pos != ipos || out->pos != opos)
			*inframe = r != 0;
	}
	return (0);
}

static void *
zthread(void *cookie)
{
	struct unpack_zstd *z = cookie;
	ZSTD_inBuffer in = { z->first, z->firstlen, 0 };
	ZSTD_outBuffer out;
	int i, eof = 0, inframe = 0, more = 0, failed = 0;

	while (!eof || in.pos < in.size || more) {
		if ((i = zbuf_get(z)) == -1)
			break;
		out.dst = z->bufs[i];
		out.size = ZBUF;
		out.pos = 0;
		if (zfill(z, &in, &out, &eof, &inframe, &more)) {
			failed = 1;
			break;
		}
		if (out.pos > 0)
			zbuf_put(z, i, out.pos);
	}
	if (!failed && eof && inframe) {
		log_fail(EX_DATAERR, "archive: zstd: the compressed stream ends "
		    "inside a frame (truncated)");
		failed = 1;
	}
	log_take(&z->fail);
	pthread_mutex_lock(&z->mtx);
	z->done = 1;
	z->failed = failed;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mtx);
	return (NULL);
}

struct unpack_zstd *
unpack_zstd_new(unpack_src_fn *src, void *cookie, const void *first,
    size_t firstlen)
{
	struct unpack_zstd *z;
	int i;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		goto err0;
	z->src = src;
	z->cookie = cookie;
	z->first = first;
	z->firstlen = firstlen;
	for (i = 0; i < ZBUFS; i++)
		if ((z->bufs[i] = malloc(ZBUF)) == NULL)
			goto err1;
	if ((z->d = ZSTD_createDCtx()) == NULL)
		goto err1;
	if (pthread_mutex_init(&z->mtx, NULL))
		goto err2;
	if (pthread_cond_init(&z->cv, NULL))
		goto err3;
	if (pthread_create(&z->thr, NULL, zthread, z))
		goto err4;
	z->started = 1;

	/* Success! */
	return (z);

err4:
	pthread_cond_destroy(&z->cv);
err3:
	pthread_mutex_destroy(&z->mtx);
err2:
	ZSTD_freeDCtx(z->d);
err1:
	for (i = 0; i < ZBUFS; i++)
		free(z->bufs[i]);
	free(z);
err0:
	log_fail(EX_OSERR, "unpack: cannot start decompressing");
	return (NULL);
}

ssize_t
unpack_zstd_read(void *cookie, const void **buf)
{
	struct unpack_zstd *z = cookie;
	ssize_t rc;

	pthread_mutex_lock(&z->mtx);
	/* The buffer handed out last time is consumed: back to the thread. */
	if (z->lent) {
		z->head = (z->head + 1) % ZBUFS;
		z->count--;
		z->lent = 0;
		pthread_cond_broadcast(&z->cv);
	}
	while (z->count == 0 && !z->done)
		pthread_cond_wait(&z->cv, &z->mtx);
	if (z->count == 0) {
		rc = z->failed ? -1 : 0;
		/* The thread's failure is now the reader's. */
		if (rc != 0 && !z->adopted) {
			log_adopt(&z->fail);
			z->adopted = 1;
		}
	} else {
		z->lent = 1;
		*buf = z->bufs[z->head];
		rc = (ssize_t)z->lens[z->head];
	}
	pthread_mutex_unlock(&z->mtx);
	return (rc);
}

void
unpack_zstd_free(struct unpack_zstd *z)
{
	int i;

	if (z == NULL)
		return;
	pthread_mutex_lock(&z->mtx);
	z->stop = 1;
	pthread_cond_broadcast(&z->cv);
	pthread_mutex_unlock(&z->mtx);
	pthread_join(z->thr, NULL);
	if (!z->adopted)
		log_adopt(&z->fail);
	pthread_cond_destroy(&z->cv);
	pthread_mutex_destroy(&z->mtx);
	ZSTD_freeDCtx(z->d);
	/* Plaintext of voicemail and configuration: wiped, not just freed. */
	for (i = 0; i < ZBUFS; i++) {
		OPENSSL_cleanse(z->bufs[i], ZBUF);
		free(z->bufs[i]);
	}
	free(z);
}
