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
#include "fleet.h"
#include "report_html.h"
#include "run/session.h"
#include "util/json.h"
#include "util/log.h"

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

static int
cmd_report(struct agent *ag)
{
	struct fleet_run fr;
	int rc;

	if ((rc = fleet_open(ag, 1, &fr)) != 0)
		goto out;
	if (write_page(fr.html, fr.rows, fr.n, fr.now, fr.max_age)) {
		rc = agent_exitcode();
		goto out;
	}
	summary(ag, fr.html, fr.rows, fr.n);
	rc = 0;
out:
	fleet_close(&fr);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ "html", OPTION_HTML, "FILE", "write the page to FILE (replaced "
	    "atomically)" },
	CLI_OPT_ALL_SITES,
	CLI_OPT_MAX_AGE,
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_report = {
	"report", cmd_report, NULL, 0, cmd_options,
	"Write one self-contained HTML page of the fleet: a row per site and "
	"category with the newest backup and its age (stale and failed ones "
	"marked), charts of size and duration, and the last failure.",
	"sitevault report --html /var/www/backups.html --all-sites"
};
