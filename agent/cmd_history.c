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
	char id[LOG_ESCAPED_LEN(sizeof(e->id))];
	char res[LOG_ESCAPED_LEN(sizeof(e->result))];
	char sz[32];
	struct json j;

	if (ag->json) {
		/* JSON escapes control characters itself. */
		json_begin(&j, stdout);
		json_string(&j, "time", e->time);
		json_string(&j, "operation", e->op);
		json_string(&j, "category", e->category);
		json_string(&j, "id", e->id);
		json_string(&j, "result", e->result);
		json_uint(&j, "bytes", e->bytes);
		json_string(&j, "description", e->description);
		(void)json_end(&j);
		return;
	}
	printf("%-20s  %-8s %-13s %6s  %-6s  %10s  %s\n",
	    log_escape(e->time, t, sizeof(t)), log_escape(e->op, op, sizeof(op)),
	    log_escape(e->category, cat, sizeof(cat)),
	    log_escape(e->id, id, sizeof(id)),
	    log_escape(e->result, res, sizeof(res)),
	    human_bytes(e->bytes, sz, sizeof(sz)),
	    log_escape(e->description, desc, sizeof(desc)));
}

int
cmd_history(struct agent *ag)
{
	static const struct option longopts[] = {
		AGENT_GLOBAL_LONGOPTS,
		{ NULL, 0, NULL, 0 }
	};
	struct history_entry *e = NULL;
	struct conf *c = NULL;
	struct session s;
	char *text = NULL, *line, *next;
	unsigned long lineno = 0;
	size_t len;
	int ch, rc;

	while ((ch = getopt_long(ag->argc, ag->argv, AGENT_GLOBAL_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (!agent_global_opt(ag, ch, optarg))
			return (agent_usage(ag, "unknown option"));
	}
	if (optind != ag->argc)
		return (agent_usage(ag, "unexpected argument: %s",
		    ag->argv[optind]));
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	if (session_open(&s, c, c->site_name, 0) ||
	    store_history_get(s.st, &text, &len))
		goto fail;
	if ((e = malloc(sizeof(*e))) == NULL) {
		log_fail(EX_OSERR, "history: out of memory");
		goto fail;
	}
	if (!ag->json && len == 0)
		printf("%s: no history yet\n", c->site_name);
	if (!ag->json && len > 0)
		printf("%-20s  %-8s %-13s %6s  %-6s  %10s  %s\n", "TIME (UTC)",
		    "ACTION", "CATEGORY", "ID", "RESULT", "BYTES",
		    "DESCRIPTION");
	/* Oldest first, as appended: the newest is the last line. */
	for (line = text; *line != '\0'; line = next) {
		lineno++;
		if ((next = strchr(line, '\n')) != NULL)
			*next++ = '\0';
		else
			next = line + strlen(line);
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
