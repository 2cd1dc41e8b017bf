#ifndef PROGRESS_H_
#define PROGRESS_H_

#include <stdint.h>

/*
 * The progress line of long transfers: on stderr, redrawn in place at most
 * twice a second, and only for a person at a terminal (never under -q or
 * --json, never when stderr is a file or a pipe).
 */
struct progress {
	const char *label;	/* "Data", "branch-01/Data_7" */
	double t0;		/* monotonic seconds at the start */
	double last;		/* seconds since t0 of the last redraw */
	int enabled;
	int shown;
};

/**
 * progress_init(pg, label, quiet):
 * Start ${pg} now; it stays silent when ${quiet} or stderr is no terminal.
 */
void progress_init(struct progress *, const char *, int);

/**
 * progress_elapsed(pg):
 * Seconds since progress_init().
 */
double progress_elapsed(const struct progress *);

/**
 * progress_show(pg, done, total, detail):
 * Redraw "label: detail, RATE/s, ETA M:SS" for ${done} of ${total} bytes
 * (total 0: unknown, no ETA), unless the last redraw was under half a
 * second ago and ${done} < ${total}.  ${detail} says what ${done} counts.
 */
void progress_show(struct progress *, uint64_t, uint64_t, const char *);

/**
 * progress_clear(pg):
 * Erase the line, before any other output.
 */
void progress_clear(struct progress *);

/**
 * progress_verified(cookie, done, total):
 * A fetch_progress_fn for a struct progress as ${cookie}: ciphertext
 * verified so far, rate and ETA.
 */
void progress_verified(void *, uint64_t, uint64_t);

#endif /* !PROGRESS_H_ */
