#include "config.h"

#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "util/human.h"
#include "progress.h"

static double
now(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return ((double)t.tv_sec + (double)t.tv_nsec / 1e9);
}

void
progress_init(struct progress *pg, const char *label, int quiet)
{

	memset(pg, 0, sizeof(*pg));
	pg->label = label;
	pg->enabled = !quiet && isatty(STDERR_FILENO);
	pg->t0 = now();
}

double
progress_elapsed(const struct progress *pg)
{

	return (now() - pg->t0);
}

void
progress_show(struct progress *pg, uint64_t done, uint64_t total,
    const char *detail)
{
	char rate[32], eta[32];
	double t = progress_elapsed(pg);
	unsigned long left;

	if (!pg->enabled || t <= 0 || (t - pg->last < 0.5 && done < total))
		return;
	pg->last = t;
	snprintf(eta, sizeof(eta), "--:--");
	if (total > 0 && done > 0) {
		left = total > done ? (unsigned long)((double)(total - done) *
		    t / (double)done + 0.5) : 0;
		snprintf(eta, sizeof(eta), "%lu:%02lu", left / 60, left % 60);
	}
	fprintf(stderr, "\r\033[K%s: %s, %s/s, ETA %s", pg->label, detail,
	    human_bytes((uint64_t)((double)done / t), rate, sizeof(rate)),
	    eta);
	fflush(stderr);
	pg->shown = 1;
}

void
progress_clear(struct progress *pg)
{

	if (pg->shown) {
		fputs("\r\033[K", stderr);
		fflush(stderr);
	}
	pg->shown = 0;
}

void
progress_verified(void *cookie, uint64_t done, uint64_t total)
{
	char d[32], t[32], detail[80];

	snprintf(detail, sizeof(detail), "%s of %s verified",
	    human_bytes(done, d, sizeof(d)), human_bytes(total, t, sizeof(t)));
	progress_show(cookie, done, total, detail);
}

