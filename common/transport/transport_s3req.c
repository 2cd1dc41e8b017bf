/*
 * S3 requests (set up by transport_s3setup.c): URLs for path-style and
 * virtual-host-style addressing, SigV4 signing through libcurl, and the
 * mapping of failures to the exit classes of sitevault(8).
 *
 * libcurl 7.88 signs with CURLOPT_AWS_SIGV4 but neither sends the payload
 * hash header nor canonicalises the query string: we send
 * x-amz-content-sha256 ourselves (libcurl then signs it) and build every
 * query string already canonical (sorted, values percent-encoded,
 * value-less parameters written "name=").
 */
#include "config.h"

#include <ctype.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>
#include <time.h>

#include <curl/curl.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "conf/conf.h"
#include "transport/s3xml.h"
#include "util/b64.h"
#include "util/buf.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_curl_internal.h"
#include "transport/transport_internal.h"
#include "transport/transport_s3_internal.h"

#define RESP_MAX	(16u * 1024 * 1024)	/* a listing page is ~300 KB */
#define S3_IOBUF	(512L * 1024)	/* libcurl's buffers, each way */

static int
unreserved(unsigned char ch)
{

	return (isalnum(ch) || ch == '-' || ch == '.' || ch == '_' ||
	    ch == '~');
}

/* Percent-encode ${s} into ${buf}; '/' kept if ${slash}.  0 or -1. */
static int
encode(const char *s, int slash, char *buf, size_t len)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t o = 0;
	unsigned char ch;

	for (; (ch = (unsigned char)*s) != '\0'; s++) {
		if (o + 4 > len)
			return (-1);
		if (unreserved(ch) || (slash && ch == '/'))
			buf[o++] = (char)ch;
		else {
			buf[o++] = '%';
			buf[o++] = hex[ch >> 4];
			buf[o++] = hex[ch & 15];
		}
	}
	if (o >= len)
		return (-1);
	buf[o] = '\0';
	return (0);
}

int
transport_s3_qenc(const char *s, char *buf, size_t len)
{

	return (encode(s, 0, buf, len));
}

char *
transport_s3_key(struct transport *t, const char *path)
{
	struct transport_s3 *s = t->impl;
	size_t len = strlen(s->prefix) + strlen(path) + 1;
	char *k;

	if ((k = malloc(len)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		return (NULL);
	}
	snprintf(k, len, "%s%s", s->prefix, path);
	return (k);
}

/* The URL of request ${r}: malloc'd, or NULL. */
static char *
request_url(struct transport_s3 *s, const struct s3_req *r)
{
	size_t len = strlen(s->endpoint) + strlen(s->bucket) + 16 +
	    (r->key != NULL ? 3 * strlen(r->key) : 0) +
	    (r->query != NULL ? strlen(r->query) : 0);
	char *url, *ekey = NULL;

	if (r->key != NULL) {
		if ((ekey = malloc(3 * strlen(r->key) + 1)) == NULL ||
		    encode(r->key, 1, ekey, 3 * strlen(r->key) + 1)) {
			free(ekey);
			return (NULL);
		}
	}
	if ((url = malloc(len)) != NULL) {
		if (s->vhost != NULL)
			snprintf(url, len, "%s/%s%s%s", s->vhost,
			    ekey != NULL ? ekey : "", r->query ? "?" : "",
			    r->query ? r->query : "");
		else
			snprintf(url, len, "%s/%s%s%s%s%s", s->endpoint,
			    s->bucket, ekey != NULL ? "/" : "",
			    ekey != NULL ? ekey : "", r->query ? "?" : "",
			    r->query ? r->query : "");
	}
	free(ekey);
	return (url);
}

static size_t
on_read(char *p, size_t size, size_t n, void *cookie)
{
	struct s3_req *r = cookie;
	size_t len = size * n;

	if (len > r->len - r->off)
		len = r->len - r->off;
	memcpy(p, r->body + r->off, len);
	r->off += len;
	transport_pace(r->pace, len);
	return (len);
}

static size_t
on_write(char *p, size_t size, size_t n, void *cookie)
{
	struct s3_req *r = cookie;
	size_t len = size * n;

	if (len == 0)
		return (0);
	if (r->sink != NULL && r->code >= 200 && r->code < 300) {
		if (r->sink(r->cookie, p, len)) {
			r->cb_failed = 1;
			return (0);
		}
		*r->handed += len;
		transport_pace(r->pace, len);
		return (len);
	}
	/* A body that is not the object: a listing or an error document. */
	return (buf_append(&r->resp, p, len) ? 0 : len);
}

/* Copy the value of header line ${p} into ${buf} if it is ${name}. */
static void
header_value(const char *p, size_t len, const char *name, char *buf,
    size_t blen)
{
	size_t nl = strlen(name), i;

	if (len <= nl + 1 || strncasecmp(p, name, nl) != 0 || p[nl] != ':')
		return;
	p += nl + 1;
	len -= nl + 1;
	while (len > 0 && (*p == ' ' || *p == '\t')) {
		p++;
		len--;
	}
	while (len > 0 && (p[len - 1] == '\r' || p[len - 1] == '\n' ||
	    p[len - 1] == ' '))
		len--;
	for (i = 0; i < len && i + 1 < blen; i++)
		buf[i] = ((unsigned char)p[i] < 0x20) ? '?' : p[i];
	buf[i] = '\0';
}

static size_t
on_header(char *p, size_t size, size_t n, void *cookie)
{
	struct s3_req *r = cookie;
	size_t len = size * n;

	/* A status line: a new response (after 100 Continue, say). */
	if (len > 9 && strncmp(p, "HTTP/", 5) == 0) {
		const char *sp = memchr(p, ' ', len);

		r->code = sp != NULL ? strtol(sp + 1, NULL, 10) : 0;
		r->version[0] = r->retain[0] = r->mode[0] = '\0';
	}
	header_value(p, len, "x-amz-version-id", r->version,
	    sizeof(r->version));
	header_value(p, len, "x-amz-object-lock-retain-until-date", r->retain,
	    sizeof(r->retain));
	header_value(p, len, "x-amz-object-lock-mode", r->mode,
	    sizeof(r->mode));
	return (len);
}

/* -v: the requests and replies, with the signature masked. */
static int
on_debug(CURL *h, curl_infotype type, char *p, size_t len, void *cookie)
{
	const char *dir, *nl;
	size_t l, shown;

	(void)h;
	(void)cookie;
	if (type == CURLINFO_TEXT)
		dir = "*";
	else if (type == CURLINFO_HEADER_IN)
		dir = "<";
	else if (type == CURLINFO_HEADER_OUT)
		dir = ">";
	else
		return (0);
	while (len > 0) {
		nl = memchr(p, '\n', len);
		l = nl != NULL ? (size_t)(nl - p) : len;
		shown = l > 0 && p[l - 1] == '\r' ? l - 1 : l;

		if (shown > 0) {
			if (shown >= 14 && strncasecmp(p, "authorization:",
			    14) == 0)
				log_debug("%s Authorization: ********", dir);
			else
				log_debug("%s %.*s", dir, (int)(shown > 512 ?
				    512 : shown), p);
		}
		if (nl == NULL)
			break;
		len -= l + 1;
		p += l + 1;
	}
	return (0);
}

/* Hex SHA-256 (or base64 MD5 if ${md5}) of ${len} bytes into ${out}. */
static int
digest(const uint8_t *p, size_t len, int md5, char *out, size_t olen)
{
	uint8_t md[EVP_MAX_MD_SIZE];
	unsigned int mdlen, i;

	if (EVP_Digest(p, len, md, &mdlen, md5 ? EVP_md5() : EVP_sha256(),
	    NULL) != 1)
		return (-1);
	if (md5) {
		return (b64_encode(md, mdlen, B64_PAD, out, olen) < 0 ? -1 : 0);
	}
	if (olen < 2 * mdlen + 1)
		return (-1);
	for (i = 0; i < mdlen; i++)
		snprintf(out + 2 * i, 3, "%02x", md[i]);
	return (0);
}

/*
 * The headers of ${r}: the payload hash always, lock fields on PUTs.
 * A body goes as UNSIGNED-PAYLOAD: hashing it would cost a pass over every
 * part here and another in the store, for nothing TLS (required beyond
 * this machine) and the SHA-256 of each part in the signed manifest do not
 * already give (docs/FORMAT.md, "Object storage").
 */
static int
headers(struct transport_s3 *s, const struct s3_req *r,
    struct curl_slist **list)
{
	char h[200], sum[80];
	struct curl_slist *l;

	if (r->len > 0)
		snprintf(sum, sizeof(sum), "UNSIGNED-PAYLOAD");
	else if (digest((const uint8_t *)"", 0, 0, sum, sizeof(sum)))
		return (-1);
	snprintf(h, sizeof(h), "x-amz-content-sha256: %s", sum);
	if ((l = curl_slist_append(*list, h)) == NULL)
		return (-1);
	*list = l;
	if (strcmp(r->method, "PUT") != 0)
		return (0);
	/*
	 * No "Expect:" to switch 100-continue off: libcurl 7.88 would sign
	 * that header although it is never sent.
	 */
	if (!r->lock)
		return (0);
	/* AWS requires Content-MD5 on a PUT with retention. */
	if (digest(r->body != NULL ? r->body : (const uint8_t *)"", r->len, 1,
	    sum, sizeof(sum)))
		return (-1);
	snprintf(h, sizeof(h), "Content-MD5: %s", sum);
	if ((l = curl_slist_append(*list, h)) == NULL)
		return (-1);
	*list = l;
	if ((l = curl_slist_append(*list, "x-amz-object-lock-mode: "
	    "COMPLIANCE")) == NULL)
		return (-1);
	*list = l;
	snprintf(h, sizeof(h), "x-amz-object-lock-retain-until-date: %s",
	    s->lock_until);
	if ((l = curl_slist_append(*list, h)) == NULL)
		return (-1);
	*list = l;
	return (0);
}

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(s->h, (opt), (val)) != CURLE_OK)		\
		goto err;						\
} while (0)

/* Set every option of request ${r} on the reset handle. */
static int
prepare(struct transport_s3 *s, struct s3_req *r, const char *url,
    struct curl_slist *hdrs)
{

	curl_easy_reset(s->h);
	s->errbuf[0] = '\0';
	SETOPT(CURLOPT_URL, url);
#if LIBCURL_VERSION_NUM >= 0x075500
	SETOPT(CURLOPT_PROTOCOLS_STR, s->https ? "https" : "http,https");
#else
	SETOPT(CURLOPT_PROTOCOLS, s->https ? (long)CURLPROTO_HTTPS :
	    (long)(CURLPROTO_HTTP | CURLPROTO_HTTPS));
#endif
#if LIBCURL_VERSION_NUM >= 0x074b00
	SETOPT(CURLOPT_AWS_SIGV4, s->sigv4);
#else
	goto err;	/* SigV4 came with libcurl 7.75 */
#endif
	SETOPT(CURLOPT_USERNAME, s->access);
	SETOPT(CURLOPT_PASSWORD, s->secret);
	SETOPT(CURLOPT_HTTPHEADER, hdrs);
	SETOPT(CURLOPT_SSLVERSION, (long)CURL_SSLVERSION_TLSv1_2);
	if (transport_curl_tls(s->h, s->ca_file, s->pinned) ||
	    transport_curl_limits(s->h, s->connect_timeout, s->stall_timeout,
	    s->pace.limit))
		goto err;
	r->pace = &s->pace;
	SETOPT(CURLOPT_TCP_KEEPALIVE, 1L);
	SETOPT(CURLOPT_NOSIGNAL, 1L);
	/* Fewer callbacks and system calls per part than the 16/64 KiB. */
	SETOPT(CURLOPT_BUFFERSIZE, S3_IOBUF);
	SETOPT(CURLOPT_UPLOAD_BUFFERSIZE, S3_IOBUF);
	SETOPT(CURLOPT_WRITEFUNCTION, on_write);
	SETOPT(CURLOPT_WRITEDATA, r);
	SETOPT(CURLOPT_HEADERFUNCTION, on_header);
	SETOPT(CURLOPT_HEADERDATA, r);
	SETOPT(CURLOPT_DEBUGFUNCTION, on_debug);
	SETOPT(CURLOPT_VERBOSE, 1L);
	SETOPT(CURLOPT_ERRORBUFFER, s->errbuf);
	if (strcmp(r->method, "HEAD") == 0)
		SETOPT(CURLOPT_NOBODY, 1L);
	else if (strcmp(r->method, "DELETE") == 0)
		SETOPT(CURLOPT_CUSTOMREQUEST, "DELETE");
	else if (strcmp(r->method, "PUT") == 0) {
		SETOPT(CURLOPT_UPLOAD, 1L);
		SETOPT(CURLOPT_READFUNCTION, on_read);
		SETOPT(CURLOPT_READDATA, r);
		/* Without a length RGW answers 411 MissingContentLength. */
		SETOPT(CURLOPT_INFILESIZE_LARGE, (curl_off_t)r->len);
	}
	return (0);

err:
	return (-1);
}

/* Class, retry and wording of an HTTP failure ${code} with S3 ${s3code}. */
static void
http_class(long code, const char *s3code, int *cls, int *retry,
    const char **what)
{

	*retry = 0;
	if (code >= 500 || code == 408 || code == 429 ||
	    strcmp(s3code, "SlowDown") == 0 ||
	    strcmp(s3code, "RequestTimeout") == 0) {
		*cls = EX_TEMPFAIL;
		*retry = 1;
	} else if (strcmp(s3code, "QuotaExceeded") == 0 ||
	    strcmp(s3code, "EntityTooLarge") == 0) {
		*cls = EX_IOERR;
		*what = "quota or space exhausted";
	} else if (strcmp(s3code, "RequestTimeTooSkewed") == 0) {
		*cls = EX_NOPERM;
		*what = "request refused: this machine's clock is wrong "
		    "(check NTP)";
	} else if (strcmp(s3code, "InvalidAccessKeyId") == 0 ||
	    strcmp(s3code, "SignatureDoesNotMatch") == 0) {
		*cls = EX_NOPERM;
		*what = "credentials refused (check access_key and run "
		    "`sitevault credentials`)";
	} else if (code == 403) {
		*cls = EX_NOPERM;
	} else if (strcmp(s3code, "NoSuchBucket") == 0) {
		*cls = EX_CONFIG;
		*what = "the bucket does not exist";
	} else if (code == 404) {
		*cls = EX_NOINPUT;
	} else if (code >= 300 && code < 400) {
		*cls = EX_CONFIG;
		*what = "redirected (wrong region, endpoint or addressing?)";
	} else
		*cls = EX_IOERR;
}

/* Record the failure of a performed request. */
static void
failure(struct transport *t, struct s3_req *r, CURLcode rc, const char *what,
    const char *path)
{
	struct transport_s3 *s = t->impl;
	char where[TRANSPORT_WHERE_MAX], code[64], msg[256];
	int cls = EX_TEMPFAIL, retry = 1;

	transport_where(t, path, where, sizeof(where));
	if (r->cb_failed) {
		transport_seterr(t, EX_IOERR, 0, "%s: %s aborted", where, what);
		t->err.quiet = 1;
		return;
	}
	if (rc != CURLE_OK) {
		if (rc == CURLE_WRITE_ERROR) {
			cls = EX_IOERR;
			retry = 0;
			what = "reply larger than expected";
		} else	/* connection, TLS, a stall or a break */
			(void)transport_curl_class(rc, r->code != 0, &cls,
			    &retry, &what);
		transport_seterr(t, cls, retry, "%s: %s: %s", where, what,
		    s->errbuf[0] ? s->errbuf : curl_easy_strerror(rc));
		return;
	}
	s3xml_error((const char *)r->resp.p, r->resp.len, code, sizeof(code),
	    msg, sizeof(msg));
	http_class(r->code, code, &cls, &retry, &what);
	transport_seterr(t, cls, retry, "%s: %s: HTTP %ld%s%s%s%s", where,
	    what, r->code, code[0] ? " " : "", code, msg[0] ? ": " : "", msg);
	t->err.missing = r->code == 404 && strcmp(code, "NoSuchBucket") != 0;
}

int
transport_s3_run(struct transport *t, struct s3_req *r, const char *what,
    const char *path)
{
	struct transport_s3 *s = t->impl;
	struct curl_slist *hdrs = NULL;
	char *url;
	CURLcode rc;
	int ret = -1;

	r->code = 0;
	buf_init(&r->resp, RESP_MAX);
	r->off = 0;
	r->cb_failed = 0;
	r->version[0] = r->retain[0] = r->mode[0] = '\0';
	if ((url = request_url(s, r)) == NULL || headers(s, r, &hdrs)) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		goto out;
	}
	if (prepare(s, r, url, hdrs)) {
		transport_seterr(t, EX_SOFTWARE, 0, "%s: libcurl refused an "
		    "option (built without SigV4?)", t->desc);
		goto out;
	}
	rc = curl_easy_perform(s->h);
	if (rc == CURLE_OK && strcmp(r->method, "HEAD") == 0) {
		curl_off_t len = -1;

		curl_easy_getinfo(s->h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T,
		    &len);
		r->length = len > 0 ? (uint64_t)len : 0;
	}
	if (rc == CURLE_OK && r->code >= 200 && r->code < 300)
		ret = 0;
	else
		failure(t, r, rc, what, path);
out:
	curl_slist_free_all(hdrs);
	free(url);
	return (ret);
}

