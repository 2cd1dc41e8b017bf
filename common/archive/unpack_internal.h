#ifndef UNPACK_INTERNAL_H_
#define UNPACK_INTERNAL_H_

#include <stddef.h>
#include <sys/types.h>
#include <time.h>

#include "archive/unpack.h"

/*
 * The disk side of unpack.c: entries it has checked are created relative to
 * directory descriptors beneath the root, never through a symlink and never
 * by a path walked from "/" (unpack_write.c).
 */

struct archive_entry;
struct unpack_writer;

/**
 * unpack_writer_new(root):
 * Open the existing directory ${root}, which must belong to this user, for
 * extraction.  Return NULL after logging (EX_CANTCREAT).
 */
struct unpack_writer *unpack_writer_new(const char *);

/**
 * unpack_writer_begin(w, e, name, link, raw):
 * Create the entry ${e} at the canonical ${name} (a hard link to the
 * canonical ${link} if not NULL); ${raw} names it in messages.  A regular
 * file stays open for unpack_writer_data().  Return 0 or -1 after logging
 * (EX_DATAERR if a directory on the way is a symlink).
 */
int unpack_writer_begin(struct unpack_writer *, struct archive_entry *,
    const char *, const char *, const char *);

/**
 * unpack_writer_data(w, buf, len, off):
 * Write ${len} bytes at ${off} of the open file; blocks of zeros become
 * holes.  Return 0 or -1 after logging.
 */
int unpack_writer_data(struct unpack_writer *, const void *, size_t, off_t);

/**
 * unpack_writer_finish(w):
 * Finish the current entry: size, owner (as root), mode and times.
 * Return 0 or -1 after logging.
 */
int unpack_writer_finish(struct unpack_writer *);

/**
 * unpack_writer_is_file(w, name):
 * Return 1 if the canonical ${name} is now a regular file on disk, 0 if
 * not, or -1 if making the files queued before failed (logged).
 */
int unpack_writer_is_file(struct unpack_writer *, const char *);

/**
 * unpack_writer_close(w):
 * Stop the write-back thread (unpack_flush_stop()), then set the modes and
 * times of the directories created (deferred, since creating their entries
 * changed them).  Return 0 or -1 after logging.
 */
int unpack_writer_close(struct unpack_writer *);

/**
 * unpack_writer_free(w):
 * Free ${w}.  Does nothing if ${w} is NULL.
 */
void unpack_writer_free(struct unpack_writer *);

/*
 * While many small files are made, the stage's file system is flushed on a
 * thread of its own, ahead of the commit's syncfs (unpack_flush.c).
 */
struct unpack_flush;

/**
 * unpack_flush_new(dirfd, name):
 * Start flushing the file system of the directory ${dirfd}, named ${name} in
 * messages, now and then (${dirfd} may be closed after the call).  Return
 * NULL after logging.
 */
struct unpack_flush *unpack_flush_new(int, const char *);

/**
 * unpack_flush_note(f):
 * Count a small file made; the thread flushes only after enough of them.
 * Cheap: called once per file, from any thread.
 */
void unpack_flush_note(struct unpack_flush *);

/**
 * unpack_flush_stop(f):
 * Stop the thread, after its flush in progress.  Return 0, or -1 after
 * logging if one of its flushes failed: that write-back error may not be
 * reported to a descriptor opened later (syncfs(2)).
 */
int unpack_flush_stop(struct unpack_flush *);

/**
 * unpack_flush_free(f):
 * Stop the thread and free ${f}; a failed flush not asked for by
 * unpack_flush_stop() is not reported.  Does nothing if ${f} is NULL.
 */
void unpack_flush_free(struct unpack_flush *);

/*
 * A zstd archive is decompressed on a thread of its own, overlapping the
 * extraction (unpack_zstd.c).
 */
struct unpack_zstd;

/**
 * unpack_zstd_new(src, cookie, first, firstlen):
 * Start decompressing the zstd stream read from ${src}, whose first
 * ${firstlen} bytes, at ${first}, were read already (they stay valid until
 * ${src} is called again).  From now on only that thread calls ${src}, to
 * its end.  Return NULL after logging.
 */
struct unpack_zstd *unpack_zstd_new(unpack_src_fn *, void *, const void *,
    size_t);

/**
 * unpack_zstd_read(z, buf):
 * An unpack_src_fn: point ${*buf} at the next decompressed bytes (valid
 * until the next call) and return their count, 0 at the end of a stream
 * whose frames all ended, or -1 after the failure of the source or of the
 * decompression (logged by the thread, taken over here: EX_DATAERR for a
 * corrupt or truncated stream).
 */
ssize_t unpack_zstd_read(void *, const void **);

/**
 * unpack_zstd_free(z):
 * Stop the thread (after the source call it may be in) and free ${z},
 * wiping what it held.  Does nothing if ${z} is NULL.
 */
void unpack_zstd_free(struct unpack_zstd *);

/**
 * unpack_hash(s):
 * A hash of the string ${s} (FNV-1a): for the sets of names (unpack.c) and
 * to choose a worker (unpack_files.c).
 */
size_t unpack_hash(const char *);

/*
 * Small regular files are made on worker threads while the extraction goes
 * on (unpack_files.c).
 */
struct unpack_files;

/* A file to make: its data read whole from the archive. */
struct unpack_job {
	struct unpack_job *next;	/* in its worker's queue */
	size_t cost;		/* bytes of memory it holds */
	unsigned long long seq;	/* its place in the archive */
	int dirfd;		/* the parent directory, open until drained */
	char *name;		/* canonical, from the extraction root */
	const char *base;	/* ... its last component, in ${dirfd} */
	char *raw;		/* the entry's name, for messages */
	unsigned char *data;	/* ${size} bytes, zeros where none were read */
	size_t size;
	mode_t mode;		/* no setuid or setgid bit */
	int chown;		/* set the owner to ${uid}, ${gid} */
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];	/* atime, mtime */
};

/**
 * unpack_files_new(flush):
 * Start the workers; each file made is noted to ${flush}
 * (unpack_flush_note()).  Return NULL after logging.
 */
struct unpack_files *unpack_files_new(struct unpack_flush *);

/**
 * unpack_job_new(dirfd, name, raw, size):
 * A job making the canonical ${name}, whose parent directory is ${dirfd},
 * with ${size} bytes of data, zeroed, for the entry ${raw}; the caller sets
 * the rest.  Return NULL after logging.
 */
struct unpack_job *unpack_job_new(int, const char *, const char *, size_t);

/**
 * unpack_job_free(j):
 * Free ${j}.  Does nothing if ${j} is NULL.
 */
void unpack_job_free(struct unpack_job *);

/**
 * unpack_files_submit(p, j):
 * Queue ${j}, which ${p} now owns, after the jobs for the same name; wait
 * while too much is queued.  Return 0, or -1 if a worker failed (its
 * failure, logged there, becomes this thread's: log_adopt()).
 */
int unpack_files_submit(struct unpack_files *, struct unpack_job *);

/**
 * unpack_files_drain(p):
 * Wait until every queued file is made (or dropped after a failure).
 * Return 0, or -1 as unpack_files_submit() does.
 */
int unpack_files_drain(struct unpack_files *);

/**
 * unpack_files_free(p):
 * Drop the jobs not started (after a worker's failure, those before it in
 * the archive still run), stop the workers and free ${p}; a worker's
 * failure not yet returned becomes this thread's (log_adopt()).  Does
 * nothing if ${p} is NULL.
 */
void unpack_files_free(struct unpack_files *);

/**
 * unpack_files_worker(name):
 * The worker that makes the canonical ${name}, always the same one: from 0
 * to the number of workers, less one.
 */
size_t unpack_files_worker(const char *);

/**
 * unpack_files_clear(dirfd, base, raw, keepdir):
 * Make room for a new entry at ${base} in ${dirfd} (the entry ${raw}, for
 * messages): remove what is there, without following a symlink.  Return 1
 * if a directory is there and ${keepdir}, when it stays; 0 once nothing is
 * there; -1 after logging.
 */
int unpack_files_clear(int, const char *, const char *, int);

/**
 * unpack_files_put(fd, buf, len, off, end):
 * pwrite() the ${len} bytes at ${buf} at ${off} of ${fd}, leaving as holes
 * the 4 KiB blocks that hold only zeros; raise ${*end} to the end of the
 * last byte written.  Return 0, or -1 with errno set.
 */
int unpack_files_put(int, const void *, size_t, off_t, off_t *);

#endif /* !UNPACK_INTERNAL_H_ */
