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
#include "format/manifest.h"
#include "run/replay.h"
#include "run/restore.h"
#include "progress.h"
#include "select.h"
#include "run/session.h"
#include "store/store.h"
#include "archive/unpack.h"

/* One line (or JSON object) per backup verified or failed. */
static void
report(const struct agent *ag, const char *site, const struct selection *x,
    const struct replay_stats *rs, const char *error, double secs)
{
	const struct unpack_stats *st = &rs->st;

	if (ag->json) {
		printf("{\"site\":");
		json_put_string(stdout, site);
		printf(",\"category\":");
		json_put_string(stdout, x->category);
		printf(",\"id\":%llu,\"result\":\"%s\",\"parts\":%zu,"
		    "\"files\":%llu,\"bytes\":%llu,\"chain\":%zu,"
		    "\"seconds\":%.3f",
		    (unsigned long long)x->m->id, error ? "failed" : "ok",
		    x->m->nparts, (unsigned long long)st->files,
		    (unsigned long long)st->bytes, rs->nbackups, secs);
		if (error != NULL) {
			printf(",\"error\":");
			json_put_string(stdout, error);
		}
		printf("}\n");
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

static int
cmd_verify(struct agent *ag)
{
	struct session s;
	struct conf *c = NULL;
	uint8_t (*sks)[AGE_KEY_LEN] = NULL;
	size_t nsks = 0;
	struct selection *sel = NULL;
	struct replay_stats rs;
	enum category cats[CATEGORY_N];
	const char *catopt = NULL, *site = NULL, *which = "latest";
	char *idfiles[16], why[1024], label[256];
	struct progress pg;
	struct restore_hooks hooks = { NULL, NULL, NULL };
	size_t ncats, nsel = 0, nid = 0, i;
	int j, rc, rollback = 0;
	struct timespec t0, t1, run0;

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
	if ((rc = select_identities(&s, idfiles, nid, &sks, &nsks)) != 0)
		goto done;
	if ((rc = select_backups(&s, s.st, which, 0, cats, ncats, rollback, &sel,
	    &nsel)) != 0)
		goto done;

	/* Stop at the first failure: its message names the part or file. */
	for (i = 0; i < nsel; i++) {
		snprintf(label, sizeof(label), "%s/%s_%llu", site,
		    sel[i].category, (unsigned long long)sel[i].m->id);
		progress_init(&pg, label, ag->quiet || ag->json);
		hooks.progress = select_progress;
		hooks.cookie = &pg;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		log_capture(why, sizeof(why));
		/* An incremental backup: its whole chain (replay.h). */
		rc = replay_restore(s.t, s.st, sel[i].m,
		    (const uint8_t (*)[AGE_KEY_LEN])sks, nsks, NULL, &hooks, &rs);
		progress_clear(&pg);
		if (rc) {
			log_capture(NULL, 0);
			rc = agent_exitcode();
			clock_gettime(CLOCK_MONOTONIC, &t1);
			report(ag, site, &sel[i], &rs, why, 0);
			log_audit(0, "verify %s/%s_%llu failed: %s", site,
			    sel[i].category, (unsigned long long)sel[i].m->id,
			    why);
			goto done;
		}
		log_capture(NULL, 0);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		report(ag, site, &sel[i], &rs, NULL,
		    (double)(t1.tv_sec - t0.tv_sec) +
		    (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
		log_audit(1, "verify %s/%s_%llu ok", site, sel[i].category,
		    (unsigned long long)sel[i].m->id);
	}

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
