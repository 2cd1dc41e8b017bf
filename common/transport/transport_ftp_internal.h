#ifndef TRANSPORT_FTP_H_
#define TRANSPORT_FTP_H_

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "transport/transport.h"
#include "transport/transport_internal.h"

/*
 * Inside the FTP store: the connection state shared by the operations
 * (transport_ftp.c) and the request machinery (transport_ftpreq.c).
 */

struct conf;
struct curl_slist;

struct transport_ftp {
	CURL *h;		/* the one handle of the run */
	CURLM *multi;		/* drives ${h}: see ftp_perform() */
	char *base;		/* "ftp://host:port/dir/", path still encoded */
	char *root;		/* "ftp://host:port/" */
	char *user;
	char *pass;		/* wiped by close */
	long use_ssl;		/* CURLUSESSL_* */
	char *ca_file;
	char *pinned;
	long connect_timeout;
	long stall_timeout;
	struct transport_pace pace;	/* bwlimit, each way */
	int loopback;		/* host is this machine */
	int fresh;		/* the next request opens a new connection */
	int tls12;		/* cap TLS at 1.2: see ftp_tls12_wanted() */
	unsigned int listmode;	/* index of the listing command in use */
	int listmode_fixed;	/* it worked once: keep it */
	int feat_done;		/* FEAT was asked */
	int feat_mlst;		/* FEAT listed MLST */
	int feat_scan;		/* the current request is FEAT */
	int tls_used;		/* the last request's connection had TLS */
	int ok_once;		/* a request succeeded: tls_used is known */
	int tls_seen;		/* the current request saw TLS */
	int replies;		/* reply lines seen in the current request */
	CURLcode last_rc;
	char reply[256];	/* the server's last reply line */
	char refusal[256];	/* its last 4xx/5xx reply line: the real
				   reason, when "221 Goodbye" came after */
	char errbuf[CURL_ERROR_SIZE];

	/* The current request's callbacks; count is bytes passed. */
	transport_src_fn *src;
	void *src_cookie;
	transport_sink_fn *sink;
	void *sink_cookie;
	uint64_t *count;
	int cb_failed;
};

/**
 * transport_ftp_setup(t, c, password):
 * Check the URL and user of ${c} (EX_CONFIG: anonymous or empty user,
 * credentials in the URL, a scheme other than ftp/ftps) and create the
 * handle.  Return 0, or -1 after logging.
 */
int transport_ftp_setup(struct transport *, const struct conf *,
    const char *);

/**
 * transport_ftp_prepare(t, url):
 * Reset the handle for a new request on ${url} with the options every
 * request has (credentials, TLS, passive mode, timeouts, callbacks).
 * Return 0 or -1.
 */
int transport_ftp_prepare(struct transport *, const char *);

/**
 * transport_ftp_run(t, what, path):
 * Perform the prepared request; on failure record in ${t->err} why, with
 * the server's reply, the class and whether to retry.  ${what} and ${path}
 * name the operation in the message.  Return 0 or -1.
 */
int transport_ftp_run(struct transport *, const char *, const char *);

/**
 * transport_ftp_url(t, path, dir):
 * The URL of store path ${path}, each component percent-encoded, with a
 * trailing '/' if ${dir}.  Return a malloc'd string, or NULL.
 */
char *transport_ftp_url(struct transport *, const char *, int);

/**
 * transport_ftp_cmd(t, verb, path, base):
 * The FTP command "${verb}${path}" (only the last component of ${path} if
 * ${base}).  Return a malloc'd string, or NULL.
 */
char *transport_ftp_cmd(struct transport *, const char *, const char *, int);

/**
 * transport_ftp_slist(t, list, s):
 * Append a copy of ${s} to ${*list}.  Return 0 or -1.
 */
int transport_ftp_slist(struct transport *, struct curl_slist **,
    const char *);

/**
 * transport_ftp_reply(f, p, len):
 * Note the reply line at ${p} of ${len} bytes (from the header callback).
 */
void transport_ftp_reply(struct transport_ftp *, const char *, size_t);

/**
 * transport_ftp_avbl(reply, bytes):
 * Parse an AVBL reply line: return 1 with the free bytes in ${*bytes} for
 * "213 N" (N decimal, within 64 bits, then the end or a space), else 0.
 */
int transport_ftp_avbl(const char *, uint64_t *);

#endif /* !TRANSPORT_FTP_H_ */
