#include "config.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "conf/category.h"
#include "fleet.h"
#include "conf/conf.h"
#include "util/json.h"
#include "util/log.h"
#include "format/manifest.h"
#include "run/replay.h"
#include "run/restore.h"
#include "progress.h"
#include "select.h"
#include "run/session.h"
#include "store/store.h"
#include "archive/stage.h"
#include "archive/unpack.h"

/*
 * restore: verify every selected manifest first, then extract every
 * selected category into ONE staging directory beside the target (so that
 * `--target DIR` with both categories swaps DIR once), and only when all
 * of it verified, move it into place.  On any failure before the move the
 * targets are untouched and the staging directory is removed.
 */

struct restore_opts {
	const char *category;	/* --category */
	const char *target;	/* --target DIR */
	const char *from_site;	/* --from-site NAME */
	char *identity[16];	/* --identity FILE, repeatable */
	size_t nidentity;
	int allow_rollback;	/* --allow-rollback */
	int dry_run;		/* --dry-run */
	const char *which;	/* ID or latest */
};

static int
parse(struct agent *ag, struct restore_opts *o)
{
	const struct cli_opt *op;
	int i;

	memset(o, 0, sizeof(*o));
	o->which = "latest";
	for (i = 0; i < ag->nopts; i++) {
		op = &ag->opts[i];
		switch (op->id) {
		case OPTION_CATEGORY:
			o->category = op->arg;
			break;
		case OPTION_TARGET:
			o->target = op->arg;
			break;
		case OPTION_FROM_SITE:
			o->from_site = op->arg;
			break;
		case OPTION_IDENTITY:
			if (o->nidentity == 16)
				return (agent_usage(ag, "too many --identity"));
			o->identity[o->nidentity++] = op->arg;
			break;
		case OPTION_ALLOW_ROLLBACK:
			o->allow_rollback = 1;
			break;
		case OPTION_DRY_RUN:
			o->dry_run = 1;
			break;
		}
	}
	if (ag->noperands > 0)
		o->which = ag->operands[0];
	if (o->target != NULL && o->target[0] != '/')
		return (agent_usage(ag, "--target must be an absolute path"));
	return (0);
}

static void
list_entry(void *cookie, const char *path)
{
	char esc[LOG_ESCAPED_LEN(PATH_MAX)];

	(void)cookie;
	/* Names hold any byte: one line per entry, whatever they hold. */
	printf("  %s\n", log_escape(path, esc, sizeof(esc)));
}

/*
 * --dry-run: what would change under ${live}: stage_diff()'s lines
 * ("KIND PATH"), or with --json one object per line.
 */
static int
dry_diff(const struct agent *ag, const char *staged, const char *live)
{
	char *buf = NULL, *line, *next, *sp;
	size_t len = 0;
	struct json j;
	FILE *f;
	int rc;

	if (!ag->json) {
		if (!ag->quiet)
			printf("would change under %s:\n", live);
		return (stage_diff(staged, live, stdout) < 0);
	}
	if ((f = open_memstream(&buf, &len)) == NULL) {
		log_fail(EX_OSERR, "restore: out of memory");
		return (-1);
	}
	rc = stage_diff(staged, live, f);
	if (fclose(f) != 0 || buf == NULL) {
		free(buf);
		log_fail(EX_OSERR, "restore: out of memory");
		return (-1);
	}
	for (line = buf; rc >= 0 && *line != '\0'; line = next) {
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
		if ((sp = strchr(line, ' ')) != NULL)
			*sp++ = '\0';
		json_begin(&j, stdout);
		json_string(&j, "would_change", live);
		json_string(&j, "change", line);
		json_string(&j, "path", sp);
		(void)json_end(&j);
	}
	free(buf);
	return (rc < 0);
}

/* Move (or, with --dry-run, compare) what was staged into place. */
static int
commit(const struct agent *ag, const struct restore_opts *o,
    struct session *s, struct selection *sel, size_t nsel, const char *stage)
{
	char staged[4096];
	char *const *p;
	size_t i;

	if (o->target != NULL) {
		if (o->dry_run)
			return (dry_diff(ag, stage, o->target));
		return (stage_commit(stage, o->target));
	}
	for (i = 0; i < nsel; i++) {
		for (p = category_paths(s->c, sel[i].cat); *p != NULL; p++) {
			snprintf(staged, sizeof(staged), "%s%s", stage, *p);
			if (stage_same_fs(staged, *p) < 0)
				return (-1);
			if (o->dry_run) {
				if (dry_diff(ag, staged, *p))
					return (-1);
				continue;
			}
			if (stage_commit(staged, *p))
				return (-1);
		}
	}
	return (0);
}

static int
cmd_restore(struct agent *ag)
{
	struct restore_opts o;
	struct session s;
	struct conf *c = NULL;
	uint8_t (*sks)[AGE_KEY_LEN] = NULL;
	size_t nsks = 0;
	struct selection *sel = NULL;
	struct replay_stats rs;
	struct unpack_stats total;
	enum category cats[CATEGORY_N];
	const char *site, *first;
	char *stage = NULL, *const *p, why[1024], label[256];
	struct progress pg;
	struct restore_hooks hooks = { NULL, NULL, NULL };
	size_t ncats, nsel = 0, i;
	struct timespec run0;
	int rc;

	if ((rc = parse(ag, &o)) != 0)
		return (rc);
	if (category_parse(o.category, cats, &ncats))
		return (agent_usage(ag, CATEGORY_PARSE_ERROR, o.category));
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	site = o.from_site != NULL ? o.from_site : c->site_name;
	clock_gettime(CLOCK_MONOTONIC, &run0);
	log_capture(why, sizeof(why));
	/*
	 * The run lock keeps a backup from reading the tree being swapped;
	 * our own site's SITE marker must be ours (never written here).
	 */
	if (session_open(&s, c, site, SESSION_LOCK |
	    (o.from_site == NULL ? SESSION_CHECK : 0)))
		goto fail;
	if ((rc = select_identities(&s, o.identity, o.nidentity, &sks,
	    &nsks)) != 0)
		goto done_audit;

	/* 1. Every manifest verified before anything is written. */
	if ((rc = select_backups(&s, s.st, o.which, cats, ncats,
	    o.allow_rollback || o.from_site != NULL, &sel, &nsel)) != 0)
		goto done_audit;

	/* 2. One staging directory beside the (first) target. */
	first = o.target;
	for (i = 0; first == NULL && i < nsel; i++) {
		p = category_paths(s.c, sel[i].cat);
		if (*p != NULL)
			first = *p;
	}
	if (first == NULL) {
		log_fail(EX_CONFIG, "%s: no paths configured for the selected "
		    "categories; use --target DIR", s.c->path);
		goto fail;
	}
	for (i = 0; o.target == NULL && i < nsel; i++) {
		for (p = category_paths(s.c, sel[i].cat); *p != NULL; p++) {
			if (stage_same_fs(first, *p) != 1) {
				log_fail(EX_CANTCREAT, "%s and %s are on "
				    "different filesystems: restore them one "
				    "category at a time, or use --target DIR",
				    first, *p);
				goto fail;
			}
		}
	}
	if ((stage = stage_create(first)) == NULL)
		goto fail;

	/* 3. Stream each category through every check into the stage. */
	memset(&total, 0, sizeof(total));
	for (i = 0; i < nsel; i++) {
		if (o.dry_run && ag->verbose)
			printf("%s/%s_%llu:\n", site, sel[i].category,
			    (unsigned long long)sel[i].m->id);
		snprintf(label, sizeof(label), "%s/%s_%llu", site,
		    sel[i].category, (unsigned long long)sel[i].m->id);
		progress_init(&pg, label, ag->quiet || ag->json);
		hooks.each = o.dry_run && ag->verbose ? list_entry : NULL;
		hooks.progress = select_progress;
		hooks.cookie = &pg;
		/* A chain is verified whole, then replayed (replay.h). */
		rc = replay_restore(s.t, s.st, sel[i].m,
		    (const uint8_t (*)[AGE_KEY_LEN])sks, nsks, stage, &hooks, &rs);
		progress_clear(&pg);
		if (rc)
			goto fail;
		total.files += rs.st.files;
		total.bytes += rs.st.bytes;
	}

	/* 4. Into place: after this, the targets are the restored trees. */
	if (commit(ag, &o, &s, sel, nsel, stage))
		goto fail;

	for (i = 0; i < nsel; i++) {
		log_audit(1, "restore %s/%s_%llu%s ok", site, sel[i].category,
		    (unsigned long long)sel[i].m->id,
		    o.dry_run ? " (dry run)" : "");
		select_history(&s, site, o.dry_run ? "restore-dry-run" :
		    "restore", sel[i].category, sel[i].m->id, 1,
		    sel[i].m->bytes, o.target != NULL ? o.target : NULL);
		if (ag->json) {
			printf("{\"site\":");
			json_put_string(stdout, site);
			printf(",\"category\":");
			json_put_string(stdout, sel[i].category);
			printf(",\"id\":%llu,\"result\":\"ok\",\"dry_run\":%s,"
			    "\"files\":%llu,\"bytes\":%llu}\n",
			    (unsigned long long)sel[i].m->id,
			    o.dry_run ? "true" : "false",
			    (unsigned long long)sel[i].m->files,
			    (unsigned long long)sel[i].m->bytes);
		} else if (!ag->quiet)
			printf("%s %s/%s_%llu: %llu files, %llu bytes\n",
			    o.dry_run ? "verified (dry run)" : "restored",
			    site, sel[i].category,
			    (unsigned long long)sel[i].m->id,
			    (unsigned long long)sel[i].m->files,
			    (unsigned long long)sel[i].m->bytes);
	}
	rc = 0;
	goto done;

fail:
	rc = agent_exitcode();
done_audit:
	log_audit(0, "restore %s %s failed: %s", site, o.which, why);
	if (s.c != NULL)
		select_history(&s, site, "restore", NULL, 0, 0, 0, why);
	if (ag->json) {
		printf("{\"site\":");
		json_put_string(stdout, site);
		printf(",\"result\":\"failed\",\"error\":");
		json_put_string(stdout, why);
		printf("}\n");
	}
done:
	log_capture(NULL, 0);
	/* A dry run changes nothing: it is not the last restore. */
	if (!o.dry_run)
		fleet_metrics(c, "restore", rc, &run0, NULL, 0);
	if (stage != NULL) {
		(void)stage_remove(stage);
		free(stage);
	}
	select_free(sel, nsel);
	select_identities_free(sks, nsks);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	CLI_OPT_CATEGORY("restore this category"),
	{ "target", OPTION_TARGET, "DIR", "restore the whole archive under the "
	    "absolute path DIR, not over the configured paths" },
	{ "from-site", OPTION_FROM_SITE, "NAME", "restore a backup of site "
	    "NAME (its key must be in [keys] trusted)" },
	CLI_OPT_IDENTITY,
	CLI_OPT_ALLOW_ROLLBACK,
	CLI_OPT_DRY_RUN("verify everything and show what would change, "
	    "writing nothing"),
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_restore = {
	"restore", cmd_restore, "[ID|latest]", 1, cmd_options,
	"Restore a backup (default latest).  The signature, every part's "
	"SHA-256 and every encrypted chunk are checked while the files are "
	"extracted into a staging directory, which is moved into place only "
	"after the whole stream verified; on any failure the target is left "
	"untouched.",
	"sitevault restore latest --category data --target /srv/restore"
};
