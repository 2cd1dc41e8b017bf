#include "config.h"

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
#include "util/path.h"
#include "format/manifest.h"
#include "pick.h"
#include "run/replay.h"
#include "run/restore.h"
#include "progress.h"
#include "run/select.h"
#include "run/session.h"
#include "store/store.h"
#include "archive/unpack.h"

/* One line (or JSON object) per backup verified or failed. */
static void
report(const struct agent *ag, const char *site, const struct selection *x,
    const struct replay_stats *rs, const char *error, double secs)
{
	const struct unpack_stats *st = &rs->st;
	struct json j;

	if (ag->json) {
		pick_json_begin(&j, site, x, error ? "failed" : "ok");
		json_uint(&j, "parts", x->m->nparts);
		json_uint(&j, "files", st->files);
		json_uint(&j, "bytes", st->bytes);
		json_uint(&j, "chain", rs->nbackups);
		json_fixed(&j, "seconds", secs, 3);
		if (error != NULL)
			json_string(&j, "error", error);
		(void)json_end(&j);
	} else if (error == NULL && !ag->quiet && rs->nbackups > 1)
		printf("verified %s/%s_%llu and its chain: %zu backups, %llu "
		    "files, %llu bytes\n", site, x->category,
		    (unsigned long long)x->m->id, rs->nbackups,
		    (unsigned long long)st->files,
		    (unsigned long long)st->bytes);
	else if (error == NULL && !ag->quiet)
		printf("verified %s/%s_%llu: %zu part%s, %llu files, %llu "
		    "bytes\n", site, x->category, (unsigned long long)x->m->id,
		    x->m->nparts, x->m->nparts == 1 ? "" : "s",
		    (unsigned long long)st->files,
		    (unsigned long long)st->bytes);
	fflush(stdout);
}

/*
 * Verify backup ${x} of ${site} (its whole chain if incremental) and report
 * it.  Return 0, or the exit code after the failure was reported.
 */
static int
verify_one(const struct agent *ag, struct session *s, const char *site,
    const struct selection *x, const uint8_t (*sks)[AGE_KEY_LEN],
    size_t nsks)
{
	struct restore_hooks hooks = { NULL, NULL, NULL };
	struct replay_stats rs;
	struct progress pg;
	struct timespec t0, t1;
	char why[1024], label[PATH_BUF];
	int rc;

	if (store_backup_dir(label, site, x->category, x->m->id))
		return (agent_exitcode());
	progress_init(&pg, label, ag->quiet || ag->json);
	hooks.progress = progress_verified;
	hooks.cookie = &pg;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	log_capture(why, sizeof(why));
	/* An incremental backup: its whole chain (replay.h). */
	rc = replay_restore(s->t, s->st, x->m, sks, nsks, NULL, &hooks, &rs);
	progress_clear(&pg);
	log_capture(NULL, 0);
	if (rc) {
		rc = agent_exitcode();
		report(ag, site, x, &rs, why, 0);
		log_audit(0, "verify %s/%s_%llu failed: %s", site, x->category,
		    (unsigned long long)x->m->id, why);
		return (rc);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	report(ag, site, x, &rs, NULL, (double)(t1.tv_sec - t0.tv_sec) +
	    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	log_audit(1, "verify %s/%s_%llu ok", site, x->category,
	    (unsigned long long)x->m->id);
	return (0);
}

static int
cmd_verify(struct agent *ag)
{
	struct session s;
	struct conf *c = NULL;
	struct pick p;
	const char *site = NULL;
	size_t i;
	int j, rc;
	struct timespec run0;

	pick_init(ag, &p);
	for (j = 0; j < ag->nopts; j++) {
		if ((rc = pick_option(ag, &ag->opts[j], &p)) != 0)
			return (rc);
		if (ag->opts[j].id == OPTION_SITE)
			site = ag->opts[j].arg;
	}
	if ((rc = pick_categories(ag, &p)) != 0)
		return (rc);

	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	select_configured(c, p.category, p.cats, &p.ncats);
	if (p.ncats == 0) {
		fprintf(stderr, "sitevault: %s: no paths configured in "
		    "[backup]: nothing to verify\n", c->path);
		conf_free(c);
		return (EX_CONFIG);
	}
	clock_gettime(CLOCK_MONOTONIC, &run0);
	if (site == NULL)
		site = c->site_name;
	/* Read-only: no lock, and no SITE marker is written. */
	if (session_open(&s, c, site, 0)) {
		rc = agent_exitcode();
		fleet_metrics(c, "verify", rc, &run0, NULL, 0);
		conf_free(c);
		return (rc);
	}
	if (pick_backups(&p, &s, site, 0)) {
		rc = agent_exitcode();
		goto done;
	}

	/* Stop at the first failure: its message names the part or file. */
	for (i = 0; i < p.nsel && rc == 0; i++)
		rc = verify_one(ag, &s, site, &p.sel[i],
		    (const uint8_t (*)[AGE_KEY_LEN])p.sks, p.nsks);

done:
	fleet_metrics(c, "verify", rc, &run0, NULL, 0);
	pick_free(&p);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	CLI_OPT_CATEGORY("verify this category"),
	{ "site", OPTION_SITE, "NAME", "verify a backup of site NAME" },
	CLI_OPT_IDENTITY,
	CLI_OPT_ALLOW_ROLLBACK,
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_verify = {
	"verify", cmd_verify, "[ID|latest]", 1, cmd_options,
	"Download a backup (default latest) and check its signature, every "
	"part's hash and every encrypted chunk, through to the end of the "
	"archive, writing nothing.",
	"sitevault verify latest --category configuration"
};
