#include "config.h"

#include <sys/stat.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "archive/commit.h"
#include "archive/stage.h"
#include "archive/unpack.h"
#include "cli.h"
#include "conf/category.h"
#include "conf/conf.h"
#include "fleet.h"
#include "format/manifest.h"
#include "pick.h"
#include "progress.h"
#include "run/replay.h"
#include "run/restore.h"
#include "run/session.h"
#include "run/select.h"
#include "store/store.h"
#include "util/json.h"
#include "util/log.h"

/*
 * restore: verify every selected manifest first, then extract every
 * selected category into ONE private staging directory, and only when all
 * of it verified, commit it into the live paths (or beneath --target DIR)
 * as one journalled transaction (archive/commit.h): files the backup lacks
 * stay unless --delete, and every live file replaced or removed is kept in
 * a replaced tree beside its configured path.  On any failure before the
 * commit the live paths are untouched and the staging directory removed.
 */

#define MAX_INCLUDE	64

struct restore_opts {
	struct pick p;		/* --category, --identity, ..., ID or latest */
	const char *target;	/* --target DIR */
	const char *from_site;	/* --from-site NAME */
	char *include[MAX_INCLUDE];	/* --include PATH, repeatable */
	size_t ninclude;
	const char *at;		/* --at TIME */
	int delete;		/* --delete */
	int dry_run;		/* --dry-run */
};

static int
parse_opts(struct agent *ag, struct restore_opts *o)
{
	const struct cli_opt *op;
	int i, rc;

	for (i = 0; i < ag->nopts; i++) {
		op = &ag->opts[i];
		if ((rc = pick_option(ag, op, &o->p)) != 0)
			return (rc);
		switch (op->id) {
		case OPTION_TARGET:
			o->target = op->arg;
			break;
		case OPTION_FROM_SITE:
			o->from_site = op->arg;
			break;
		case OPTION_INCLUDE:
			if (o->ninclude == MAX_INCLUDE)
				return (agent_usage(ag, "too many --include"));
			if (op->arg[0] == '\0')
				return (agent_usage(ag, "--include: empty"));
			o->include[o->ninclude++] = op->arg;
			break;
		case OPTION_AT:
			o->at = op->arg;
			break;
		case OPTION_DELETE:
			o->delete = 1;
			break;
		case OPTION_DRY_RUN:
			o->dry_run = 1;
			break;
		}
	}
	return (0);
}

static int
parse(struct agent *ag, struct restore_opts *o)
{
	size_t i, len;
	int rc;

	memset(o, 0, sizeof(*o));
	pick_init(ag, &o->p);
	if ((rc = parse_opts(ag, o)) != 0)
		return (rc);
	if (o->target != NULL && o->target[0] != '/')
		return (agent_usage(ag, "--target must be an absolute path"));
	if (o->at != NULL) {
		if (strcmp(o->p.which, "latest") != 0)
			return (agent_usage(ag, "--at TIME and a backup id "
			    "exclude each other"));
		if (select_time(o->at, &o->p.at_time) || o->p.at_time <= 0)
			return (agent_usage(ag, "--at %s: not a time (ISO 8601 "
			    "UTC like 2026-12-01T23:00:00Z, or a local date "
			    "like 2026-12-01)", o->at));
		o->p.which = o->at;
	}
	/* Live paths as configured: absolute, no trailing '/'. */
	for (i = 0; i < o->ninclude; i++) {
		if (o->include[i][0] != '/')
			return (agent_usage(ag, "--include %s: a path as it is "
			    "on the live system, starting with /",
			    o->include[i]));
		len = strlen(o->include[i]);
		while (len > 1 && o->include[i][len - 1] == '/')
			o->include[i][--len] = '\0';
	}
	return (0);
}

/* The live path of configured path ${p}: itself, or beneath --target. */
static char *
live_of(const struct restore_opts *o, const char *p)
{
	char *s;

	if (asprintf(&s, "%s%s", o->target != NULL ? o->target : "", p) < 0) {
		log_fail(EX_OSERR, "out of memory");
		return (NULL);
	}
	return (s);
}

static void
list_entry(void *cookie, const char *path)
{
	char esc[LOG_ESCAPED_LEN(PATH_MAX)];

	(void)cookie;
	/* Names hold any byte: one line per entry, whatever they hold. */
	printf("  %s\n", log_escape(path, esc, sizeof(esc)));
}

/* A planned change: one line, or one JSON object. */
static void
list_change(void *cookie, const char *what, const char *path)
{
	const struct agent *ag = cookie;
	char esc[LOG_ESCAPED_LEN(PATH_MAX)];
	struct json j;

	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "change", what);
		json_string(&j, "path", path);
		(void)json_end(&j);
	} else if (!ag->quiet)
		printf("%s %s\n", what, log_escape(path, esc, sizeof(esc)));
}

/* Plan the commit of every configured path of the selection. */
static struct commit *
plan(const struct restore_opts *o, struct session *s,
    const struct selection *sel, size_t nsel, const char *stage)
{
	struct commit *cm;
	char *const *p, *live;
	const char *miss;
	size_t i;

	if ((cm = commit_new(s->c->state_dir, stage,
	    (o->delete ? COMMIT_DELETE : 0) | (o->dry_run ? COMMIT_DRY_RUN : 0),
	    o->include, o->ninclude, time(NULL))) == NULL)
		return (NULL);
	/*
	 * Beneath --target, whatever the archives hold (another site's
	 * paths, with --from-site); else the configured paths.
	 */
	if (o->target != NULL && commit_add(cm, "/", o->target))
		goto err;
	for (i = 0; o->target == NULL && i < nsel; i++) {
		for (p = category_paths(s->c, sel[i].cat); *p != NULL; p++) {
			if ((live = live_of(o, *p)) == NULL)
				goto err;
			if (stage_same_fs(stage, live) != 1) {
				log_fail(EX_CANTCREAT, "%s and %s are on "
				    "different filesystems: restore one "
				    "category at a time, or use --target DIR",
				    stage, live);
				free(live);
				goto err;
			}
			if (commit_add(cm, *p, live)) {
				free(live);
				goto err;
			}
			free(live);
		}
	}
	if ((miss = commit_unmatched(cm)) != NULL) {
		log_fail(EX_NOINPUT, "--include %s: the backup holds nothing "
		    "there", miss);
		goto err;
	}
	return (cm);
err:
	commit_free(cm);
	return (NULL);
}

/* The end of a run: what was (or would be) restored, kept, replaced. */
static void
summary(const struct agent *ag, const struct restore_opts *o,
    const struct commit *cm, uint64_t stripped)
{
	const struct commit_stats *st = commit_stats(cm);
	char esc[LOG_ESCAPED_LEN(PATH_MAX)];
	struct json j;
	const char *t;
	size_t i;

	for (i = 0; !o->dry_run && (t = commit_replaced(cm, i)) != NULL; i++)
		log_audit(1, "restore: replaced files kept in %s", t);
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "result", "ok");
		json_bool(&j, "dry_run", o->dry_run);
		json_uint(&j, "restored", st->restored);
		json_uint(&j, "kept", st->kept);
		json_uint(&j, "replaced", st->replaced);
		json_uint(&j, "unchanged", st->unchanged);
		json_uint(&j, "setid_stripped", stripped);
		json_array(&j, "replaced_trees");
		for (i = 0; (t = commit_replaced(cm, i)) != NULL; i++)
			json_string(&j, NULL, t);
		json_array_end(&j);
		(void)json_end(&j);
		return;
	}
	if (ag->quiet)
		return;
	printf("%s %llu files, kept %llu the backup does not hold, "
	    "replaced %llu, %llu already as backed up\n", o->dry_run ?
	    "would restore" : "restored", st->restored, st->kept,
	    st->replaced, st->unchanged);
	for (i = 0; (t = commit_replaced(cm, i)) != NULL; i++)
		printf("%s files kept in %s\n", o->dry_run ? "replaced "
		    "files would be" : "replaced", log_escape(t, esc,
		    sizeof(esc)));
	if (stripped > 0)
		printf("%llu setuid/setgid bits not restored\n",
		    (unsigned long long)stripped);
}

/* One line (or JSON object) per category restored. */
static void
report(const struct agent *ag, const struct restore_opts *o,
    const char *site, const struct selection *x)
{
	struct json j;

	if (ag->json) {
		pick_json_begin(&j, site, x, "ok");
		json_bool(&j, "dry_run", o->dry_run);
		json_uint(&j, "files", x->m->files);
		json_uint(&j, "bytes", x->m->bytes);
		(void)json_end(&j);
	} else if (!ag->quiet)
		printf("%s %s/%s_%llu: %llu files, %llu bytes\n",
		    o->dry_run ? "verified (dry run)" : "verified",
		    site, x->category, (unsigned long long)x->m->id,
		    (unsigned long long)x->m->files,
		    (unsigned long long)x->m->bytes);
}

/* Stream every selected category through every check into ${stage}. */
static int
extract(const struct agent *ag, const struct restore_opts *o,
    struct session *s, const char *site, const struct selection *sel,
    size_t nsel, const uint8_t (*sks)[AGE_KEY_LEN], size_t nsks, const char *stage,
    uint64_t *stripped)
{
	struct restore_hooks hooks = { NULL, NULL, NULL };
	struct replay_stats rs;
	struct progress pg;
	char label[PATH_BUF];
	size_t i;
	int rc;

	*stripped = 0;
	for (i = 0; i < nsel; i++) {
		if (store_backup_dir(label, site, sel[i].category,
		    sel[i].m->id))
			return (-1);
		if (o->dry_run && ag->verbose && !ag->json)
			printf("%s:\n", label);
		progress_init(&pg, label, ag->quiet || ag->json);
		hooks.each = o->dry_run && ag->verbose && !ag->json ?
		    list_entry : NULL;
		hooks.progress = progress_verified;
		hooks.cookie = &pg;
		/* A chain is verified whole, then replayed (replay.h). */
		rc = replay_restore(s->t, s->st, sel[i].m, sks, nsks, stage,
		    &hooks, &rs);
		progress_clear(&pg);
		if (rc)
			return (-1);
		*stripped += rs.st.stripped;
	}
	return (0);
}

/*
 * One private staging directory beside the first target; every selected
 * category streamed through every check into it; the commit planned (links
 * and missing paths refused before anything moves) and, unless --dry-run,
 * carried out.  Return 0 or -1 after logging.
 */
static int
stage_and_commit(struct agent *ag, const struct restore_opts *o,
    struct session *s, const char *site, const struct selection *sel,
    size_t nsel, const uint8_t (*sks)[AGE_KEY_LEN], size_t nsks,
    char **stage, struct commit **cm, uint64_t *stripped)
{
	char *first = NULL, *slash;
	struct stat sb;
	size_t i;
	int r, rc = -1;

	for (i = 0; first == NULL && i < nsel; i++)
		if (category_paths(s->c, sel[i].cat)[0] != NULL)
			first = o->target != NULL ? strdup(o->target) :
			    live_of(o, category_paths(s->c, sel[i].cat)[0]);
	if (first == NULL) {
		log_fail(EX_CONFIG, "%s: no paths configured for the selected "
		    "categories", s->c->path);
		return (-1);
	}
	/*
	 * A dry run creates nothing that stays: its stage goes beside the
	 * nearest existing ancestor of the target (removed at the end).
	 */
	while (o->dry_run && (slash = strrchr(first, '/')) != NULL &&
	    slash != first) {
		*slash = '\0';
		r = lstat(first, &sb);
		*slash = '/';
		if (r == 0)
			break;
		*slash = '\0';
	}
	if ((*stage = stage_create(first)) == NULL ||
	    extract(ag, o, s, site, sel, nsel, sks, nsks, *stage, stripped) ||
	    (*cm = plan(o, s, sel, nsel, *stage)) == NULL)
		goto done;
	if (o->dry_run)
		commit_each(*cm, list_change, ag);
	else if (commit_run(*cm))
		goto done;
	rc = 0;
done:
	free(first);
	return (rc);
}

/* Record and report a restore that succeeded. */
static void
report_ok(const struct agent *ag, const struct restore_opts *o,
    struct session *s, const char *site, const struct selection *sel,
    size_t nsel, const struct commit *cm, uint64_t stripped)
{
	size_t i;

	for (i = 0; i < nsel; i++) {
		log_audit(1, "restore %s/%s_%llu%s ok", site, sel[i].category,
		    (unsigned long long)sel[i].m->id,
		    o->dry_run ? " (dry run)" : "");
		session_record(s, site, o->dry_run ? "restore-dry-run" :
		    "restore", sel[i].category, sel[i].m->id, 1,
		    sel[i].m->bytes, o->target);
		report(ag, o, site, &sel[i]);
	}
	summary(ag, o, cm, stripped);
}

/* Record and report a restore that failed because of ${why}. */
static void
report_failed(const struct agent *ag, const struct restore_opts *o,
    struct session *s, const char *site, const char *why)
{
	struct json j;

	log_audit(0, "restore %s %s failed: %s", site, o->p.which, why);
	if (s->c != NULL)
		session_record(s, site, "restore", NULL, 0, 0, 0, why);
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "site", site);
		json_string(&j, "result", "failed");
		json_string(&j, "error", why);
		(void)json_end(&j);
	}
}

static int
cmd_restore(struct agent *ag)
{
	struct restore_opts o;
	struct session s;
	struct conf *c = NULL;
	struct commit *cm = NULL;
	const char *site = NULL;
	char *stage = NULL, why[1024];
	uint64_t stripped;
	struct timespec run0;
	int rc;

	memset(&s, 0, sizeof(s));
	if ((rc = parse(ag, &o)) != 0)
		return (rc);
	if ((rc = pick_categories(ag, &o.p)) != 0)
		return (rc);
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	site = o.from_site != NULL ? o.from_site : c->site_name;
	clock_gettime(CLOCK_MONOTONIC, &run0);
	log_capture(why, sizeof(why));
	select_configured(c, o.p.category, o.p.cats, &o.p.ncats);
	if (o.p.ncats == 0) {
		log_fail(EX_CONFIG, "%s: no paths configured in [backup]: "
		    "nothing to restore", c->path);
		goto fail;
	}
	/*
	 * The run lock keeps a backup from reading the tree being changed;
	 * our own site's SITE marker must be ours (never written here).
	 */
	if (session_open(&s, c, site, SESSION_LOCK |
	    (o.from_site == NULL ? SESSION_CHECK : 0)))
		goto fail;

	/* 1. Every manifest verified before anything is written. */
	if (pick_backups(&o.p, &s, site, o.from_site != NULL)) {
		rc = agent_exitcode();
		goto done_audit;
	}

	/* 2-4. Staged, verified, planned, committed. */
	if (stage_and_commit(ag, &o, &s, site, o.p.sel, o.p.nsel,
	    (const uint8_t (*)[AGE_KEY_LEN])o.p.sks, o.p.nsks, &stage, &cm,
	    &stripped))
		goto fail;
	report_ok(ag, &o, &s, site, o.p.sel, o.p.nsel, cm, stripped);
	rc = 0;
	goto done;

fail:
	rc = agent_exitcode();
done_audit:
	report_failed(ag, &o, &s, site, why);
done:
	log_capture(NULL, 0);
	/* A dry run changes nothing: it is not the last restore. */
	if (!o.dry_run)
		fleet_metrics(c, "restore", rc, &run0, NULL, 0);
	/* A commit left to the journal keeps its stage for recovery. */
	if (stage != NULL && !commit_pending(c->state_dir))
		(void)stage_remove(stage);
	free(stage);
	commit_free(cm);
	pick_free(&o.p);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ "at", OPTION_AT, "TIME", "the newest complete backup of each "
	    "category at or before TIME (ISO 8601 UTC, or a local date)" },
	CLI_OPT_CATEGORY("restore this category"),
	{ "target", OPTION_TARGET, "DIR", "restore what the archives hold "
	    "under the absolute path DIR, not into the configured paths" },
	{ "from-site", OPTION_FROM_SITE, "NAME", "restore a backup of site "
	    "NAME (a key must be trusted for NAME in [keys] trusted)" },
	{ "include", OPTION_INCLUDE, "PATH", "only this live path: a file, a "
	    "directory and all beneath, or a glob (repeatable)" },
	{ "delete", OPTION_DELETE, NULL, "also move live files the backup "
	    "does not hold into the replaced tree" },
	CLI_OPT_IDENTITY,
	CLI_OPT_ALLOW_ROLLBACK,
	CLI_OPT_DRY_RUN("verify everything and list what would change "
	    "(one JSON object per change with --json), writing nothing"),
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_restore = {
	"restore", cmd_restore, "[ID|latest]", 1, cmd_options,
	"Restore a backup (default latest) into the live paths.  Every "
	"signature, part hash and encrypted chunk is checked while the files "
	"are extracted into a private staging directory; then all paths are "
	"committed as one journalled transaction.  Live files the backup does "
	"not hold stay (unless --delete), and every file replaced is kept in "
	"a replaced tree beside its path.",
	"sitevault restore latest --include /var/spool/voicemail/1001"
};
