/*
 * The FTP/FTPS store through libcurl's easy interface.  One handle serves
 * the whole run: libcurl keeps the control connection in the handle's cache
 * and reuses it for the next request, and curl_easy_reset() between requests
 * clears options but keeps that connection.  Passive mode only (EPSV, then
 * PASV).  Replies are not trusted to tell a missing file from a refused one
 * (550, 450 and 501 all occur): transport.c asks the listing instead.
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "conf/conf.h"
#include "transport/ftplist.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_ftp_internal.h"
#include "transport/transport_internal.h"

#define LIST_MAX	(64u * 1024 * 1024)	/* larger: a hostile server */

/* Listing commands in the order tried; the first that works is kept. */
static const struct {
	const char *cmd;
	enum ftplist_format fmt;
} listmodes[] = {
	{ "MLSD", FTPLIST_MLSD },
	{ "LIST -a", FTPLIST_LIST },	/* -a: dot files too */
	{ "LIST", FTPLIST_LIST },
	{ "NLST", FTPLIST_NLST },
};

/* A listing as it arrives: parsed line by line, never held whole. */
struct listbuf {
	struct ftplist_stream *s;
	size_t len;		/* bytes received */
};

static size_t
on_read(char *p, size_t size, size_t n, void *cookie)
{
	struct transport_ftp *f = cookie;
	ssize_t r;

	if ((r = f->src(f->src_cookie, p, size * n)) < 0) {
		f->cb_failed = 1;
		return (CURL_READFUNC_ABORT);
	}
	*f->count += (uint64_t)r;
	transport_pace(&f->pace, (size_t)r);
	return ((size_t)r);
}

static size_t
on_write(char *p, size_t size, size_t n, void *cookie)
{
	struct transport_ftp *f = cookie;

	if (n * size == 0)
		return (0);
	if (f->sink(f->sink_cookie, p, size * n)) {
		f->cb_failed = 1;
		return (0);
	}
	*f->count += size * n;
	transport_pace(&f->pace, size * n);
	return (size * n);
}

static int
list_write(void *cookie, const void *p, size_t len)
{
	struct listbuf *b = cookie;

	if (len > LIST_MAX - b->len)
		return (-1);
	b->len += len;
	/* A line not in this format: read on (the control connection stays
	 * in step); ftplist_stream_end() then says so. */
	(void)ftplist_stream_feed(b->s, p, len);
	return (0);
}

static int
ftp_connect(struct transport *t)
{
	struct transport_ftp *f = t->impl;

	if (transport_ftp_prepare(t, f->root))
		return (-1);
	curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L);
	return (transport_ftp_run(t, "connect", ""));
}

static int
ftp_mkdir(struct transport *t, const char *path)
{
	struct transport_ftp *f = t->impl;
	char *url;
	int rc = -1;

	if ((url = transport_ftp_url(t, path, 1)) == NULL ||
	    transport_ftp_prepare(t, url))
		goto out;
	/* CWD into each component, MKD where that fails, CWD again. */
	curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(f->h, CURLOPT_FTP_CREATE_MISSING_DIRS,
	    (long)CURLFTP_CREATE_DIR_RETRY);
	rc = transport_ftp_run(t, "create directory", path);
out:
	free(url);
	return (rc);
}

static int
ftp_put(struct transport *t, const char *tmp, const char *path,
    transport_src_fn *src, void *cookie, uint64_t *pulled)
{
	struct transport_ftp *f = t->impl;
	struct curl_slist *post = NULL;
	char *url, *from = NULL, *to = NULL;
	int rc = -1;

	if ((url = transport_ftp_url(t, tmp, 0)) == NULL)
		goto out;
	/* RNFR/RNTO run after STOR, in the directory of the file. */
	if ((from = transport_ftp_cmd(t, "RNFR ", tmp, 1)) == NULL ||
	    (to = transport_ftp_cmd(t, "RNTO ", path, 1)) == NULL ||
	    transport_ftp_slist(t, &post, from) ||
	    transport_ftp_slist(t, &post, to))
		goto out;
	if (transport_ftp_prepare(t, url))
		goto out;
	f->src = src;
	f->src_cookie = cookie;
	f->count = pulled;
	curl_easy_setopt(f->h, CURLOPT_UPLOAD, 1L);
	curl_easy_setopt(f->h, CURLOPT_READFUNCTION, on_read);
	curl_easy_setopt(f->h, CURLOPT_READDATA, f);
	curl_easy_setopt(f->h, CURLOPT_POSTQUOTE, post);
	/*
	 * With TLS, close the connection after an upload.  TLS 1.3 session
	 * tickets are single-use, and libcurl never reads the fresh ticket a
	 * server sends on an upload's data connection: the next data
	 * connection would offer the spent one, and servers that require data
	 * sessions to resume the control session (vsftpd's default) refuse it
	 * with "522 session reuse required".  A new control connection brings
	 * a new session.
	 */
	if (f->use_ssl != CURLUSESSL_NONE && (f->tls_used || !f->ok_once))
		curl_easy_setopt(f->h, CURLOPT_FORBID_REUSE, 1L);
	rc = transport_ftp_run(t, "upload", path);
out:
	curl_slist_free_all(post);
	free(from);
	free(to);
	free(url);
	return (rc);
}

static int
ftp_get(struct transport *t, const char *path, transport_sink_fn *sink,
    void *cookie, uint64_t *handed)
{
	struct transport_ftp *f = t->impl;
	char *url;
	int rc = -1;

	if ((url = transport_ftp_url(t, path, 0)) == NULL ||
	    transport_ftp_prepare(t, url))
		goto out;
	f->sink = sink;
	f->sink_cookie = cookie;
	f->count = handed;
	curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, on_write);
	curl_easy_setopt(f->h, CURLOPT_WRITEDATA, f);
	/*
	 * Never ask SIZE, nor stop where its answer says: a server that
	 * answers less would cut every file short unnoticed.  The caller
	 * checks the length against what it expects (a signed size, a cap).
	 */
	if (curl_easy_setopt(f->h, CURLOPT_IGNORE_CONTENT_LENGTH, 1L) !=
	    CURLE_OK) {
		transport_seterr(t, EX_SOFTWARE, 0, "%s: libcurl without "
		    "CURLOPT_IGNORE_CONTENT_LENGTH", t->desc);
		goto out;
	}
	rc = transport_ftp_run(t, "download", path);
out:
	free(url);
	return (rc);
}

/*
 * Ask FEAT once whether the server has MLSD: trying it on a server without
 * it wastes a data connection, and vsftpd with TLS then refuses the next
 * one ("522 session reuse required").
 */
static void
ftp_feat(struct transport *t, const char *url)
{
	struct transport_ftp *f = t->impl;
	struct curl_slist *post = NULL;

	if (transport_ftp_slist(t, &post, "*FEAT") ||
	    transport_ftp_prepare(t, url))
		goto out;
	curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(f->h, CURLOPT_POSTQUOTE, post);
	f->feat_scan = 1;
	f->feat_mlst = 0;
	if (transport_ftp_run(t, "features", "") == 0) {
		f->feat_done = 1;
		if (!f->feat_mlst)
			f->listmode = 1;	/* LIST -a */
	}
	f->feat_scan = 0;
out:
	curl_slist_free_all(post);
}

/*
 * List the directory at ${url} into ${entries}; ${dir} names it in
 * messages.  Return 0, or -1 with the reason in ${t->err}.
 */
static int
list_url(struct transport *t, const char *url, const char *dir,
    struct transport_entry **entries, size_t *n)
{
	struct transport_ftp *f = t->impl;
	struct listbuf b = { NULL, 0 };
	char w[TRANSPORT_WHERE_MAX];
	uint64_t count;
	long code;
	int rc = -1;

	transport_where(t, dir, w, sizeof(w));

	if (!f->feat_done)
		ftp_feat(t, f->root);
	while (f->listmode < sizeof(listmodes) / sizeof(listmodes[0])) {
		b.len = 0;
		count = 0;
		ftplist_stream_free(b.s);
		if ((b.s = ftplist_stream_new(listmodes[f->listmode].fmt)) ==
		    NULL) {
			transport_seterr(t, EX_OSERR, 0, "%s: out of memory", w);
			break;
		}
		if (transport_ftp_prepare(t, url))
			break;
		f->sink = list_write;
		f->sink_cookie = &b;
		f->count = &count;
		curl_easy_setopt(f->h, CURLOPT_CUSTOMREQUEST,
		    listmodes[f->listmode].cmd);
		curl_easy_setopt(f->h, CURLOPT_WRITEFUNCTION, on_write);
		curl_easy_setopt(f->h, CURLOPT_WRITEDATA, f);
		if (transport_ftp_run(t, "list", dir)) {
			if (t->err.quiet)
				transport_seterr(t, EX_IOERR, 0,
				    "%s: listing larger than %u bytes", w,
				    LIST_MAX);
			code = 0;
			curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &code);
			/* The command refused (not the CWD): try the next. */
			if (f->last_rc == CURLE_FTP_COULDNT_RETR_FILE &&
			    code >= 500 && code <= 504 && !f->listmode_fixed) {
				f->listmode++;
				continue;
			}
			break;
		}
		if (ftplist_stream_end(b.s, entries, n) == 0) {
			f->listmode_fixed = 1;
			rc = 0;
			break;
		}
		log_debug("%s: %s output not understood; trying another "
		    "listing command", w, listmodes[f->listmode].cmd);
		f->listmode++;
		transport_seterr(t, EX_TEMPFAIL, 0,
		    "%s: listing not understood", w);
	}
	ftplist_stream_free(b.s);
	return (rc);
}

/*
 * Whether the directory named by the first ${len} bytes of the base URL
 * (up to a '/') is missing, from the listing of its parent, which may be
 * missing in turn: the base of a brand-new server is made by the first
 * backup.  Return 1 if missing, 0 if it exists or nobody can tell (the
 * login directory; a listing refused for another reason), -1 on error.
 */
static int
base_missing(struct transport *t, size_t len)
{
	struct transport_ftp *f = t->impl;
	struct transport_entry *e = NULL;
	size_t start, n = 0, i, rootlen = strlen(f->root);
	char *parent = NULL, *name = NULL;
	int nlen = 0, rc = 0;

	if (len <= rootlen || strncmp(f->base, f->root, rootlen) != 0)
		return (0);
	for (start = len - 1; start > rootlen && f->base[start - 1] != '/';)
		start--;
	if ((parent = strndup(f->base, start)) == NULL ||
	    (name = curl_easy_unescape(f->h, f->base + start,
	    (int)(len - 1 - start), &nlen)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		rc = -1;
		goto out;
	}
	/* "a//b" or "%2F": no name to look for. */
	if (nlen == 0 || memchr(name, '/', (size_t)nlen) != NULL ||
	    memchr(name, '\0', (size_t)nlen) != NULL)
		goto out;
	if (list_url(t, parent, "..", &e, &n) == 0) {
		rc = 1;
		for (i = 0; i < n; i++)
			if (strcmp(e[i].name, name) == 0)
				rc = 0;
	} else if (t->err.missing)
		rc = base_missing(t, start);
	else
		rc = -1;
out:
	transport_entries_free(e, n);
	curl_free(name);
	free(parent);
	return (rc);
}

static int
ftp_list(struct transport *t, const char *dir,
    struct transport_entry **entries, size_t *n)
{
	struct transport_ftp *f = t->impl;
	struct transport_err saved;
	char *url;
	int rc;

	if ((url = transport_ftp_url(t, dir, 1)) == NULL)
		return (-1);
	rc = list_url(t, url, dir, entries, n);
	/*
	 * The root refused: transport.c decides other directories from their
	 * parent's listing; the root's parent is above the store.
	 */
	if (rc == -1 && dir[0] == '\0' && t->err.missing) {
		saved = t->err;
		if (base_missing(t, strlen(f->base)) == 1)
			rc = 1;
		else
			t->err = saved;
	}
	free(url);
	return (rc);
}

/* One command ${verb} ${arg} after CWD to the directory ${dir}. */
static int
ftp_quote(struct transport *t, const char *what, const char *dir,
    const char *verb, const char *arg, const char *arg2verb,
    const char *arg2)
{
	struct transport_ftp *f = t->impl;
	struct curl_slist *post = NULL;
	char *url, *c1 = NULL, *c2 = NULL;
	int rc = -1;

	if ((url = transport_ftp_url(t, dir, 1)) == NULL)
		goto out;
	if ((c1 = transport_ftp_cmd(t, verb, arg, 0)) == NULL ||
	    transport_ftp_slist(t, &post, c1))
		goto out;
	if (arg2 != NULL &&
	    ((c2 = transport_ftp_cmd(t, arg2verb, arg2, 0)) == NULL ||
	    transport_ftp_slist(t, &post, c2)))
		goto out;
	if (transport_ftp_prepare(t, url))
		goto out;
	curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(f->h, CURLOPT_POSTQUOTE, post);
	rc = transport_ftp_run(t, what, arg);
out:
	curl_slist_free_all(post);
	free(c1);
	free(c2);
	free(url);
	return (rc);
}

static int
ftp_rename(struct transport *t, const char *from, const char *to)
{

	return (ftp_quote(t, "rename", "", "RNFR ", from, "RNTO ", to));
}

/* ${path} split into its directory and its name (NULL on no memory). */
static char *
parent_of(struct transport *t, const char *path, const char **name)
{
	const char *slash = strrchr(path, '/');
	char *dir;

	*name = slash ? slash + 1 : path;
	if ((dir = strndup(path, slash ? (size_t)(slash - path) : 0)) == NULL)
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
	return (dir);
}

static int
ftp_remove(struct transport *t, const char *path, const char *verb,
    const char *what)
{
	const char *name;
	char *dir;
	int rc;

	if ((dir = parent_of(t, path, &name)) == NULL)
		return (-1);
	rc = ftp_quote(t, what, dir, verb, name, NULL, NULL);
	free(dir);
	return (rc);
}

static int
ftp_delete(struct transport *t, const char *path)
{

	return (ftp_remove(t, path, "DELE ", "delete"));
}

static int
ftp_rmdir(struct transport *t, const char *path)
{

	return (ftp_remove(t, path, "RMD ", "remove directory"));
}

static int
ftp_size(struct transport *t, const char *path, uint64_t *size)
{
	struct transport_ftp *f = t->impl;
	char w[TRANSPORT_WHERE_MAX];
	curl_off_t len = -1;
	char *url;
	int rc = -1;

	/* NOBODY on a file: TYPE I, then SIZE. */
	if ((url = transport_ftp_url(t, path, 0)) == NULL ||
	    transport_ftp_prepare(t, url))
		goto out;
	curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L);
	if ((rc = transport_ftp_run(t, "size", path)) == 0) {
		curl_easy_getinfo(f->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		    &len);
		if (len < 0) {
			transport_seterr(t, EX_IOERR, 0, "%s: the server "
			    "did not tell the size",
			    transport_where(t, path, w, sizeof(w)));
			t->err.missing = 1;
			rc = -1;
		} else
			*size = (uint64_t)len;
	}
out:
	free(url);
	return (rc);
}

static enum transport_tls
ftp_tls(struct transport *t)
{
	struct transport_ftp *f = t->impl;

	if (f->tls_used)
		return (TRANSPORT_TLS_ON);
	return (f->loopback ? TRANSPORT_TLS_OFF_LOOPBACK : TRANSPORT_TLS_OFF);
}

static int
ftp_free_space(struct transport *t, const char *dir, uint64_t *bytes)
{
	struct transport_ftp *f = t->impl;
	struct curl_slist *post = NULL;
	char *url;
	int rc = -1;

	/* AVBL (draft-peterson-streamlined-ftp-command-extensions); the '*'
	 * tells libcurl that a refusal is no error. */
	if ((url = transport_ftp_url(t, dir, 1)) == NULL ||
	    transport_ftp_slist(t, &post, "*AVBL") ||
	    transport_ftp_prepare(t, url))
		goto out;
	curl_easy_setopt(f->h, CURLOPT_NOBODY, 1L);
	curl_easy_setopt(f->h, CURLOPT_POSTQUOTE, post);
	if (transport_ftp_run(t, "free space", dir))
		goto out;
	rc = transport_ftp_avbl(f->reply, bytes);
out:
	curl_slist_free_all(post);
	free(url);
	return (rc);
}

static void
ftp_close(struct transport *t)
{
	struct transport_ftp *f = t->impl;

	if (f == NULL)
		return;
	if (f->h != NULL)
		curl_easy_cleanup(f->h);
	if (f->multi != NULL)
		curl_multi_cleanup(f->multi);
	if (f->pass != NULL) {
		OPENSSL_cleanse(f->pass, strlen(f->pass));
		free(f->pass);
	}
	free(f->user);
	free(f->base);
	free(f->root);
	free(f->ca_file);
	free(f->pinned);
	free(f);
}

static const struct transport_ops ftp_ops = {
	.connect = ftp_connect,
	.mkdir = ftp_mkdir,
	.put = ftp_put,
	.get = ftp_get,
	.list = ftp_list,
	.rename = ftp_rename,
	.delete = ftp_delete,
	.rmdir = ftp_rmdir,
	.size = ftp_size,
	.tls = ftp_tls,
	.free_space = ftp_free_space,
	.close = ftp_close,
};

int
transport_ftp_open(struct transport *t, const struct conf *c,
    const char *password)
{
	struct transport_ftp *f;
	char shown[512];

	if ((f = calloc(1, sizeof(*f))) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory",
		    transport_url_shown(c->server_url, shown, sizeof(shown)));
		return (-1);
	}
	t->ops = &ftp_ops;
	t->impl = f;
	if (transport_ftp_setup(t, c, password)) {
		ftp_close(t);
		free(t->desc);
		t->desc = NULL;
		t->impl = NULL;
		return (-1);
	}
	return (0);
}
