#ifndef TRANSPORT_IMPL_H_
#define TRANSPORT_IMPL_H_

#include <stdarg.h>
#include <time.h>

#include "util/log.h"
#include "transport/transport.h"

/*
 * Inside the transport: the operations table each store implements, and the
 * error record the implementations fill instead of logging, so that
 * transport.c can retry quietly and log only the final failure, once.
 * Paths handed to the operations were checked by transport_path_check().
 */

struct transport_ops {
	int (*connect)(struct transport *);
	int (*mkdir)(struct transport *, const char *);
	/* Upload to ${tmp}, then rename it to ${path} (same directory). */
	int (*put)(struct transport *, const char *tmp, const char *path,
	    transport_src_fn *, void *, uint64_t *pulled);
	int (*get)(struct transport *, const char *, transport_sink_fn *,
	    void *, uint64_t *handed);
	/* 0, 1 when the directory is known to be missing, or -1. */
	int (*list)(struct transport *, const char *,
	    struct transport_entry **, size_t *);
	int (*rename)(struct transport *, const char *, const char *);
	int (*delete)(struct transport *, const char *);
	int (*rmdir)(struct transport *, const char *);
	int (*size)(struct transport *, const char *, uint64_t *);
	enum transport_tls (*tls)(struct transport *);
	int (*free_space)(struct transport *, const char *, uint64_t *);
	void (*close)(struct transport *);
	/* Optional (NULL: not this store).  Store ${len} bytes at ${path}
	 * from memory, where the store has no rename but atomic writes. */
	int (*put_mem)(struct transport *, const char *, const void *,
	    size_t);
	int (*lock_state)(struct transport *, enum transport_lock *);
	int (*locked_until)(struct transport *, const char *, int64_t *);
	/* Optional: make deferred puts under a directory durable. */
	int (*sync)(struct transport *, const char *);
};

struct transport_err {
	int cls;		/* EX_ class of the failure */
	int retry;		/* another attempt may succeed */
	int missing;		/* the refusal may mean "no such file": ask the
				   listing before believing either way */
	int quiet;		/* a callback failed and reported itself */
	int once;		/* one more attempt at most (out of space) */
	char msg[1024];
};

struct transport {
	const struct transport_ops *ops;
	void *impl;
	char *desc;		/* URL without credentials */
	unsigned int retries;
	int deferred;		/* inside transport_put_deferred() */
	struct transport_err err;
	size_t skipped;		/* entries the last listing left out */
	struct timespec t0;	/* when the current operation began */
};

/* The longest file name component, temporary names included. */
#define TRANSPORT_NAME_MAX	255

/**
 * transport_seterr(t, cls, retry, fmt, ...):
 * Record why the current operation of ${t} failed (replacing any earlier
 * record): class ${cls}, worth retrying if ${retry}.
 */
void transport_seterr(struct transport *, int, int, const char *, ...)
    LOG_PRINTF(4, 5);

/**
 * transport_path_check(path, empty_ok):
 * Return 0 if ${path} is relative, made of non-empty components other than
 * "." and "..", without control characters; "" only if ${empty_ok}.
 */
int transport_path_check(const char *, int);

/* Room for transport_where(): the store's URL and a checked path. */
#define TRANSPORT_WHERE_MAX	2048

/**
 * transport_url_shown(url, buf, len):
 * Copy the configured URL ${url} into ${buf} of ${len} bytes for a message
 * about it, with anything up to a '@' after "://" (a user or password,
 * which a valid URL never holds) replaced by "...".  Return ${buf}.
 */
const char *transport_url_shown(const char *, char *, size_t);

/**
 * transport_tmpname(path):
 * A temporary name beside ${path}: "${path}" TRANSPORT_TMP_MARK and 8 random
 * hex digits.  Return a malloc'd string, or NULL.
 */
char *transport_tmpname(const char *);

/**
 * transport_entry_add(entries, n, cap, name, namelen, is_dir, size):
 * Append an entry to the growing array ${*entries} of ${*n} entries and
 * ${*cap} slots.  Return 0 or -1 (out of memory).
 */
int transport_entry_add(struct transport_entry **, size_t *, size_t *,
    const char *, size_t, int, uint64_t);

/*
 * bwlimit (sitevault.conf(5)) for the network transports: libcurl's max
 * send and receive speeds are set too, but libcurl lets a download of a
 * few MiB through at full speed (measured with libcurl 7.88 against vsftpd
 * on loopback), so the data callbacks pace every transfer of the run.
 */
struct transport_pace {
	uint64_t limit;		/* bytes/s; 0: no cap */
	uint64_t bytes;		/* moved since ${t0} */
	int64_t t0;		/* ns, CLOCK_MONOTONIC; 0: not started */
};

/**
 * transport_pace(tp, n):
 * ${n} bytes of file data were just moved: with a limit set, sleep until
 * the bytes moved fit the cap since pacing started (at most one second of
 * idle credit is kept, so an idle run earns no long burst).  Sleeping in a
 * data callback stops reading the socket, and TCP slows the sender down.
 */
void transport_pace(struct transport_pace *, size_t);

/*
 * transport_retry.c: the failure side of every operation of transport.c.
 */

/**
 * transport_report(t):
 * Log the failure recorded in ${t->err}, unless a callback that failed
 * logged it already (${t->err.quiet}).
 */
void transport_report(struct transport *);

/**
 * transport_find(t, path, size):
 * Whether ${path} exists, from one listing of its parent (no retry): 1 for
 * a file (its size in ${*size} if ${size} is not NULL), 2 for a directory,
 * 0 when missing (also when the parent is), -1 with the reason in
 * ${t->err}.
 */
int transport_find(struct transport *, const char *, uint64_t *);

/**
 * transport_lookup(t, path):
 * As transport_find(t, path, NULL), while handling another failure: the
 * record in ${t->err} is kept.
 */
int transport_lookup(struct transport *, const char *);

/**
 * transport_op_start(t):
 * Note the start of an operation of ${t}, for "N attempts over S s".
 */
void transport_op_start(struct transport *);

/**
 * transport_checkpath(t, path, empty_ok):
 * Start an operation on ${path} and check the path with
 * transport_path_check().  Return 0, or -1 after logging (EX_CONFIG).
 */
int transport_checkpath(struct transport *, const char *, int);

/**
 * transport_again(t, attempt):
 * After a failed attempt: if the failure recorded in ${t->err} is worth
 * another try and tries are left, say so, wait (exponential backoff from
 * SITEVAULT_RETRY_BASE_MS, jittered), count the attempt in ${*attempt} and
 * return 1; else add the attempts made to the message and return 0.
 */
int transport_again(struct transport *, unsigned int *);

/**
 * transport_local_open(t, c):
 * Set up ${t} for the local directory store of ${c}.  Return 0, or -1 after
 * logging.
 */
int transport_local_open(struct transport *, const struct conf *);

/**
 * transport_ftp_open(t, c, password):
 * Set up ${t} for the FTP/FTPS store of ${c}.  Return 0, or -1 after logging.
 */
int transport_ftp_open(struct transport *, const struct conf *,
    const char *);

/**
 * transport_s3_open(t, c, secret):
 * Set up ${t} for the S3 store of ${c} with the unsealed secret key
 * ${secret}.  Return 0, or -1 after logging.
 */
int transport_s3_open(struct transport *, const struct conf *,
    const char *);

#endif /* !TRANSPORT_IMPL_H_ */
