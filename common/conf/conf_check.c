/*
 * The checks of a parsed file that need all of it (required keys, keys that
 * only make sense together), apart from the line parser in conf.c: they see
 * only the finished struct conf and where each server key was set.
 */
#include <string.h>
#include <sysexits.h>

#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "util/log.h"

/* What the checks know of the parse. */
struct chk {
	const char *file;
	const struct conf *c;
	unsigned int (*line)(const void *, const char *);
	const void *cookie;
};

/* Report a missing required key (the file, no line: it has none). */
static int
missing(const struct chk *p, const char *sec, const char *key,
    const char *when)
{

	log_fail(EX_CONFIG, "%s: %s.%s: required key missing%s (add "
	    "\"%s = ...\" to section [%s])", p->file, sec, key, when, key, sec);
	return (-1);
}

/* The S3 keys: only with an s3:// url, and access_key required there. */
static int
check_s3(const struct chk *p)
{
	static const char *const keys[] = { "endpoint", "region",
	    "access_key", "addressing", "object_lock_days" };
	const struct conf *c = p->c;
	size_t i;

	if (conf_is_s3(c)) {
		if (c->server_access_key == NULL)
			return (missing(p, "server", "access_key",
			    " with an s3:// url"));
		if (c->server_user != NULL) {
			log_fail(EX_CONFIG, "%s:%u: server.user: not used with "
			    "an s3:// url (set access_key)", p->file,
			    p->line(p->cookie, "user"));
			return (-1);
		}
		if (p->line(p->cookie, "tls") != 0) {
			log_fail(EX_CONFIG, "%s:%u: server.tls: not used with "
			    "an s3:// url (TLS follows the endpoint: https://)",
			    p->file, p->line(p->cookie, "tls"));
			return (-1);
		}
		return (0);
	}
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		if (p->line(p->cookie, keys[i]) == 0)
			continue;
		log_fail(EX_CONFIG, "%s:%u: server.%s: only for an s3:// url",
		    p->file, p->line(p->cookie, keys[i]), keys[i]);
		return (-1);
	}
	return (0);
}

/* Checks that need the whole file. */
static int
check_whole(const struct chk *p)
{
	const struct conf *c = p->c;
	const char *what;

	if (c->site_name == NULL)
		return (missing(p, "site", "name", ""));
	if (c->server_url == NULL)
		return (missing(p, "server", "url", ""));
	if (check_s3(p))
		return (-1);
	if (conf_is_local(c) || conf_is_s3(c))
		return (0);
	if (c->server_user == NULL)
		return (missing(p, "server", "user", " with an FTP url"));
	/* Pinning or a CA with TLS off would silently protect nothing. */
	if (c->server_tls == CONF_TLS_NONE &&
	    strncmp(c->server_url, "ftps:", 5) != 0 &&
	    (c->server_pinned_pubkey != NULL || c->server_ca_file != NULL)) {
		what = (c->server_pinned_pubkey != NULL) ? "pinned_pubkey" :
		    "ca_file";
		log_fail(EX_CONFIG, "%s:%u: server.%s: set, but tls = none "
		    "disables TLS", p->file, p->line(p->cookie, what),
		    what);
		return (-1);
	}
	return (0);
}

/**
 * conf_check(file, c, line, cookie):
 * Run the checks of ${c}, parsed from ${file}, that need the whole file.
 * ${line}(${cookie}, key) is the line where server key ${key} was set, or
 * 0 if it was not.  Return 0 if ${c} passes, or -1 having logged why not.
 */
int
conf_check(const char *file, const struct conf *c,
    unsigned int (*line)(const void *, const char *), const void *cookie)
{
	struct chk k;

	k.file = file;
	k.c = c;
	k.line = line;
	k.cookie = cookie;
	return (check_whole(&k));
}
