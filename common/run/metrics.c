#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "run/metrics.h"
#include "util/log.h"
#include "util/readfile.h"

#define SAMPLES_MAX	64		/* 4 operations, 2 categories: a few */
#define LINE_MAX_	512
#define METRICS_MAX	(64 * 1024)	/* ours is 2 KiB */

static const struct {
	const char *name;
	const char *help;
} families[] = {
	{ "sitevault_last_run_timestamp_seconds",
	    "When the last run of each operation ended (Unix time)." },
	{ "sitevault_last_run_exit_code",
	    "Exit code of the last run of each operation (0 = ok)." },
	{ "sitevault_last_run_duration_seconds",
	    "How long the last run took." },
	{ "sitevault_last_success_timestamp_seconds",
	    "When the last successful backup of each category ended." },
	{ "sitevault_last_backup_bytes",
	    "Bytes the last successful backup of each category stored." },
	{ "sitevault_last_backup_files",
	    "Files in the last successful backup of each category." },
};
#define NFAMILIES (sizeof(families) / sizeof(families[0]))

struct sample {
	size_t family;
	char labels[64];	/* "operation=\"backup\"" or "" */
	char value[32];
};

struct samples {
	struct sample s[SAMPLES_MAX];
	size_t n;
};

/* Set (or add) the sample of ${family} with ${labels} to ${value}. */
static void
set(struct samples *ss, size_t family, const char *labels, const char *value)
{
	size_t i;

	for (i = 0; i < ss->n; i++)
		if (ss->s[i].family == family &&
		    strcmp(ss->s[i].labels, labels) == 0)
			break;
	if (i == ss->n) {
		if (ss->n == SAMPLES_MAX)
			return;
		ss->n++;
	}
	ss->s[i].family = family;
	snprintf(ss->s[i].labels, sizeof(ss->s[i].labels), "%s", labels);
	snprintf(ss->s[i].value, sizeof(ss->s[i].value), "%s", value);
}

/*
 * Keep the samples of the previous runs: lines "NAME{LABELS} VALUE" or
 * "NAME VALUE" of our families, labels of one [a-z]+="[A-Za-z0-9_]+" pair;
 * anything else (someone edited the file) is dropped.
 */
static void
parse_line(struct samples *ss, const char *line)
{
	char name[128], labels[64], value[32], *end;
	size_t i;

	labels[0] = '\0';
	if (sscanf(line, "%127[a-z_]{%63[a-z]=\"%*[A-Za-z0-9_]\"} %31s", name,
	    labels, value) == 3) {
		const char *b = strchr(line, '{'), *e = strchr(line, '}');

		if (b == NULL || e == NULL || (size_t)(e - b - 1) >=
		    sizeof(labels))
			return;
		memcpy(labels, b + 1, (size_t)(e - b - 1));
		labels[e - b - 1] = '\0';
	} else if (sscanf(line, "%127[a-z_] %31s", name, value) != 2)
		return;
	(void)strtod(value, &end);
	if (*end != '\0')
		return;
	for (i = 0; i < NFAMILIES; i++)
		if (strcmp(name, families[i].name) == 0)
			set(ss, i, labels, value);
}

/* The previous runs' samples; a file that cannot be read starts afresh. */
static void
load(struct samples *ss, const char *file)
{
	char *text, *line, *next;
	size_t len;
	int cls = log_class();

	if ((text = readfile_load(file, METRICS_MAX, READFILE_MISSING_OK,
	    "metrics file", &len)) == NULL) {
		if (cls == 0)
			log_reset();
		return;
	}
	next = text;
	while ((line = readfile_line(&next)) != NULL) {
		if (line[0] != '#' && strlen(line) < LINE_MAX_)
			parse_line(ss, line);
	}
	readfile_free(text, METRICS_MAX);
}

/* Write every family with HELP and TYPE, then its samples. */
static int
save(const struct samples *ss, FILE *f)
{
	size_t i, k;

	for (i = 0; i < NFAMILIES; i++) {
		fprintf(f, "# HELP %s %s\n# TYPE %s gauge\n", families[i].name,
		    families[i].help, families[i].name);
		for (k = 0; k < ss->n; k++) {
			if (ss->s[k].family != i)
				continue;
			if (ss->s[k].labels[0] != '\0')
				fprintf(f, "%s{%s} %s\n", families[i].name,
				    ss->s[k].labels, ss->s[k].value);
			else
				fprintf(f, "%s %s\n", families[i].name,
				    ss->s[k].value);
		}
	}
	return (ferror(f) ? -1 : 0);
}

/* Write ${ss} to a temporary file beside ${file}, then rename it. */
static int
replace(const struct samples *ss, const char *file)
{
	char tmp[4096];
	const char *slash = strrchr(file, '/');
	FILE *f;
	int fd;

	/* Not ending in .prom: the exporter must never read it half-written. */
	if ((size_t)snprintf(tmp, sizeof(tmp), "%.*s.%s.XXXXXX",
	    slash != NULL ? (int)(slash - file + 1) : 0, file,
	    slash != NULL ? slash + 1 : file) >= sizeof(tmp)) {
		log_fail(EX_CANTCREAT, "%s: name too long", file);
		return (-1);
	}
	if ((fd = mkstemp(tmp)) == -1) {
		log_fail(EX_CANTCREAT, "%s: cannot create: %s", tmp,
		    strerror(errno));
		return (-1);
	}
	if (fchmod(fd, 0644) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		return (-1);
	}
	if (save(ss, f) || fflush(f) != 0 || fsync(fd) != 0) {
		log_fail(EX_IOERR, "%s: write: %s", tmp, strerror(errno));
		fclose(f);
		unlink(tmp);
		return (-1);
	}
	if (fclose(f) != 0 || rename(tmp, file) == -1) {
		log_fail(EX_IOERR, "%s: cannot rename into place: %s", file,
		    strerror(errno));
		unlink(tmp);
		return (-1);
	}
	return (0);
}

int
metrics_update(const char *file, const char *op, int exitcode, double secs,
    int64_t now, const struct metrics_backup *b, size_t nb)
{
	struct samples *ss;
	char lab[64], v[32];
	size_t i;
	int rc;

	if ((ss = calloc(1, sizeof(*ss))) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", file);
		return (-1);
	}
	load(ss, file);
	snprintf(lab, sizeof(lab), "operation=\"%s\"", op);
	snprintf(v, sizeof(v), "%" PRId64, now);
	set(ss, 0, lab, v);
	snprintf(v, sizeof(v), "%d", exitcode);
	set(ss, 1, lab, v);
	snprintf(v, sizeof(v), "%.3f", secs);
	set(ss, 2, "", v);
	for (i = 0; i < nb; i++) {
		snprintf(lab, sizeof(lab), "category=\"%s\"", b[i].category);
		snprintf(v, sizeof(v), "%" PRId64, now);
		set(ss, 3, lab, v);
		snprintf(v, sizeof(v), "%" PRIu64, b[i].bytes);
		set(ss, 4, lab, v);
		snprintf(v, sizeof(v), "%" PRIu64, b[i].files);
		set(ss, 5, lab, v);
	}
	rc = replace(ss, file);
	free(ss);
	return (rc);
}
