/*
 * The bounded buffer queues of the backup pipeline (pipeline.c): the one
 * place the reading and upload threads meet, under the mutex of their
 * pipe.  Kept apart from the stages they connect so that the locking can
 * be read, and checked, on its own.  See pipeline_internal.h.
 */
#include "config.h"

#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "util/log.h"
#include "run/pipeline.h"
#include "run/pipeline_internal.h"

/* The time of ${clock} in nanoseconds. */
uint64_t
pipeline_now_ns(clockid_t clock)
{
	struct timespec ts;

	if (clock_gettime(clock, &ts))
		return (0);
	return ((uint64_t)ts.tv_sec * 1000000000 + (uint64_t)ts.tv_nsec);
}

/* Mark ${p} failed and wake every thread waiting on it. */
void
pipeline_fail(struct pipe *p)
{

	pthread_mutex_lock(&p->mu);
	p->failed = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* A buffer of ${q} to fill: a free one, a new one, or wait.  NULL: failed. */
static uint8_t *
queue_get_free(struct pipe *p, struct pipeline_queue *q)
{
	uint8_t *b = NULL;
	uint64_t t0 = 0;

	pthread_mutex_lock(&p->mu);
	if (!p->failed && q->nfree == 0 && q->nalloc == q->depth)
		t0 = pipeline_now_ns(CLOCK_MONOTONIC);
	while (!p->failed && q->nfree == 0 && q->nalloc == q->depth)
		pthread_cond_wait(&p->cv, &p->mu);
	if (t0 != 0)
		q->waited_free += pipeline_now_ns(CLOCK_MONOTONIC) - t0;
	if (p->failed)
		goto out;
	if (q->nfree > 0) {
		b = q->freebufs[--q->nfree];
	} else if ((b = malloc(q->size)) != NULL) {
		q->bufs[q->nalloc++] = b;
	} else {
		log_fail(EX_OSERR, "%s: out of memory for a buffer of %zu "
		    "bytes", p->dir, q->size);
		p->failed = 1;
		pthread_cond_broadcast(&p->cv);
	}
out:
	pthread_mutex_unlock(&p->mu);
	return (b);
}

/* Queue the buffer being filled in ${q} for its consumer. */
static int
queue_put_ready(struct pipe *p, struct pipeline_queue *q)
{
	size_t slot;
	int rc = -1;

	pthread_mutex_lock(&p->mu);
	if (p->failed)
		goto out;
	slot = (q->rhead + q->rcount) % q->depth;
	q->ready[slot].buf = q->cur;
	q->ready[slot].len = q->curlen;
	q->rcount++;
	q->cur = NULL;
	q->curlen = 0;
	pthread_cond_broadcast(&p->cv);
	rc = 0;
out:
	pthread_mutex_unlock(&p->mu);
	return (rc);
}

/* The next full buffer of ${q}: 1, 0 at the end, -1 after a failure. */
int
pipeline_queue_get_ready(struct pipe *p, struct pipeline_queue *q,
    uint8_t **buf, size_t *len)
{
	uint64_t t0 = 0;
	int rc;

	pthread_mutex_lock(&p->mu);
	if (q->rcount == 0 && !q->eof && !p->failed)
		t0 = pipeline_now_ns(CLOCK_MONOTONIC);
	while (q->rcount == 0 && !q->eof && !p->failed)
		pthread_cond_wait(&p->cv, &p->mu);
	if (t0 != 0)
		q->waited_ready += pipeline_now_ns(CLOCK_MONOTONIC) - t0;
	if (p->failed) {
		rc = -1;
	} else if (q->rcount == 0) {
		rc = 0;
	} else {
		*buf = q->ready[q->rhead].buf;
		*len = q->ready[q->rhead].len;
		q->rhead = (q->rhead + 1) % q->depth;
		q->rcount--;
		rc = 1;
	}
	pthread_mutex_unlock(&p->mu);
	return (rc);
}

/* Give a consumed buffer back to its producer. */
void
pipeline_queue_put_free(struct pipe *p, struct pipeline_queue *q,
    uint8_t *buf)
{

	pthread_mutex_lock(&p->mu);
	q->freebufs[q->nfree++] = buf;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* Copy bytes into ${q}'s buffers, queueing each one that fills up. */
int
pipeline_queue_write(struct pipe *p, struct pipeline_queue *q, const void *buf,
    size_t len)
{
	const uint8_t *s = buf;
	size_t n;

	while (len > 0) {
		if (q->cur == NULL && (q->cur = queue_get_free(p, q)) == NULL)
			return (-1);
		n = q->size - q->curlen;
		if (n > len)
			n = len;
		memcpy(q->cur + q->curlen, s, n);
		q->curlen += n;
		s += n;
		len -= n;
		if (q->curlen == q->size && queue_put_ready(p, q))
			return (-1);
	}
	return (0);
}

/* The producer of ${q} is done: queue what it filled, then mark the end. */
int
pipeline_queue_close(struct pipe *p, struct pipeline_queue *q)
{

	if (q->curlen > 0 && queue_put_ready(p, q))
		return (-1);
	pthread_mutex_lock(&p->mu);
	q->eof = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
	return (0);
}

/* Free the buffers of ${q}. */
void
pipeline_queue_free(struct pipeline_queue *q)
{
	size_t i;

	for (i = 0; i < q->nalloc; i++)
		free(q->bufs[i]);
}
