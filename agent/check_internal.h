#ifndef CHECK_INTERNAL_H_
#define CHECK_INTERNAL_H_

#include "util/log.h"

/*
 * Shared by cmd_check.c (the command, and the checks of the configuration,
 * the key, the clock and the connection) and check_store.c (the checks of
 * the store once the site directory is listed).
 */

struct agent;
struct conf;
struct transport;

enum check_status { PASS, WARN, FAIL };

/* One run of sitevault check. */
struct check {
	const struct agent *ag;
	int first;		/* class of the first failure */
	int nfailed;
	char why[1024];		/* the last log_fail() message */
};

/**
 * check_result(ck, st, name, fmt, ...):
 * Print the line (or JSON object) of the check ${name}: status ${st}, the
 * detail formatted from ${fmt}.  A FAIL is counted in ${ck}, the class of
 * the first one kept as the exit code.  The logged failure is then
 * forgotten, so that the next check starts clean.
 */
void check_result(struct check *, enum check_status, const char *,
    const char *, ...) LOG_PRINTF(4, 5);

/**
 * check_failed(ck, name, cls):
 * The check ${name} failed: report it as FAIL with the message log_fail()
 * gave (one in class ${cls} if nothing was logged).
 */
void check_failed(struct check *, const char *, int);

/**
 * check_roundtrip(ck, c, t):
 * Upload, list, download and delete a test file in the site directory of
 * ${c} on ${t}, one result per step.
 */
void check_roundtrip(struct check *, const struct conf *, struct transport *);

/**
 * check_site(ck, c, t):
 * The SITE marker of ${c} on ${t} is absent, or its "site" line names this
 * site.
 */
void check_site(struct check *, const struct conf *, struct transport *);

/**
 * check_neighbours(ck, c, t):
 * Whether this account can write another site's directory on ${t}: one
 * probe file, removed at once, in the first other site directory seen.
 */
void check_neighbours(struct check *, const struct conf *,
    struct transport *);

/**
 * check_space(ck, c, t):
 * The free space on ${t}, if the server reports it: a WARN below two parts
 * of ${c}.
 */
void check_space(struct check *, const struct conf *, struct transport *);

#endif /* !CHECK_INTERNAL_H_ */
