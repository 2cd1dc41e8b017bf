#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <sysexits.h>
#include <unistd.h>

#include <zstd.h>

#include "util/log.h"
#include "archive/zstream.h"

struct zstream {
	ZSTD_CCtx *c;
	ZSTD_outBuffer o;	/* filled up, then handed to ${out} whole */
	int (*out)(void *, const void *, size_t);
	void *cookie;
	int failed;		/* logged; refuse to go on */
};

/* Workers: one per online CPU up to the maximum; none on one CPU. */
static int
zstream_workers(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	if (n < 2)
		return (0);
	return (n > ZSTREAM_WORKERS_MAX ? ZSTREAM_WORKERS_MAX : (int)n);
}

static int
zstream_setup(struct zstream *z, int level)
{
	size_t r;
	int nw = zstream_workers();

	if (level < 1 || level > ZSTD_maxCLevel()) {
		log_fail(EX_CONFIG, "compression level %d: zstd levels are 1 "
		    "to %d", level, ZSTD_maxCLevel());
		return (-1);
	}
	r = ZSTD_CCtx_setParameter(z->c, ZSTD_c_compressionLevel, level);
	if (ZSTD_isError(r)) {
		log_fail(EX_CONFIG, "compression level %d: %s", level,
		    ZSTD_getErrorName(r));
		return (-1);
	}
	/* A libzstd built without threads refuses: compress in this thread. */
	if (nw > 0 && (ZSTD_isError(ZSTD_CCtx_setParameter(z->c,
	    ZSTD_c_nbWorkers, nw)) || ZSTD_isError(ZSTD_CCtx_setParameter(z->c,
	    ZSTD_c_jobSize, ZSTREAM_JOB)))) {
		log_debug("zstd: no worker threads; compressing in one thread");
		(void)ZSTD_CCtx_setParameter(z->c, ZSTD_c_nbWorkers, 0);
	}
	return (0);
}

struct zstream *
zstream_new(int level, int (*out)(void *, const void *, size_t), void *cookie)
{
	struct zstream *z;

	if ((z = calloc(1, sizeof(*z))) == NULL)
		goto enomem;
	z->out = out;
	z->cookie = cookie;
	z->o.size = ZSTD_CStreamOutSize();
	if ((z->o.dst = malloc(z->o.size)) == NULL ||
	    (z->c = ZSTD_createCCtx()) == NULL)
		goto enomem;
	if (zstream_setup(z, level))
		goto err;

	/* Success! */
	return (z);

enomem:
	log_fail(EX_OSERR, "zstd: out of memory");
err:
	zstream_free(z);
	/* Failure! */
	return (NULL);
}

/* Hand the output buffer to ${out}, if anything is in it. */
static int
zstream_flush(struct zstream *z)
{

	if (z->o.pos > 0 && z->out(z->cookie, z->o.dst, z->o.pos)) {
		z->failed = 1;
		return (-1);
	}
	z->o.pos = 0;
	return (0);
}

/* One step of ${op} over ${in}: 0 when done, 1 for more, -1 on failure. */
static int
zstream_step(struct zstream *z, ZSTD_inBuffer *in, ZSTD_EndDirective op)
{
	size_t r;

	if (z->failed) {
		log_fail(EX_SOFTWARE, "zstd: use after a failure");
		return (-1);
	}
	r = ZSTD_compressStream2(z->c, &z->o, in, op);
	if (ZSTD_isError(r)) {
		log_fail(EX_SOFTWARE, "zstd: %s", ZSTD_getErrorName(r));
		z->failed = 1;
		return (-1);
	}
	if (z->o.pos == z->o.size || (op == ZSTD_e_end && r == 0))
		if (zstream_flush(z))
			return (-1);
	if (op == ZSTD_e_end)
		return (r != 0);
	return (in->pos < in->size);
}

int
zstream_write(struct zstream *z, const void *buf, size_t len)
{
	ZSTD_inBuffer in = { buf, len, 0 };
	int r;

	/* Blocks inside libzstd, not here, while every worker is busy. */
	while ((r = zstream_step(z, &in, ZSTD_e_continue)) == 1)
		;
	return (r);
}

int
zstream_finish(struct zstream *z)
{
	ZSTD_inBuffer in = { NULL, 0, 0 };
	int r;

	while ((r = zstream_step(z, &in, ZSTD_e_end)) == 1)
		;
	if (r == 0)
		z->failed = 1;	/* the frame is closed */
	return (r);
}

void
zstream_free(struct zstream *z)
{

	if (z == NULL)
		return;
	ZSTD_freeCCtx(z->c);
	free(z->o.dst);
	free(z);
}
