#ifndef TRANSPORT_S3_H_
#define TRANSPORT_S3_H_

#include <stddef.h>
#include <stdint.h>

#include <curl/curl.h>

#include "transport/transport.h"
#include "transport/transport_internal.h"
#include "util/buf.h"

/*
 * Inside the S3 store: the state shared by the operations (transport_s3.c)
 * and the signed requests (transport_s3req.c).
 */

struct conf;

/* One request: what to send, what came back. */
struct s3_req {
	const char *method;	/* GET PUT HEAD DELETE */
	const char *key;	/* object key (prefix included), NULL: bucket */
	const char *query;	/* canonical query string, or NULL */
	const uint8_t *body;	/* PUT: the bytes, ${len} of them */
	size_t len;
	int lock;		/* PUT: with COMPLIANCE retention */
	transport_sink_fn *sink;	/* GET: where the object goes */
	void *cookie;
	uint64_t *handed;	/* bytes given to ${sink} */

	/* Filled by transport_s3_run(). */
	long code;		/* HTTP status */
	struct buf resp;	/* a body that is not the object (listing,
				   error), NUL-terminated */
	uint64_t length;	/* Content-Length of a HEAD */
	char version[256];	/* x-amz-version-id */
	char retain[64];	/* x-amz-object-lock-retain-until-date */
	char mode[32];		/* x-amz-object-lock-mode */
	size_t off;		/* PUT: bytes sent */
	int cb_failed;
	struct transport_pace *pace;	/* bwlimit, set by prepare */
};

struct transport_s3 {
	CURL *h;		/* the one handle of the run (keeps the
				   connection alive between requests) */
	char *endpoint;		/* "https://host[:port]", no '/' */
	char *vhost;		/* virtual-host style: "https://BUCKET.host" */
	char *bucket;
	char *prefix;		/* "" or "dir/sub/" */
	char *sigv4;		/* "aws:amz:REGION:s3" */
	char *access;
	char *secret;		/* wiped by close */
	char *ca_file;
	char *pinned;
	long connect_timeout;
	long stall_timeout;
	struct transport_pace pace;	/* bwlimit, each way */
	int https;
	unsigned int lock_days;	/* object_lock_days */
	char lock_until[32];	/* its date for this run, ISO 8601 */
	int retention_readable;	/* a GetObjectRetention was answered */
	char errbuf[CURL_ERROR_SIZE];
};

/**
 * transport_s3_setup(t, c, secret):
 * Check the S3 settings of ${c}, fill ${t->impl} and ${t->desc}, create
 * the handle.  Return 0, or -1 after logging.
 */
int transport_s3_setup(struct transport *, const struct conf *,
    const char *);

/**
 * transport_s3_key(t, path):
 * The object key of store path ${path}: the prefix and ${path}.  Return a
 * malloc'd string, or NULL (recorded in ${t->err}).
 */
char *transport_s3_key(struct transport *, const char *);

/**
 * transport_s3_qenc(s, buf, len):
 * Percent-encode ${s} for a query value (every byte but A-Za-z0-9-._~)
 * into ${buf} of ${len} bytes.  Return 0, or -1 if it does not fit.
 */
int transport_s3_qenc(const char *, char *, size_t);

/**
 * transport_s3_run(t, r, what, path):
 * Sign and perform request ${r}; on failure record in ${t->err} why, with
 * the HTTP status and the S3 error code and message, the class and
 * whether to retry.  ${what} and ${path} name the operation in the
 * message.  The caller frees ${r->resp} (buf_free).  Return 0 or -1.
 */
int transport_s3_run(struct transport *, struct s3_req *, const char *,
    const char *);

#endif /* !TRANSPORT_S3_H_ */
