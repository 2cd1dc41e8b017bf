#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "conf.h"
#include "log.h"
#include "manifest.h"
#include "restore.h"
#include "select.h"
#include "session.h"
#include "state.h"

int
select_category(const char *arg, const char *cats[2], size_t *n)
{

	*n = 0;
	if (arg == NULL || strcmp(arg, "all") == 0) {
		cats[(*n)++] = "Configuration";
		cats[(*n)++] = "Data";
	} else if (strcmp(arg, "configuration") == 0)
		cats[(*n)++] = "Configuration";
	else if (strcmp(arg, "data") == 0)
		cats[(*n)++] = "Data";
	else
		return (-1);
	return (0);
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

/*
 * The local state remembers the newest backup this machine wrote; a server
 * whose newest is older (or the same id with another manifest) has been
 * rolled back or tampered with.
 */
static int
check_rollback(struct session *s, const char *site, struct selection *sel)
{
	struct state_cat st;

	if (state_get(s->conf->state_dir, site, sel->category, &st))
		return (-1);
	if (st.id == 0)
		return (0);
	if (sel->m->id < st.id) {
		log_fail(EX_DATAERR, "%s/%s: newest backup on the server is "
		    "%s_%llu, but this site wrote %s_%llu: the server was "
		    "rolled back (use --allow-rollback to accept)", site,
		    sel->category, sel->category,
		    (unsigned long long)sel->m->id, sel->category,
		    (unsigned long long)st.id);
		return (-1);
	}
	if (sel->m->id == st.id && CRYPTO_memcmp(sel->hash, st.sha256, 32)) {
		log_fail(EX_DATAERR, "%s/%s_%llu: manifest differs from the one "
		    "this site wrote (use --allow-rollback to accept)", site,
		    sel->category, (unsigned long long)st.id);
		return (-1);
	}
	return (0);
}

int
select_backups(struct session *s, const char *site, const char *which,
    const char *const *cats, size_t ncats, int rollback,
    struct selection **out, size_t *nout)
{
	struct selection *sel;
	uint64_t id = 0, *ids;
	size_t i, j, nids;
	int latest = (which == NULL || strcmp(which, "latest") == 0);
	int found;

	*out = NULL;
	*nout = 0;
	if (!latest && parse_id(which, &id)) {
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

		x->category = cats[i];
		if (latest) {
			if ((x->m = restore_latest(s->t, site, cats[i], s->pubs,
			    s->npubs, x->hash)) == NULL)
				goto err;
			if (!rollback && strcmp(site, s->conf->site_name) == 0 &&
			    check_rollback(s, site, x))
				goto err;
			(*nout)++;
			continue;
		}
		if (restore_ids(s->t, site, cats[i], &ids, &nids))
			goto err;
		for (found = 0, j = 0; j < nids; j++)
			found |= (ids[j] == id);
		free(ids);
		if (!found)
			continue;
		if ((x->m = restore_load_manifest(s->t, site, cats[i], id,
		    s->pubs, s->npubs, x->hash)) == NULL)
			goto err;
		(*nout)++;
	}
	if (*nout == 0) {
		log_fail(EX_NOINPUT, "%s: no backup with id %llu%s", site,
		    (unsigned long long)id, ncats > 1 ? " in any category" :
		    "");
		goto err;
	}
	*out = sel;
	return (0);

err:
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
