/*
 * Small regular files made on worker threads (unpack_internal.h).  Making a
 * file is mostly the kernel's work (a directory entry, an inode, a block),
 * and a restore of many small files spent most of its time in it on the one
 * extracting thread while the other cores waited.  The extracting thread
 * now reads a small file's data into a job and goes on; FILES_THREADS
 * workers make the files.  Order is kept where it matters: a name always
 * goes to the same worker, whose jobs run in order, so an archive naming a
 * file twice still ends with its last copy; and the writer drains the
 * workers (unpack_files_drain()) before any entry that is not such a file,
 * before it opens another directory and before it looks at the disk.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/unpack_internal.h"

#define FILES_THREADS	2
/*
 * Memory held by queued jobs (data and names), all workers together, and
 * jobs per worker, at most.
 */
#define FILES_BYTES	(1024 * 1024)
#define FILES_JOBS	64
/* Hole detection granularity: the file system's usual block size. */
#define HOLE		4096


struct worker {
	struct unpack_files *p;
	pthread_t thr;
	struct unpack_job *head, *tail;
	size_t njobs;		/* queued or running */
	pthread_cond_t work;	/* a job was queued, or stop */
	int sleeping;		/* waiting for ${work} */
	struct log_failure fail;	/* its last, as log_take() gave it */
};

struct unpack_files {
	struct unpack_flush *flush;
	struct worker w[FILES_THREADS];
	size_t nthr;		/* started */
	pthread_mutex_t mtx;
	pthread_cond_t done;	/* what ${want} waits for happened */
	enum { WANT_NONE, WANT_ROOM, WANT_IDLE } want;
	struct worker *full;	/* ... room in this worker, for WANT_ROOM */
	size_t bytes;		/* queued: the jobs' cost */
	unsigned long long seq;	/* of the last job queued */
	unsigned long long failseq;	/* of the failed job, if ${failed} */
	int stop;
	int failed;		/* 1: a worker failed, ${fail} holds it; 2: ...
				   and the extracting thread adopted it */
	struct log_failure fail;
};

static int
zeros(const unsigned char *p, size_t n)
{

	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	return (n == 0);
}

/* pwrite() all of ${n} bytes of ${p} at ${off}. */
static int
put(int fd, const unsigned char *p, size_t n, off_t off)
{
	ssize_t k;

	for (; n > 0; p += k, n -= (size_t)k, off += k)
		if ((k = pwrite(fd, p, n, off)) <= 0) {
			if (k == 0)
				errno = EIO;
			return (-1);
		}
	return (0);
}

int
unpack_files_put(int fd, const void *buf, size_t len, off_t off, off_t *end)
{
	const unsigned char *p = buf, *run = NULL;
	off_t runoff = 0;
	size_t n;

	/*
	 * File blocks (4 KiB, aligned on the file's offsets) that hold only
	 * zeros are left as holes; each run of other blocks is one write, so
	 * that pages are filled whole and syscalls stay few.
	 */
	while (len > 0) {
		n = HOLE - (size_t)(off % HOLE);
		if (n > len)
			n = len;
		if (zeros(p, n)) {
			if (run != NULL && put(fd, run, (size_t)(p - run),
			    runoff))
				return (-1);
			if (run != NULL && runoff + (p - run) > *end)
				*end = runoff + (p - run);
			run = NULL;
		} else if (run == NULL) {
			run = p;
			runoff = off;
		}
		p += n;
		len -= n;
		off += (off_t)n;
	}
	if (run != NULL && put(fd, run, (size_t)(p - run), runoff))
		return (-1);
	if (run != NULL && runoff + (p - run) > *end)
		*end = runoff + (p - run);
	return (0);
}

int
unpack_files_clear(int dirfd, const char *base, const char *raw, int keepdir)
{
	struct stat sb;

	if (fstatat(dirfd, base, &sb, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return (0);
		goto fail;
	}
	if (keepdir && S_ISDIR(sb.st_mode))
		return (1);
	if (unlinkat(dirfd, base, S_ISDIR(sb.st_mode) ? AT_REMOVEDIR : 0) == 0)
		return (0);
fail:
	log_fail(EX_CANTCREAT, "archive entry %s: cannot replace what is "
	    "there: %s", raw, strerror(errno));
	return (-1);
}

/* Create the job's file, replacing what an earlier entry left there. */
static int
create(const struct unpack_job *j, int exact)
{
	int fd, tries;

	for (tries = 0; tries < 2; tries++) {
		fd = openat(j->dirfd, j->base, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, exact ? j->mode : 0600);
		if (fd != -1 || errno != EEXIST || tries > 0)
			break;
		if (unpack_files_clear(j->dirfd, j->base, j->raw, 0) == -1)
			return (-1);
	}
	if (fd == -1)
		log_fail(EX_CANTCREAT, "archive entry %s: %s", j->raw,
		    strerror(errno));
	return (fd);
}

/* Make the job's file: content, size, owner, mode and times. */
static int
run(struct unpack_files *p, const struct unpack_job *j, int exact)
{
	off_t end = 0;
	int fd, rc = -1;

	if ((fd = create(j, exact)) == -1)
		return (-1);
	if (unpack_files_put(fd, j->data, j->size, 0, &end)) {
		log_fail(EX_IOERR, "archive entry %s: write: %s", j->raw,
		    strerror(errno));
		goto done;
	}
	/* A trailing hole. */
	if ((end != (off_t)j->size && ftruncate(fd, (off_t)j->size)) ||
	    (j->chown && fchown(fd, j->uid, j->gid)) ||
	    (!exact && fchmod(fd, j->mode)) || futimens(fd, j->ts)) {
		log_fail(EX_IOERR, "archive entry %s: %s", j->raw,
		    strerror(errno));
		goto done;
	}
	unpack_flush_note(p->flush);
	rc = 0;
done:
	if (close(fd) && rc == 0) {
		log_fail(EX_IOERR, "archive entry %s: close: %s", j->raw,
		    strerror(errno));
		rc = -1;
	}
	return (rc);
}

static int
idle(const struct unpack_files *p)
{
	size_t i;

	for (i = 0; i < p->nthr; i++)
		if (p->w[i].njobs > 0)
			return (0);
	return (1);
}

static void *
worker(void *cookie)
{
	struct worker *w = cookie;
	struct unpack_files *p = w->p;
	struct unpack_job *j;
	int exact, skip;

	/*
	 * An umask of this thread's own, cleared: a file is made with its
	 * mode, as on the extracting thread (unpack_write.c, exact_modes());
	 * without one, it gets its mode by fchmod.
	 */
	if ((exact = unshare(CLONE_FS) == 0))
		umask(0);
	pthread_mutex_lock(&p->mtx);
	for (;;) {
		while (w->head == NULL && !p->stop) {
			w->sleeping = 1;
			pthread_cond_wait(&w->work, &p->mtx);
			w->sleeping = 0;
		}
		if (w->head == NULL)
			break;
		j = w->head;
		if ((w->head = j->next) == NULL)
			w->tail = NULL;
		/*
		 * After a failure the restore fails: the files after it are
		 * dropped, and those before still made, so that the failure
		 * returned is the first in the archive's order.
		 */
		skip = p->failed != 0 && j->seq > p->failseq;
		pthread_mutex_unlock(&p->mtx);
		if (!skip && run(p, j, exact)) {
			/* Taken here: this thread's log holds no old failure. */
			log_take(&w->fail);
			pthread_mutex_lock(&p->mtx);
			if (!p->failed || j->seq < p->failseq) {
				p->fail = w->fail;
				p->failseq = j->seq;
				p->failed = 1;
			}
			pthread_mutex_unlock(&p->mtx);
		}
		pthread_mutex_lock(&p->mtx);
		w->njobs--;
		p->bytes -= j->cost;
		/*
		 * Wake the extracting thread only once there is room for many
		 * jobs, or none is left: not after every file.
		 */
		if (p->want != WANT_NONE && (p->failed ||
		    (p->want == WANT_ROOM && p->bytes <= FILES_BYTES / 2 &&
		    p->full->njobs <= FILES_JOBS / 2) || idle(p))) {
			p->want = WANT_NONE;
			pthread_cond_signal(&p->done);
		}
		unpack_job_free(j);
	}
	pthread_mutex_unlock(&p->mtx);
	return (NULL);
}

struct unpack_files *
unpack_files_new(struct unpack_flush *flush)
{
	struct unpack_files *p;
	size_t i;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (NULL);
	}
	p->flush = flush;
	pthread_mutex_init(&p->mtx, NULL);
	pthread_cond_init(&p->done, NULL);
	for (i = 0; i < FILES_THREADS; i++)
		pthread_cond_init(&p->w[i].work, NULL);
	for (i = 0; i < FILES_THREADS; i++) {
		p->w[i].p = p;
		if (pthread_create(&p->w[i].thr, NULL, worker, &p->w[i])) {
			log_fail(EX_OSERR, "unpack: cannot start a thread");
			unpack_files_free(p);
			return (NULL);
		}
		p->nthr++;
	}
	return (p);
}

struct unpack_job *
unpack_job_new(int dirfd, const char *name, const char *raw, size_t size)
{
	const char *slash = strrchr(name, '/');
	struct unpack_job *j;
	size_t ln = strlen(name) + 1, lr = strlen(raw) + 1;

	/* One block: the job, its two names and the data, zeroed. */
	if (size > SIZE_MAX - sizeof(*j) - ln - lr ||
	    (j = calloc(1, sizeof(*j) + ln + lr + size)) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (NULL);
	}
	j->data = (unsigned char *)(j + 1);
	j->name = (char *)j->data + size;
	j->raw = j->name + ln;
	memcpy(j->name, name, ln);
	memcpy(j->raw, raw, lr);
	j->base = slash != NULL ? j->name + (slash - name) + 1 : j->name;
	j->dirfd = dirfd;
	j->size = size;
	j->cost = sizeof(*j) + ln + lr + size;
	return (j);
}

void
unpack_job_free(struct unpack_job *j)
{

	free(j);
}

size_t
unpack_files_worker(const char *name)
{

	/*
	 * By the canonical name ("a/b" and "./a//b" are one file), and the
	 * hash's upper half: its lowest bit is only the parity of the
	 * bytes' lowest bits.
	 */
	return ((unpack_hash(name) >> (sizeof(size_t) * CHAR_BIT / 2)) %
	    FILES_THREADS);
}

/* Hand the failure of a worker to this thread, once. */
static int
adopt(struct unpack_files *p)
{

	if (p->failed == 1) {
		log_adopt(&p->fail);
		p->failed = 2;
	}
	return (-1);
}

int
unpack_files_submit(struct unpack_files *p, struct unpack_job *j)
{
	struct worker *w = &p->w[unpack_files_worker(j->name)];
	int rc = 0;

	pthread_mutex_lock(&p->mtx);
	while (!p->failed && (w->njobs >= FILES_JOBS ||
	    (p->bytes > 0 && p->bytes + j->cost > FILES_BYTES))) {
		p->want = WANT_ROOM;
		p->full = w;
		pthread_cond_wait(&p->done, &p->mtx);
	}
	if (p->failed) {
		rc = adopt(p);
		unpack_job_free(j);
	} else {
		if (w->tail != NULL)
			w->tail->next = j;
		else
			w->head = j;
		w->tail = j;
		w->njobs++;
		p->bytes += j->cost;
		j->seq = ++p->seq;
		if (w->sleeping)
			pthread_cond_signal(&w->work);
	}
	pthread_mutex_unlock(&p->mtx);
	return (rc);
}


int
unpack_files_drain(struct unpack_files *p)
{
	int rc = 0;

	pthread_mutex_lock(&p->mtx);
	while (!idle(p)) {
		p->want = WANT_IDLE;
		pthread_cond_wait(&p->done, &p->mtx);
	}
	if (p->failed)
		rc = adopt(p);
	pthread_mutex_unlock(&p->mtx);
	return (rc);
}

void
unpack_files_free(struct unpack_files *p)
{
	struct unpack_job *j;
	size_t i;

	if (p == NULL)
		return;
	pthread_mutex_lock(&p->mtx);
	p->stop = 1;
	/*
	 * Jobs not started are dropped: the extraction failed already, or
	 * none is left.  After a worker's failure, those before it still run
	 * (worker()), one of which may be the first to fail.
	 */
	for (i = 0; i < p->nthr && !p->failed; i++) {
		while ((j = p->w[i].head) != NULL) {
			p->w[i].head = j->next;
			unpack_job_free(j);
		}
		p->w[i].tail = NULL;
	}
	for (i = 0; i < p->nthr; i++)
		pthread_cond_signal(&p->w[i].work);
	pthread_mutex_unlock(&p->mtx);
	for (i = 0; i < p->nthr; i++)
		pthread_join(p->w[i].thr, NULL);
	/* One that came after the extraction failed for another reason. */
	if (p->failed == 1)
		log_adopt(&p->fail);
	for (i = 0; i < FILES_THREADS; i++)
		pthread_cond_destroy(&p->w[i].work);
	pthread_cond_destroy(&p->done);
	pthread_mutex_destroy(&p->mtx);
	free(p);
}
