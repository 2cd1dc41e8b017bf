#ifndef SESSION_H_
#define SESSION_H_

#include <stddef.h>

/*
 * What a command that talks to the server needs, opened in the order that
 * keeps a refused run harmless: the site key and the pinned public keys
 * (the site's own and [keys] trusted), the run lock, the unsealed
 * password, the transport, and the site directory, claimed through its
 * SITE marker before anything is written.
 */

struct conf;
struct keys;
struct lock;
struct minisign_pub;
struct store;
struct transport;

#define SESSION_LOCK	0x1	/* take the run lock (commands that write) */
#define SESSION_CHECK	0x2	/* refuse a SITE marker of another site */
#define SESSION_CLAIM	0x6	/* ... and write it if missing */

struct session {
	const struct conf *c;
	struct keys *k;
	struct minisign_pub *pubs;	/* [0] the site's own key, then trusted */
	char **pub_site;		/* the site each is trusted for ([0] NULL) */
	size_t npub;
	struct lock *lock;
	struct transport *t;
	struct store *st;		/* NULL when opened without a site */
};

/**
 * session_open(s, c, site, flags):
 * Open ${s} for configuration ${c} and site directory ${site} (NULL: no
 * store, e.g. for listing every site; the configured site when it is
 * ${c}'s own), with the SESSION_* ${flags}.  Return 0, or -1 after logging
 * (the class gives the exit code); ${s} is then closed.
 */
int session_open(struct session *, const struct conf *, const char *, int);

/**
 * session_store(s, site):
 * A store for site directory ${site} on the same transport (not claimed),
 * verifying with the site's own key if ${site} is this site, else only
 * with the keys trusted for ${site}.  Return NULL after logging.
 */
struct store *session_store(struct session *, const char *);

/**
 * session_close(s):
 * Close everything ${s} opened (the configuration stays the caller's).
 * Safe on a zeroed or already closed session.
 */
void session_close(struct session *);

#endif /* !SESSION_H_ */
