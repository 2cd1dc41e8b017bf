#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "conf/conf.h"
#include "format/history.h"
#include "util/human.h"
#include "util/json.h"
#include "util/log.h"
#include "util/readfile.h"
#include "run/session.h"
#include "store/store.h"

/*
 * Every field comes from the server (or the local log, which a restore
 * fills from it): escaped before it reaches the terminal, so that a line
 * cannot clear the screen, set the title or forge a "sitevault:" line
 * (sitevault(8), SECURITY CONSIDERATIONS).  The description is shown
 * unescaped from the log's own escapes, then escaped again for display.
 */
static void
print_entry(const struct agent *ag, const struct history_entry *e)
{
	static char desc[LOG_ESCAPED_LEN(sizeof(e->description))];
	char t[LOG_ESCAPED_LEN(sizeof(e->time))];
	char op[LOG_ESCAPED_LEN(sizeof(e->op))];
	char cat[LOG_ESCAPED_LEN(sizeof(e->category))];
	char ids[LOG_ESCAPED_LEN(sizeof(e->id))];
	char res[LOG_ESCAPED_LEN(sizeof(e->result))];
	char sz[32];
	struct json j;
	uint64_t id;

	if (ag->json) {
		/* JSON escapes control characters itself. */
		json_begin(&j, stdout);
		json_string(&j, "time", e->time);
		json_string(&j, "operation", e->op);
		json_string(&j, "category", e->category);
		/* An id is a number in every command's JSON; "-" is null. */
		if (strcmp(e->id, "-") == 0 ||
		    sscanf(e->id, "%" SCNu64, &id) != 1)
			json_null(&j, "id");
		else
			json_uint(&j, "id", id);
		json_string(&j, "result", e->result);
		json_uint(&j, "bytes", e->bytes);
		json_string(&j, "description", e->description);
		(void)json_end(&j);
		return;
	}
	printf("%-20s  %-8s %-13s %6s  %-6s  %10s  %s\n",
	    log_escape(e->time, t, sizeof(t)), log_escape(e->op, op, sizeof(op)),
	    log_escape(e->category, cat, sizeof(cat)),
	    log_escape(e->id, ids, sizeof(ids)),
	    log_escape(e->result, res, sizeof(res)),
	    human_bytes(e->bytes, sz, sizeof(sz)),
	    log_escape(e->description, desc, sizeof(desc)));
}

static int
cmd_history(struct agent *ag)
{
	struct history_entry *e = NULL;
	struct conf *c = NULL;
	struct session s;
	char *text = NULL, *line, *next;
	unsigned long lineno = 0;
	size_t len;
	int rc;

	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	if (session_open(&s, c, c->site_name, 0) ||
	    store_history_get(s.st, &text, &len))
		goto fail;
	if ((e = malloc(sizeof(*e))) == NULL) {
		log_fail(EX_OSERR, "history: out of memory");
		goto fail;
	}
	if (len == 0 && !ag->json)
		printf("%s: no history yet\n", c->site_name);
	if (len == 0 && ag->json) {
		struct json j;

		json_begin(&j, stdout);
		json_string(&j, "site", c->site_name);
		json_string(&j, "result", "empty");
		json_string(&j, "message", "no history yet");
		(void)json_end(&j);
	}
	if (!ag->json && len > 0)
		printf("%-20s  %-8s %-13s %6s  %-6s  %10s  %s\n", "TIME (UTC)",
		    "ACTION", "CATEGORY", "ID", "RESULT", "BYTES",
		    "DESCRIPTION");
	/* Oldest first, as appended: the newest is the last line. */
	next = text;
	while ((line = readfile_line(&next)) != NULL) {
		lineno++;
		if (line[0] == '\0')
			continue;
		if (history_parse(line, e)) {
			log_warn("%s/history.log: line %lu: not a history "
			    "line; skipped", c->site_name, lineno);
			continue;
		}
		print_entry(ag, e);
	}
	rc = 0;
	goto out;
fail:
	rc = agent_exitcode();
out:
	free(e);
	free(text);
	session_close(&s);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_history = {
	"history", cmd_history, NULL, 0, cmd_options,
	"Print the server's history log of this site, oldest first: time "
	"(UTC), operation, category, id, result, bytes and description.",
	"sitevault history"
};
