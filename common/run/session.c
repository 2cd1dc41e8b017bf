#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "conf/conf.h"
#include "crypto/keys.h"
#include "store/lock.h"
#include "util/buf.h"
#include "util/log.h"
#include "crypto/minisign.h"
#include "crypto/seal.h"
#include "format/history.h"
#include "run/session.h"
#include "store/state.h"
#include "store/store.h"
#include "transport/transport.h"

/*
 * The site's own public key, then every [keys] trusted one ("SITE:FILE",
 * checked by conf.c), sorted by site so that the keys trusted for one site
 * are contiguous: a store for that site gets those keys and no other.
 */
static int
load_pubs(struct session *s)
{
	struct minisign_pub tp;
	char *ts;
	size_t n, i, j;
	const char *colon;

	for (n = 0; s->c->keys_trusted[n] != NULL; n++)
		;
	if ((s->pubs = calloc(n + 1, sizeof(*s->pubs))) == NULL ||
	    (s->pub_site = calloc(n + 1, sizeof(*s->pub_site))) == NULL) {
		log_fail(EX_OSERR, "keys: out of memory");
		return (-1);
	}
	minisign_sec_public(&s->k->sign, &s->pubs[0]);
	s->npub = 1;
	for (i = 0; i < n; i++) {
		colon = strchr(s->c->keys_trusted[i], ':');
		if (colon == NULL || (s->pub_site[s->npub] = strndup(
		    s->c->keys_trusted[i], (size_t)(colon -
		    s->c->keys_trusted[i]))) == NULL) {
			log_fail(EX_CONFIG, "trusted %s: not SITE:FILE",
			    s->c->keys_trusted[i]);
			return (-1);
		}
		if (minisign_pub_load(colon + 1, &s->pubs[s->npub])) {
			/* Not counted in npub yet: session_close() misses it. */
			free(s->pub_site[s->npub]);
			s->pub_site[s->npub] = NULL;
			return (-1);
		}
		s->npub++;
	}
	for (i = 2; i < s->npub; i++)
		for (j = i; j > 1 && strcmp(s->pub_site[j - 1],
		    s->pub_site[j]) > 0; j--) {
			tp = s->pubs[j];
			s->pubs[j] = s->pubs[j - 1];
			s->pubs[j - 1] = tp;
			ts = s->pub_site[j];
			s->pub_site[j] = s->pub_site[j - 1];
			s->pub_site[j - 1] = ts;
		}
	return (0);
}

int
session_open(struct session *s, const struct conf *c, const char *site,
    int flags)
{
	char *pw = NULL;

	memset(s, 0, sizeof(*s));
	s->c = c;
	if ((s->k = keys_load(c->keys_secret)) == NULL || load_pubs(s))
		goto err;
	if ((flags & SESSION_LOCK) && (s->lock = lock_acquire(c->state_dir)) ==
	    NULL)
		goto err;
	/* The password lives only as long as transport_open() needs it. */
	if (seal_conf_password(c, &pw))
		goto err;
	s->t = transport_open(c, pw);
	seal_free(pw);
	if (s->t == NULL)
		goto err;
	if (site != NULL && (s->st = session_store(s, site)) == NULL)
		goto err;
	if ((flags & SESSION_CHECK) && s->st != NULL && store_claim(s->st, s->k->sign.keyid,
	    (flags & SESSION_CLAIM) == SESSION_CLAIM))
		goto err;

	/* Success! */
	return (0);

err:
	/* Failure! */
	session_close(s);
	return (-1);
}

struct store *
session_store(struct session *s, const char *site)
{
	size_t i, n;

	/* Our own backups verify only with our own key. */
	if (strcmp(site, s->c->site_name) == 0)
		return (store_new(s->t, site, s->pubs, 1, 1));
	for (i = 1; i < s->npub && strcmp(s->pub_site[i], site) != 0; i++)
		;
	for (n = 0; i + n < s->npub && strcmp(s->pub_site[i + n], site) == 0;
	    n++)
		;
	return (store_new(s->t, site, s->pubs + (i < s->npub ? i : 0), n, 0));
}

void
session_close(struct session *s)
{
	size_t i;

	store_free(s->st);
	s->st = NULL;
	transport_close(s->t);
	s->t = NULL;
	lock_release(s->lock);
	s->lock = NULL;
	free(s->pubs);
	s->pubs = NULL;
	for (i = 0; s->pub_site != NULL && i < s->npub; i++)
		free(s->pub_site[i]);
	free(s->pub_site);
	s->pub_site = NULL;
	s->npub = 0;
	keys_free(s->k);
	s->k = NULL;
}

void
session_record(struct session *s, const char *site, const char *op,
    const char *category, uint64_t id, int ok, uint64_t bytes,
    const char *desc)
{
	struct buf line = BUF_INIT(HISTORY_LINE_MAX);
	int cls = log_class();

	if (history_append(&line, time(NULL), op, category, id, ok, bytes,
	    desc))
		goto done;
	(void)state_history_append(s->c->state_dir, (char *)line.p);
	if (s->st != NULL && strcmp(site, s->c->site_name) == 0 &&
	    store_history_append(s->st, (char *)line.p))
		log_warn("%s: could not record %s in history.log", site, op);
done:
	buf_free(&line);
	/* Recording is a courtesy: it must not change the exit code. */
	if (cls == 0)
		log_reset();
}
