/* Restoring a chain of backups: see replay.h and docs/FORMAT.md. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "archive/stage.h"
#include "format/filelist.h"
#include "format/manifest.h"
#include "run/chain.h"
#include "run/replay.h"
#include "store/store.h"
#include "util/log.h"
#include "util/path.h"

/*
 * ${root}/${rel} into ${out}, if every parent of it under ${root} is a
 * directory.  Return 0, 1 if a parent is missing (nothing there), or -1
 * after logging a parent that is something else: a signed list never
 * names a path through a symlink, and removal must not follow one.
 */
static int
join_safe(const char *root, const char *rel, char out[PATH_BUF])
{
	size_t rl = strlen(root);
	struct stat sb;
	char *c;

	if (path_join(out, root, rel))
		return (-1);
	for (c = out + rl + 1; (c = strchr(c, '/')) != NULL; *c++ = '/') {
		*c = '\0';
		if (lstat(out, &sb) != 0) {
			*c = '/';
			if (errno == ENOENT || errno == ENOTDIR)
				return (1);
			log_fail(EX_IOERR, "%s: %s", out, strerror(errno));
			return (-1);
		}
		if (!S_ISDIR(sb.st_mode)) {
			log_fail(EX_DATAERR, "%s: not a directory in the "
			    "restored tree: refusing to go through it", out);
			*c = '/';
			return (-1);
		}
	}
	return (0);
}

/*
 * Before the next backup of the chain is extracted: remove from ${root}
 * what ${prev} held and ${cur} does not, or holds with another type (a
 * directory replaced by a file).  A removed directory goes with all of
 * it; what ${cur} still holds under it comes back from the archives.
 */
struct gone {
	const char *root;
};

/* filelist_merge(): remove what the newer list lacks or typed otherwise. */
static int
gone_one(void *cookie, const struct filelist_entry *e,
    const struct filelist_entry *f)
{
	const struct gone *g = cookie;
	char path[PATH_BUF];
	int r;

	if (e == NULL || (f != NULL && f->type == e->type))
		return (0);
	if ((r = join_safe(g->root, e->path, path)) < 0)
		return (-1);
	if (r == 0 && stage_remove(path))
		return (-1);
	return (0);
}

static int
remove_gone(const char *root, const struct filelist *prev,
    const struct filelist *cur)
{
	struct gone g = { root };

	/* Both sorted by path: one pass over the two together. */
	return (filelist_merge(prev, cur, gone_one, &g));
}

/*
 * Extracting a file into a directory that did not change since an older
 * backup moves that directory's time: set every directory's time from the
 * final list (access time too, which the list does not keep).
 */
static int
fix_dir_times(const char *root, const struct filelist *fl)
{
	struct timespec ts[2];
	char path[PATH_BUF];
	size_t i;
	int r;

	for (i = 0; i < fl->n; i++) {
		if (fl->e[i].type != 'd')
			continue;
		if ((r = join_safe(root, fl->e[i].path, path)) <
		    0)
			return (-1);
		ts[0].tv_sec = ts[1].tv_sec = (time_t)fl->e[i].mtime;
		ts[0].tv_nsec = ts[1].tv_nsec = fl->e[i].mtime_ns;
		if (r == 0 && utimensat(AT_FDCWD, path, ts,
		    AT_SYMLINK_NOFOLLOW) != 0 && errno != ENOENT) {
			log_fail(EX_IOERR, "%s: cannot set its time: %s", path,
			    strerror(errno));
			return (-1);
		}
	}
	return (0);
}

/* Step 1: every backup of the chain, in full, with nothing written. */
static int
verify_chain(struct transport *t, const struct store_backup **v, size_t k,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk,
    const struct restore_hooks *hooks, struct replay_stats *rs)
{
	struct restore_hooks h = { NULL, NULL, NULL };
	struct unpack_stats us;
	struct filelist *fl;
	size_t i;

	if (hooks != NULL) {
		h.progress = hooks->progress;
		h.cookie = hooks->cookie;
	}
	for (i = 0; i < k; i++) {
		log_info("%s_%" PRIu64 ": verifying (%zu of %zu in its chain)",
		    v[i]->category, v[i]->id, i + 1, k);
		if (restore_stream(t, v[i]->m, sks, nsk, NULL, &h, &us) ||
		    (fl = chain_list_fetch(t, v[i]->m, sks, nsk)) == NULL)
			return (-1);
		filelist_free(fl);
		rs->st.files += us.files;
		rs->st.bytes += us.bytes;
		rs->st.archive_bytes += us.archive_bytes;
		rs->st.stripped += us.stripped;
	}
	return (0);
}

/* Step 2: each backup in turn into ${root}. */
static int
apply_chain(struct transport *t, const struct store_backup **v, size_t k,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk, const char *root,
    const struct restore_hooks *hooks, struct replay_stats *rs)
{
	struct filelist *prev = NULL, *cur = NULL;
	struct unpack_stats us;
	size_t i;
	int rc = -1;

	for (i = 0; i < k; i++) {
		if ((cur = chain_list_fetch(t, v[i]->m, sks, nsk)) == NULL)
			goto out;
		if (prev != NULL && remove_gone(root, prev, cur))
			goto out;
		if (restore_stream(t, v[i]->m, sks, nsk, root, hooks, &us))
			goto out;
		rs->st.files += us.files;
		rs->st.bytes += us.bytes;
		rs->st.archive_bytes += us.archive_bytes;
		rs->st.stripped += us.stripped;
		filelist_free(prev);
		prev = cur;
		cur = NULL;
	}
	if (prev != NULL && fix_dir_times(root, prev))
		goto out;
	rc = 0;
out:
	filelist_free(prev);
	filelist_free(cur);
	return (rc);
}

int
replay_restore(struct transport *t, struct store *st,
    const struct manifest *m, const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk,
    const char *root, const struct restore_hooks *hooks,
    struct replay_stats *rs)
{
	const struct store_backup **v = NULL, *target = NULL, *broken;
	struct store_backup *b = NULL;
	size_t n = 0, k = 0, i;
	int r, rc = -1;

	memset(rs, 0, sizeof(*rs));
	if (!m->has_base) {
		struct filelist *fl = NULL;

		/* A chain's full backup: its file list must verify too. */
		rs->nbackups = 1;
		if (restore_stream(t, m, sks, nsk, root, hooks, &rs->st) ||
		    (m->has_filelist &&
		    (fl = chain_list_fetch(t, m, sks, nsk)) == NULL))
			return (-1);
		filelist_free(fl);
		return (0);
	}
	if (store_scan(st, m->category, &b, &n))
		return (-1);
	for (i = 0; i < n; i++)
		if (b[i].id == m->id && b[i].status == STORE_COMPLETE)
			target = &b[i];
	if (target == NULL || !target->m->has_base ||
	    target->m->base_id != m->base_id ||
	    memcmp(target->m->base_sha256, m->base_sha256,
	    SHA256_DIGEST_LENGTH) != 0) {
		log_fail(EX_DATAERR, "%s_%" PRIu64 ": changed on the server "
		    "while restoring", m->category, m->id);
		goto out;
	}
	if ((r = chain_of(b, n, target, &v, &k, &broken)) != 0) {
		if (r > 0)
			log_fail(EX_DATAERR, "%s_%" PRIu64 ": its base %s_%"
			    PRIu64 " is missing or does not verify: the chain "
			    "is broken", broken->category, broken->id,
			    broken->category, broken->m->base_id);
		goto out;
	}
	rs->nbackups = k;
	if (verify_chain(t, v, k, sks, nsk, hooks, rs))
		goto out;
	memset(&rs->st, 0, sizeof(rs->st));
	if (root != NULL && apply_chain(t, v, k, sks, nsk, root, hooks, rs))
		goto out;
	rc = 0;
out:
	free(v);
	store_backups_free(b, n);
	return (rc);
}
