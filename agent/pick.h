#ifndef PICK_H_
#define PICK_H_

#include <stddef.h>
#include <stdint.h>

#include "conf/category.h"
#include "crypto/age.h"
#include "run/select.h"

/*
 * What verify and restore share: the options that pick backups (--category,
 * --identity, --allow-rollback, the ID or latest operand), and the backups
 * and identities they pick (sitevault(8), verify and restore).
 */

struct agent;
struct cli_opt;
struct conf;
struct json;
struct session;

#define PICK_IDENTITY_MAX	16

struct pick {
	const char *category;	/* --category, or NULL */
	char *identity[PICK_IDENTITY_MAX];	/* --identity FILE... */
	size_t nidentity;
	int allow_rollback;	/* --allow-rollback */
	const char *which;	/* ID or "latest" (restore: or --at TIME) */
	int64_t at_time;	/* restore --at: 0 if not given */
	enum category cats[CATEGORY_N];
	size_t ncats;
	/* pick_backups(): */
	uint8_t (*sks)[AGE_KEY_LEN];	/* identities that may decrypt */
	size_t nsks;
	struct selection *sel;	/* the backups picked, verified */
	size_t nsel;
};

/**
 * pick_init(ag, p):
 * Empty ${p}: every category, "latest", or the operand of ${ag} if any.
 */
void pick_init(const struct agent *, struct pick *);

/**
 * pick_option(ag, op, p):
 * If ${op} is --category, --identity or --allow-rollback, record it in
 * ${p}.  Return 0 (also for any other option), or EX_USAGE after saying
 * why.
 */
int pick_option(const struct agent *, const struct cli_opt *, struct pick *);

/**
 * pick_categories(ag, p):
 * Parse --category into ${p->cats}.  Return 0, or EX_USAGE after saying
 * why.
 */
int pick_categories(const struct agent *, struct pick *);

/**
 * pick_backups(p, s, site, foreign):
 * The identities (the site key of ${s}, then --identity files) and the
 * backups of ${site} that ${p} names, verified, into ${p}.  The rollback
 * check against the local state applies to this machine's own site,
 * unless ${foreign} or --allow-rollback.  Return 0, or -1 after logging.
 */
int pick_backups(struct pick *, struct session *, const char *, int);

/**
 * pick_json_begin(j, site, x, result):
 * Begin on stdout the --json object of backup ${x} of ${site}: its site,
 * category, id and ${result}, the fields verify and restore start with.
 */
void pick_json_begin(struct json *, const char *, const struct selection *,
    const char *);

/**
 * pick_free(p):
 * Free (and wipe) what pick_backups() put in ${p}.
 */
void pick_free(struct pick *);

#endif /* !PICK_H_ */
