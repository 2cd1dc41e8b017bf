#include <openssl/sha.h>

#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "run/backup.h"
#include "conf/conf.h"
#include "format/filelist.h"
#include "format/history.h"
#include "crypto/keys.h"
#include "util/buf.h"
#include "util/log.h"
#include "crypto/recipients.h"
#include "store/state.h"
#include "store/store.h"
#include "run/chain.h"
#include "run/verify.h"

/* Record the outcome locally and in syslog (the server only on success). */
static void
record_local(const struct backup_ctx *ctx, const char *category, uint64_t id,
    int ok, uint64_t bytes, const char *desc, time_t when)
{
	char line[HISTORY_LINE_MAX];

	/* A failure's line says why, not what the backup was to be. */
	if (!ok && ctx->why != NULL && ctx->why[0] != '\0')
		desc = ctx->why;
	log_audit(ok, "backup %s %s_%" PRIu64 ": %s (%" PRIu64 " bytes)%s%s",
	    store_site(ctx->st), category, id, ok ? "ok" : "failed", bytes,
	    ok ? "" : ": ", ok ? "" : desc != NULL ? desc : "");
	if (history_format(line, sizeof(line), when, "backup", category, id,
	    ok, bytes, desc) == 0)
		(void)state_history_append(ctx->c->state_dir, line);
}

/*
 * The previous manifest's hash: the newest complete backup on the server,
 * unless the local state remembers a newer one (then the server lost it or
 * was rolled back: the chain continues from what this site wrote).
 */
static void
chain(const struct store_backup *b, size_t n, const char *category,
    const struct state_cat *sc, struct pipeline_job *job)
{
	const struct store_backup *newest = store_newest(b, n, category);

	if (sc->id > 0 && (newest == NULL || sc->id > newest->id)) {
		log_warn("%s: newest complete backup on the server is %s%" PRIu64
		    ", local state remembers %s_%" PRIu64 ": was it deleted or "
		    "rolled back?", category, newest != NULL ? "" : "none ",
		    newest != NULL ? newest->id : 0, category, sc->id);
		job->has_prev = 1;
		memcpy(job->prev_sha256, sc->sha256, SHA256_DIGEST_LENGTH);
	} else if (newest != NULL) {
		job->has_prev = 1;
		memcpy(job->prev_sha256, newest->sha256, SHA256_DIGEST_LENGTH);
	}
}

/*
 * Full or incremental (chain.h, full_every in sitevault.conf(5)): fill
 * ${job}'s chain fields and ${rep}'s kind, and say which it is and, for a
 * full backup of a chain, why.
 */
static int
plan_kind(const struct backup_ctx *ctx, const char *category,
    const struct store_backup *b, size_t n, const struct state_cat *sc,
    struct chain_plan *plan, struct pipeline_job *job,
    struct backup_report *rep)
{

	if (chain_plan(store_transport(ctx->st), ctx->c, ctx->k, ctx->r,
	    store_site(ctx->st), category, b, n, sc, plan))
		return (-1);
	job->with_list = plan->with_list;
	job->incremental = plan->incremental;
	job->base_id = plan->base_id;
	memcpy(job->base_sha256, plan->base_sha256, SHA256_DIGEST_LENGTH);
	/* The pipeline frees the list once the tree is scanned. */
	job->prev = plan->prev;
	plan->prev = NULL;
	if (plan->incremental) {
		rep->kind = "incremental";
		rep->base_id = plan->base_id;
		log_info("%s_%" PRIu64 ": incremental on %s_%" PRIu64,
		    category, rep->id, category, plan->base_id);
	} else if (plan->with_list) {
		snprintf(rep->why_full, sizeof(rep->why_full), "%s", plan->why);
		log_info("%s_%" PRIu64 ": full backup: %s", category, rep->id,
		    plan->why);
	}
	return (0);
}

/* Record the new backup's list in the local state, then free it. */
static int
put_state_list(const struct backup_ctx *ctx, const char *category,
    struct backup_report *rep)
{
	struct state_list_w *w;
	int rc = -1;

	if ((w = state_list_open(ctx->c->state_dir, store_site(ctx->st),
	    category, rep->id, rep->res.sha256)) == NULL)
		goto out;
	if (filelist_write(rep->res.list, state_list_write, w)) {
		state_list_free(w);
		goto out;
	}
	rc = state_list_commit(w);
out:
	filelist_free(rep->res.list);
	rep->res.list = NULL;
	return (rc);
}

/* verify_after_upload: download the new backup and check all of it. */
static int
verify_new(const struct backup_ctx *ctx, enum category cat, uint64_t id)
{
	struct minisign_pub pub;
	struct verify_result vr;

	minisign_sec_public(&ctx->k->sign, &pub);
	log_info("%s_%" PRIu64 ": verifying the upload", category_name(cat),
	    id);
	return (verify_backup(store_transport(ctx->st), store_site(ctx->st),
	    cat, id, &pub, 1, &ctx->k->age_sk, 1, &vr));
}

/* Retention: the new backup counts; unfinished ones are prune's job. */
static int
retention(const struct backup_ctx *ctx, struct store_backup **b, size_t *n,
    const char *category, uint64_t id, uint64_t stored,
    const struct pipeline_job *job, size_t *expired)
{
	struct store_backup *nb;
	size_t i;
	int rc;

	if ((nb = reallocarray(*b, *n + 1, sizeof(*nb))) == NULL) {
		log_fail(EX_OSERR, "retention: out of memory");
		return (-1);
	}
	*b = nb;
	memset(&nb[*n], 0, sizeof(*nb));
	nb[*n].category = category;
	nb[*n].id = id;
	nb[*n].status = STORE_COMPLETE;
	nb[*n].size = stored;
	nb[*n].has_base = job->incremental;
	nb[*n].base_id = job->base_id;
	memcpy(nb[*n].base_sha256, job->base_sha256, SHA256_DIGEST_LENGTH);
	(*n)++;
	if (store_plan(nb, *n, category, ctx->c->backup_retain, 0) == 0)
		return (0);
	rc = store_remove(ctx->st, nb, *n, "retention", (int64_t)time(NULL),
	    ctx->c->state_dir);
	for (i = 0; i < *n; i++)
		if (nb[i].removed) {
			(*expired)++;
			log_info("%s_%" PRIu64 ": deleted by retention "
			    "(retain = %u)", category, nb[i].id,
			    ctx->c->backup_retain);
		}
	return (rc);
}

/* The pipeline's job for backup ${id} of category ${cat}, begun at ${start}. */
static void
job_fill(const struct backup_ctx *ctx, enum category cat, uint64_t id,
    time_t start, const char *description, struct pipeline_job *job)
{

	job->t = store_transport(ctx->st);
	job->c = ctx->c;
	job->k = ctx->k;
	job->site = store_site(ctx->st);
	job->category = category_name(cat);
	job->paths = category_paths(ctx->c, cat);
	job->id = id;
	job->time = (int64_t)start;
	job->description = description;
	job->pks = (const uint8_t (*)[AGE_KEY_LEN])ctx->r->pks;
	job->recipients = ctx->r->strs;
	job->npk = ctx->r->n;
	job->progress = ctx->progress;
	job->progress_cookie = ctx->progress_cookie;
}

/*
 * The backup ${rep->id}, stored at ${end}, in the local state (the last
 * backup, the file list the next incremental compares the tree with) and
 * in the server's history.  Return 0 or -1 after logging.
 */
static int
record_stored(const struct backup_ctx *ctx, const char *category,
    const struct pipeline_job *job, struct backup_report *rep,
    time_t end, const char *description)
{
	struct buf lines = BUF_INIT(HISTORY_LINE_MAX);
	int rc = -1;

	if (state_set(ctx->c->state_dir, store_site(ctx->st), category,
	    rep->id, rep->res.sha256))
		goto done;
	if (job->with_list) {
		if (put_state_list(ctx, category, rep))
			goto done;
	} else
		state_list_drop(ctx->c->state_dir, store_site(ctx->st),
		    category);
	if (history_append(&lines, end, "backup", category, rep->id, 1,
	    rep->res.stored, description) ||
	    store_history_append(ctx->st, (char *)lines.p))
		goto done;
	rc = 0;
done:
	buf_free(&lines);
	return (rc);
}

int
backup_category(const struct backup_ctx *ctx, enum category cat,
    const char *description, struct backup_report *rep)
{
	const char *category = category_name(cat);
	struct pipeline_job job;
	struct chain_plan plan;
	struct store_backup *b = NULL;
	struct state_cat sc;
	time_t start = time(NULL), end;
	uint64_t issued;
	size_t n = 0;
	int rc;

	memset(rep, 0, sizeof(*rep));
	memset(&job, 0, sizeof(job));
	memset(&plan, 0, sizeof(plan));
	rep->category = category;
	rep->kind = "full";
	if (store_scan(ctx->st, category, &b, &n) ||
	    state_get(ctx->c->state_dir, store_site(ctx->st), category, &sc) ||
	    state_issued(ctx->c->state_dir, store_site(ctx->st), category,
	    &issued))
		goto err0;
	/* Never issue an id twice, even one whose upload failed and that
	 * prune removed since (docs/FORMAT.md). */
	if ((rep->id = store_next_id(b, n, category, sc.id > issued ? sc.id :
	    issued)) == 0 || state_issue(ctx->c->state_dir,
	    store_site(ctx->st), category, rep->id))
		goto err0;
	chain(b, n, category, &sc, &job);
	if (plan_kind(ctx, category, b, n, &sc, &plan, &job, rep))
		goto err0;

	job_fill(ctx, cat, rep->id, start, description, &job);
	rc = pipeline_run(&job, &rep->res);
	/* The stream is over: a progress line must go before more messages. */
	if (ctx->progress != NULL)
		ctx->progress(ctx->progress_cookie, UINT64_MAX);
	if (rc)
		goto err0;

	/*
	 * Visible now: whatever fails below, this backup exists.  Its history
	 * lines carry the time it completed (the manifest has the start):
	 * the report shows the difference as the backup's duration.
	 */
	end = time(NULL);
	record_local(ctx, category, rep->id, 1, rep->res.stored, description,
	    end);
	if (record_stored(ctx, category, &job, rep, end, description))
		goto err1;
	if (ctx->c->backup_verify_after_upload) {
		if (verify_new(ctx, cat, rep->id)) {
			log_audit(0, "verify %s %s_%" PRIu64 ": failed after "
			    "upload", store_site(ctx->st), category, rep->id);
			goto err1;
		}
		rep->verified = 1;
	}
	if (retention(ctx, &b, &n, category, rep->id, rep->res.stored, &job,
	    &rep->expired))
		goto err1;

	/* Success! */
	chain_plan_free(&plan);
	pipeline_result_free(&rep->res);
	store_backups_free(b, n);
	return (0);

err0:
	record_local(ctx, category, rep->id, 0, rep->res.stored, description,
	    start);
err1:
	chain_plan_free(&plan);
	pipeline_result_free(&rep->res);
	store_backups_free(b, n);
	/* Failure! */
	return (-1);
}
