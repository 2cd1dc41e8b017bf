#ifndef TRANSPORT_H_
#define TRANSPORT_H_

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct conf;

/*
 * The backup store: an FTP/FTPS server through libcurl, an S3 bucket, or
 * a local directory, behind one interface so that backup, retention and restore are
 * written once.  Paths are relative to the configured URL ("branch-01/SITE");
 * '/' separates components.  Every failure is logged once with the server's
 * reply line or the errno text, and classed for the exit code:
 * EX_NOPERM (login refused), EX_UNAVAILABLE (unreachable, TLS refused),
 * EX_TEMPFAIL (transfer kept failing after retries), EX_IOERR (local I/O,
 * quota or disk full: 452/552), EX_CONFIG (bad URL, anonymous user).
 */

struct transport_entry {
	char *name;		/* file name only, no directory */
	int is_dir;
	uint64_t size;		/* 0 when the listing does not say */
};

/*
 * Source callback for transport_put_stream(): fill up to ${len} bytes at
 * ${buf}; return the count, 0 at the end, or -1 on error.  A callback that
 * fails reports why itself; the transport then fails without a message.
 */
typedef ssize_t transport_src_fn(void *, void *, size_t);

/* Sink callback for transport_get(): as age_out_fn; a failure is reported
 * by the callback, as for the source. */
typedef int transport_sink_fn(void *, const void *, size_t);

/**
 * transport_open(c, password):
 * Open the store named by ${c} ([server] section).  ${password} is the
 * unsealed FTP password or S3 secret key (NULL for a local store); it is copied and the copy
 * wiped by transport_close().  An anonymous or empty user is refused here
 * (EX_CONFIG) without connecting.  Connects lazily or at once as the
 * implementation prefers; one control connection is reused for the run.
 * Return NULL after logging.
 */
struct transport *transport_open(const struct conf *, const char *);

/**
 * transport_describe(t):
 * A printable name of the store for messages: URL without credentials.
 */
const char *transport_describe(const struct transport *);

/**
 * transport_where(t, path, buf, len):
 * Name store path ${path} in a message: the store's URL (without
 * credentials) and ${path} joined by one '/' ("" names the store itself),
 * written to ${buf} of ${len} bytes, truncated if longer.  Return ${buf}.
 */
const char *transport_where(const struct transport *, const char *, char *,
    size_t);

/**
 * transport_mkdir(t, path):
 * Create directory ${path} and its parents; an existing directory is
 * success, whatever the reply code.  Return 0 or -1.
 */
int transport_mkdir(struct transport *, const char *);

/**
 * transport_put_buf(t, path, buf, len):
 * Store ${len} bytes at ${path}: upload to a temporary name in the same
 * directory, then rename into place (S3: one atomic PUT under ${path}),
 * retrying the whole upload with exponential backoff up to the configured
 * count (the buffer is resent from memory).  Nothing is visible under
 * ${path} unless it is complete.
 * Return 0 or -1.
 */
int transport_put_buf(struct transport *, const char *, const void *, size_t);

/**
 * transport_put_deferred(t, path, buf, len):
 * As transport_put_buf(), but the data need not be on stable storage until
 * transport_sync() of its directory: the local store then skips the two
 * fsyncs of every file (it starts the write-back at once instead).  A
 * crash of the process still never leaves a partial file under ${path}; a
 * power failure before transport_sync() may.  Return 0 or -1.
 */
int transport_put_deferred(struct transport *, const char *, const void *,
    size_t);

/**
 * transport_sync(t, dir):
 * Put everything stored under ${dir} by transport_put_deferred() on stable
 * storage, names included.  A no-op for a server (which answers an upload
 * only once it holds the file).  Return 0 or -1.
 */
int transport_sync(struct transport *, const char *);

/**
 * transport_put_stream(t, path, src, cookie):
 * Store a stream of unknown length read from ${src} under ${path}, through
 * a temporary name and rename (S3: read whole, at most 64 MiB, then one
 * PUT).  Not retried (the source cannot rewind).
 * Return 0 or -1.
 */
int transport_put_stream(struct transport *, const char *,
    transport_src_fn *, void *);

/**
 * transport_get(t, path, sink, cookie):
 * Download ${path}, handing its bytes to ${sink}.  Not retried once bytes
 * were handed out.  A missing file logs with class EX_NOINPUT.
 * Return 0 or -1.
 */
int transport_get(struct transport *, const char *, transport_sink_fn *,
    void *);

/**
 * transport_get_buf(t, path, max, buf, len):
 * Download ${path} (at most ${max} bytes, else fail) into a malloc'd buffer
 * ${*buf} of ${*len} bytes with a NUL after the last byte; retried with
 * backoff.  A missing file logs with class EX_NOINPUT.  Return 0 or -1.
 */
int transport_get_buf(struct transport *, const char *, size_t, uint8_t **,
    size_t *);

/**
 * transport_get_exact(t, path, size, buf):
 * As transport_get_buf() for a file of exactly ${size} bytes (a signed
 * size): a larger one is EX_DATAERR; a shorter download is a cut transfer,
 * retried (network stores), and a transfer error, EX_TEMPFAIL, when every
 * attempt is short.  The server's own idea of the size (FTP SIZE) is never
 * trusted.  Return 0 or -1.
 */
int transport_get_exact(struct transport *, const char *, size_t,
    uint8_t **);

/**
 * transport_get_into(t, path, size, into):
 * As transport_get_exact(), into the caller's buffer ${into} of ${size}
 * bytes (no allocation, no copy as the download grows: restore reuses one
 * buffer for every part).  Return 0 or -1.
 */
int transport_get_into(struct transport *, const char *, size_t,
    uint8_t *);

/**
 * transport_list(t, dir, entries, n):
 * List directory ${dir} ("" for the root of the URL) without "." and "..".
 * A missing directory is an empty listing with return value 1, the root
 * included where the store makes it on demand (FTP: "missing" decided from
 * the parent's listing); a local store directory that is missing is
 * EX_UNAVAILABLE, as for transport_connect().
 * Entries whose names are not plain names (empty, "." or "..", with a "/"
 * or a control character, too long) are left out with a warning: nothing
 * above may act on them (transport_list_skipped() counts them).
 * Return 0, 1, or -1 on error.  Free with transport_entries_free().
 */
int transport_list(struct transport *, const char *,
    struct transport_entry **, size_t *);

/**
 * transport_list_skipped(t):
 * The number of entries the last transport_list() of ${t} left out.
 */
size_t transport_list_skipped(const struct transport *);

/**
 * transport_entries_free(entries, n):
 * Free a listing.  Does nothing if ${entries} is NULL.
 */
void transport_entries_free(struct transport_entry *, size_t);

/**
 * transport_exists(t, path):
 * Decide from the listing of the parent whether ${path} exists: return 1
 * (file), 2 (directory), 0 (missing), or -1 on error.
 */
int transport_exists(struct transport *, const char *);

/**
 * transport_rename(t, from, to):
 * Rename ${from} to ${to}.  Return 0 or -1.
 */
int transport_rename(struct transport *, const char *, const char *);

/**
 * transport_delete(t, path):
 * Delete file ${path}; a file already missing is success.  Return 0 or -1.
 */
int transport_delete(struct transport *, const char *);

/**
 * transport_rmdir(t, path):
 * Remove the empty directory ${path}.  Return 0 or -1.
 */
int transport_rmdir(struct transport *, const char *);

/**
 * transport_size(t, path, size):
 * Set ${*size} to the size of file ${path}.  Return 0 or -1.
 */
int transport_size(struct transport *, const char *, uint64_t *);

/*
 * Additions for `sitevault check` and prune (not in the first contract).
 */

/*
 * Temporary upload names are "<name>" TRANSPORT_TMP_MARK "<8 hex digits>" in
 * the directory of the final name: never a dot file, since some servers hide
 * those from listings and prune must see leftovers of failed uploads.
 */
#define TRANSPORT_TMP_MARK	".sv-tmp."

/**
 * transport_is_temp(name):
 * Return non-zero if the file name ${name} is a temporary upload name.
 */
int transport_is_temp(const char *);

/**
 * transport_connect(t):
 * Reach the store and log in (FTP), or check that the store directory
 * exists (local: EX_UNAVAILABLE when missing, e.g. an NFS mount that is not
 * mounted).  Return 0 or -1.
 */
int transport_connect(struct transport *);

enum transport_tls {
	TRANSPORT_TLS_NA,		/* local store */
	TRANSPORT_TLS_ON,		/* control and data connections use TLS */
	TRANSPORT_TLS_OFF,		/* clear text over the network */
	TRANSPORT_TLS_OFF_LOOPBACK	/* clear text, to this machine only */
};

/**
 * transport_tls(t):
 * Whether the connection used by the last successful request was TLS.
 */
enum transport_tls transport_tls(struct transport *);

/**
 * transport_free_space(t, dir, bytes):
 * Set ${*bytes} to the space available in ${dir} where the store reports
 * it (local: statvfs; FTP: the AVBL command where the server has it).
 * Return 1 if known, 0 if the store does not say, -1 on error.
 */
int transport_free_space(struct transport *, const char *, uint64_t *);

enum transport_lock {
	TRANSPORT_LOCK_NA,		/* not an object store */
	TRANSPORT_LOCK_OFF,		/* bucket without object lock */
	TRANSPORT_LOCK_ON		/* bucket with object lock */
};

/**
 * transport_lock_state(t, state):
 * Set ${*state} to whether the store can keep objects immutable (S3 object
 * lock on the bucket); TRANSPORT_LOCK_NA, without asking the server, for
 * stores that cannot.  Return 0 or -1.
 */
int transport_lock_state(struct transport *, enum transport_lock *);

/**
 * transport_locked_until(t, path, until):
 * If file ${path} has a retention date (S3 object lock), set ${*until} to
 * it (seconds since 1970, UTC) and return 1; return 0 if it has none, is
 * missing, or the store has no such thing; -1 on error.  No retry.
 */
int transport_locked_until(struct transport *, const char *, int64_t *);

/*
 * Retries wait SITEVAULT_RETRY_BASE_MS milliseconds (default 1000) times
 * 2^attempt, plus or minus 25% so that sites sharing a server spread out,
 * capped at TRANSPORT_BACKOFF_CAP_MS.  The variable exists for tests.
 */
#define TRANSPORT_BACKOFF_CAP_MS	60000

/**
 * transport_close(t):
 * Close the connection and wipe the password.  Does nothing if ${t} is NULL.
 */
void transport_close(struct transport *);

#endif /* !TRANSPORT_H_ */
