#ifndef PIPELINE_INTERNAL_H_
#define PIPELINE_INTERNAL_H_

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include <openssl/sha.h>

#include "util/log.h"
#include "util/path.h"
#include "run/pipeline.h"

struct age_writer;
struct filelist;
struct manifest_part;

#define QMAX	PIPELINE_BUFFERS

/*
 * A bounded queue of buffers between two threads: at most ${depth}
 * buffers of ${size} bytes exist, each free, being filled, queued, or being
 * consumed.  All queues of a pipe share its mutex, condition and failure
 * flag, so that a failure anywhere wakes every thread.  The time each side
 * waits for the other is counted, to tell which one sets the speed.
 */
struct pipeline_queue {
	size_t size, depth;
	uint8_t *bufs[QMAX];		/* allocated on first use */
	size_t nalloc;
	uint8_t *freebufs[QMAX];
	size_t nfree;
	struct {
		uint8_t *buf;
		size_t len;
	} ready[QMAX];			/* a ring, oldest first */
	size_t rhead, rcount;
	int eof;			/* the producer is done */
	/* The producer's buffer being filled. */
	uint8_t *cur;
	size_t curlen;
	uint64_t waited_free, waited_ready;	/* ns, under the mutex */
};

struct pipe {
	const struct pipeline_job *job;
	char dir[PATH_BUF];		/* <site>/<Category>_<id> */
	pthread_mutex_t mu;
	pthread_cond_t cv;		/* any change to the queues or flag */
	int failed;			/* any thread: stop now */
	struct pipeline_queue parts;		/* encrypted parts -> upload */
	struct age_writer *w;		/* reading thread only */
	uint64_t stored;		/* bytes uploaded (atomic reads) */
	struct manifest_part *mparts;	/* upload thread only, until joined */
	size_t nparts;
	struct filelist *cur;		/* with_list: the tree as scanned */
	uint64_t unchanged;		/* objects the scan left out */
	size_t hint;			/* where in job->prev to look next */
	int prev_freed;			/* job->prev freed (pipeline.h) */
	uint64_t list_size;		/* the sealed list uploaded */
	uint8_t list_sha256[SHA256_DIGEST_LENGTH];
	uint64_t t_hash, t_put, cpu_up;	/* upload thread only, ns */
	/* What the upload thread logged, handed to the caller after the join. */
	struct log_failure up_fail;
};

/**
 * pipeline_now_ns(clock):
 * The time of ${clock} in nanoseconds (0 if it cannot be read).
 */
uint64_t pipeline_now_ns(clockid_t);

/**
 * pipeline_fail(p):
 * Mark ${p} failed and wake every thread waiting on one of its queues.
 */
void pipeline_fail(struct pipe *);

/**
 * pipeline_queue_write(p, q, buf, len):
 * Copy ${len} bytes of ${buf} into the buffers of ${q}, queueing each one
 * that fills up; wait for a free buffer if all ${q->depth} are in use.
 * Return -1 if ${p} failed (or a buffer could not be allocated), else 0.
 */
int pipeline_queue_write(struct pipe *, struct pipeline_queue *, const void *,
    size_t);

/**
 * pipeline_queue_close(p, q):
 * The producer of ${q} is done: queue the buffer it was filling, then mark
 * the end.  Return -1 if ${p} failed, else 0.
 */
int pipeline_queue_close(struct pipe *, struct pipeline_queue *);

/**
 * pipeline_queue_get_ready(p, q, buf, len):
 * Wait for the next full buffer of ${q} and set ${buf} and ${len} to it.
 * Return 1 with a buffer, 0 at the end of ${q}, or -1 if ${p} failed.
 * The buffer goes back with pipeline_queue_put_free().
 */
int pipeline_queue_get_ready(struct pipe *, struct pipeline_queue *, uint8_t **,
    size_t *);

/**
 * pipeline_queue_put_free(p, q, buf):
 * Give ${buf}, consumed, back to the producer of ${q}.
 */
void pipeline_queue_put_free(struct pipe *, struct pipeline_queue *,
    uint8_t *);

/**
 * pipeline_queue_free(q):
 * Free the buffers of ${q} (the threads using it are joined).
 */
void pipeline_queue_free(struct pipeline_queue *);

#endif /* !PIPELINE_INTERNAL_H_ */
