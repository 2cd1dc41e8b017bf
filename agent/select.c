#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/sha.h>
#include <openssl/crypto.h>

#include "agent.h"
#include "conf/conf.h"
#include "format/history.h"
#include "util/human.h"
#include "progress.h"
#include "crypto/keys.h"
#include "util/buf.h"
#include "util/log.h"
#include "format/manifest.h"
#include "select.h"
#include "run/session.h"
#include "store/state.h"
#include "store/store.h"

void
select_configured(const struct conf *c, const char *arg,
    enum category *cats, size_t *n)
{
	size_t i, k = 0;

	/* Asked for by name: acted on even with no paths (--target). */
	if (arg != NULL && strcmp(arg, "all") != 0)
		return;
	for (i = 0; i < *n; i++)
		if (category_paths(c, cats[i])[0] != NULL)
			cats[k++] = cats[i];
	*n = k;
}

int
select_time(const char *s, int64_t *out)
{
	struct tm tm;
	const char *e;
	time_t t;

	memset(&tm, 0, sizeof(tm));
	/* ISO 8601 UTC: 2026-12-01T23:00:00Z or 2026-12-01T23:00Z. */
	if (((e = strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm)) != NULL ||
	    (e = strptime(s, "%Y-%m-%dT%H:%MZ", &tm)) != NULL) && *e == '\0') {
		if ((t = timegm(&tm)) == (time_t)-1)
			return (-1);
		*out = (int64_t)t;
		return (0);
	}
	/*
	 * A local date and time, or a date alone: the end of that day, so
	 * that "--at 2026-12-01" is the state of that night's backups.
	 */
	memset(&tm, 0, sizeof(tm));
	if (((e = strptime(s, "%Y-%m-%d %H:%M:%S", &tm)) == NULL &&
	    (e = strptime(s, "%Y-%m-%d %H:%M", &tm)) == NULL) || *e != '\0') {
		memset(&tm, 0, sizeof(tm));
		if ((e = strptime(s, "%Y-%m-%d", &tm)) == NULL || *e != '\0')
			return (-1);
		tm.tm_hour = 23;
		tm.tm_min = 59;
		tm.tm_sec = 59;
	}
	tm.tm_isdst = -1;
	if ((t = mktime(&tm)) == (time_t)-1)
		return (-1);
	*out = (int64_t)t;
	return (0);
}

/* The newest complete backup at or before ${at} in ${b}, or NULL. */
static struct store_backup *
pick_at(struct store_backup *b, size_t n, int64_t at)
{
	size_t j;

	for (j = n; j-- > 0; ) {
		/* Only a verified manifest's time can be believed. */
		if (b[j].status != STORE_COMPLETE || b[j].m == NULL)
			continue;
		if (b[j].m->time <= at)
			return (&b[j]);
	}
	return (NULL);
}

/* Parse a backup id: decimal, >= 1, no sign or leading zero. */
static int
parse_id(const char *s, uint64_t *id)
{
	char *end;

	if (*s < '1' || *s > '9')
		return (-1);
	*id = strtoull(s, &end, 10);
	return (*end != '\0' || *id == UINT64_MAX ? -1 : 0);
}

/* Why a backup that exists cannot be used; 0 if it can. */
static int
unusable(const char *site, const struct store_backup *b)
{

	switch (b->status) {
	case STORE_COMPLETE:
		return (0);
	case STORE_UNFINISHED:
		log_fail(EX_NOINPUT, "%s/%s_%" PRIu64 ": unfinished backup (no "
		    "manifest): nothing to restore", site, b->category, b->id);
		return (EX_NOINPUT);
	case STORE_UNVERIFIED:
		log_fail(EX_DATAERR, "%s/%s_%" PRIu64 ": signed by a key that "
		    "is not trusted ([keys] trusted)", site, b->category, b->id);
		return (EX_DATAERR);
	default:
		log_fail(EX_DATAERR, "%s/%s_%" PRIu64 ": manifest signature "
		    "bad (see above): refusing it", site, b->category, b->id);
		return (EX_DATAERR);
	}
}

/*
 * The local state remembers the newest backup this machine wrote; a server
 * whose newest is older (or the same id with another manifest) has been
 * rolled back or tampered with.
 */
static int
check_rollback(struct session *s, const char *site,
    const struct selection *x)
{
	struct state_cat st;

	if (state_get(s->c->state_dir, site, x->category, &st))
		return (-1);
	if (st.id == 0)
		return (0);
	if (x->m == NULL || x->m->id < st.id) {
		log_fail(EX_DATAERR, "%s: newest complete %s backup on the "
		    "server is %" PRIu64 ", but this site wrote %s_%" PRIu64
		    ": the server was rolled back (--allow-rollback accepts "
		    "it)", site, x->category, x->m ? x->m->id : 0, x->category,
		    st.id);
		return (-1);
	}
	if (x->m->id == st.id && CRYPTO_memcmp(x->hash, st.sha256, SHA256_DIGEST_LENGTH)) {
		log_fail(EX_DATAERR, "%s/%s_%" PRIu64 ": manifest differs from "
		    "the one this site wrote (--allow-rollback accepts it)",
		    site, x->category, st.id);
		return (-1);
	}
	return (0);
}

int
select_backups(struct session *s, struct store *st, const char *which,
    int64_t at, const enum category *cats, size_t ncats, int rollback,
    struct selection **out, size_t *nout)
{
	struct store_backup *b = NULL, *pick;
	struct selection *sel;
	const char *site = store_site(st);
	uint64_t id = 0;
	size_t i, j, n = 0;
	int latest = at == 0 && (which == NULL || strcmp(which, "latest") ==
	    0);
	int rc;

	*out = NULL;
	*nout = 0;
	if (!latest && at == 0 && parse_id(which, &id)) {
		log_fail(EX_USAGE, "%s: not a backup id (a number, or latest)",
		    which);
		return (EX_USAGE);
	}
	if ((sel = calloc(ncats, sizeof(*sel))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (EX_OSERR);
	}
	for (i = 0; i < ncats; i++) {
		struct selection *x = &sel[*nout];

		x->cat = cats[i];
		x->category = category_name(cats[i]);
		if (store_scan(st, x->category, &b, &n))
			goto err;
		pick = NULL;
		if (at != 0 && (pick = pick_at(b, n, at)) == NULL) {
			log_fail(EX_NOINPUT, "%s: no complete %s backup at or "
			    "before %s", site, x->category, which);
			goto err;
		}
		for (j = n; at == 0 && j-- > 0; ) {
			if (latest ? b[j].status == STORE_UNFINISHED :
			    b[j].id != id)
				continue;
			pick = &b[j];
			break;
		}
		if (pick == NULL && latest) {
			/* Nothing, or rolled back to nothing. */
			if (!rollback && strcmp(site, s->c->site_name) == 0 &&
			    check_rollback(s, site, x))
				goto err;
			log_fail(EX_NOINPUT, "%s: no complete %s backup on "
			    "the server", site, x->category);
			goto err;
		}
		if (pick != NULL) {
			if ((rc = unusable(site, pick)) != 0)
				goto err;
			x->m = pick->m;
			pick->m = NULL;
			memcpy(x->hash, pick->sha256, SHA256_DIGEST_LENGTH);
			if (latest && !rollback &&
			    strcmp(site, s->c->site_name) == 0 &&
			    check_rollback(s, site, x))
				goto err;
			(*nout)++;
		}
		store_backups_free(b, n);
		b = NULL;
	}
	if (*nout == 0) {
		log_fail(EX_NOINPUT, "%s: no backup with id %" PRIu64 "%s", site,
		    id, ncats > 1 ? " in any category" : "");
		goto err;
	}
	*out = sel;
	return (0);

err:
	store_backups_free(b, n);
	select_free(sel, ncats);
	*nout = 0;
	return (agent_exitcode());
}

void
select_free(struct selection *sel, size_t n)
{
	size_t i;

	if (sel == NULL)
		return;
	for (i = 0; i < n; i++)
		manifest_free(sel[i].m);
	free(sel);
}

int
select_identities(const struct session *s, char *const *files, size_t n,
    uint8_t (**sks)[AGE_KEY_LEN], size_t *nsk)
{
	size_t i, before;

	if ((*sks = calloc(1, sizeof(**sks))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (EX_OSERR);
	}
	memcpy((*sks)[0], s->k->age_sk, AGE_KEY_LEN);
	*nsk = 1;
	for (i = 0; i < n; i++) {
		before = *nsk;
		if (keys_identity_file_load(files[i], sks, nsk))
			goto err;
		if (*nsk == before) {
			log_fail(EX_CONFIG, "%s: no X25519 identity in this file",
			    files[i]);
			goto err;
		}
	}
	return (0);

err:
	select_identities_free(*sks, *nsk);
	*sks = NULL;
	*nsk = 0;
	return (agent_exitcode());
}

void
select_identities_free(uint8_t (*sks)[AGE_KEY_LEN], size_t n)
{

	if (sks == NULL)
		return;
	OPENSSL_cleanse(sks, n * AGE_KEY_LEN);
	free(sks);
}

void
select_progress(void *cookie, uint64_t done, uint64_t total)
{
	char d[32], t[32], detail[80];

	snprintf(detail, sizeof(detail), "%s of %s verified",
	    human_bytes(done, d, sizeof(d)), human_bytes(total, t, sizeof(t)));
	progress_show(cookie, done, total, detail);
}

void
select_history(struct session *s, const char *site, const char *op,
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
