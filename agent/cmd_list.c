#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "fleet.h"
#include "conf/conf.h"
#include "util/human.h"
#include "util/json.h"
#include "util/log.h"
#include "format/manifest.h"
#include "format/manifest_fields.h"
#include "run/session.h"
#include "store/mcache.h"
#include "store/store.h"
#include "transport/transport.h"

static const char *
status_text(enum store_status s)
{

	switch (s) {
	case STORE_COMPLETE:
		return ("complete");
	case STORE_UNFINISHED:
		return ("unfinished");
	case STORE_BADSIG:
		return ("signature bad");
	default:
		return ("unverified");
	}
}

/* The manifest's time as "YYYY-MM-DD HH:MM:SS" (${iso}: "...THH:MM:SSZ"). */
static const char *
utc(int64_t t, int iso, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (gmtime_r(&tt, &tm) == NULL || strftime(out, outlen, iso ?
	    "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M:%S", &tm) == 0)
		snprintf(out, outlen, "?");
	return (out);
}

/* Why a backup is not complete, for the listing ("" if it is). */
static const char *
why_not(const struct conf *c, const char *site, const struct store_backup *b,
    char *out, size_t outlen)
{
	char hex[2 * MINISIGN_KEYID_LEN + 1];

	out[0] = '\0';
	if (b->has_signer)
		minisign_keyid_hex(b->signer, hex);
	if (b->status == STORE_UNVERIFIED)
		fleet_untrusted(c, site, b->has_signer ? hex : "?", out, outlen);
	else if (b->status == STORE_UNFINISHED)
		snprintf(out, outlen, "no manifest: a failed or interrupted "
		    "run (prune removes it)");
	else if (b->status == STORE_BADSIG && b->has_signer)
		snprintf(out, outlen, "manifest does not verify (signed by "
		    "key %s)", hex);
	else if (b->status == STORE_BADSIG)
		snprintf(out, outlen, "manifest or signature malformed");
	return (out);
}

/* "Nothing to list" is an object too, so that a consumer sees the run. */
static void
print_nothing(const char *key, const char *value, const char *message)
{
	struct json j;

	json_begin(&j, stdout);
	json_string(&j, key, value);
	json_string(&j, "result", "empty");
	json_string(&j, "message", message);
	(void)json_end(&j);
}

static void
print_json(const struct conf *c, const char *site, const struct store_backup *b)
{
	char t[32], why[256], hex[2 * MINISIGN_KEYID_LEN + 1];
	struct json j;

	json_begin(&j, stdout);
	json_string(&j, "site", site);
	json_string(&j, "category", b->category);
	json_uint(&j, "id", b->id);
	json_string(&j, "status", status_text(b->status));
	if (b->m != NULL) {
		json_string(&j, "time", utc(b->m->time, 1, t, sizeof(t)));
		json_uint(&j, "size", b->size);
		json_uint(&j, "files", b->m->files);
		json_uint(&j, "bytes", b->m->bytes);
		json_uint(&j, "parts", b->m->nparts);
		json_string(&j, "kind", b->m->has_base ? "incremental" :
		    "full");
		if (b->m->has_base)
			json_uint(&j, "base", b->m->base_id);
		else
			json_null(&j, "base");
		json_string(&j, "description", b->m->description);
	} else {
		json_null(&j, "time");
		json_uint(&j, "size", b->size);
		json_null(&j, "files");
		json_null(&j, "bytes");
		json_null(&j, "parts");
		json_null(&j, "kind");
		json_null(&j, "base");
		json_null(&j, "description");
	}
	if (b->has_signer)
		minisign_keyid_hex(b->signer, hex);
	json_string(&j, "signer", b->has_signer ? hex : NULL);
	why_not(c, site, b, why, sizeof(why));
	json_string(&j, "reason", why[0] != '\0' ? why : NULL);
	json_string(&j, "immutable_until", b->locked_until != 0 ?
	    utc(b->locked_until, 1, t, sizeof(t)) : NULL);
	(void)json_end(&j);
}

static void
print_text(const struct conf *c, const char *site, const struct store_backup *b,
    size_t n)
{
	static char desc[LOG_ESCAPED_LEN(1024)];	/* manifest_description_ok() */
	char t[32], sz[32], files[24], kind[32], why[256], lk[32];
	char hex[2 * MINISIGN_KEYID_LEN + 1];
	size_t i;
	int lock = 0;

	/* The column of object lock only where a backup is immutable. */
	for (i = 0; i < n; i++)
		if (b[i].locked_until != 0)
			lock = 1;
	printf("%-13s %6s  %-19s  %10s  %7s  %-13s  %-16s  %-16s  ",
	    "CATEGORY", "ID", "DATE (UTC)", "SIZE", "FILES", "STATUS", "SIGNER",
	    "KIND");
	if (lock)
		printf("%-19s  ", "IMMUTABLE UNTIL");
	printf("%s\n", "DESCRIPTION");
	for (i = 0; i < n; i++) {
		if (b[i].m != NULL)
			snprintf(files, sizeof(files), "%" PRIu64,
			    b[i].m->files);
		else
			snprintf(files, sizeof(files), "-");
		/* An incremental backup names the backup it builds on. */
		if (b[i].m == NULL)
			snprintf(kind, sizeof(kind), "-");
		else if (b[i].m->has_base)
			snprintf(kind, sizeof(kind), "incr on %" PRIu64,
			    b[i].m->base_id);
		else
			snprintf(kind, sizeof(kind), "full");
		/* Who signed: the key that verified it (or claims to). */
		if (b[i].has_signer)
			minisign_keyid_hex(b[i].signer, hex);
		printf("%-13s %6" PRIu64 "  %-19s  %10s  %7s  %-13s  %-16s  "
		    "%-16s  ", b[i].category, b[i].id, b[i].m != NULL ?
		    utc(b[i].m->time, 0, t, sizeof(t)) : "-",
		    human_bytes(b[i].size, sz, sizeof(sz)), files,
		    status_text(b[i].status), b[i].has_signer ? hex : "-", kind);
		if (lock)
			printf("%-19s  ", b[i].locked_until != 0 ?
			    utc(b[i].locked_until, 0, lk, sizeof(lk)) : "-");
		printf("%s\n", b[i].m != NULL ? log_escape(b[i].m->description,
		    desc, sizeof(desc)) : "");
	}
	/* Say why, once per backup that is not complete. */
	for (i = 0; i < n; i++)
		if (b[i].status != STORE_COMPLETE)
			printf("  %s_%" PRIu64 ": %s: %s\n", b[i].category,
			    b[i].id, status_text(b[i].status), why_not(c, site,
			    &b[i], why, sizeof(why)));
}

/* Object lock: the locked_until of every backup in ${b} still immutable. */
static int
locks(struct fleet_lock *fl, struct store *st, struct store_backup *b,
    size_t n)
{
	int64_t now = (int64_t)time(NULL);
	size_t i;

	for (i = 0; i < n; i++)
		if (fleet_lock_until(fl, st, b[i].category, b[i].id, now,
		    &b[i].locked_until))
			return (-1);
	return (0);
}

/*
 * List one site's backups; ${header}: name the site above its table (1 for
 * the first site, 2 for the others).
 */
static int
list_site(const struct agent *ag, const struct conf *c, struct store *st,
    struct mcache *mc, int header, struct fleet_lock *fl)
{
	struct store_backup *b;
	size_t n, i;

	store_set_cache(st, mc);
	if (store_scan(st, NULL, &b, &n))
		return (-1);
	if (locks(fl, st, b, n)) {
		store_backups_free(b, n);
		return (-1);
	}
	if (ag->json) {
		for (i = 0; i < n; i++)
			print_json(c, store_site(st), &b[i]);
		if (n == 0)
			print_nothing("site", store_site(st), "no backups");
	} else {
		if (header)
			printf("%s%s:\n", header > 1 ? "\n" : "",
			    store_site(st));
		if (n == 0)
			printf("%s: no backups\n", store_site(st));
		else
			print_text(c, store_site(st), b, n);
	}
	store_backups_free(b, n);
	return (0);
}

static int
cmd_list(struct agent *ag)
{
	const char *site = NULL;
	struct conf *c = NULL;
	struct mcache *mc = NULL;
	struct fleet_lock fl;
	struct session s;
	struct store *st;
	char **names = NULL;
	size_t n = 0, i;
	int j, all = 0, rc;

	for (j = 0; j < ag->nopts; j++) {
		if (ag->opts[j].id == OPTION_SITE)
			site = ag->opts[j].arg;
		else if (ag->opts[j].id == OPTION_ALL_SITES)
			all = 1;
	}
	if (all && site != NULL)
		return (agent_usage(ag, "--site and --all-sites exclude each "
		    "other"));
	if (site != NULL && !manifest_fields_site_ok(site, strlen(site)))
		return (agent_usage(ag, "--site: %s: not a site name", site));
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	if (session_open(&s, c, all ? NULL : site != NULL ? site :
	    c->site_name, 0))
		goto fail;
	/* Without a cache every manifest is downloaded: slower, not wrong. */
	if ((mc = mcache_open(c->state_dir)) == NULL)
		log_reset();
	if (fleet_lock_open(s.t, &fl))
		goto fail;
	if (!all) {
		if (list_site(ag, c, s.st, mc, 0, &fl))
			goto fail;
		goto done;
	}
	if (store_sites(s.t, &names, &n))
		goto fail;
	if (n == 0) {
		if (ag->json)
			print_nothing("url", transport_describe(s.t),
			    "no sites");
		else
			printf("no sites under %s\n", transport_describe(s.t));
	}
	for (i = 0; i < n; i++) {
		if ((st = session_store(&s, names[i])) == NULL)
			goto fail;
		rc = list_site(ag, c, st, mc, i == 0 ? 1 : 2, &fl);
		store_free(st);
		if (rc)
			goto fail;
	}
done:
	rc = 0;
	goto out;
fail:
	rc = agent_exitcode();
out:
	mcache_free(mc);
	store_sites_free(names, n);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ "site", OPTION_SITE, "NAME", "list the backups of site NAME" },
	{ "all-sites", OPTION_ALL_SITES, NULL, "list every site on the server" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_list = {
	"list", cmd_list, NULL, 0, cmd_options,
	"List the backups on the server: category, id, date (UTC), size, file "
	"count, status, kind (full, or incremental on the id it builds on) "
	"and description.  Only a backup with a valid signed manifest is "
	"complete.",
	"sitevault --json list --all-sites"
};
