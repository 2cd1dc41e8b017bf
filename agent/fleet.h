#ifndef FLEET_H_
#define FLEET_H_

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "run/session.h"

/*
 * What `status` and `report` show: per site and category, the newest
 * complete backup and how it stands (sitevault(8), STATUS).
 */

struct agent;
struct conf;
struct metrics_backup;
struct store;
struct transport;

#define FLEET_MAX_AGE	(26 * 3600)	/* a nightly job, with slack */

/**
 * fleet_options(ag, all, max_age, html):
 * The options of status and report as cli_parse() found them:
 * --all-sites, --max-age (default FLEET_MAX_AGE) and, if ${html} is not
 * NULL, the required --html FILE.  Return 0 or EX_USAGE after saying why.
 */
int fleet_options(const struct agent *, int *, int64_t *, const char **);

enum fleet_state {
	FLEET_OK,		/* newest complete backup younger than max age */
	FLEET_STALE,		/* ... older: exit 1 */
	FLEET_MISSING,		/* no complete backup: exit 2 */
	FLEET_UNVERIFIED,	/* newest signed by a key not trusted: exit 2 */
	FLEET_BAD		/* newest fails verification, or rollback: 2 */
};

/* One retained complete backup, for the report's charts. */
struct fleet_point {
	uint64_t id;
	int64_t time;		/* start, from the signed manifest */
	uint64_t size;		/* bytes stored */
	int64_t duration;	/* seconds (history.log end - start); -1 */
};

struct fleet_row {
	char site[80];
	const char *category;	/* "Configuration" or "Data" */
	enum fleet_state state;
	char reason[512];	/* why it is not ok; "" when ok */
	int has_backup;		/* the fields below describe one backup */
	uint64_t id;
	int64_t time;		/* -1 unless verified */
	int64_t age;		/* seconds, -1 unless verified */
	uint64_t size, files;
	uint64_t base_id;	/* incremental: the backup it builds on; 0 */
	int64_t locked_until;	/* object lock: immutable until then; 0 */
	char signer[17];	/* key id in hex, "" if none */
	char fail_time[24];	/* newest failure in history.log, "" if none */
	char fail_op[32];
	char fail_why[512];
	struct fleet_point *pts;	/* oldest first */
	size_t npts;
};

/**
 * fleet_gather(s, all, now, max_age, rows, nrows):
 * Look at the configured site (and with ${all}, every site under the url)
 * through ${s}, manifests served from the cache in the state directory.
 * Return 0 with a malloc'd array, or the exit code after logging.
 */
int fleet_gather(struct session *, int, int64_t, int64_t, struct fleet_row **,
    size_t *);

/*
 * Object lock as status and list show it (sitevault(8), STATUS and LIST):
 * a key that may list the backups but not read the bucket's lock
 * configuration or a backup's retention loses the dates, not the listing.
 */
struct fleet_lock {
	struct transport *t;
	int on;			/* ask for retention dates */
	int warned;		/* a refusal was reported */
};

/**
 * fleet_lock_open(t, fl):
 * Whether the bucket behind ${t} has object lock, into ${fl}.  A refusal
 * (EX_NOPERM) is one warning naming the bucket and the server's reply, and
 * no date is asked for (${fl->on} 0).  Return 0, or -1 after logging any
 * other failure once.
 */
int fleet_lock_open(struct transport *, struct fleet_lock *);

/**
 * fleet_lock_until(fl, st, category, id, now, until):
 * Until when the backup ${category}_${id} of ${st} is immutable into
 * ${*until}, or 0 if not after ${now}, not known, or ${fl->on} is 0.  A
 * refusal is a warning as in fleet_lock_open(), given once per ${fl}, and
 * no date is asked for after it.  Return 0, or -1 after logging.
 */
int fleet_lock_until(struct fleet_lock *, struct store *, const char *,
    uint64_t, int64_t, int64_t *);

/* What status and report look at: the rows, and what they came from. */
struct fleet_run {
	int all;		/* --all-sites */
	int64_t max_age;	/* --max-age */
	const char *html;	/* --html FILE (report) */
	int64_t now;		/* when the rows were gathered */
	struct conf *c;
	struct session s;	/* read-only: no lock, no SITE marker */
	struct fleet_row *rows;
	size_t n;
};

/**
 * fleet_open(ag, html, fr):
 * For status and report: the options (fleet_options(), with the required
 * --html FILE if ${html}), the configuration, a read-only session and the
 * rows gathered now, into ${fr}.  Return 0, or the exit code after saying
 * why; either way fleet_close() frees ${fr}.
 */
int fleet_open(const struct agent *, int, struct fleet_run *);

/**
 * fleet_close(fr):
 * Free what fleet_open() set up in ${fr}.
 */
void fleet_close(struct fleet_run *);

/**
 * fleet_state_name(st):
 * "ok", "stale", "missing", "unverified" or "bad".
 */
const char *fleet_state_name(enum fleet_state);

enum fleet_utc {
	FLEET_UTC_ISO,		/* 2026-12-01T02:30:07Z */
	FLEET_UTC_SECONDS,	/* 2026-12-01 02:30:07 */
	FLEET_UTC_MINUTES	/* 2026-12-01 02:30 */
};

/**
 * fleet_utc(t, how, out, outlen):
 * Write the time ${t} (seconds since the epoch) in UTC as ${how} says into
 * ${out}, or "-" if ${t} is negative; return ${out}.
 */
const char *fleet_utc(int64_t, enum fleet_utc, char *, size_t);

/**
 * fleet_untrusted(c, site, hex, out, outlen):
 * Why a backup of ${site} signed by key ${hex} is unverified under ${c}:
 * "signed by key HEX; no key trusted for SITE ([keys] trusted)", or "not
 * the key trusted for" when another key is.  Return ${out}.
 */
const char *fleet_untrusted(const struct conf *, const char *, const char *,
    char *, size_t);

/**
 * fleet_exit(rows, n):
 * 0 when every row is ok, 1 when one is stale, 2 when one is missing,
 * unverified or bad.
 */
int fleet_exit(const struct fleet_row *, size_t);

/**
 * fleet_free(rows, n):
 * Free ${rows}.  Does nothing if ${rows} is NULL.
 */
void fleet_free(struct fleet_row *, size_t);

/**
 * fleet_metrics(c, op, rc, t0, b, nb):
 * If ${c} names a [state] metrics file, record there the run of ${op} that
 * began at ${t0} (CLOCK_MONOTONIC) and ends now with exit code ${rc}, and
 * the ${nb} categories ${b} it backed up.  A failure is a warning: it
 * never changes the run's exit code.
 */
void fleet_metrics(const struct conf *, const char *, int,
    const struct timespec *, const struct metrics_backup *, size_t);

#endif /* !FLEET_H_ */
