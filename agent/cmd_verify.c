#include "config.h"

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
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

int
cmd_verify(struct agent *ag)
{
	static const struct option longopts[] = {
		AGENT_GLOBAL_LONGOPTS,
		{ "category", required_argument, NULL, 'C' },
		{ "site", required_argument, NULL, 'S' },
		{ "identity", required_argument, NULL, 'i' },
		{ "allow-rollback", no_argument, NULL, 'R' },
		{ NULL, 0, NULL, 0 }
	};
	struct session s;
	struct conf *c = NULL;
	uint8_t (*sks)[AGE_KEY_LEN] = NULL;
	size_t nsks = 0;
	struct selection *sel = NULL;
	struct replay_stats rs;
	const char *cats[2], *catopt = NULL, *site = NULL, *which = "latest";
	char *idfiles[16], why[1024], label[256];
	struct progress pg;
	struct restore_hooks hooks = { NULL, NULL, NULL };
	size_t ncats, nsel = 0, nid = 0, i;
	int ch, rc, rollback = 0;
	struct timespec t0, t1;

	while ((ch = getopt_long(ag->argc, ag->argv, AGENT_GLOBAL_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (agent_global_opt(ag, ch, optarg))
			continue;
		switch (ch) {
		case 'C':
			catopt = optarg;
			break;
		case 'S':
			site = optarg;
			break;
		case 'i':
			if (nid == sizeof(idfiles) / sizeof(idfiles[0]))
				return (agent_usage(ag, "too many --identity"));
			idfiles[nid++] = optarg;
			break;
		case 'R':
			rollback = 1;
			break;
		default:
			return (agent_usage(ag, "unknown option"));
		}
	}
	if (optind < ag->argc)
		which = ag->argv[optind++];
	if (optind < ag->argc)
		return (agent_usage(ag, "unexpected argument: %s",
		    ag->argv[optind]));
	if (select_category(catopt, cats, &ncats))
		return (agent_usage(ag, "--category: all, configuration or "
		    "data, not %s", catopt));

	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	if (site == NULL)
		site = c->site_name;
	/* Read-only: no lock, and no SITE marker is written. */
	if (session_open(&s, c, site, 0)) {
		rc = agent_exitcode();
		conf_free(c);
		return (rc);
	}
	if ((rc = select_identities(&s, idfiles, nid, &sks, &nsks)) != 0)
		goto done;
	if ((rc = select_backups(&s, s.st, which, cats, ncats, rollback, &sel,
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
	select_free(sel, nsel);
	select_identities_free(sks, nsks);
	session_close(&s);
	conf_free(c);
	return (rc);
}
