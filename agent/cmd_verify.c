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
		json_begin(&j, stdout);
		json_string(&j, "site", site);
		json_string(&j, "category", x->category);
		json_uint(&j, "id", x->m->id);
		json_string(&j, "result", error ? "failed" : "ok");
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
	uint8_t (*sks)[AGE_KEY_LEN] = NULL;
	size_t nsks = 0;
	struct selection *sel = NULL;
	enum category cats[CATEGORY_N];
	const char *catopt = NULL, *site = NULL, *which = "latest";
	char *idfiles[16];
	size_t ncats, nsel = 0, nid = 0, i;
	int j, rc, rollback = 0;
	struct timespec run0;

	for (j = 0; j < ag->nopts; j++) {
		switch (ag->opts[j].id) {
		case OPTION_CATEGORY:
			catopt = ag->opts[j].arg;
			break;
		case OPTION_SITE:
			site = ag->opts[j].arg;
			break;
		case OPTION_IDENTITY:
			if (nid == sizeof(idfiles) / sizeof(idfiles[0]))
				return (agent_usage(ag, "too many --identity"));
			idfiles[nid++] = ag->opts[j].arg;
			break;
		case OPTION_ALLOW_ROLLBACK:
			rollback = 1;
			break;
		}
	}
	if (ag->noperands > 0)
		which = ag->operands[0];
	if (category_parse(catopt, cats, &ncats))
		return (agent_usage(ag, CATEGORY_PARSE_ERROR, catopt));

	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	select_configured(c, catopt, cats, &ncats);
	if (ncats == 0) {
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
	/* The rollback check: this machine's own site, unless waived. */
	if (select_identities(s.k, idfiles, nid, &sks, &nsks) ||
	    select_backups(s.st, which, 0, cats, ncats, rollback ||
	    strcmp(site, c->site_name) != 0 ? NULL : c->state_dir, &sel,
	    &nsel)) {
		rc = agent_exitcode();
		goto done;
	}

	/* Stop at the first failure: its message names the part or file. */
	for (i = 0; i < nsel && rc == 0; i++)
		rc = verify_one(ag, &s, site, &sel[i],
		    (const uint8_t (*)[AGE_KEY_LEN])sks, nsks);

done:
	fleet_metrics(c, "verify", rc, &run0, NULL, 0);
	select_free(sel, nsel);
	select_identities_free(sks, nsks);
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
