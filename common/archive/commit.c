#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/commit.h"
#include "archive/commit_internal.h"
#include "archive/stage.h"

struct commit *
commit_new(const char *statedir, const char *stage, int flags,
    char *const *inc, size_t ninc, time_t now)
{
	struct commit *c;
	struct tm tm;

	if ((c = calloc(1, sizeof(*c))) == NULL ||
	    (c->statedir = strdup(statedir)) == NULL ||
	    (c->stage = strdup(stage)) == NULL ||
	    (c->matched = calloc(ninc + 1, 1)) == NULL) {
		commit_free(c);
		log_fail(EX_OSERR, "commit: out of memory");
		return (NULL);
	}
	c->flags = flags;
	c->inc = inc;
	c->ninc = ninc;
	c->fsfd = -1;
	if (gmtime_r(&now, &tm) == NULL ||
	    strftime(c->stamp, sizeof(c->stamp), "%Y%m%dT%H%M%SZ", &tm) == 0)
		snprintf(c->stamp, sizeof(c->stamp), "%lld", (long long)now);
	return (c);
}

/* Add the replaced tree of ${live} (a name not yet used) to ${c}. */
static int
add_tree(struct commit *c, int lpfd, const char *live)
{
	struct commit_tree *t;
	struct stat sb;
	char *name;
	int i;

	if ((t = reallocarray(c->trees, c->ntrees + 1, sizeof(*t))) == NULL)
		goto enomem;
	c->trees = t;
	for (i = 1;; i++) {
		if ((i == 1 ? asprintf(&name, "%s.replaced-%s", live,
		    c->stamp) : asprintf(&name, "%s.replaced-%s-%d", live,
		    c->stamp, i)) < 0)
			goto enomem;
		if (fstatat(lpfd, strrchr(name, '/') + 1, &sb,
		    AT_SYMLINK_NOFOLLOW) != 0 || i > 99)
			break;
		free(name);
	}
	c->trees[c->ntrees].path = name;
	c->trees[c->ntrees++].used = 0;
	return (0);
enomem:
	log_fail(EX_OSERR, "commit: out of memory");
	return (-1);
}

/* Open the configured path ${path} in the stage, refusing links. */
static int
open_staged(const struct commit *c, const char *path)
{
	struct stat sb;
	int root, fd;

	if ((root = stage_open_dir(c->stage, 0)) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", c->stage, strerror(errno));
		return (-1);
	}
	/* The private directory we made, not one put in its place. */
	if (fstat(root, &sb) || sb.st_uid != geteuid() ||
	    (sb.st_mode & 077) != 0) {
		log_fail(EX_CANTCREAT, "%s: not a private directory of this "
		    "user: refused", c->stage);
		close(root);
		return (-1);
	}
	/* "/": the whole stage (--target). */
	fd = path[1] == '\0' ? dup(root) : stage_open_below(root, path + 1);
	close(root);
	if (fd == -1 && errno == ENOENT)
		log_fail(EX_DATAERR, "the archive does not hold %s: refused",
		    path);
	else if (fd == -1)
		log_fail(EX_DATAERR, "in the archive, %s or a directory above "
		    "it is a symlink or not a directory: refused", path);
	return (fd);
}

int
commit_add(struct commit *c, const char *path, const char *live)
{
	struct commit_level l = { 0 };
	const char *base;
	int sfd, lpfd = -1, sel, rc = -1;

	if (path[0] != '/' || live[0] != '/') {
		log_fail(EX_SOFTWARE, "%s: not an absolute path", path);
		return (-1);
	}
	if ((sfd = open_staged(c, path)) == -1)
		return (-1);
	sel = commit_inc_match(c, path);
	if (!sel && !commit_beneath(c->inc, c->ninc, path)) {
		rc = 0;
		goto done;
	}
	if (asprintf(&l.stage, "%s%s", c->stage, path[1] != '\0' ? path :
	    "") < 0) {
		l.stage = NULL;
		log_fail(EX_OSERR, "commit: out of memory");
		goto done;
	}
	if ((l.sys = strdup(path)) == NULL || (l.live = strdup(live)) == NULL) {
		log_fail(EX_OSERR, "commit: out of memory");
		goto done;
	}
	/* A dry run creates nothing, not even the parents. */
	lpfd = stage_open_parent(live, c->flags & COMMIT_DRY_RUN ? 0 : 0755,
	    &base);
	if (lpfd == -1 && (errno != ENOENT || !(c->flags & COMMIT_DRY_RUN))) {
		log_fail(EX_CANTCREAT, "%s: a directory above it is a symlink "
		    "or not a directory, or cannot be created: %s", live,
		    strerror(errno));
		goto done;
	}
	if (add_tree(c, lpfd, live))
		goto done;
	l.repl = c->trees[c->ntrees - 1].path;
	l.tree = c->ntrees - 1;
	if (lpfd == -1) {
		/* Dry run, no parent: all of it would be new. */
		c->st.restored += stage_count_at(sfd, ".");
		rc = commit_add_op(c, COMMIT_PUT, 0, &l);
		goto done;
	}
	if (commit_plan_top(c, sfd, lpfd, base, &l, sel))
		goto done;
	if (c->fsfd == -1)
		c->fsfd = dup(lpfd);
	rc = 0;
done:
	/* l.repl belongs to c->trees. */
	free(l.sys);
	free(l.live);
	free(l.stage);
	if (lpfd != -1)
		close(lpfd);
	close(sfd);
	return (rc);
}

const char *
commit_unmatched(const struct commit *c)
{
	size_t i;

	for (i = 0; i < c->ninc; i++)
		if (!c->matched[i])
			return (c->inc[i]);
	return (NULL);
}

void
commit_each(const struct commit *c, commit_change_fn *fn, void *cookie)
{
	size_t i;

	for (i = 0; i < c->nops; i++) {
		if (c->ops[i].type == COMMIT_META)
			continue;
		fn(cookie, c->ops[i].type == COMMIT_AWAY ? "remove" :
		    c->ops[i].had ? "replace" : "restore", c->ops[i].live);
	}
}

const struct commit_stats *
commit_stats(const struct commit *c)
{

	return (&c->st);
}

const char *
commit_replaced(const struct commit *c, size_t i)
{
	size_t j;

	for (j = 0; j < c->ntrees; j++)
		if (c->trees[j].used && i-- == 0)
			return (c->trees[j].path);
	return (NULL);
}

/*
 * Create the replaced trees that will be used, private, and refuse one that
 * exists already: its name is predictable, and what it receives must not
 * go into a directory someone else made.
 */
static int
make_trees(struct commit *c, int undo)
{
	const char *base;
	size_t i;
	int fd, rc = 0;

	for (i = 0; i < c->ntrees; i++) {
		if (!c->trees[i].used)
			continue;
		if ((fd = stage_open_parent(c->trees[i].path, 0, &base)) == -1) {
			log_fail(EX_CANTCREAT, "%s: %s", c->trees[i].path,
			    strerror(errno));
			return (-1);
		}
		if (undo)
			(void)unlinkat(fd, base, AT_REMOVEDIR);	/* if empty */
		else if (mkdirat(fd, base, 0700)) {
			log_fail(EX_CANTCREAT, "%s: cannot create the replaced "
			    "tree: %s", c->trees[i].path, strerror(errno));
			rc = -1;
		}
		close(fd);
		if (rc)
			return (-1);
	}
	return (0);
}

int
commit_run(struct commit *c)
{
	size_t i;

	/*
	 * Everything staged on disk before the journal that makes it live:
	 * one syncfs of the target's file system instead of an fsync per
	 * file (unpack started the write-back of large files already).
	 */
	if (c->fsfd == -1)
		sync();
	else if (syncfs(c->fsfd)) {
		log_fail(EX_IOERR, "%s: syncfs: %s", c->stage, strerror(errno));
		return (-1);
	}
	if (make_trees(c, 0))
		goto untrees;
	if (commit_journal_write(c->statedir, c->stage, c->ops, c->nops))
		goto untrees;
	for (i = 0; i < c->nops; i++)
		if (commit_op_do(&c->ops[i]))
			goto undo;
	return (commit_journal_finish(c->statedir, c->stage, c->fsfd));

undo:
	/* Nothing half-way: every step done is undone, newest first. */
	while (i-- > 0)
		if (commit_op_undo(&c->ops[i])) {
			log_warn("%s: the journal stays; the next run of "
			    "sitevault completes the restore", c->statedir);
			return (-1);
		}
	(void)commit_journal_remove(c->statedir);
untrees:
	(void)make_trees(c, 1);
	return (-1);
}

void
commit_free(struct commit *c)
{
	size_t i;

	if (c == NULL)
		return;
	for (i = 0; i < c->nops; i++) {
		free(c->ops[i].live);
		free(c->ops[i].stage);
		free(c->ops[i].repl);
		free(c->ops[i].aside);
		free(c->ops[i].meta);
	}
	for (i = 0; i < c->ntrees; i++)
		free(c->trees[i].path);
	if (c->fsfd != -1)
		close(c->fsfd);
	free(c->trees);
	free(c->ops);
	free(c->matched);
	free(c->stage);
	free(c->statedir);
	free(c);
}
