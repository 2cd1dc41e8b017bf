/* The failure side of the store interface: reporting, the listing that
 * tells "missing" from "failed", path checks, retries with backoff. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/rand.h>

#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

/* Log the recorded failure, once; callbacks that failed logged already. */
void
transport_report(struct transport *t)
{

	if (t->err.quiet)
		return;
	log_fail(t->err.cls != 0 ? t->err.cls : EX_SOFTWARE, "%s",
	    t->err.msg[0] != '\0' ? t->err.msg : "store operation failed");
}

/*
 * Whether ${path} exists, from one listing of its parent (no retry): 1 for
 * a file (its size in ${*size} if not NULL), 2 for a directory, 0 when
 * missing (also when the parent is), -1 with the reason in ${t->err}.
 */
int
transport_find(struct transport *t, const char *path, uint64_t *size)
{
	struct transport_entry *e = NULL;
	const char *slash = strrchr(path, '/'), *name;
	char *parent;
	size_t n = 0, i;
	int rc;

	name = slash != NULL ? slash + 1 : path;
	if ((parent = strndup(path, slash ? (size_t)(slash - path) : 0)) ==
	    NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		return (-1);
	}
	rc = t->ops->list(t, parent, &e, &n);
	if (rc == 1 || (rc == -1 && t->err.missing && parent[0] != '\0' &&
	    transport_find(t, parent, NULL) == 0))
		rc = 0;
	else if (rc == 0) {
		for (i = 0; i < n; i++) {
			if (strcmp(e[i].name, name) != 0)
				continue;
			rc = e[i].is_dir ? 2 : 1;
			if (size != NULL)
				*size = e[i].size;
		}
	}
	transport_entries_free(e, n);
	free(parent);
	return (rc);
}

/* transport_find(), while handling another failure: its record is kept. */
int
transport_lookup(struct transport *t, const char *path)
{
	struct transport_err saved = t->err;
	int rc;

	rc = transport_find(t, path, NULL);
	t->err = saved;
	return (rc);
}

/* The start of an operation, for "N attempts over S s". */
void
transport_op_start(struct transport *t)
{

	clock_gettime(CLOCK_MONOTONIC, &t->t0);
}

/* Check ${path} for an operation; log (EX_CONFIG) if it is unusable. */
int
transport_checkpath(struct transport *t, const char *path, int empty_ok)
{

	transport_op_start(t);
	if (transport_path_check(path, empty_ok) == 0)
		return (0);
	log_fail(EX_CONFIG, "%s: invalid store path \"%s\"", t->desc,
	    path != NULL ? path : "(null)");
	return (-1);
}

/* The backoff base in milliseconds: SITEVAULT_RETRY_BASE_MS or 1000. */
static unsigned long
backoff_base(void)
{
	const char *s = getenv("SITEVAULT_RETRY_BASE_MS");
	unsigned long v;
	char *end;

	if (s == NULL || *s == '\0')
		return (1000);
	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || v > TRANSPORT_BACKOFF_CAP_MS)
		return (1000);
	return (v);
}

/* Say in the final message how hard we tried: libcurl's own text speaks
 * of the last attempt alone ("after 0 ms"). */
static void
attempts_said(struct transport *t, unsigned int n)
{
	struct timespec now;
	double s;
	size_t l = strlen(t->err.msg);

	clock_gettime(CLOCK_MONOTONIC, &now);
	s = (double)(now.tv_sec - t->t0.tv_sec) +
	    (double)(now.tv_nsec - t->t0.tv_nsec) / 1e9;
	snprintf(t->err.msg + l, sizeof(t->err.msg) - l, " (%u attempts over "
	    "%.1f s)", n, s);
}

/*
 * After a failed attempt: if the failure is worth another try and tries are
 * left, say so, wait, count the attempt and return 1; else return 0.
 */
int
transport_again(struct transport *t, unsigned int *attempt)
{
	unsigned long ms = backoff_base();
	unsigned int i, max = t->err.once && t->retries > 1 ? 1 : t->retries;
	struct timespec ts;
	uint16_t r = 0;

	if (!t->err.retry || *attempt >= max) {
		if (*attempt > 0)
			attempts_said(t, *attempt + 1);
		return (0);
	}
	for (i = 0; i < *attempt && ms < TRANSPORT_BACKOFF_CAP_MS; i++)
		ms *= 2;
	if (ms > TRANSPORT_BACKOFF_CAP_MS)
		ms = TRANSPORT_BACKOFF_CAP_MS;
	/* +-25%, so that sites sharing one server do not retry in step. */
	(void)RAND_bytes((unsigned char *)&r, sizeof(r));
	ms = ms * 3 / 4 + (ms / 2) * r / 65536;
	(*attempt)++;
	log_info("%s; retrying in %lu.%lus (%u of %u)", t->err.msg, ms / 1000,
	    (ms % 1000) / 100, *attempt, max);
	ts.tv_sec = (time_t)(ms / 1000);
	ts.tv_nsec = (long)(ms % 1000) * 1000000L;
	while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
		;
	return (1);
}
