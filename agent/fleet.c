#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "conf/category.h"
#include "conf/conf.h"
#include "conf/conf_value.h"
#include "crypto/minisign.h"
#include "fleet.h"
#include "run/chain.h"
#include "format/history.h"
#include "format/manifest.h"
#include "format/manifest_fields.h"
#include "run/metrics.h"
#include "run/session.h"
#include "store/mcache.h"
#include "store/state.h"
#include "store/store.h"
#include "transport/transport.h"
#include "util/human.h"
#include "util/log.h"
#include "util/readfile.h"
#include "util/path.h"

/* Rows of one site as they are filled. */
struct site_ctx {
	struct session *s;
	struct store *st;
	const char *site;
	int own;
	struct fleet_lock *lock;	/* object lock: retention dates */
	int64_t now, max_age;
	struct store_backup *b;
	size_t nb;
};

int
fleet_options(const struct agent *ag, int *all, int64_t *max_age,
    const char **html)
{
	const char *why;
	uint64_t v;
	int j;

	*all = 0;
	*max_age = FLEET_MAX_AGE;
	if (html != NULL)
		*html = NULL;
	for (j = 0; j < ag->nopts; j++) {
		switch (ag->opts[j].id) {
		case OPTION_ALL_SITES:
			*all = 1;
			break;
		case OPTION_MAX_AGE:
			if (conf_value_duration(ag->opts[j].arg, &v, &why) ||
			    v == 0 || v > INT64_MAX / 2)
				return (agent_usage(ag, "--max-age: %s: not a "
				    "duration (e.g. 26h, 7d)", ag->opts[j].arg));
			*max_age = (int64_t)v;
			break;
		case OPTION_HTML:
			*html = ag->opts[j].arg;
			break;
		}
	}
	if (html != NULL && (*html == NULL || (*html)[0] == '\0'))
		return (agent_usage(ag, "--html FILE is required"));
	return (0);
}

int
fleet_open(const struct agent *ag, int html, struct fleet_run *fr)
{
	int rc;

	memset(fr, 0, sizeof(*fr));
	if ((rc = fleet_options(ag, &fr->all, &fr->max_age, html ? &fr->html :
	    NULL)) != 0 || (rc = agent_conf(ag, &fr->c)) != 0)
		return (rc);
	if (session_open(&fr->s, fr->c, NULL, 0))
		return (agent_exitcode());
	fr->now = (int64_t)time(NULL);
	return (fleet_gather(&fr->s, fr->all, fr->now, fr->max_age, &fr->rows,
	    &fr->n));
}

void
fleet_close(struct fleet_run *fr)
{

	fleet_free(fr->rows, fr->n);
	fr->rows = NULL;
	fr->n = 0;
	session_close(&fr->s);
	conf_free(fr->c);
	fr->c = NULL;
}

const char *
fleet_state_name(enum fleet_state st)
{
	static const char *const names[] = { "ok", "stale", "missing",
	    "unverified", "bad" };

	return (names[st]);
}

int
fleet_exit(const struct fleet_row *r, size_t n)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n; i++) {
		if (r[i].state >= FLEET_MISSING)
			return (2);
		if (r[i].state == FLEET_STALE)
			rc = 1;
	}
	return (rc);
}

void
fleet_free(struct fleet_row *r, size_t n)
{
	size_t i;

	if (r == NULL)
		return;
	for (i = 0; i < n; i++)
		free(r[i].pts);
	free(r);
}

/* "YYYY-MM-DDTHH:MM:SSZ" as seconds since the epoch; -1 if malformed. */
static int64_t
parse_utc(const char *s)
{
	int64_t t;

	return (manifest_fields_time_parse(s, strlen(s), &t) ? -1 : t);
}

const char *
fleet_utc(int64_t t, enum fleet_utc how, char *out, size_t outlen)
{
	time_t tt = (time_t)t;
	struct tm tm;
	size_t n;

	if (t < 0 || gmtime_r(&tt, &tm) == NULL)
		n = 0;
	else if (how == FLEET_UTC_ISO)
		n = strftime(out, outlen, "%Y-%m-%dT%H:%M:%SZ", &tm);
	else if (how == FLEET_UTC_SECONDS)
		n = strftime(out, outlen, "%Y-%m-%d %H:%M:%S", &tm);
	else
		n = strftime(out, outlen, "%Y-%m-%d %H:%M", &tm);
	if (n == 0)
		snprintf(out, outlen, "-");
	return (out);
}

/* Take what one history line says about the row ${r}. */
static void
history_line(struct fleet_row *r, const struct history_entry *e)
{
	uint64_t id;
	int64_t t;
	size_t i;

	if (strcmp(e->result, "failed") == 0 && (strcmp(e->category,
	    r->category) == 0 || strcmp(e->category, "-") == 0) &&
	    strcmp(e->time, r->fail_time) >= 0) {
		snprintf(r->fail_time, sizeof(r->fail_time), "%s", e->time);
		snprintf(r->fail_op, sizeof(r->fail_op), "%s", e->op);
		/* Cut long messages; the JSON writer mends a cut character. */
		snprintf(r->fail_why, sizeof(r->fail_why), "%.*s",
		    (int)sizeof(r->fail_why) - 1, e->description);
		return;
	}
	/* A backup's line is written when it completed: its duration. */
	if (strcmp(e->op, "backup") != 0 || strcmp(e->result, "ok") != 0 ||
	    strcmp(e->category, r->category) != 0 ||
	    sscanf(e->id, "%" SCNu64, &id) != 1 || (t = parse_utc(e->time)) < 0)
		return;
	for (i = 0; i < r->npts; i++)
		if (r->pts[i].id == id && t >= r->pts[i].time)
			r->pts[i].duration = t - r->pts[i].time;
}

/* Apply every line of the history ${text} to the rows ${r}. */
static void
history_apply(struct fleet_row *r, size_t n, char *text)
{
	struct history_entry *e;
	char *line, *next;
	size_t i;

	if ((e = malloc(sizeof(*e))) == NULL)
		return;
	next = text;
	while ((line = readfile_line(&next)) != NULL) {
		if (history_parse(line, e) != 0)
			continue;
		for (i = 0; i < n; i++)
			history_line(&r[i], e);
	}
	free(e);
}

/* The local history of this machine: failures the server never saw. */
static void
local_history(const struct conf *c, struct fleet_row *r, size_t n)
{
	char path[PATH_BUF], *line = NULL;
	size_t cap = 0, l;
	ssize_t got;
	FILE *f;

	/* A log too big for readfile: read a line at a time. */
	if (path_join(path, c->state_dir, "history.log") ||
	    (f = fopen(path, "re")) == NULL)
		return;
	while ((got = getline(&line, &cap, f)) > 0) {
		l = (size_t)got;
		if (line[l - 1] == '\n')
			line[l - 1] = '\0';
		history_apply(r, n, line);
	}
	free(line);
	fclose(f);
}

/* The retained complete backups of ${r}'s category, for the charts. */
static int
points(const struct site_ctx *x, struct fleet_row *r)
{
	size_t i;

	if ((r->pts = calloc(x->nb + 1, sizeof(*r->pts))) == NULL) {
		log_fail(EX_OSERR, "status: out of memory");
		return (-1);
	}
	for (i = 0; i < x->nb; i++) {
		if (x->b[i].status != STORE_COMPLETE ||
		    strcmp(x->b[i].category, r->category) != 0)
			continue;
		r->pts[r->npts].id = x->b[i].id;
		r->pts[r->npts].time = x->b[i].m->time;
		r->pts[r->npts].size = x->b[i].size;
		r->pts[r->npts].duration = -1;
		r->npts++;
	}
	return (0);
}

/* The newest backup of ${cat} that is not unfinished, or NULL. */
static const struct store_backup *
newest(const struct site_ctx *x, const char *cat, size_t *unfinished)
{
	size_t i;

	*unfinished = 0;
	for (i = x->nb; i-- > 0; ) {
		if (strcmp(x->b[i].category, cat) != 0)
			continue;
		if (x->b[i].status != STORE_UNFINISHED)
			return (&x->b[i]);
		(*unfinished)++;
	}
	return (NULL);
}

/* 1 if the incremental chain of ${nb} is whole (run/chain.h), else 0. */
static int
chain_intact(const struct site_ctx *x, const struct store_backup *nb)
{
	const struct store_backup **v = NULL, *broken;
	size_t k;
	int rc;

	if (!nb->m->has_base)
		return (1);
	/* Out of memory (logged) tells nothing: not a broken chain. */
	if ((rc = chain_of(x->b, x->nb, nb, &v, &k, &broken)) == 1)
		return (0);
	if (rc == 0)
		free(v);
	return (1);
}

const char *
fleet_untrusted(const struct conf *c, const char *site, const char *hex,
    char *out, size_t outlen)
{
	size_t i, l = strlen(site);
	int named = 0;

	/* [keys] trusted holds "SITE:FILE" pairs (sitevault.conf(5)). */
	for (i = 0; c->keys_trusted[i] != NULL; i++)
		if (strncmp(c->keys_trusted[i], site, l) == 0 &&
		    c->keys_trusted[i][l] == ':')
			named = 1;
	snprintf(out, outlen, "signed by key %s; %s %s ([keys] trusted)", hex,
	    named ? "not the key trusted for" : "no key trusted for", site);
	return (out);
}

/* The state of ${r} from its newest backup ${nb} (NULL: none). */
static int
judge(const struct site_ctx *x, const struct store_backup *nb,
    size_t unfinished, struct fleet_row *r)
{
	struct state_cat sc;
	char a[32], m[32], why[256];

	if (nb != NULL && nb->has_signer)
		minisign_keyid_hex(nb->signer, r->signer);
	if (nb == NULL) {
		r->state = FLEET_MISSING;
		snprintf(r->reason, sizeof(r->reason), "no complete backup on "
		    "the server%s", unfinished ? " (only unfinished ones)" : "");
	} else if (nb->status == STORE_UNVERIFIED) {
		r->state = FLEET_UNVERIFIED;
		fleet_untrusted(x->s->c, x->site, r->signer, why, sizeof(why));
		snprintf(r->reason, sizeof(r->reason), "unverified: %s", why);
	} else if (nb->status == STORE_BADSIG) {
		r->state = FLEET_BAD;
		snprintf(r->reason, sizeof(r->reason), "%s_%" PRIu64 ": "
		    "manifest signature bad", nb->category, nb->id);
	} else {
		r->state = FLEET_OK;
		r->time = nb->m->time;
		r->age = x->now - nb->m->time;
		r->files = nb->m->files;
		r->base_id = nb->m->has_base ? nb->m->base_id : 0;
		if (chain_intact(x, nb) == 0) {
			r->state = FLEET_BAD;
			snprintf(r->reason, sizeof(r->reason), "%s_%" PRIu64
			    ": its chain is broken (a base is missing or does "
			    "not verify): not restorable", nb->category,
			    nb->id);
		} else if (r->age > x->max_age) {
			r->state = FLEET_STALE;
			snprintf(r->reason, sizeof(r->reason), "stale: newest "
			    "backup is %s old (max age %s)", human_age(r->age,
			    a, sizeof(a)), human_age(x->max_age, m, sizeof(m)));
		}
	}
	if (nb != NULL) {
		r->has_backup = 1;
		r->id = nb->id;
		r->size = nb->size;
	}
	/* What this machine wrote is the floor (rollback, sitevault(8)). */
	if (!x->own || r->state > FLEET_STALE)
		return (0);
	if (state_get(x->s->c->state_dir, x->site, r->category, &sc))
		return (-1);
	if (sc.id > (nb != NULL ? nb->id : 0)) {
		r->state = FLEET_BAD;
		snprintf(r->reason, sizeof(r->reason), "newest complete backup "
		    "on the server is %" PRIu64 ", but this site wrote %s_%"
		    PRIu64 ": deleted or rolled back", nb != NULL ? nb->id : 0,
		    r->category, sc.id);
	} else if (sc.id != 0 && nb != NULL && nb->id == sc.id &&
	    CRYPTO_memcmp(nb->sha256, sc.sha256, sizeof(sc.sha256)) != 0) {
		r->state = FLEET_BAD;
		snprintf(r->reason, sizeof(r->reason), "%s_%" PRIu64 ": "
		    "manifest differs from the one this site wrote",
		    r->category, sc.id);
	}
	return (0);
}

/* Until when the objects of ${nb} are immutable (object lock), if at all. */
static int
locked(const struct site_ctx *x, const struct store_backup *nb,
    struct fleet_row *r)
{

	if (nb == NULL)
		return (0);
	return (fleet_lock_until(x->lock, x->st, nb->category, nb->id, x->now,
	    &r->locked_until));
}

/*
 * Mute the log around a query of object lock: a refusal becomes a warning
 * in lock_end(), not an error printed first.
 */
static void
lock_begin(struct log_failure *prev, char *msg, size_t len)
{

	log_take(prev);
	log_capture(msg, len);
	log_mute(1);
}

/*
 * After lock_begin() and a query that ${failed}: a refusal (EX_NOPERM) is
 * one warning per ${fl} and ends the queries; any other failure is logged
 * now, once, as it was muted.  Return 0 or -1.
 */
static int
lock_end(struct fleet_lock *fl, const struct log_failure *prev, int failed,
    const char *msg, const char *what)
{
	struct log_failure f;

	log_mute(0);
	log_capture(NULL, 0);
	log_take(&f);
	log_adopt(prev);
	if (!failed)
		return (0);
	if (f.cls != EX_NOPERM) {
		if (f.cls != 0)
			log_fail(f.cls, "%s", msg);
		return (-1);
	}
	if (!fl->warned)
		log_warn("%s: %s refused: %s; immutable-until dates are not "
		    "shown", transport_describe(fl->t), what, msg);
	fl->warned = 1;
	fl->on = 0;
	return (0);
}

int
fleet_lock_open(struct transport *t, struct fleet_lock *fl)
{
	char msg[LOG_ESCAPED_LEN(LOG_MSG_MAX)];
	struct log_failure prev;
	enum transport_lock ls;
	int rc;

	memset(fl, 0, sizeof(*fl));
	fl->t = t;
	lock_begin(&prev, msg, sizeof(msg));
	rc = transport_lock_state(t, &ls);
	if (lock_end(fl, &prev, rc != 0, msg, "reading the object lock "
	    "configuration"))
		return (-1);
	/* Retention dates are asked for only where the bucket can lock. */
	fl->on = rc == 0 && ls == TRANSPORT_LOCK_ON;
	return (0);
}

int
fleet_lock_until(struct fleet_lock *fl, struct store *st,
    const char *category, uint64_t id, int64_t now, int64_t *until)
{
	char msg[LOG_ESCAPED_LEN(LOG_MSG_MAX)];
	struct log_failure prev;
	int64_t u;
	int rc;

	*until = 0;
	if (!fl->on)
		return (0);
	lock_begin(&prev, msg, sizeof(msg));
	rc = store_locked_until(st, category, id, &u);
	if (lock_end(fl, &prev, rc == -1, msg, "reading the retention of "
	    "a backup"))
		return (-1);
	if (rc == 1 && u > now)
		*until = u;
	return (0);
}

/* Append the rows of one site to ${*rows}. */
static int
gather_site(struct site_ctx *x, struct fleet_row **rows, size_t *nrows)
{
	const struct conf *c = x->s->c;
	const char *cats[CATEGORY_N];
	const struct store_backup *nb;
	struct fleet_row *r, *nr;
	char *text = NULL;
	size_t ncat = 0, i, unf, len;
	int watch;

	if (store_scan(x->st, NULL, &x->b, &x->nb))
		return (-1);
	/*
	 * This site: what it is configured to back up (a configuration that
	 * backs up nothing, a central administrator's, watches only);
	 * others: what they have, and both when they have nothing.
	 */
	watch = x->own && c->backup_configuration[0] == NULL &&
	    c->backup_data[0] == NULL;
	if ((!x->own || watch) ? newest(x, "Configuration", &unf) != NULL ||
	    unf > 0 : c->backup_configuration[0] != NULL)
		cats[ncat++] = "Configuration";
	if ((!x->own || watch) ? newest(x, "Data", &unf) != NULL || unf > 0 :
	    c->backup_data[0] != NULL)
		cats[ncat++] = "Data";
	if (ncat == 0 && !x->own) {
		cats[ncat++] = "Configuration";
		cats[ncat++] = "Data";
	}
	if ((nr = reallocarray(*rows, *nrows + ncat, sizeof(*nr))) == NULL) {
		log_fail(EX_OSERR, "status: out of memory");
		return (-1);
	}
	*rows = nr;
	r = &nr[*nrows];
	memset(r, 0, ncat * sizeof(*r));
	*nrows += ncat;
	for (i = 0; i < ncat; i++) {
		snprintf(r[i].site, sizeof(r[i].site), "%s", x->site);
		r[i].category = cats[i];
		r[i].time = r[i].age = -1;
		nb = newest(x, cats[i], &unf);
		if (judge(x, nb, unf, &r[i]) || points(x, &r[i]) ||
		    locked(x, nb, &r[i]))
			return (-1);
	}
	if (store_history_get(x->st, &text, &len))
		return (-1);
	history_apply(r, ncat, text);
	free(text);
	if (x->own)
		local_history(c, r, ncat);
	return (0);
}

/* The sites to look at: every one under the url, and always this one. */
static int
site_names(struct session *s, int all, char ***names, size_t *n)
{
	char **nn;
	size_t i;

	*names = NULL;
	*n = 0;
	if (all && store_sites(s->t, names, n))
		return (-1);
	for (i = 0; i < *n; i++)
		if (strcmp((*names)[i], s->c->site_name) == 0)
			return (0);
	if ((nn = reallocarray(*names, *n + 1, sizeof(*nn))) == NULL ||
	    (nn[*n] = strdup(s->c->site_name)) == NULL) {
		*names = nn != NULL ? nn : *names;
		log_fail(EX_OSERR, "status: out of memory");
		return (-1);
	}
	*names = nn;
	/* Keep the order sorted for people reading the table. */
	for (i = (*n)++; i > 0 && strcmp(nn[i - 1], nn[i]) > 0; i--) {
		char *t = nn[i];

		nn[i] = nn[i - 1];
		nn[i - 1] = t;
	}
	return (0);
}

int
fleet_gather(struct session *s, int all, int64_t now, int64_t max_age,
    struct fleet_row **rows, size_t *nrows)
{
	struct fleet_lock fl;
	struct site_ctx x;
	struct mcache *mc;
	char **names = NULL;
	size_t n = 0, i;
	int rc = -1;

	*rows = NULL;
	*nrows = 0;
	/* Without a cache every manifest is downloaded: slower, not wrong. */
	if ((mc = mcache_open(s->c->state_dir)) == NULL)
		log_reset();
	if (site_names(s, all, &names, &n))
		goto out;
	if (fleet_lock_open(s->t, &fl))
		goto out;
	for (i = 0; i < n; i++) {
		memset(&x, 0, sizeof(x));
		x.s = s;
		x.site = names[i];
		x.own = strcmp(names[i], s->c->site_name) == 0;
		x.lock = &fl;
		x.now = now;
		x.max_age = max_age;
		if ((x.st = session_store(s, names[i])) == NULL)
			goto out;
		store_set_cache(x.st, mc);
		rc = gather_site(&x, rows, nrows);
		store_backups_free(x.b, x.nb);
		store_free(x.st);
		if (rc)
			goto out;
		rc = -1;
	}
	log_debug("status: %zu manifests from the cache", mcache_hits(mc));
	rc = 0;
out:
	store_sites_free(names, n);
	mcache_free(mc);
	if (rc) {
		fleet_free(*rows, *nrows);
		*rows = NULL;
		*nrows = 0;
		return (agent_exitcode());
	}
	return (0);
}

void
fleet_metrics(const struct conf *c, const char *op, int rc,
    const struct timespec *t0, const struct metrics_backup *b, size_t nb)
{
	struct timespec t1;
	int cls = log_class();

	if (c == NULL || c->state_metrics == NULL)
		return;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (metrics_update(c->state_metrics, op, rc,
	    (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9, (int64_t)time(NULL), b,
	    nb))
		log_warn("%s: metrics not updated (see above)",
		    c->state_metrics);
	/* The metrics describe the run; they do not decide its outcome. */
	if (cls == 0)
		log_reset();
}
