#ifndef SESSION_H_
#define SESSION_H_

#include <stddef.h>

#include "age.h"
#include "minisign.h"

struct agent;
struct conf;
struct keys;
struct transport;

/*
 * What most commands set up before they work: the configuration, the site
 * key, the pinned signing keys (the site's own first, then `trusted`), the
 * age identities, and the store.
 */
struct session {
	struct conf *conf;
	struct keys *keys;
	struct minisign_pub *pubs;	/* pinned verification keys */
	size_t npubs;
	uint8_t (*sks)[AGE_KEY_LEN];	/* identities that may decrypt */
	size_t nsks;
	struct transport *t;
};

#define SESSION_KEYS		1	/* load the site secret key */
#define SESSION_STORE		2	/* open the store */

/**
 * session_open(ag, s, what):
 * Set up ${s} for the command of ${ag}: the configuration always, plus
 * what the flags ${what} ask for.  Return 0, or the exit code after the
 * failure was reported.
 */
int session_open(const struct agent *, struct session *, int);

/**
 * session_add_identity(s, path):
 * Add the X25519 identities of the age identity file ${path} (an escrow
 * key) to those that may decrypt.  Return 0 or the exit code.
 */
int session_add_identity(struct session *, const char *);

/**
 * session_close(s):
 * Release everything ${s} holds, wiping keys.
 */
void session_close(struct session *);

#endif /* !SESSION_H_ */
