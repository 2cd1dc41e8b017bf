#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "agent.h"
#include "conf/conf.h"
#include "conf/conf_value.h"
#include "fleet.h"
#include "report_html.h"
#include "run/session.h"
#include "util/json.h"
#include "util/log.h"

#define DEFAULT_MAX_AGE	(26 * 3600)	/* as status */

/*
 * Write the page to a temporary name beside ${path} and rename it into
 * place, so that a web server or a person never sees half a page.
 */
static int
write_page(const char *path, const struct fleet_row *rows, size_t n,
    int64_t now, int64_t max_age)
{
	char tmp[4096];
	FILE *f;
	int fd;

	if ((size_t)snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", path,
	    (long)getpid()) >= sizeof(tmp)) {
		log_fail(EX_CANTCREAT, "%s: name too long", path);
		return (-1);
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0644)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_fail(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		if (fd != -1) {
			close(fd);
			unlink(tmp);
		}
		return (-1);
	}
	if (report_html_write(f, rows, n, now, max_age) || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		log_fail(EX_IOERR, "%s: write: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return (-1);
	}
	if (fclose(f) != 0 || rename(tmp, path) == -1) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		unlink(tmp);
		return (-1);
	}
	return (0);
}

static void
summary(const struct agent *ag, const char *path, const struct fleet_row *r,
    size_t n)
{
	size_t bad = 0, i;
	struct json j;

	for (i = 0; i < n; i++)
		if (r[i].state != FLEET_OK)
			bad++;
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "command", "report");
		json_string(&j, "file", path);
		json_uint(&j, "rows", n);
		json_uint(&j, "not_ok", bad);
		(void)json_end(&j);
	} else if (!ag->quiet)
		printf("wrote %s: %zu site/category row%s, %zu not ok\n", path,
		    n, n == 1 ? "" : "s", bad);
}

int
cmd_report(struct agent *ag)
{
	static const struct option longopts[] = {
		AGENT_GLOBAL_LONGOPTS,
		{ "html", required_argument, NULL, 'H' },
		{ "all-sites", no_argument, NULL, 'A' },
		{ "max-age", required_argument, NULL, 'M' },
		{ NULL, 0, NULL, 0 }
	};
	struct fleet_row *rows = NULL;
	struct conf *c = NULL;
	struct session s;
	const char *html = NULL, *why;
	uint64_t max_age = DEFAULT_MAX_AGE;
	int64_t now = (int64_t)time(NULL);
	size_t n = 0;
	int ch, all = 0, rc;

	while ((ch = getopt_long(ag->argc, ag->argv, AGENT_GLOBAL_SHORTOPTS,
	    longopts, NULL)) != -1) {
		if (agent_global_opt(ag, ch, optarg))
			continue;
		if (ch == 'H')
			html = optarg;
		else if (ch == 'A')
			all = 1;
		else if (ch == 'M') {
			if (conf_value_duration(optarg, &max_age, &why) ||
			    max_age == 0 || max_age > INT64_MAX / 2)
				return (agent_usage(ag, "--max-age: %s: not a "
				    "duration (e.g. 26h, 7d)", optarg));
		} else
			return (agent_usage(ag, "unknown option"));
	}
	if (optind != ag->argc)
		return (agent_usage(ag, "unexpected argument: %s",
		    ag->argv[optind]));
	if (html == NULL || html[0] == '\0')
		return (agent_usage(ag, "--html FILE is required"));
	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);
	if (session_open(&s, c, NULL, 0)) {
		rc = agent_exitcode();
		goto out;
	}
	if ((rc = fleet_gather(&s, all, now, (int64_t)max_age, &rows,
	    &n)) != 0)
		goto out;
	if (write_page(html, rows, n, now, (int64_t)max_age)) {
		rc = agent_exitcode();
		goto out;
	}
	summary(ag, html, rows, n);
	rc = 0;
out:
	fleet_free(rows, n);
	session_close(&s);
	conf_free(c);
	return (rc);
}
