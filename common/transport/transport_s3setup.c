/*
 * S3 transport setup from the configuration: bucket and prefix of the
 * s3:// URL, the endpoint and virtual-host base, the SigV4 scope, and the
 * libcurl handle with its TLS and timeout settings.  The requests made
 * with it are in transport_s3req.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <curl/curl.h>

#include "conf/conf.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"
#include "transport/transport_s3_internal.h"

/* The bucket and prefix of the s3:// URL (checked by conf). */
static int
parse_url(struct transport_s3 *s, const char *url)
{
	const char *b = url + 5, *slash = strchr(b, '/');
	size_t plen;

	if ((s->bucket = strndup(b, slash ? (size_t)(slash - b) :
	    strlen(b))) == NULL)
		return (-1);
	if (slash == NULL || slash[1] == '\0')
		return ((s->prefix = strdup("")) == NULL ? -1 : 0);
	plen = strlen(slash + 1);
	if ((s->prefix = malloc(plen + 2)) == NULL)
		return (-1);
	snprintf(s->prefix, plen + 2, "%s%s", slash + 1,
	    slash[plen] == '/' ? "" : "/");
	return (0);
}

/* The endpoint without a trailing '/', and the virtual-host base. */
static int
endpoints(struct transport_s3 *s, const struct conf *c)
{
	const char *e = c->server_endpoint, *host;
	size_t len;

	if (e == NULL) {
		len = strlen(c->server_region) + 32;
		if ((s->endpoint = malloc(len)) == NULL)
			return (-1);
		snprintf(s->endpoint, len, "https://s3.%s.amazonaws.com",
		    c->server_region);
	} else if ((s->endpoint = strdup(e)) == NULL)
		return (-1);
	len = strlen(s->endpoint);
	if (len > 0 && s->endpoint[len - 1] == '/')
		s->endpoint[--len] = '\0';
	s->https = strncmp(s->endpoint, "https://", 8) == 0;
	if (c->server_addressing != CONF_ADDR_VIRTUAL)
		return (0);
	host = strstr(s->endpoint, "://") + 3;
	len += strlen(s->bucket) + 2;
	if ((s->vhost = malloc(len)) == NULL)
		return (-1);
	snprintf(s->vhost, len, "%.*s%s.%s", (int)(host - s->endpoint),
	    s->endpoint, s->bucket, host);
	return (0);
}

int
transport_s3_setup(struct transport *t, const struct conf *c,
    const char *secret)
{
	struct transport_s3 *s = t->impl;
	static int inited;
	size_t len;
	time_t until;
	struct tm tm;

	if (secret == NULL || secret[0] == '\0') {
		log_fail(EX_CONFIG, "%s: [server] credentials: no S3 secret key "
		    "(run `sitevault credentials`)", c->path);
		return (-1);
	}
	if (parse_url(s, c->server_url) || endpoints(s, c))
		goto oom;
	len = strlen(c->server_url) + 1;
	if ((t->desc = strdup(c->server_url)) == NULL)
		goto oom;
	if (len > 6 && t->desc[len - 2] == '/')
		t->desc[len - 2] = '\0';
	len = strlen(c->server_region) + 16;
	if ((s->sigv4 = malloc(len)) == NULL)
		goto oom;
	snprintf(s->sigv4, len, "aws:amz:%s:s3", c->server_region);
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_fail(EX_SOFTWARE, "libcurl: initialization failed");
			return (-1);
		}
		inited = 1;
	}
	if ((s->h = curl_easy_init()) == NULL ||
	    (s->access = strdup(c->server_access_key)) == NULL ||
	    (s->secret = strdup(secret)) == NULL ||
	    (c->server_ca_file != NULL &&
	    (s->ca_file = strdup(c->server_ca_file)) == NULL) ||
	    (c->server_pinned_pubkey != NULL &&
	    (s->pinned = strdup(c->server_pinned_pubkey)) == NULL))
		goto oom;
	s->connect_timeout = (long)c->server_connect_timeout;
	s->stall_timeout = (long)c->server_stall_timeout;
	s->pace.limit = c->server_bwlimit;
	/* One date for the whole run: every object of a backup gets it. */
	s->lock_days = c->server_object_lock_days;
	until = time(NULL) + (time_t)s->lock_days * 86400;
	gmtime_r(&until, &tm);
	strftime(s->lock_until, sizeof(s->lock_until), "%Y-%m-%dT%H:%M:%SZ",
	    &tm);
	return (0);

oom:
	log_fail(EX_OSERR, "%s: out of memory", c->server_url);
	return (-1);
}
