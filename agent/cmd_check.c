/*
 * sitevault check: the preflight of sitevault(8).  One line per check,
 * "PASS|WARN|FAIL  <check>: <detail>" (or one JSON object per line); the
 * exit code is the class of the first failure, 0 when nothing failed.
 * Checks that depend on a failed one are not run.  A failure's reason is
 * shown once, in its FAIL line (cron mails stdout and stderr together):
 * stderr gets one summary line, "sitevault: check: N checks failed".
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "agent.h"
#include "check_internal.h"
#include "archive/replaced.h"
#include "conf/category.h"
#include "conf/conf.h"
#include "conf/conf_value.h"
#include "conf/conf_sources.h"
#include "format/marker.h"
#include "util/json.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "util/path.h"
#include "crypto/seal.h"
#include "store/store.h"
#include "transport/transport.h"

void
check_result(struct check *ck, enum check_status st, const char *name,
    const char *fmt, ...)
{
	static const char *words[] = { "PASS", "WARN", "FAIL" };
	char detail[1200];
	struct json j;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(detail, sizeof(detail), fmt, ap);
	va_end(ap);
	if (st == FAIL)
		ck->nfailed++;
	if (st == FAIL && ck->first == 0)
		ck->first = log_class() != 0 ? log_class() : EX_SOFTWARE;
	if (ck->ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "check", name);
		json_string(&j, "status", words[st]);
		json_string(&j, "detail", detail);
		(void)json_end(&j);
	} else if (st != PASS || !ck->ag->quiet)
		printf("%s  %s: %s\n", words[st], name, detail);
	fflush(stdout);
	log_reset();
	ck->why[0] = '\0';
}

/* A failed step: its class and the message log_fail() gave. */
void
check_failed(struct check *ck, const char *name, int cls)
{

	if (log_class() == 0)
		log_fail(cls, "%s: failed", name);
	check_result(ck, FAIL, name, "%s", ck->why);
}

static void
check_clock(struct check *ck)
{
	time_t now = time(NULL);
	struct tm tm;
	char buf[64];

	gmtime_r(&now, &tm);
	strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S UTC", &tm);
	if (tm.tm_year + 1900 < 2024 || tm.tm_year + 1900 >= 2100) {
		log_fail(EX_CONFIG, "the clock says %s: backup times would be "
		    "wrong; check NTP", buf);
		check_failed(ck, "clock", EX_CONFIG);
	} else
		check_result(ck, PASS, "clock", "%s", buf);
}

/* Every path to back up is there and readable. */
static void
check_sources(struct check *ck, const struct conf *c)
{
	size_t n;

	if (conf_sources_check(c, 1, 1, &n))
		check_failed(ck, "source paths", EX_CONFIG);
	else if (n == 0)
		check_result(ck, WARN, "source paths", "[backup] configuration "
		    "and data are empty: nothing to back up");
	else
		check_result(ck, PASS, "source paths", "%zu path%s readable", n,
		    n == 1 ? "" : "s");
}

static struct keys *
check_key(struct check *ck, const struct conf *c)
{
	struct keys *k;
	struct stat st;

	if ((k = keys_load(c->keys_secret)) == NULL) {
		check_failed(ck, "secret key", EX_NOPERM);
		return (NULL);
	}
	if (stat(c->keys_secret, &st) == 0)
		check_result(ck, PASS, "secret key", "%s (mode %04o, owner "
		    "uid %u)", c->keys_secret,
		    (unsigned int)(st.st_mode & 07777),
		    (unsigned int)st.st_uid);
	else
		check_result(ck, PASS, "secret key", "%s", c->keys_secret);
	return (k);
}

/* The FTP password; 0 with NULL for a local store. */
static int
check_credentials(struct check *ck, const struct conf *c,
    const struct keys *k, char **pw)
{
	char name[4200];

	*pw = NULL;
	if (conf_is_local(c))
		return (0);
	if (c->server_credentials == NULL) {
		log_fail(EX_CONFIG, "%s: [server] credentials missing: run "
		    "`sitevault credentials`", c->path);
		check_failed(ck, "credentials", EX_CONFIG);
		return (-1);
	}
	if (k == NULL) {
		log_fail(EX_NOPERM, "cannot open them without the site key");
		check_failed(ck, "credentials", EX_NOPERM);
		return (-1);
	}
	snprintf(name, sizeof(name), "%s:%d: server.credentials", c->path,
	    c->server_credentials_line);
	if (seal_open(k->age_sk, c->server_credentials, name, pw)) {
		check_failed(ck, "credentials", EX_CONFIG);
		return (-1);
	}
	check_result(ck, PASS, "credentials", "the sealed %s opens with the "
	    "site key", conf_is_s3(c) ? "secret key" : "password");
	return (0);
}

/* The bandwidth cap of sitevault.conf(5), so that a slow run is explained. */
static void
check_bwlimit(struct check *ck, const struct conf *c)
{
	char sz[32];

	if (c->server_bwlimit == 0) {
		check_result(ck, PASS, "bandwidth", "no cap (bwlimit = 0)");
		return;
	}
	conf_value_format_size(c->server_bwlimit, sz, sizeof(sz));
	if (conf_is_local(c))
		check_result(ck, PASS, "bandwidth", "bwlimit = %s is not "
		    "applied to a local store", sz);
	else
		check_result(ck, PASS, "bandwidth", "uploads and downloads "
		    "capped at %s bytes/s (bwlimit)", sz);
}

/* TLS in use or not, for the network stores. */
static void
check_tls(struct check *ck, const struct conf *c, struct transport *t)
{
	int try;

	/* tls = try falls back to clear text when anyone on the path answers
	 * 500 to AUTH TLS (sitevault.conf(5)): worth a WARN even when TLS was
	 * used this time. */
	try = c->server_tls == CONF_TLS_TRY &&
	    strncmp(c->server_url, "ftp:", 4) == 0;
	switch (transport_tls(t)) {
	case TRANSPORT_TLS_ON:
		if (try)
			check_result(ck, WARN, "TLS", "in use, but tls = try: "
			    "a man in the middle can refuse AUTH TLS and read "
			    "the password (set tls = required)");
		else
			check_result(ck, PASS, "TLS", "in use (certificate "
			    "verified)");
		break;
	case TRANSPORT_TLS_OFF_LOOPBACK:
		if (try)
			check_result(ck, WARN, "TLS", "not in use, and tls = "
			    "try: a man in the middle can refuse AUTH TLS and "
			    "read the password (set tls = required, or none "
			    "for this machine's own server)");
		else
			check_result(ck, PASS, "TLS", "not in use; the server "
			    "is this machine");
		break;
	case TRANSPORT_TLS_OFF:
		check_result(ck, WARN, "TLS", "not in use: the password "
		    "travels in clear to a server that is not this machine "
		    "(set tls = required)");
		break;
	case TRANSPORT_TLS_NA:
		break;
	}
}

/*
 * S3: one signed listing tells the three apart: no answer (69), the keys
 * refused (77), no such bucket (78).
 */
static int
check_connect_s3(struct check *ck, const struct conf *c, struct transport *t)
{
	const char *d = transport_describe(t);
	char why[sizeof(ck->why)];
	int cls;

	if (transport_connect(t) == 0) {
		check_result(ck, PASS, "endpoint reachable", "%s",
		    c->server_endpoint != NULL ? c->server_endpoint : "AWS");
		check_result(ck, PASS, "credentials accepted", "access key %s",
		    c->server_access_key);
		check_result(ck, PASS, "bucket exists", "%s", d);
		check_tls(ck, c, t);
		return (0);
	}
	if ((cls = log_class()) != EX_NOPERM && cls != EX_CONFIG) {
		check_failed(ck, "endpoint reachable", EX_UNAVAILABLE);
		return (-1);
	}
	/* Keep the refusal across the PASS lines before it. */
	memcpy(why, ck->why, sizeof(why));
	check_result(ck, PASS, "endpoint reachable", "%s",
	    c->server_endpoint != NULL ? c->server_endpoint : "AWS");
	if (cls == EX_CONFIG)
		check_result(ck, PASS, "credentials accepted", "access key %s",
		    c->server_access_key);
	if (ck->first == 0)
		ck->first = cls;
	check_result(ck, FAIL, cls == EX_NOPERM ? "credentials accepted" :
	    "bucket exists", "%s", why);
	return (-1);
}

/* Object lock on the bucket, against what object_lock_days asks. */
static void
check_lock(struct check *ck, const struct conf *c, struct transport *t)
{
	enum transport_lock st;

	if (transport_lock_state(t, &st)) {
		check_failed(ck, "object lock", EX_UNAVAILABLE);
		return;
	}
	if (st == TRANSPORT_LOCK_NA)
		return;
	if (st == TRANSPORT_LOCK_ON && c->server_object_lock_days > 0)
		check_result(ck, PASS, "object lock", "enabled on the bucket: "
		    "every backup is immutable for %u days (COMPLIANCE)",
		    c->server_object_lock_days);
	else if (st == TRANSPORT_LOCK_ON)
		check_result(ck, PASS, "object lock", "enabled on the bucket, "
		    "but object_lock_days = 0: backups are not locked");
	else if (c->server_object_lock_days > 0) {
		log_fail(EX_CONFIG, "%s: object_lock_days = %u, but the bucket "
		    "has no object lock (it can only be turned on when the "
		    "bucket is created)", c->path, c->server_object_lock_days);
		check_failed(ck, "object lock", EX_CONFIG);
	} else
		check_result(ck, PASS, "object lock", "not enabled on the "
		    "bucket (backups can be deleted with the site's "
		    "credentials)");
}

/* Reach the store and log in: two lines for FTP, one for a local store. */
static int
check_connect(struct check *ck, const struct conf *c, struct transport *t)
{
	const char *d = transport_describe(t);
	char why[sizeof(ck->why)];

	if (conf_is_local(c)) {
		if (transport_connect(t)) {
			check_failed(ck, "store directory", EX_UNAVAILABLE);
			return (-1);
		}
		check_result(ck, PASS, "store directory", "%s", d);
		return (0);
	}
	if (conf_is_s3(c))
		return (check_connect_s3(ck, c, t));
	if (transport_connect(t)) {
		if (log_class() != EX_NOPERM) {
			check_failed(ck, "server reachable", EX_UNAVAILABLE);
			return (-1);
		}
		/* Keep the refusal across the PASS line before it. */
		memcpy(why, ck->why, sizeof(why));
		check_result(ck, PASS, "server reachable", "%s", d);
		if (ck->first == 0)
			ck->first = EX_NOPERM;
		check_result(ck, FAIL, "login accepted", "%s", why);
		return (-1);
	}
	check_result(ck, PASS, "server reachable", "%s", d);
	check_result(ck, PASS, "login accepted", "as user %s", c->server_user);
	check_tls(ck, c, t);
	return (0);
}

/* A listing: for FTP, the passive data connection works. */
static int
check_listing(struct check *ck, const struct conf *c, struct transport *t)
{
	struct transport_entry *e;
	size_t n;

	if (transport_list(t, c->site_name, &e, &n) == -1) {
		check_failed(ck, "listing", EX_TEMPFAIL);
		return (-1);
	}
	transport_entries_free(e, n);
	check_result(ck, PASS, "listing", "%s: %zu entries%s", c->site_name, n,
	    conf_is_local(c) ? "" : conf_is_s3(c) ? " (ListObjectsV2)" :
	    " (passive data connection)");
	return (0);
}

static void
replaced_one(void *cookie, const char *tree, time_t when)
{
	struct check *ck = cookie;
	char esc[LOG_ESCAPED_LEN(1024)];
	long days = (long)((time(NULL) - when) / 86400);

	check_result(ck, PASS, "replaced tree", "%s (%ld day%s old; prune "
	    "removes it after 7 "
	    "days)", log_escape(tree, esc, sizeof(esc)), days,
	    days == 1 ? "" : "s");
}

/* What restores replaced, kept beside the configured paths. */
static void
check_replaced(struct check *ck, const struct conf *c)
{
	char *const *p;
	int i, n = 0, r;

	for (i = 0; i < CATEGORY_N; i++)
		for (p = category_paths(c, (enum category)i); *p != NULL; p++)
			if ((r = replaced_each(*p, replaced_one, ck)) > 0)
				n += r;
	if (n == 0)
		check_result(ck, PASS, "replaced trees", "none beside the "
		    "configured paths");
}

static int
cmd_check(struct agent *ag)
{
	struct transport *t = NULL;
	struct check ck;
	struct conf *c = NULL;
	struct keys *k = NULL;
	char *pw = NULL, w[1024];

	memset(&ck, 0, sizeof(ck));
	ck.ag = ag;
	log_capture(ck.why, sizeof(ck.why));
	log_mute(1);
	if (agent_conf(ag, &c) != 0) {
		check_failed(&ck, "configuration", EX_CONFIG);
		goto out;
	}
	check_result(&ck, PASS, "configuration", "%s", c->path);
	check_sources(&ck, c);
	check_replaced(&ck, c);
	k = check_key(&ck, c);
	check_clock(&ck);
	if (check_credentials(&ck, c, k, &pw))
		goto out;
	if ((t = transport_open(c, pw)) == NULL) {
		check_failed(&ck, "store", EX_CONFIG);
		goto out;
	}
	if (check_connect(&ck, c, t))
		goto out;
	check_bwlimit(&ck, c);
	if (transport_mkdir(t, c->site_name)) {
		check_failed(&ck, "site directory", EX_CANTCREAT);
		goto out;
	}
	check_result(&ck, PASS, "site directory", "%s", transport_where(t,
	    c->site_name, w, sizeof(w)));
	if (check_listing(&ck, c, t))
		goto out;
	check_site(&ck, c, t);
	check_roundtrip(&ck, c, t);
	check_lock(&ck, c, t);
	check_space(&ck, c, t);
	check_neighbours(&ck, c, t);
out:
	log_mute(0);
	log_capture(NULL, 0);
	if (ck.nfailed > 0)
		log_fail(ck.first, "check: %d check%s failed", ck.nfailed,
		    ck.nfailed == 1 ? "" : "s");
	transport_close(t);
	seal_free(pw);
	keys_free(k);
	conf_free(c);
	return (ck.first);
}

static const struct cli_option cmd_options[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_check = {
	"check", cmd_check, NULL, 0, cmd_options,
	"Preflight the configuration before the first backup: the "
	"configuration, the key file, the clock, the server (login, mkdir, "
	"upload, rename, download, delete in the site directory) and its free "
	"space.  One line per check, PASS, WARN or FAIL; the exit code is that "
	"of the first failure.",
	"sitevault check"
};
