#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "archive/replaced.h"
#include "archive/stage.h"
#include "conf/conf.h"
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
	struct json j;
	char sz[32];

	if (ag->quiet)
		return;
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "category", b->category);
		json_uint(&j, "id", b->id);
		json_string(&j, "reason", reason(b));
		json_uint(&j, "size", b->size);
		json_string(&j, "action", dry_run ? "would delete" :
		    b->removed ? "deleted" : "not deleted");
		(void)json_end(&j);
		return;
	}
	printf("%s %s_%" PRIu64 " (%s, %s)\n", dry_run ? "would delete" :
	    b->removed ? "deleted" : "not deleted", b->category, b->id,
	    reason(b), human_bytes(b->size, sz, sizeof(sz)));
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
	char **lists[2] = { c->backup_configuration, c->backup_data }, **p;
	struct prune_trees pt = { ag, dry_run, 0 };
	int i;

	for (i = 0; i < 2; i++)
		for (p = lists[i]; p != NULL && *p != NULL; p++)
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
int
cmd_prune(struct agent *ag)
{
	static const struct option longopts[] = {
		AGENT_GLOBAL_LONGOPTS,
		{ "dry-run", no_argument, NULL, 'n' },
		{ NULL, 0, NULL, 0 }
	};
	struct store_backup *b = NULL;
	struct conf *c = NULL;
	struct session s;
	char line[HISTORY_LINE_MAX], why[512];
	uint64_t bytes = 0;
	size_t n = 0, i, marked;
	int ch, rc, dry_run = 0;

	while ((ch = getopt_long(ag->argc, ag->argv, AGENT_GLOBAL_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (agent_global_opt(ag, ch, optarg))
			continue;
		if (ch == 'n')
			dry_run = 1;
		else
			return (agent_usage(ag, "unknown option"));
	}
	if (optind != ag->argc)
		return (agent_usage(ag, "unexpected argument: %s",
		    ag->argv[optind]));
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	log_capture(why, sizeof(why));
	/* The marker is checked, never written: prune creates nothing. */
	if (session_open(&s, c, c->site_name, SESSION_LOCK | SESSION_CHECK) ||
	    store_scan(s.st, NULL, &b, &n))
		goto fail;
	marked = store_plan(b, n, NULL, c->backup_retain, 1);
	for (i = 0; i < n; i++)
		if (b[i].status == STORE_BADSIG)
			log_warn("%s_%" PRIu64 ": signature bad: left in place "
			    "for an administrator to examine", b[i].category,
			    b[i].id);
	if (marked == 0 && !ag->quiet && !ag->json)
		printf("nothing to prune\n");
	if (dry_run) {
		for (i = 0; i < n; i++)
			if (b[i].doomed)
				report(ag, &b[i], 1);
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
	store_backups_free(b, n);
	session_close(&s);
	conf_free(c);
	return (rc);
}
