/*
 * Write-back ahead of the commit, while many small files are made
 * (unpack_internal.h).  A restore of 100,000 small files spends most of its
 * final syncfs (commit.c) writing back their inodes and directory blocks;
 * a thread that flushes the stage's file system now and then while they are
 * made overlaps that work with the extraction, so the final syncfs, the one
 * that makes the restore durable, finds little left (measured for 100,000
 * files of 1-4 KiB: 2.15 s to 1.67 s on a loop-mounted ext4, 1.52 s to
 * 1.49 s on a virtio disk, whose write-back costs less).  Large files need
 * none of this: their write-back is started as each is written
 * (unpack_write.c), and a flush while they stream only forces journal
 * commits, so the thread flushes only once FLUSH_FILES small files were made
 * since its last flush.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/unpack_internal.h"

/* At most one flush per FLUSH_NS, and only after FLUSH_FILES small files. */
#define FLUSH_NS	(100 * 1000 * 1000L)
#define FLUSH_FILES	256

struct unpack_flush {
	int fd;			/* the stage, on a file description of its own */
	char *name;		/* ... its path, for the message */
	atomic_size_t made;	/* small files made since the last flush */
	pthread_t thr;
	int running;		/* ${thr} started and not joined */
	pthread_mutex_t mtx;
	pthread_cond_t cv;	/* CLOCK_MONOTONIC; signalled by stop */
	int stop;
	int err;		/* errno of a failed flush, or 0 */
};

/* ${t} advanced by FLUSH_NS. */
static void
deadline(struct timespec *t)
{

	clock_gettime(CLOCK_MONOTONIC, t);
	t->tv_nsec += FLUSH_NS;
	if (t->tv_nsec >= 1000000000L) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000L;
	}
}

static void *
flusher(void *cookie)
{
	struct unpack_flush *f = cookie;
	struct timespec t;
	int r, e;

	pthread_mutex_lock(&f->mtx);
	while (!f->stop && f->err == 0) {
		deadline(&t);
		while (!f->stop && pthread_cond_timedwait(&f->cv, &f->mtx,
		    &t) != ETIMEDOUT)
			;
		if (f->stop)
			break;
		if (atomic_load(&f->made) < FLUSH_FILES)
			continue;
		atomic_store(&f->made, 0);
		pthread_mutex_unlock(&f->mtx);
		r = syncfs(f->fd);
		e = errno;
		pthread_mutex_lock(&f->mtx);
		/*
		 * A write-back error is reported once per file description
		 * open before it, and marks the error seen, so a descriptor
		 * opened later (the commit's) would not hear of it: it is
		 * kept, and unpack_flush_stop() fails the restore.
		 */
		if (r == -1)
			f->err = e;
	}
	pthread_mutex_unlock(&f->mtx);
	return (NULL);
}

struct unpack_flush *
unpack_flush_new(int dirfd, const char *name)
{
	struct unpack_flush *f;
	pthread_condattr_t a;

	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto err0;
	atomic_init(&f->made, 0);
	if ((f->name = strdup(name)) == NULL)
		goto err1;
	/* Not a dup(): error reporting follows the file description. */
	if ((f->fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC)) == -1)
		goto err1b;
	if (pthread_mutex_init(&f->mtx, NULL))
		goto err2;
	if (pthread_condattr_init(&a))
		goto err3;
	if (pthread_condattr_setclock(&a, CLOCK_MONOTONIC) ||
	    pthread_cond_init(&f->cv, &a)) {
		pthread_condattr_destroy(&a);
		goto err3;
	}
	pthread_condattr_destroy(&a);
	if (pthread_create(&f->thr, NULL, flusher, f))
		goto err4;
	f->running = 1;

	/* Success! */
	return (f);

err4:
	pthread_cond_destroy(&f->cv);
err3:
	pthread_mutex_destroy(&f->mtx);
err2:
	close(f->fd);
err1b:
	free(f->name);
err1:
	free(f);
err0:
	log_fail(EX_OSERR, "unpack: cannot start the write-back thread");
	return (NULL);
}

void
unpack_flush_note(struct unpack_flush *f)
{

	atomic_fetch_add_explicit(&f->made, 1, memory_order_relaxed);
}

/* Stop the thread, if it runs, after its flush in progress. */
static void
halt(struct unpack_flush *f)
{

	if (!f->running)
		return;
	pthread_mutex_lock(&f->mtx);
	f->stop = 1;
	pthread_cond_signal(&f->cv);
	pthread_mutex_unlock(&f->mtx);
	pthread_join(f->thr, NULL);
	f->running = 0;
}

int
unpack_flush_stop(struct unpack_flush *f)
{
	int err;

	halt(f);
	if ((err = f->err) != 0) {
		f->err = 0;
		log_fail(EX_IOERR, "%s: writing the restored files to disk "
		    "failed: syncfs: %s", f->name, strerror(err));
		return (-1);
	}
	return (0);
}

void
unpack_flush_free(struct unpack_flush *f)
{

	if (f == NULL)
		return;
	/* A restore that ends here without a stop failed already. */
	halt(f);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mtx);
	close(f->fd);
	free(f->name);
	free(f);
}
