#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "archive/replaced.h"
#include "archive/stage.h"
#include "conf/category.h"
#include "conf/conf.h"
#include "fleet.h"
#include "format/history.h"
#include "util/human.h"
#include "util/json.h"
#include "util/log.h"
#include "run/session.h"
#include "store/state.h"
#include "store/store.h"

static const char *
reason(const struct store_backup *b)
{

	return (b->status == STORE_UNFINISHED ? "unfinished" : "retention");
}

/* One line or object per backup prune removes (or would remove). */
static void
report(const struct agent *ag, const struct store_backup *b, int dry_run)
{
	const char *action = b->locked_until != 0 ? "kept" : dry_run ?
	    "would delete" : b->removed ? "deleted" : "not deleted";
	char sz[32], until[40] = "";
	struct json j;
	struct tm tm;
	time_t u;

	if (ag->quiet)
		return;
	if (b->locked_until != 0) {
		u = (time_t)b->locked_until;
		gmtime_r(&u, &tm);
		strftime(until, sizeof(until), "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "category", b->category);
		json_uint(&j, "id", b->id);
		json_string(&j, "reason", reason(b));
		json_uint(&j, "size", b->size);
		json_string(&j, "action", action);
		if (b->locked_until != 0)
			json_string(&j, "immutable_until", until);
		(void)json_end(&j);
		return;
	}
	printf("%s %s_%" PRIu64 " (%s, %s%s%s)\n", action, b->category, b->id,
	    reason(b), human_bytes(b->size, sz, sizeof(sz)),
	    b->locked_until != 0 ? ", immutable until " : "", until);
}

/* Why retention keeps ${b}: a word for --json and a phrase for people. */
static const char *
keep_word(const struct store_backup *b)
{

	switch (b->keep) {
	case STORE_KEEP_RETAIN:
		return ("retain");
	case STORE_KEEP_BASE:
		return ("base");
	case STORE_KEEP_NEWEST:
		return ("newest");
	default:
		return ("broken chain");
	}
}

/* prune --dry-run: what stays, and why (sitevault(8), "prune"). */
static void
report_keep(const struct agent *ag, const struct store_backup *b,
    unsigned int retain)
{
	struct json j;
	char why[128];

	if (ag->quiet)
		return;
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "category", b->category);
		json_uint(&j, "id", b->id);
		json_string(&j, "reason", keep_word(b));
		if (b->keep == STORE_KEEP_BASE)
			json_uint(&j, "needed_by", b->needed_by);
		else
			json_null(&j, "needed_by");
		json_uint(&j, "size", b->size);
		json_string(&j, "action", "would keep");
		(void)json_end(&j);
		return;
	}
	switch (b->keep) {
	case STORE_KEEP_RETAIN:
		snprintf(why, sizeof(why), "one of the %u newest restorable "
		    "backups", retain);
		break;
	case STORE_KEEP_BASE:
		snprintf(why, sizeof(why), "the chain of %s_%" PRIu64 " needs it",
		    b->category, b->needed_by);
		break;
	case STORE_KEEP_NEWEST:
		snprintf(why, sizeof(why), "the newest backup, though not "
		    "restorable: its chain is broken");
		break;
	default:
		snprintf(why, sizeof(why), "its chain is broken: not "
		    "counted in retain, deleted once older than the kept ones");
		break;
	}
	printf("would keep %s_%" PRIu64 " (%s)\n", b->category, b->id, why);
}

struct prune_trees {
	const struct agent *ag;
	int dry_run;
	int failed;
};

/* A replaced tree older than REPLACED_KEEP goes (sitevault(8), RESTORE). */
static void
prune_tree(void *cookie, const char *tree, time_t when)
{
	struct prune_trees *pt = cookie;
	char esc[LOG_ESCAPED_LEN(1024)];
	struct json j;
	int ok = 1;

	if (time(NULL) - when <= REPLACED_KEEP)
		return;
	if (!pt->dry_run && stage_remove(tree)) {
		pt->failed = 1;
		ok = 0;
	} else if (!pt->dry_run)
		log_audit(1, "prune: removed replaced tree %s", tree);
	if (pt->ag->quiet)
		return;
	if (pt->ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "replaced_tree", tree);
		json_string(&j, "reason", "older than 7 days");
		json_string(&j, "action", pt->dry_run ? "would delete" :
		    ok ? "deleted" : "not deleted");
		(void)json_end(&j);
		return;
	}
	printf("%s replaced tree %s (older than 7 days)\n", pt->dry_run ?
	    "would delete" : ok ? "deleted" : "not deleted",
	    log_escape(tree, esc, sizeof(esc)));
}

static int
prune_replaced(const struct agent *ag, const struct conf *c, int dry_run)
{
	struct prune_trees pt = { ag, dry_run, 0 };
	char *const *p;
	int i;

	for (i = 0; i < CATEGORY_N; i++)
		for (p = category_paths(c, (enum category)i); *p != NULL; p++)
			if (replaced_each(*p, prune_tree, &pt) < 0)
				pt.failed = 1;
	return (pt.failed ? -1 : 0);
}

/*
 * Which backups prune removes: retention for every category, and every
 * unfinished backup.  "Older than the run's start" needs no clock: the run
 * lock excludes another run on this machine, and the SITE marker binds the
 * directory to this site's key, so no unfinished backup found after taking
 * the lock can be one still being written; only those found by this scan
 * are removed.
 */
/* Before anything is removed: the backups left alone, or nothing to do. */
static void
announce(const struct agent *ag, const struct conf *c,
    const struct store_backup *b, size_t n, size_t marked, int dry_run)
{
	struct json js;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].status == STORE_BADSIG)
			log_warn("%s_%" PRIu64 ": signature bad: left in place "
			    "for an administrator to examine", b[i].category,
			    b[i].id);
	if (marked == 0 && !ag->quiet && !ag->json)
		printf("nothing to prune\n");
	if (marked == 0 && !ag->quiet && ag->json) {
		/* "Nothing to do" is an object too (sitevault(8), --json). */
		json_begin(&js, stdout);
		json_string(&js, "site", c->site_name);
		json_string(&js, "action", "nothing to prune");
		json_bool(&js, "dry_run", dry_run);
		(void)json_end(&js);
	}
}

static int
cmd_prune(struct agent *ag)
{
	struct store_backup *b = NULL;
	struct conf *c = NULL;
	struct session s;
	char line[HISTORY_LINE_MAX], why[512];
	uint64_t bytes = 0;
	size_t n = 0, i, marked;
	struct timespec run0;
	int j, rc, dry_run = 0;

	for (j = 0; j < ag->nopts; j++)
		if (ag->opts[j].id == OPTION_DRY_RUN)
			dry_run = 1;
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	clock_gettime(CLOCK_MONOTONIC, &run0);
	log_capture(why, sizeof(why));
	/* The marker is checked, never written: prune creates nothing. */
	if (session_open(&s, c, c->site_name, SESSION_LOCK | SESSION_CHECK) ||
	    store_scan(s.st, NULL, &b, &n))
		goto fail;
	marked = store_plan(b, n, NULL, c->backup_retain, 1);
	announce(ag, c, b, n, marked, dry_run);
	if (dry_run) {
		if (store_check_locks(s.st, b, n, (int64_t)time(NULL)))
			goto fail;
		for (i = 0; i < n; i++)
			if (b[i].doomed)
				report(ag, &b[i], 1);
			else if (b[i].status == STORE_COMPLETE)
				report_keep(ag, &b[i], c->backup_retain);
		rc = prune_replaced(ag, c, 1) ? agent_exitcode() : 0;
		goto out;
	}
	rc = store_remove(s.st, b, n, "retention", (int64_t)time(NULL),
	    c->state_dir);
	for (i = 0; i < n; i++) {
		if (!b[i].doomed)
			continue;
		report(ag, &b[i], 0);
		if (b[i].removed)
			bytes += b[i].size;
	}
	if (prune_replaced(ag, c, 0))
		rc = -1;
	if (rc)
		goto fail;
	for (i = 0, marked = 0; i < n; i++)
		marked += b[i].removed != 0;
	log_audit(1, "prune %s: ok (%zu removed)", c->site_name, marked);
	if (history_format(line, sizeof(line), time(NULL), "prune", NULL, 0,
	    1, bytes, NULL) == 0)
		(void)state_history_append(c->state_dir, line);
	rc = 0;
	goto out;
fail:
	rc = agent_exitcode();
	log_audit(0, "prune %s: failed: %s", c->site_name, why);
	if (history_format(line, sizeof(line), time(NULL), "prune", NULL, 0,
	    0, bytes, why) == 0)
		(void)state_history_append(c->state_dir, line);
out:
	log_capture(NULL, 0);
	/* A dry run changes nothing: it is not the last prune. */
	if (!dry_run)
		fleet_metrics(c, "prune", rc, &run0, NULL, 0);
	store_backups_free(b, n);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	CLI_OPT_DRY_RUN("only print what would be removed, and what is kept and why"),
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_prune = {
	"prune", cmd_prune, NULL, 0, cmd_options,
	"Apply retention now, and remove the leftovers of failed uploads "
	"(directories without a valid signed manifest, temporary files).",
	"sitevault prune --dry-run"
};
