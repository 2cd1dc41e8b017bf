/*
 * store: the operations that change the site directory (deletion, the
 * history log) and the listing of sites.  The layout and the scan are in
 * store.c.
 */
#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "conf/category.h"
#include "format/history.h"
#include "util/buf.h"
#include "util/log.h"
#include "format/manifest_fields.h"
#include "store/state.h"
#include "store/store.h"
#include "transport/transport.h"

#define HISTORY_MAX	(64 * 1024 * 1024)	/* decades of lines */

int
store_delete(struct store *st, const char *category, uint64_t id)
{
	struct transport_entry *e = NULL;
	char dir[512], path[1024];
	size_t n = 0, i, odd;
	int r;

	snprintf(dir, sizeof(dir), "%s/%s_%" PRIu64, store_site(st), category,
	    id);
	/* The manifest first: from here on the backup is unfinished. */
	snprintf(path, sizeof(path), "%s/manifest", dir);
	if (transport_delete(store_transport(st), path))
		goto err0;
	snprintf(path, sizeof(path), "%s/manifest.sig", dir);
	if (transport_delete(store_transport(st), path))
		goto err0;
	/* Then the parts and any leftover temporary file. */
	if ((r = transport_list(store_transport(st), dir, &e, &n)) == -1)
		goto err0;
	odd = transport_list_skipped(store_transport(st));
	for (i = 0; i < n; i++) {
		if (e[i].is_dir) {
			log_fail(EX_IOERR, "%s/%s: unexpected directory in a "
			    "backup; not removed", dir, e[i].name);
			goto err1;
		}
		snprintf(path, sizeof(path), "%s/%s", dir, e[i].name);
		if (transport_delete(store_transport(st), path))
			goto err1;
	}
	/* Entries that are not plain names were left alone (the listing
	 * warned): the backup is gone all the same, its directory stays. */
	if (odd > 0)
		log_warn("%s: directory left in place: it holds %zu entr%s "
		    "sitevault does not delete (remove by hand)", dir, odd,
		    odd == 1 ? "y" : "ies");
	else if (r == 0 && transport_rmdir(store_transport(st), dir))
		goto err1;

	/* Success! */
	transport_entries_free(e, n);
	return (0);

err1:
	transport_entries_free(e, n);
err0:
	/* Failure! */
	return (-1);
}

int
store_locked_until(struct store *st, const char *category, uint64_t id,
    int64_t *until)
{
	struct transport *t = store_transport(st);
	struct transport_entry *e = NULL;
	char dir[512], path[1024];
	size_t n = 0, i;
	int rc;

	snprintf(dir, sizeof(dir), "%s/%s_%" PRIu64, store_site(st), category,
	    id);
	snprintf(path, sizeof(path), "%s/manifest", dir);
	if ((rc = transport_locked_until(t, path, until)) != 0)
		return (rc);
	/* No manifest (unfinished), or one without retention: a part. */
	if (transport_list(t, dir, &e, &n) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (e[i].is_dir || transport_is_temp(e[i].name))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, e[i].name);
		rc = transport_locked_until(t, path, until);
		break;
	}
	transport_entries_free(e, n);
	return (rc);
}

int
store_check_locks(struct store *st, struct store_backup *b, size_t n,
    int64_t now)
{
	enum transport_lock ls;
	int64_t until;
	size_t i;
	int r;

	if (transport_lock_state(store_transport(st), &ls))
		return (-1);
	if (ls != TRANSPORT_LOCK_ON)
		return (0);
	for (i = 0; i < n; i++) {
		if (!b[i].doomed || b[i].removed)
			continue;
		if ((r = store_locked_until(st, b[i].category, b[i].id,
		    &until)) == -1)
			return (-1);
		if (r == 1 && until > now)
			b[i].locked_until = until;
	}
	return (0);
}

int
store_remove(struct store *st, struct store_backup *b, size_t n,
    const char *why, int64_t now, const char *state_dir)
{
	struct buf lines = BUF_INIT(HISTORY_MAX);
	size_t i;
	int rc = 0;

	if (store_check_locks(st, b, n, now))
		return (-1);
	for (i = 0; i < n && rc == 0; i++) {
		if (!b[i].doomed || b[i].removed)
			continue;
		if (b[i].locked_until != 0) {
			char d[32];
			time_t u = (time_t)b[i].locked_until;
			struct tm tm;

			gmtime_r(&u, &tm);
			strftime(d, sizeof(d), "%Y-%m-%d %H:%M UTC", &tm);
			log_info("%s/%s_%" PRIu64 ": kept: immutable until %s "
			    "(object lock)", store_site(st), b[i].category,
			    b[i].id, d);
			continue;
		}
		if (store_delete(st, b[i].category, b[i].id)) {
			rc = -1;
			break;
		}
		b[i].removed = 1;
		log_audit(1, "delete %s %s_%" PRIu64 ": ok (%s)",
		    store_site(st), b[i].category, b[i].id, b[i].status ==
		    STORE_UNFINISHED ? "unfinished" : why);
		if (history_append(&lines, (time_t)now, "delete",
		    b[i].category, b[i].id, 1, b[i].size, b[i].status ==
		    STORE_UNFINISHED ? "unfinished" : why))
			rc = -1;
	}
	if (lines.len == 0)
		goto done;
	/* The deletions happened: record them even after a failure. */
	if (store_history_append(st, (char *)lines.p))
		rc = -1;
	if (state_dir != NULL &&
	    state_history_append(state_dir, (char *)lines.p))
		rc = -1;
done:
	buf_free(&lines);
	return (rc);
}

int
store_history_get(struct store *st, char **text, size_t *len)
{
	char path[512];
	uint8_t *buf;
	int e;

	snprintf(path, sizeof(path), "%s/history.log", store_site(st));
	/* Decide from the listing: a missing log is normal, not a failure. */
	if ((e = transport_exists(store_transport(st), path)) == -1)
		goto err0;
	if (e == 0) {
		if ((*text = strdup("")) == NULL) {
			log_fail(EX_OSERR, "store: out of memory");
			goto err0;
		}
		*len = 0;
		goto done;
	}
	if (transport_get_buf(store_transport(st), path, HISTORY_MAX, &buf,
	    len))
		goto err0;
	*text = (char *)buf;
done:
	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

int
store_history_append(struct store *st, const char *lines)
{
	char path[512], *old, *buf;
	size_t oldlen, l = strlen(lines), total;

	snprintf(path, sizeof(path), "%s/history.log", store_site(st));
	if (store_history_get(st, &old, &oldlen))
		goto err0;
	/* A log cut short by hand still gets whole lines after it. */
	total = oldlen + (oldlen > 0 && old[oldlen - 1] != '\n') + l;
	if ((buf = malloc(total + 1)) == NULL) {
		log_fail(EX_OSERR, "store: out of memory");
		goto err1;
	}
	memcpy(buf, old, oldlen);
	if (oldlen > 0 && old[oldlen - 1] != '\n')
		buf[oldlen++] = '\n';
	memcpy(buf + oldlen, lines, l);
	/* Temporary name and rename: inside transport_put_buf(). */
	if (transport_put_buf(store_transport(st), path, buf, total))
		goto err2;

	/* Success! */
	free(buf);
	free(old);
	return (0);

err2:
	free(buf);
err1:
	free(old);
err0:
	/* Failure! */
	return (-1);
}

/* Does directory ${name} look like a site directory? 1, 0 or -1. */
static int
is_site(struct transport *t, const char *name)
{
	struct transport_entry *e;
	size_t n, i;
	int yes = 0;

	if (transport_list(t, name, &e, &n) == -1)
		return (-1);
	for (i = 0; i < n && !yes; i++) {
		if (!e[i].is_dir && strcmp(e[i].name, "SITE") == 0)
			yes = 1;
		if (e[i].is_dir && (strncmp(e[i].name, "Configuration_", 14)
		    == 0 || strncmp(e[i].name, "Data_", 5) == 0))
			yes = 1;
	}
	transport_entries_free(e, n);
	return (yes);
}

static int
name_cmp(const void *a, const void *b)
{

	return (strcmp(*(char *const *)a, *(char *const *)b));
}

int
store_sites(struct transport *t, char ***out, size_t *nout)
{
	struct transport_entry *e = NULL;
	char **names = NULL, **nn;
	size_t n = 0, nnames = 0, i;
	int r;

	if (transport_list(t, "", &e, &n) == -1)
		goto err0;
	for (i = 0; i < n; i++) {
		/* Site names cannot start with '.': no hidden directories. */
		if (!e[i].is_dir || e[i].name[0] == '.' ||
		    !manifest_fields_site_ok(e[i].name, strlen(e[i].name)))
			continue;
		if ((r = is_site(t, e[i].name)) == -1)
			goto err1;
		if (r == 0)
			continue;
		if ((nn = reallocarray(names, nnames + 1, sizeof(*nn))) ==
		    NULL || (nn[nnames] = strdup(e[i].name)) == NULL) {
			if (nn != NULL)
				names = nn;
			log_fail(EX_OSERR, "store: out of memory");
			goto err1;
		}
		names = nn;
		nnames++;
	}
	if (nnames > 0)
		qsort(names, nnames, sizeof(*names), name_cmp);

	/* Success! */
	transport_entries_free(e, n);
	*out = names;
	*nout = nnames;
	return (0);

err1:
	store_sites_free(names, nnames);
	transport_entries_free(e, n);
err0:
	/* Failure! */
	return (-1);
}

void
store_sites_free(char **names, size_t n)
{
	size_t i;

	if (names == NULL)
		return;
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
}

/* ---- retention ---- */

/* The complete backup of ${b}[${i}]'s category that ${b}[${i}] builds on. */
static size_t
plan_base(const struct store_backup *b, size_t n, size_t i)
{
	size_t j;

	for (j = 0; j < i && j < n; j++)
		if (b[j].status == STORE_COMPLETE && b[j].id == b[i].base_id &&
		    strcmp(b[j].category, b[i].category) == 0 &&
		    (b[j].m == NULL ||
		    memcmp(b[j].sha256, b[i].base_sha256,
		    SHA256_DIGEST_LENGTH) == 0))
			return (j);
	return (n);
}

/* Plan the backups of one category (store_plan()). */
static size_t
plan_category(struct store_backup *b, size_t n, const char *cat,
    unsigned int retain, int unfinished, char *restorable)
{
	size_t i, j, marked = 0;
	uint64_t oldest = 0;
	unsigned int kept = 0;
	int newest = 1;

	/* Ids grow, and a base is older than what builds on it. */
	for (i = 0; i < n; i++) {
		restorable[i] = 0;
		if (strcmp(b[i].category, cat) != 0 ||
		    b[i].status != STORE_COMPLETE)
			continue;
		b[i].keep = STORE_KEEP_NONE;
		if (!b[i].has_base)
			restorable[i] = 1;
		else if ((j = plan_base(b, n, i)) < n)
			restorable[i] = restorable[j];
	}
	for (i = n; i-- > 0; ) {
		if (strcmp(b[i].category, cat) != 0 ||
		    b[i].status != STORE_COMPLETE)
			continue;
		if (restorable[i] && kept < retain) {
			kept++;
			b[i].keep = STORE_KEEP_RETAIN;
			oldest = b[i].id;
		} else if (newest)
			b[i].keep = STORE_KEEP_NEWEST;
		newest = 0;
		/* What a kept backup builds on stays with it. */
		if (b[i].keep != STORE_KEEP_NONE && b[i].keep !=
		    STORE_KEEP_BASE)
			for (j = i; b[j].has_base && (j = plan_base(b, n, j)) <
			    n; )
				if (b[j].keep == STORE_KEEP_NONE) {
					b[j].keep = STORE_KEEP_BASE;
					b[j].needed_by = b[i].id;
				}
	}
	for (i = 0; i < n; i++) {
		if (strcmp(b[i].category, cat) != 0 || b[i].doomed)
			continue;
		if (b[i].status == STORE_COMPLETE && b[i].keep ==
		    STORE_KEEP_NONE) {
			/* Nothing restorable at all: delete nothing. */
			if (kept == 0 || b[i].id > oldest) {
				b[i].keep = STORE_KEEP_BROKEN;
				continue;
			}
		} else if (!(b[i].status == STORE_UNFINISHED && unfinished))
			continue;
		b[i].doomed = 1;
		marked++;
	}
	return (marked);
}

size_t
store_plan(struct store_backup *b, size_t n, const char *category,
    unsigned int retain, int unfinished)
{
	char *restorable;
	size_t c, marked = 0;

	if (retain < 1)
		retain = 1;
	if ((restorable = malloc(n > 0 ? n : 1)) == NULL) {
		/* Keeping everything is always safe. */
		log_warn("retention: out of memory; nothing deleted");
		return (0);
	}
	for (c = 0; c < CATEGORY_N; c++)
		if (category == NULL || strcmp(category, category_name(c)) == 0)
			marked += plan_category(b, n, category_name(c), retain,
			    unfinished, restorable);
	free(restorable);
	return (marked);
}
