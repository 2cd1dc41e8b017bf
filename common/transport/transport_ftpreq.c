/*
 * FTP requests (the handle is set up by transport_ftpsetup.c): the options
 * of every request, the callbacks that keep the server's reply and mask the
 * password in -v output, and the mapping of failures to the exit classes of
 * sitevault(8), EXIT STATUS.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>

#include "conf/conf.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_curl_internal.h"
#include "transport/transport_ftp_internal.h"
#include "transport/transport_internal.h"

/* Requests without a body of interest: libcurl's fake headers go nowhere. */
static size_t
on_discard(char *p, size_t size, size_t n, void *cookie)
{

	(void)p;
	(void)cookie;
	return (size * n);
}

static size_t
on_header(char *p, size_t size, size_t n, void *cookie)
{

	transport_ftp_reply(cookie, p, size * n);
	return (size * n);
}

void
transport_ftp_reply(struct transport_ftp *f, const char *p, size_t len)
{
	struct curl_tlssessioninfo *ti = NULL;

	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	/* FEAT's reply lists one feature a line, after a space. */
	if (f->feat_scan && len >= 5 && strncasecmp(p, " MLST", 5) == 0)
		f->feat_mlst = 1;
	if (len < 3 || !isdigit((unsigned char)p[0]))
		return;
	if (len >= sizeof(f->reply))
		len = sizeof(f->reply) - 1;
	memcpy(f->reply, p, len);
	f->reply[len] = '\0';
	f->replies++;
	/* The last refusal: a failure's reason, even when "221 Goodbye"
	 * follows it (FEAT may be refused: that is no reason). */
	if ((p[0] == '4' || p[0] == '5') && !f->feat_scan)
		memcpy(f->refusal, f->reply, len + 1);
	/* The TLS state is only known while the connection is in use. */
	if (curl_easy_getinfo(f->h, CURLINFO_TLS_SSL_PTR, &ti) == CURLE_OK &&
	    ti != NULL && ti->backend != CURLSSLBACKEND_NONE &&
	    ti->internals != NULL)
		f->tls_seen = 1;
}

int
transport_ftp_avbl(const char *reply, uint64_t *bytes)
{
	unsigned long long v;
	char *end;

	if (strncmp(reply, "213 ", 4) != 0 ||
	    !isdigit((unsigned char)reply[4]))
		return (0);
	errno = 0;
	v = strtoull(reply + 4, &end, 10);
	if (errno != 0 || (*end != '\0' && *end != ' '))
		return (0);
	*bytes = (uint64_t)v;
	return (1);
}

/* -v: the dialogue with the server, with the password masked. */
static int
on_debug(CURL *h, curl_infotype type, char *p, size_t len, void *cookie)
{
	const char *dir;

	(void)h;
	(void)cookie;
	switch (type) {
	case CURLINFO_TEXT:
		dir = "*";
		break;
	case CURLINFO_HEADER_IN:
		dir = "<";
		break;
	case CURLINFO_HEADER_OUT:
		dir = ">";
		if (len >= 5 && strncasecmp(p, "PASS ", 5) == 0) {
			log_debug("> PASS ********");
			return (0);
		}
		break;
	default:	/* data, TLS records */
		return (0);
	}
	while (len > 0 && (p[len - 1] == '\n' || p[len - 1] == '\r'))
		len--;
	if (len > 512)
		len = 512;
	log_debug("%s %.*s", dir, (int)len, p);
	return (0);
}

int
transport_ftp_optcheck(struct transport *t, CURLcode rc)
{

	if (rc == CURLE_OK)
		return (0);
	transport_seterr(t, EX_SOFTWARE, 0, "%s: libcurl refused an option",
	    t->desc);
	return (-1);
}

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(f->h, (opt), (val)) != CURLE_OK)		\
		goto err;						\
} while (0)

int
transport_ftp_prepare(struct transport *t, const char *url)
{
	struct transport_ftp *f = t->impl;

	/* Clears the options of the last request, keeps its connection. */
	curl_easy_reset(f->h);
	f->reply[0] = '\0';
	f->refusal[0] = '\0';
	f->errbuf[0] = '\0';
	f->replies = 0;
	f->tls_seen = 0;
	f->cb_failed = 0;
	f->feat_scan = 0;
	f->last_rc = CURLE_OK;
	SETOPT(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, "ftp,ftps");
#else
	SETOPT(CURLOPT_PROTOCOLS, (long)(CURLPROTO_FTP | CURLPROTO_FTPS));
#endif
	SETOPT(CURLOPT_USERNAME, f->user);
	SETOPT(CURLOPT_PASSWORD, f->pass);
	SETOPT(CURLOPT_FTP_USE_EPSV, 1L);
	SETOPT(CURLOPT_FTP_SKIP_PASV_IP, 1L);
	SETOPT(CURLOPT_USE_SSL, f->use_ssl);
	SETOPT(CURLOPT_FTPSSLAUTH, (long)CURLFTPAUTH_TLS);	/* RFC 4217 */
	SETOPT(CURLOPT_SSLVERSION, f->tls12 ? (long)(CURL_SSLVERSION_TLSv1_2 |
	    CURL_SSLVERSION_MAX_TLSv1_2) : (long)CURL_SSLVERSION_TLSv1_2);

	if (transport_curl_tls(f->h, f->ca_file, f->pinned) ||
	    transport_curl_limits(f->h, f->connect_timeout, f->stall_timeout,
	    f->pace.limit))
		goto err;
	SETOPT(CURLOPT_SERVER_RESPONSE_TIMEOUT, f->stall_timeout);
	/* The control connection idles during long transfers: keep NAT
	 * state alive and notice a dead peer. */
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_TCP_KEEPIDLE, 60L);
	SETOPT(CURLOPT_TCP_KEEPINTVL, 30L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	SETOPT(CURLOPT_WRITEFUNCTION, on_discard);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, f);
	SETOPT(CURLOPT_DEBUGFUNCTION, on_debug);
	SETOPT(CURLOPT_VERBOSE, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, f->errbuf);
	if (f->fresh) {
		SETOPT(CURLOPT_FRESH_CONNECT, 1L);
		f->fresh = 0;
	}
	return (0);

err:
	transport_seterr(t, EX_SOFTWARE, 0, "%s: libcurl refused an option",
	    t->desc);
	return (-1);
}

/* The reason text: the server's reply when it refused, else libcurl's. */
static void
reason(struct transport_ftp *f, CURLcode rc, int by_reply, char *buf,
    size_t len)
{
	const char *text = f->errbuf[0] ? f->errbuf : curl_easy_strerror(rc);

	/* The refusal, not a "221 Goodbye" the server said after it. */
	if (f->refusal[0] != '\0')
		snprintf(buf, len, "server replied \"%s\"", f->refusal);
	else if (by_reply && f->reply[0] != '\0')
		snprintf(buf, len, "server replied \"%s\"", f->reply);
	else if (f->reply[0] != '\0')
		snprintf(buf, len, "%s (last reply \"%s\")", text, f->reply);
	else
		snprintf(buf, len, "%s", text);
}

/*
 * curl_easy_perform() with Debian 12's libcurl 7.88 sometimes sleeps its
 * whole 1000 ms poll after an EPSV/PASV reply, on every data connection:
 * a backup of many parts crawled.  Driving the same handle from a multi
 * handle and polling at most 5 ms at a time costs a few wakeups and removes
 * the stall; the connection cache lives in the persistent multi handle, so
 * the control connection is still reused across requests.
 */
static CURLcode
ftp_perform(struct transport_ftp *f)
{
	CURLcode rc = CURLE_OK;
	CURLMcode mc;
	CURLMsg *msg;
	int running = 1, left;

	if (f->multi == NULL && (f->multi = curl_multi_init()) == NULL)
		return (curl_easy_perform(f->h));
	if (curl_multi_add_handle(f->multi, f->h) != CURLM_OK)
		return (curl_easy_perform(f->h));
	while ((mc = curl_multi_perform(f->multi, &running)) == CURLM_OK &&
	    running)
		if ((mc = curl_multi_poll(f->multi, NULL, 0, 5, NULL)) !=
		    CURLM_OK)
			break;
	if (mc != CURLM_OK)
		rc = CURLE_RECV_ERROR;
	while ((msg = curl_multi_info_read(f->multi, &left)) != NULL)
		if (msg->msg == CURLMSG_DONE && msg->easy_handle == f->h)
			rc = msg->data.result;
	curl_multi_remove_handle(f->multi, f->h);
	return (rc);
}

/* A failed request, as the exit classes of sitevault(8) see it. */
struct ftp_failure {
	int cls;		/* EX_ class */
	int retry;		/* worth another attempt */
	int by_reply;		/* the server's reply says why */
	int missing;		/* may mean "no such file" */
	int once;		/* one more attempt at most */
	const char *what;	/* the failure's wording */
};

/* What libcurl's ${rc} and the server's reply ${code} mean, into ${x}. */
static void
classify(struct transport_ftp *f, CURLcode rc, long code,
    struct ftp_failure *x)
{

	switch (rc) {
	case CURLE_LOGIN_DENIED:
		x->cls = EX_NOPERM;
		x->retry = 0;
		x->by_reply = 1;
		x->what = "login refused";
		break;
	case CURLE_USE_SSL_FAILED:
		x->cls = EX_UNAVAILABLE;
		x->retry = 0;
		x->by_reply = 1;
		x->what = "the server refused TLS (AUTH TLS), which tls = "
		    "required demands";
		break;
	case CURLE_REMOTE_ACCESS_DENIED:	/* CWD or MKD refused */
	case CURLE_REMOTE_FILE_NOT_FOUND:
	case CURLE_QUOTE_ERROR:
	case CURLE_FTP_COULDNT_RETR_FILE:
	case CURLE_UPLOAD_FAILED:
		x->by_reply = 1;
		x->missing = 1;
		/* 4xx is transient by RFC 959; 5xx will not change. */
		if (code >= 500) {
			x->retry = 0;
			x->cls = rc == CURLE_UPLOAD_FAILED ?
			    EX_CANTCREAT : EX_IOERR;
		}
		break;
	default:	/* connection, TLS, a stall or a break */
		if (transport_curl_class(rc, f->replies > 0, &x->cls,
		    &x->retry, &x->what))
			f->fresh = 1;	/* reconnect for the next attempt */
		break;
	}
	/*
	 * RFC 959: 552 exceeded storage allocation, 452 insufficient storage;
	 * vsftpd says 451 "Failure writing to local file" on a full disk.
	 * Space rarely comes back within a backoff: one more try at most.
	 */
	if (code == 552 || ((code == 451 || code == 452) &&
	    strcmp(x->what, "upload") == 0)) {
		x->cls = EX_IOERR;
		x->retry = 1;
		x->what = "server out of space";
		x->by_reply = 1;
		x->once = 1;
	} else if (code == 421 && (strstr(f->reply, "TLS") != NULL ||
	    strstr(f->reply, "SSL") != NULL)) {
		/* pure-ftpd refusing clear text: no retry will change that. */
		x->cls = EX_NOPERM;
		x->retry = 0;
		x->by_reply = 1;
		x->what = "login refused (the server requires TLS: set tls = "
		    "required)";
	} else if (code == 421)		/* server closing the connection */
		f->fresh = 1;
}

int
transport_ftp_run(struct transport *t, const char *what, const char *path)
{
	struct transport_ftp *f = t->impl;
	struct ftp_failure x;
	char why[640], where[TRANSPORT_WHERE_MAX];
	CURLcode rc;
	long code = 0;

	rc = ftp_perform(f);
	if (rc == CURLE_SSL_CONNECT_ERROR && f->tls12) {
		/*
		 * A server that speaks only TLS 1.3 (vsftpd with its default
		 * cipher list) refuses the 1.2 cap: lift it for the rest of the
		 * run and ask again at once.  A handshake fails before any
		 * byte of an upload was read, so the request can be repeated.
		 */
		f->tls12 = 0;
		log_debug("%s: TLS 1.2 refused; using TLS 1.3", t->desc);
		if (curl_easy_setopt(f->h, CURLOPT_SSLVERSION,
		    (long)CURL_SSLVERSION_TLSv1_2) == CURLE_OK &&
		    curl_easy_setopt(f->h, CURLOPT_FRESH_CONNECT, 1L) ==
		    CURLE_OK)
			rc = ftp_perform(f);
	}
	f->last_rc = rc;
	if (rc == CURLE_OK) {
		f->tls_used = f->tls_seen || f->use_ssl == CURLUSESSL_ALL;
		f->ok_once = 1;
		return (0);
	}
	curl_easy_getinfo(f->h, CURLINFO_RESPONSE_CODE, &code);
	if (f->refusal[0] != '\0')
		code = strtol(f->refusal, NULL, 10);
	transport_where(t, path, where, sizeof(where));
	if (f->cb_failed) {
		transport_seterr(t, EX_IOERR, 0, "%s: %s aborted", where, what);
		t->err.quiet = 1;
		return (-1);
	}
	x.cls = EX_TEMPFAIL;
	x.retry = 1;
	x.by_reply = x.missing = x.once = 0;
	x.what = what;
	classify(f, rc, code, &x);
	reason(f, rc, x.by_reply, why, sizeof(why));
	transport_seterr(t, x.cls, x.retry, "%s: %s: %s", where, x.what, why);
	t->err.missing = x.missing;
	t->err.once = x.once;
	return (-1);
}

char *
transport_ftp_url(struct transport *t, const char *path, int dir)
{
	struct transport_ftp *f = t->impl;
	const char *p, *comp;
	char *url, *enc;
	size_t len, used;

	/* Percent-encoding at most triples a byte. */
	len = strlen(f->base) + 3 * strlen(path) + 2;
	if ((url = malloc(len)) == NULL)
		goto oom;
	used = (size_t)snprintf(url, len, "%s", f->base);
	for (comp = p = path; *path != '\0'; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		if ((enc = curl_easy_escape(f->h, comp, (int)(p - comp))) ==
		    NULL) {
			free(url);
			goto oom;
		}
		used += (size_t)snprintf(url + used, len - used, "%s%s", enc,
		    *p == '/' || dir ? "/" : "");
		curl_free(enc);
		if (*p == '\0')
			break;
		comp = p + 1;
	}
	return (url);
oom:
	transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
	return (NULL);
}

char *
transport_ftp_cmd(struct transport *t, const char *verb, const char *path,
    int base)
{
	const char *slash;
	size_t len;
	char *s;

	if (base && (slash = strrchr(path, '/')) != NULL)
		path = slash + 1;
	len = strlen(verb) + strlen(path) + 1;
	if ((s = malloc(len)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		return (NULL);
	}
	snprintf(s, len, "%s%s", verb, path);
	return (s);
}

int
transport_ftp_slist(struct transport *t, struct curl_slist **list,
    const char *s)
{
	struct curl_slist *l;

	if ((l = curl_slist_append(*list, s)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		return (-1);
	}
	*list = l;
	return (0);
}
