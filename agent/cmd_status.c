#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "agent.h"
#include "conf/conf.h"
#include "fleet.h"
#include "run/session.h"
#include "util/human.h"
#include "util/json.h"
#include "util/log.h"

static void
row_json(const struct fleet_row *r)
{
	struct json j;
	char t[32];

	json_begin(&j, stdout);
	json_string(&j, "site", r->site);
	json_string(&j, "category", r->category);
	json_string(&j, "status", fleet_state_name(r->state));
	json_string(&j, "reason", r->reason[0] != '\0' ? r->reason : NULL);
	if (r->has_backup)
		json_uint(&j, "id", r->id);
	else
		json_null(&j, "id");
	json_string(&j, "time", r->time >= 0 ? fleet_utc(r->time,
	    FLEET_UTC_ISO, t, sizeof(t)) : NULL);
	if (r->age >= 0) {
		json_int(&j, "age_seconds", r->age);
		json_uint(&j, "files", r->files);
		/* As in list: full, or incremental on a base. */
		json_string(&j, "kind", r->base_id > 0 ? "incremental" :
		    "full");
	} else {
		json_null(&j, "age_seconds");
		json_null(&j, "files");
		json_null(&j, "kind");
	}
	if (r->base_id > 0)
		json_uint(&j, "base", r->base_id);
	else
		json_null(&j, "base");
	if (r->has_backup)
		json_uint(&j, "size", r->size);
	else
		json_null(&j, "size");
	json_string(&j, "signer", r->signer[0] != '\0' ? r->signer : NULL);
	/* Object lock: until when the newest backup cannot be deleted. */
	json_string(&j, "immutable_until", r->locked_until != 0 ?
	    fleet_utc(r->locked_until, FLEET_UTC_ISO, t, sizeof(t)) : NULL);
	json_string(&j, "last_failure_time", r->fail_time[0] != '\0' ?
	    r->fail_time : NULL);
	json_string(&j, "last_failure", r->fail_time[0] != '\0' ?
	    r->fail_why : NULL);
	(void)json_end(&j);
}

static void
table(const struct fleet_row *r, size_t n)
{
	char t[32], age[32], sz[32], id[24], ft[LOG_ESCAPED_LEN(24)];
	char kind[32], lk[32];
	size_t i;
	int lock = 0;

	/* The column of object lock only where a backup is immutable. */
	for (i = 0; i < n; i++)
		if (r[i].locked_until != 0)
			lock = 1;
	printf("%-16s %-13s %-10s %6s  %-19s  %8s  %10s  %-12s  %-16s  ",
	    "SITE", "CATEGORY", "STATE", "ID", "NEWEST (UTC)", "AGE", "SIZE",
	    "KIND", "SIGNER");
	if (lock)
		printf("%-19s  ", "IMMUTABLE UNTIL");
	printf("%s\n", "LAST FAILURE");
	for (i = 0; i < n; i++) {
		if (r[i].has_backup)
			snprintf(id, sizeof(id), "%" PRIu64, r[i].id);
		else
			snprintf(id, sizeof(id), "-");
		/* As in list: "full", or "incr on ID". */
		if (r[i].age < 0)
			snprintf(kind, sizeof(kind), "-");
		else if (r[i].base_id > 0)
			snprintf(kind, sizeof(kind), "incr on %" PRIu64,
			    r[i].base_id);
		else
			snprintf(kind, sizeof(kind), "full");
		printf("%-16s %-13s %-10s %6s  %-19s  %8s  %10s  %-12s  %-16s  ",
		    r[i].site, r[i].category, fleet_state_name(r[i].state), id,
		    fleet_utc(r[i].time, FLEET_UTC_SECONDS, t, sizeof(t)),
		    r[i].age >= 0 ? human_age(r[i].age, age, sizeof(age)) : "-",
		    r[i].has_backup ? human_bytes(r[i].size, sz, sizeof(sz)) :
		    "-", kind, r[i].signer[0] != '\0' ? r[i].signer : "-");
		if (lock)
			printf("%-19s  ", r[i].locked_until != 0 ?
			    fleet_utc(r[i].locked_until, FLEET_UTC_SECONDS, lk,
			    sizeof(lk)) : "-");
		printf("%s\n", r[i].fail_time[0] != '\0' ?
		    log_escape(r[i].fail_time, ft, sizeof(ft)) : "-");
	}
}

/* One line per row that is not ok, and per last failure (not with -q). */
static void
problems(const struct agent *ag, const struct fleet_row *r, size_t n)
{
	char esc[LOG_ESCAPED_LEN(512)], ft[LOG_ESCAPED_LEN(24)];
	char op[LOG_ESCAPED_LEN(32)];
	size_t i;

	/* Site names are checked (store_sites()); history text is the server's. */
	for (i = 0; i < n; i++) {
		if (r[i].state != FLEET_OK)
			printf("%s/%s: %s\n", r[i].site, r[i].category,
			    r[i].reason);
		if (!ag->quiet && r[i].fail_time[0] != '\0')
			printf("%s/%s: last failure %s (%s): %s\n", r[i].site,
			    r[i].category, log_escape(r[i].fail_time, ft,
			    sizeof(ft)), log_escape(r[i].fail_op, op, sizeof(op)),
			    log_escape(r[i].fail_why, esc, sizeof(esc)));
	}
}

static int
cmd_status(struct agent *ag)
{
	struct fleet_run fr;
	struct json j;
	size_t i;
	int rc;

	if ((rc = fleet_open(ag, 0, &fr)) != 0)
		goto out;
	if (fr.n == 0 && ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "site", fr.c->site_name);
		json_string(&j, "result", "empty");
		json_string(&j, "message", "nothing to check");
		(void)json_end(&j);
	} else if (fr.n == 0 && !ag->quiet)
		printf("%s: nothing to check: no paths in [backup], no "
		    "backups on the server%s\n", fr.c->site_name, fr.all ? "" :
		    " (--all-sites looks at the other sites)");
	if (ag->json) {
		for (i = 0; i < fr.n; i++)
			row_json(&fr.rows[i]);
	} else if (fr.n > 0) {
		if (!ag->quiet)
			table(fr.rows, fr.n);
		problems(ag, fr.rows, fr.n);
	}
	rc = fleet_exit(fr.rows, fr.n);
out:
	fleet_close(&fr);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	CLI_OPT_ALL_SITES,
	CLI_OPT_MAX_AGE,
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_status = {
	"status", cmd_status, NULL, 0, cmd_options,
	"Is every site backed up?  Per site and category: the newest complete "
	"backup, its age, size and signer, and the last failure.  Exit 0 when "
	"all are younger than --max-age, 1 when one is stale, 2 when one is "
	"missing or cannot be verified (the reason is printed).",
	"sitevault -q status --all-sites --max-age 26h"
};
