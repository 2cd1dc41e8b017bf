#include "config.h"

#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "fleet.h"
#include "run/metrics.h"
#include "run/backup.h"
#include "conf/category.h"
#include "conf/conf.h"
#include "conf/conf_sources.h"
#include "format/history.h"
#include "util/human.h"
#include "util/json.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "util/path.h"
#include "format/manifest.h"
#include "progress.h"
#include "crypto/recipients.h"
#include "run/session.h"
#include "store/state.h"
#include "store/store.h"
#include "transport/transport.h"

/* The progress line: bytes read from the sources against their total. */
struct backup_progress {
	struct progress pg;
	uint64_t rchar0;	/* bytes read by this process at the start */
	uint64_t total;		/* source bytes, from a stat walk */
};

static double
since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((double)(t.tv_sec - t0->tv_sec) +
	    (double)(t.tv_nsec - t0->tv_nsec) / 1e9);
}

/*
 * Bytes this process has read so far (Linux /proc/self/io "rchar"): the
 * source files, plus the small control replies of the server.  The pack
 * stream does not say how far it is, and this costs nothing to ask.
 */
static uint64_t
rchar(void)
{
	unsigned long long v = 0;
	char line[128];
	FILE *f;

	if ((f = fopen("/proc/self/io", "re")) == NULL)
		return (0);
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "rchar: %llu", &v) == 1)
			break;
	fclose(f);
	return ((uint64_t)v);
}

static uint64_t walk_total;

static int
walk_one(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{

	(void)path;
	(void)ftw;
	if (type == FTW_F && S_ISREG(sb->st_mode))
		walk_total += (uint64_t)sb->st_size;
	return (0);
}

/* Source bytes of ${paths} for the ETA (excludes not applied: an estimate). */
static uint64_t
source_bytes(char *const *paths)
{
	size_t i;

	walk_total = 0;
	for (i = 0; paths[i] != NULL; i++)
		(void)nftw(paths[i], walk_one, 32, FTW_PHYS);
	return (walk_total);
}

static void
progress_cb(void *cookie, uint64_t stored)
{
	struct backup_progress *bp = cookie;
	char rd[32], st[32], detail[80];
	uint64_t done;

	if (stored == UINT64_MAX) {
		progress_clear(&bp->pg);
		return;
	}
	done = rchar() - bp->rchar0;
	snprintf(detail, sizeof(detail), "%s read, %s stored",
	    human_bytes(done, rd, sizeof(rd)),
	    human_bytes(stored, st, sizeof(st)));
	progress_show(&bp->pg, done, bp->total, detail);
}

static void
print_summary(const struct agent *ag, const struct backup_report *rep,
    double secs)
{
	char rd[32], st[32], dur[32], kind[64];
	double ratio;

	ratio = rep->res.stored > 0 ? (double)rep->res.st.bytes /
	    (double)rep->res.stored : 0;
	if (ag->json)
		return;
	/* In a chain (full_every > 1) say which kind this backup is. */
	if (rep->base_id > 0)
		snprintf(kind, sizeof(kind), ", incremental on %s_%" PRIu64,
		    rep->category, rep->base_id);
	else if (rep->why_full[0] != '\0')
		snprintf(kind, sizeof(kind), ", full");
	else
		kind[0] = '\0';
	printf("%s_%" PRIu64 ": %" PRIu64 " file%s, %s read, %s stored "
	    "(ratio %.2f), %zu part%s, %s%s%s%s\n", rep->category, rep->id,
	    rep->res.st.files, rep->res.st.files == 1 ? "" : "s",
	    human_bytes(rep->res.st.bytes, rd, sizeof(rd)),
	    human_bytes(rep->res.stored, st, sizeof(st)), ratio,
	    rep->res.nparts, rep->res.nparts == 1 ? "" : "s",
	    human_duration(secs, dur, sizeof(dur)),
	    kind, rep->verified ? ", verified" : "",
	    rep->res.st.warnings > 0 ? ", with warnings (see above)" : "");
}

static void
json_report(struct json *j, const struct backup_report *rep, double secs)
{

	json_object(j, NULL);
	json_string(j, "category", rep->category);
	json_uint(j, "id", rep->id);
	json_string(j, "kind", rep->kind);
	if (rep->base_id > 0)
		json_uint(j, "base", rep->base_id);
	else
		json_null(j, "base");
	if (rep->why_full[0] != '\0')
		json_string(j, "full_because", rep->why_full);
	json_uint(j, "files", rep->res.st.files);
	json_uint(j, "bytes_read", rep->res.st.bytes);
	json_uint(j, "archive_bytes", rep->res.st.archive_bytes);
	json_uint(j, "bytes_stored", rep->res.stored);
	json_uint(j, "parts", rep->res.nparts);
	json_uint(j, "warnings", rep->res.st.warnings);
	json_uint(j, "duration_ms", (uint64_t)(secs * 1000));
	json_bool(j, "verified", rep->verified);
	json_uint(j, "expired", rep->expired);
	json_object_end(j);
}

/* Parse the options into ${cats} (${*ncats} of them) and ${desc}. */
static int
options(struct agent *ag, enum category cats[CATEGORY_N], size_t *ncats,
    const char **desc)
{
	const char *cat = NULL;
	int i;

	*desc = NULL;
	for (i = 0; i < ag->nopts; i++) {
		if (ag->opts[i].id == OPTION_CATEGORY)
			cat = ag->opts[i].arg;
		else if (ag->opts[i].id == OPTION_DESCRIPTION)
			*desc = ag->opts[i].arg;
	}
	if (category_parse(cat, cats, ncats))
		return (agent_usage(ag, CATEGORY_PARSE_ERROR, cat));
	if (*desc != NULL && !manifest_description_ok(*desc))
		return (agent_usage(ag, "--description: must be UTF-8 without "
		    "control characters, at most 1024 bytes"));
	return (0);
}

/* A failure outside backup_category() still reaches syslog and history. */
static void
record_failure(const struct conf *c, const char *why)
{
	char line[HISTORY_LINE_MAX];

	log_audit(0, "backup %s: failed: %s", c->site_name, why);
	if (history_format(line, sizeof(line), time(NULL), "backup", NULL, 0,
	    0, 0, why) == 0)
		(void)state_history_append(c->state_dir, line);
}

/*
 * Keep of the ${*n} categories ${cats} those with paths: with "all", one
 * without is skipped; asked for by name, it is an error.  Return 0, or -1
 * after logging if nothing is left.
 */
static int
with_paths(const struct conf *c, enum category *cats, size_t *n)
{
	size_t i, k;
	int all = *n > 1;

	for (i = k = 0; i < *n; i++) {
		if (category_paths(c, cats[i])[0] != NULL)
			cats[k++] = cats[i];
		else if (all)
			log_info("%s: no paths in [backup] %s: skipped",
			    category_name(cats[i]), category_key(cats[i]));
	}
	if (k == 0) {
		log_fail(EX_CONFIG, "%s: nothing to back up: [backup] %s "
		    "is empty", c->path, all ? "configuration and "
		    "data" : category_key(cats[0]));
		return (-1);
	}
	*n = k;
	return (0);
}

/* The --json line of the run: its result, then each backup made. */
static void
json_summary(const struct conf *c, int rc, const char *why,
    const struct timespec *run0, const struct backup_report *reps,
    const double *secs, size_t n)
{
	struct json j;
	size_t i;

	json_begin(&j, stdout);
	json_string(&j, "command", "backup");
	json_string(&j, "site", c->site_name);
	json_string(&j, "result", rc == 0 ? "ok" : "failed");
	json_int(&j, "exit", rc);
	if (rc != 0)
		json_string(&j, "error", why);
	json_uint(&j, "duration_ms", (uint64_t)(since(run0) * 1000));
	json_array(&j, "backups");
	for (i = 0; i < n; i++)
		json_report(&j, &reps[i], secs[i]);
	json_array_end(&j);
	(void)json_end(&j);
}

/*
 * Best effort after a failed upload: remove what it left of ${cat}_${id}
 * (prune removes what this cannot), unless the store is out of reach or
 * the backup became visible.  The run's failure and reason stay as they
 * were.
 */
static void
remove_unfinished(struct session *s, enum category cat, uint64_t id)
{
	struct transport *t = store_transport(s->st);
	char dir[PATH_BUF], path[PATH_BUF];
	int cls = log_class();

	if (id == 0 || cls == EX_UNAVAILABLE || cls == EX_TEMPFAIL)
		return;
	if (store_backup_dir(dir, store_site(s->st), category_name(cat), id) ||
	    path_join(path, dir, "manifest"))
		return;
	log_capture(NULL, 0);
	if (transport_exists(t, dir) == 2 && transport_exists(t, path) == 0) {
		log_info("%s_%" PRIu64 ": removing what the failed upload "
		    "left", category_name(cat), id);
		if (store_delete(s->st, category_name(cat), id) != 0)
			log_warn("%s_%" PRIu64 ": left unfinished; the next "
			    "prune removes it", category_name(cat), id);
	}
}

/*
 * backup_category() for ${cat}, with a progress line for a person watching
 * a terminal; its time in ${*secs}.  Return 0 or -1 after logging.
 */
static int
backup_one(const struct agent *ag, struct backup_ctx *ctx, enum category cat,
    const char *desc, struct backup_report *rep, double *secs)
{
	struct backup_progress bp;
	int rc;

	progress_init(&bp.pg, category_name(cat), ag->quiet || ag->json);
	ctx->progress = bp.pg.enabled ? progress_cb : NULL;
	ctx->progress_cookie = &bp;
	bp.total = bp.pg.enabled ? source_bytes(category_paths(ctx->c, cat)) :
	    0;
	bp.rchar0 = rchar();
	rc = backup_category(ctx, cat, desc, rep);
	progress_clear(&bp.pg);
	*secs = progress_elapsed(&bp.pg);
	ctx->progress = NULL;
	ctx->progress_cookie = NULL;
	return (rc);
}

static int
cmd_backup(struct agent *ag)
{
	enum category cats[CATEGORY_N];
	const char *desc;
	struct conf *c = NULL;
	struct session s;
	struct backup_ctx ctx;
	struct backup_report reps[2];
	struct metrics_backup mb[2];
	struct timespec run0;
	struct recipients r;
	char why[1024];
	double secs[2];
	size_t i, ncats, ndone = 0;
	int rc, data, conf, recorded = 0;

	memset(&s, 0, sizeof(s));
	memset(&r, 0, sizeof(r));
	if ((rc = options(ag, cats, &ncats, &desc)) != 0)
		return (rc);
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	clock_gettime(CLOCK_MONOTONIC, &run0);
	log_capture(why, sizeof(why));

	if (with_paths(c, cats, &ncats))
		goto fail;
	/* Before connecting: a misspelt path leaves the server untouched. */
	for (i = 0, data = conf = 0; i < ncats; i++)
		*(cats[i] == CATEGORY_DATA ? &data : &conf) = 1;
	if (conf_sources_check(c, data, conf, &i))
		goto fail;

	if (session_open(&s, c, c->site_name, SESSION_LOCK | SESSION_CLAIM))
		goto fail;
	if (recipients_load(s.k->age_pk, c->keys_recipients, c->path,
	    &r))
		goto fail;
	memset(&ctx, 0, sizeof(ctx));
	ctx.c = c;
	ctx.k = s.k;
	ctx.st = s.st;
	ctx.r = &r;
	ctx.why = why;
	for (i = 0; i < ncats; i++) {
		if (backup_one(ag, &ctx, cats[i], desc, &reps[ndone],
		    &secs[ndone]) != 0) {
			recorded = 1;
			rc = agent_exitcode();
			remove_unfinished(&s, cats[i], reps[ndone].id);
			goto out;
		}
		if (!ag->quiet)
			print_summary(ag, &reps[ndone], secs[ndone]);
		ndone++;
	}
	rc = 0;
	goto out;

fail:
	rc = agent_exitcode();
	if (!recorded)
		record_failure(c, why);
out:
	log_capture(NULL, 0);
	if (ag->json && !ag->quiet)
		json_summary(c, rc, why, &run0, reps, secs, ndone);
	for (i = 0; i < ndone; i++) {
		mb[i].category = reps[i].category;
		mb[i].bytes = reps[i].res.stored;
		mb[i].files = reps[i].res.st.files;
	}
	fleet_metrics(c, "backup", rc, &run0, mb, ndone);
	recipients_free(&r);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	CLI_OPT_CATEGORY("back up this category"),
	{ "description", OPTION_DESCRIPTION, "TEXT",
	    "recorded in the manifest and shown by list" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_backup = {
	"backup", cmd_backup, NULL, 0, cmd_options,
	"Back up the configured paths of each category as a new backup with "
	"the next id of that category: archived, compressed, encrypted, "
	"signed and uploaded, the manifest last.  Then, with "
	"verify_after_upload, verify it, and apply retention.",
	"sitevault -q backup --category data --description \"before upgrade\""
};
