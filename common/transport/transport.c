/* The store interface: dispatch to the store's operations, each wrapped
 * in the retries of transport_retry.c. */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "conf/conf.h"
#include "util/buf.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

/* Slice of memory handed out by put_buf's source, restartable per attempt. */
struct membuf {
	const uint8_t *p;
	size_t len;
	size_t off;
};

/* Growing buffer for get_buf, capped at max bytes. */
/* A reply being received into memory, and whether it passed its limit. */
struct getbuf {
	struct buf b;
	int overflow;
	uint8_t *into;		/* transport_get_into(): the caller's buffer */
	size_t len;		/* ... bytes in it */
};

void
transport_seterr(struct transport *t, int cls, int retry, const char *fmt,
    ...)
{
	va_list ap;

	memset(&t->err, 0, sizeof(t->err));
	t->err.cls = cls;
	t->err.retry = retry;
	va_start(ap, fmt);
	vsnprintf(t->err.msg, sizeof(t->err.msg), fmt, ap);
	va_end(ap);
}

struct transport *
transport_open(const struct conf *c, const char *password)
{
	struct transport *t;

	if ((t = calloc(1, sizeof(*t))) == NULL) {
		log_fail(EX_OSERR, "transport: out of memory");
		goto err0;
	}
	t->retries = c->server_retries;
	if (conf_is_local(c)) {
		if (transport_local_open(t, c))
			goto err1;
	} else if (conf_is_s3(c)) {
		if (transport_s3_open(t, c, password))
			goto err1;
	} else if (transport_ftp_open(t, c, password))
		goto err1;

	/* Success! */
	return (t);

err1:
	free(t);
err0:
	/* Failure! */
	return (NULL);
}

const char *
transport_describe(const struct transport *t)
{

	return (t->desc);
}

int
transport_connect(struct transport *t)
{
	unsigned int attempt = 0;

	transport_op_start(t);
	while (t->ops->connect(t)) {
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

int
transport_mkdir(struct transport *t, const char *path)
{
	unsigned int attempt = 0;

	if (transport_checkpath(t, path, 0))
		return (-1);
	while (t->ops->mkdir(t, path)) {
		/* "Already exists" comes in many reply codes: ask the list. */
		if (t->err.missing && transport_lookup(t, path) == 2)
			return (0);
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

static ssize_t
membuf_read(void *cookie, void *buf, size_t len)
{
	struct membuf *m = cookie;

	if (len > m->len - m->off)
		len = m->len - m->off;
	memcpy(buf, m->p + m->off, len);
	m->off += len;
	return ((ssize_t)len);
}

/*
 * Upload through a temporary name; retried while the source was not read
 * (${rewind} NULL) or can be rewound.
 */
static int
put(struct transport *t, const char *path, transport_src_fn *src,
    void *cookie, struct membuf *rewind)
{
	unsigned int attempt = 0;
	const char *name;
	uint64_t pulled;
	char *tmp;

	if (transport_checkpath(t, path, 0))
		return (-1);
	name = strrchr(path, '/') ? strrchr(path, '/') + 1 : path;
	if (strlen(name) + sizeof(TRANSPORT_TMP_MARK) + 8 >
	    TRANSPORT_NAME_MAX) {
		log_fail(EX_CONFIG, "%s: name too long: %s", t->desc, path);
		return (-1);
	}
	if ((tmp = transport_tmpname(path)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", t->desc);
		return (-1);
	}
	for (;;) {
		pulled = 0;
		if (rewind != NULL)
			rewind->off = 0;
		/* An object store writes atomically: no temporary name. */
		if (rewind != NULL && t->ops->put_mem != NULL) {
			if (t->ops->put_mem(t, path, rewind->p, rewind->len) ==
			    0)
				break;
		} else if (t->ops->put(t, tmp, path, src, cookie, &pulled) ==
		    0)
			break;
		if (pulled > 0 && rewind == NULL)
			t->err.retry = 0;
		if (!transport_again(t, &attempt)) {
			struct transport_err saved = t->err;

			/*
			 * Best effort, while the server answers; prune
			 * removes what stays behind.
			 */
			if (saved.cls != EX_UNAVAILABLE &&
			    saved.cls != EX_NOPERM &&
			    (rewind == NULL || t->ops->put_mem == NULL))
				(void)t->ops->delete(t, tmp);
			t->err = saved;
			transport_report(t);
			free(tmp);
			return (-1);
		}
	}
	free(tmp);
	return (0);
}

int
transport_put_buf(struct transport *t, const char *path, const void *buf,
    size_t len)
{
	struct membuf m = { buf, len, 0 };

	return (put(t, path, membuf_read, &m, &m));
}

int
transport_put_deferred(struct transport *t, const char *path,
    const void *buf, size_t len)
{
	struct membuf m = { buf, len, 0 };
	int rc;

	t->deferred = 1;
	rc = put(t, path, membuf_read, &m, &m);
	t->deferred = 0;
	return (rc);
}

int
transport_sync(struct transport *t, const char *dir)
{
	unsigned int attempt = 0;

	if (transport_checkpath(t, dir, 1))
		return (-1);
	if (t->ops->sync == NULL)
		return (0);
	while (t->ops->sync(t, dir)) {
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

int
transport_put_stream(struct transport *t, const char *path,
    transport_src_fn *src, void *cookie)
{

	return (put(t, path, src, cookie, NULL));
}

/* A failed download: decide from the listing whether the file exists. */
static void
get_failed(struct transport *t, const char *path)
{
	char w[TRANSPORT_WHERE_MAX];

	if (t->err.missing && transport_lookup(t, path) == 0)
		transport_seterr(t, EX_NOINPUT, 0, "%s: no such file",
		    transport_where(t, path, w, sizeof(w)));
}

int
transport_get(struct transport *t, const char *path, transport_sink_fn *sink,
    void *cookie)
{
	unsigned int attempt = 0;
	uint64_t handed;

	if (transport_checkpath(t, path, 0))
		return (-1);
	for (;;) {
		handed = 0;
		if (t->ops->get(t, path, sink, cookie, &handed) == 0)
			return (0);
		if (handed == 0)
			get_failed(t, path);
		else
			t->err.retry = 0;
		if (!transport_again(t, &attempt))
			break;
	}
	transport_report(t);
	return (-1);
}

static int
getbuf_write(void *cookie, const void *buf, size_t len)
{
	struct getbuf *g = cookie;

	if (g->into != NULL) {
		if (len > g->b.max - g->len) {
			g->overflow = 1;
			return (-1);
		}
		memcpy(g->into + g->len, buf, len);
		g->len += len;
		return (0);
	}
	if (buf_append(&g->b, buf, len) == 0) {
		g->len = g->b.len;
		return (0);
	}
	g->overflow = (errno == EFBIG);
	return (-1);
}

/*
 * transport_get_buf(), and with ${exact}, a download shorter than ${max}
 * is a cut transfer: retried, then EX_TEMPFAIL (sitevault(8), EXIT STATUS),
 * never a verdict on the data, which was not all read.
 */
static int
get_buf(struct transport *t, const char *path, size_t max, int exact,
    uint8_t *into, uint8_t **buf, size_t *len)
{
	struct getbuf g = { BUF_INIT(max), 0, into, 0 };
	char w[TRANSPORT_WHERE_MAX];
	unsigned int attempt = 0;
	uint64_t handed;
	int cut;

	if (transport_checkpath(t, path, 0))
		goto err;
	for (;;) {
		buf_clear(&g.b);
		g.len = 0;
		handed = 0;
		cut = 0;
		if (t->ops->get(t, path, getbuf_write, &g, &handed) == 0) {
			if (!exact || g.len == max)
				break;
			/* Over a network, a cut transfer: worth another try. */
			transport_seterr(t, EX_IOERR, t->ops->tls(t) !=
			    TRANSPORT_TLS_NA, "%s: the transfer stopped after "
			    "%zu of %zu bytes", transport_where(t, path, w,
			    sizeof(w)), g.len, max);
			cut = 1;
		} else if (g.overflow) {
			transport_seterr(t, EX_DATAERR, 0,
			    "%s: larger than %zu bytes",
			    transport_where(t, path, w, sizeof(w)), max);
		} else if (t->err.quiet) {
			transport_seterr(t, EX_OSERR, 0, "%s: out of memory",
			    transport_where(t, path, w, sizeof(w)));
		} else if (handed == 0)
			get_failed(t, path);
		if (!transport_again(t, &attempt)) {
			/* Short every time: a transfer error all the same. */
			if (cut)
				transport_seterr(t, EX_TEMPFAIL, 0, "%s: "
				    "transfer error: %zu bytes, where %zu are "
				    "expected (signed)", transport_where(t,
				    path, w, sizeof(w)), g.len, max);
			transport_report(t);
			goto err;
		}
	}
	*len = g.len;
	if (into != NULL)
		return (0);
	/* NUL-terminated, even after an empty file. */
	if ((*buf = buf_take(&g.b)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", t->desc);
		goto err;
	}
	return (0);

err:
	buf_free(&g.b);
	return (-1);
}

int
transport_get_buf(struct transport *t, const char *path, size_t max,
    uint8_t **buf, size_t *len)
{

	return (get_buf(t, path, max, 0, NULL, buf, len));
}

int
transport_get_exact(struct transport *t, const char *path, size_t size,
    uint8_t **buf)
{
	size_t len;

	return (get_buf(t, path, size, 1, NULL, buf, &len));
}

int
transport_get_into(struct transport *t, const char *path, size_t size,
    uint8_t *into)
{
	size_t len;

	return (get_buf(t, path, size, 1, into, NULL, &len));
}

/*
 * Leave out of ${e} the entries that are not plain names: the server
 * chooses them, and "../x", "a/b" or a name with a newline must never
 * become a path sitevault deletes or a line it prints.
 */
static void
plain_only(struct transport *t, const char *dir, struct transport_entry *e,
    size_t *n)
{
	char w[TRANSPORT_WHERE_MAX];
	size_t i, o;

	t->skipped = 0;
	for (i = o = 0; i < *n; i++) {
		if (e[i].name != NULL && strchr(e[i].name, '/') == NULL &&
		    transport_path_check(e[i].name, 0) == 0) {
			e[o++] = e[i];
			continue;
		}
		log_warn("%s: entry \"%.255s\" skipped: not a plain name",
		    transport_where(t, dir, w, sizeof(w)),
		    e[i].name != NULL ? e[i].name : "");
		free(e[i].name);
		t->skipped++;
	}
	*n = o;
}

int
transport_list(struct transport *t, const char *dir,
    struct transport_entry **entries, size_t *n)
{
	unsigned int attempt = 0;
	int rc;

	*entries = NULL;
	*n = 0;
	t->skipped = 0;
	if (transport_checkpath(t, dir, 1))
		return (-1);
	while ((rc = t->ops->list(t, dir, entries, n)) == -1) {
		/* A refused listing of a directory its parent lacks: empty. */
		if (t->err.missing && dir[0] != '\0' &&
		    transport_lookup(t, dir) == 0)
			return (1);
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	plain_only(t, dir, *entries, n);
	return (rc);
}

size_t
transport_list_skipped(const struct transport *t)
{

	return (t->skipped);
}

int
transport_exists(struct transport *t, const char *path)
{
	unsigned int attempt = 0;
	int rc;

	if (transport_checkpath(t, path, 0))
		return (-1);
	while ((rc = transport_find(t, path, NULL)) == -1) {
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (rc);
}

int
transport_rename(struct transport *t, const char *from, const char *to)
{
	unsigned int attempt = 0;

	if (transport_checkpath(t, from, 0) || transport_checkpath(t, to, 0))
		return (-1);
	while (t->ops->rename(t, from, to)) {
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

/* delete and rmdir: a missing file or directory is success. */
static int
remove_op(struct transport *t, const char *path,
    int (*op)(struct transport *, const char *))
{
	unsigned int attempt = 0;

	if (transport_checkpath(t, path, 0))
		return (-1);
	while (op(t, path)) {
		if (t->err.missing && transport_lookup(t, path) == 0)
			return (0);
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

int
transport_delete(struct transport *t, const char *path)
{

	return (remove_op(t, path, t->ops->delete));
}

int
transport_rmdir(struct transport *t, const char *path)
{

	return (remove_op(t, path, t->ops->rmdir));
}

int
transport_size(struct transport *t, const char *path, uint64_t *size)
{
	char w[TRANSPORT_WHERE_MAX];
	unsigned int attempt = 0;
	int rc;

	if (transport_checkpath(t, path, 0))
		return (-1);
	while (t->ops->size(t, path, size)) {
		/* Some servers refuse SIZE; the listing has the size too. */
		if (t->err.missing &&
		    (rc = transport_find(t, path, size)) != -1) {
			if (rc == 1)
				return (0);
			transport_seterr(t, EX_NOINPUT, 0,
			    "%s: no such file",
			    transport_where(t, path, w, sizeof(w)));
		}
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

enum transport_tls
transport_tls(struct transport *t)
{

	return (t->ops->tls(t));
}

int
transport_free_space(struct transport *t, const char *dir, uint64_t *bytes)
{
	int rc;

	if (transport_checkpath(t, dir, 1))
		return (-1);
	if ((rc = t->ops->free_space(t, dir, bytes)) == -1)
		transport_report(t);
	return (rc);
}

int
transport_lock_state(struct transport *t, enum transport_lock *state)
{
	unsigned int attempt = 0;

	*state = TRANSPORT_LOCK_NA;
	if (t->ops->lock_state == NULL)
		return (0);
	while (t->ops->lock_state(t, state)) {
		if (!transport_again(t, &attempt)) {
			transport_report(t);
			return (-1);
		}
	}
	return (0);
}

int
transport_locked_until(struct transport *t, const char *path,
    int64_t *until)
{
	int rc;

	if (transport_checkpath(t, path, 0))
		return (-1);
	if (t->ops->locked_until == NULL)
		return (0);
	if ((rc = t->ops->locked_until(t, path, until)) == -1)
		transport_report(t);
	return (rc);
}

void
transport_close(struct transport *t)
{

	if (t == NULL)
		return;
	t->ops->close(t);
	free(t->desc);
	free(t);
}
