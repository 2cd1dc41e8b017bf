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

struct commit {
	char *statedir;
	char *stage;
	int flags;			/* COMMIT_* */
	char *const *inc;
	size_t ninc;
	unsigned char *matched;		/* per include: selected something */
	char stamp[32];			/* of the replaced trees' names */
	struct commit_op *ops;
	size_t nops, cap;
	struct tree *trees;		/* one per configured path */
	size_t ntrees;
	struct commit_stats st;
	int fsfd;			/* a live directory, for syncfs */
};

/* One level of the walk: the same entry staged, live, and in the tree. */
struct level {
	char *sys;			/* as configured: what includes match */
	char *stage;
	char *live;
	char *repl;
	size_t tree;			/* index in c->trees */
};

/* A replaced tree: named when planned, reported once something goes there. */
struct tree {
	char *path;
	int used;
};

static char *
join(const char *a, const char *b)
{
	char *s;

	if (asprintf(&s, "%s%s%s", a, a[0] != '\0' && a[strlen(a) - 1] ==
	    '/' ? "" : "/", b) < 0)
		return (NULL);
	return (s);
}

/* Does an include pattern select ${sys}?  Record which did. */
static int
inc_match(struct commit *c, const char *sys)
{

	return (c->ninc == 0 || commit_match(c->inc, c->ninc, c->matched, sys));
}

static int
add_op(struct commit *c, char type, char had, const struct level *l)
{
	struct commit_op *op, *n;

	if (c->nops == c->cap) {
		c->cap = c->cap ? c->cap * 2 : 64;
		if ((n = reallocarray(c->ops, c->cap, sizeof(*n))) == NULL)
			goto enomem;
		c->ops = n;
	}
	op = &c->ops[c->nops];
	memset(op, 0, sizeof(*op));
	op->type = type;
	op->had = had;
	if ((op->live = strdup(l->live)) == NULL ||
	    (type != COMMIT_AWAY && (op->stage = strdup(l->stage)) == NULL) ||
	    (type != COMMIT_META && (op->repl = strdup(l->repl)) == NULL)) {
		free(op->live);
		free(op->stage);
		goto enomem;
	}
	c->nops++;
	if (type == COMMIT_AWAY || (type == COMMIT_PUT && had))
		c->trees[l->tree].used = 1;
	return (0);

enomem:
	log_fail(EX_OSERR, "commit: out of memory");
	return (-1);
}

/* Set the staged directory's metadata ${sb} on the live one, last. */
static int
add_meta(struct commit *c, const struct level *l, const struct stat *sb)
{
	struct commit_op *op;

	if (add_op(c, COMMIT_META, 0, l))
		return (-1);
	op = &c->ops[c->nops - 1];
	if (asprintf(&op->meta, "%o %lu %lu %lld.%09ld %lld.%09ld",
	    (unsigned int)(sb->st_mode & 07777), (unsigned long)sb->st_uid,
	    (unsigned long)sb->st_gid, (long long)sb->st_atim.tv_sec,
	    sb->st_atim.tv_nsec, (long long)sb->st_mtim.tv_sec,
	    sb->st_mtim.tv_nsec) < 0) {
		op->meta = NULL;
		log_fail(EX_OSERR, "commit: out of memory");
		return (-1);
	}
	return (0);
}

static int plan_dir(struct commit *, int, int, const struct level *, int);

/* Plan one entry ${name} of the staged directory ${sfd}. */
static int
plan_entry(struct commit *c, int sfd, int lfd, const struct level *x,
    const char *name, int selected)
{
	struct stat ss, ls;
	int have, sub_s, sub_l, rc;

	if (fstatat(sfd, name, &ss, AT_SYMLINK_NOFOLLOW)) {
		log_fail(EX_IOERR, "%s: %s", x->stage, strerror(errno));
		return (-1);
	}
	have = fstatat(lfd, name, &ls, AT_SYMLINK_NOFOLLOW) == 0;
	if (!have && errno != ENOENT) {
		log_fail(EX_IOERR, "%s: %s", x->live, strerror(errno));
		return (-1);
	}
	if (!selected && !(S_ISDIR(ss.st_mode) && commit_beneath(c->inc, c->ninc, x->sys) &&
	    (!have || S_ISDIR(ls.st_mode))))
		return (0);
	/* Only some entries beneath are selected: the directory they go in. */
	if (!selected && !have && (c->flags & COMMIT_DRY_RUN)) {
		c->st.restored += stage_count_at(sfd, name);
		return (add_op(c, COMMIT_PUT, 0, x));
	}
	if (!selected && !have) {
		if (mkdirat(lfd, name, ss.st_mode & 0777) ||
		    fchmodat(lfd, name, ss.st_mode & 0777, 0) ||
		    fstatat(lfd, name, &ls, AT_SYMLINK_NOFOLLOW)) {
			log_fail(EX_CANTCREAT, "%s: %s", x->live,
			    strerror(errno));
			return (-1);
		}
		have = 1;
	}
	if (!S_ISDIR(ss.st_mode) && have &&
	    commit_unchanged(sfd, lfd, name, &ss, &ls)) {
		c->st.unchanged++;
		return (0);
	}
	if (!(S_ISDIR(ss.st_mode) && have && S_ISDIR(ls.st_mode))) {
		c->st.restored += stage_count_at(sfd, name);
		if (have)
			c->st.replaced += stage_count_at(lfd, name);
		return (add_op(c, COMMIT_PUT, (char)have, x));
	}
	/* A directory on both sides: merge. */
	if ((sub_s = openat(sfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		log_fail(EX_IOERR, "%s: %s", x->stage, strerror(errno));
		return (-1);
	}
	if ((sub_l = openat(lfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		log_fail(EX_IOERR, "%s: %s", x->live, strerror(errno));
		close(sub_s);
		return (-1);
	}
	rc = plan_dir(c, sub_s, sub_l, x, selected);
	close(sub_s);
	close(sub_l);
	if (rc == 0 && selected)
		rc = add_meta(c, x, &ss);
	return (rc);
}

/* Fill ${x} for ${name} beneath ${l}; free with level_free(). */
static int
level_sub(struct level *x, const struct level *l, const char *name)
{

	x->tree = l->tree;
	x->sys = join(l->sys, name);
	x->stage = join(l->stage, name);
	x->live = join(l->live, name);
	x->repl = join(l->repl, name);
	if (x->sys == NULL || x->stage == NULL || x->live == NULL ||
	    x->repl == NULL) {
		log_fail(EX_OSERR, "commit: out of memory");
		return (-1);
	}
	return (0);
}

static void
level_free(struct level *x)
{

	free(x->sys);
	free(x->stage);
	free(x->live);
	free(x->repl);
	memset(x, 0, sizeof(*x));
}

/* Open a DIR on a duplicate of ${fd}. */
static DIR *
dir_of(int fd, const char *path)
{
	DIR *d;
	int nfd;

	if ((nfd = dup(fd)) == -1 || (d = fdopendir(nfd)) == NULL) {
		if (nfd != -1)
			close(nfd);
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		return (NULL);
	}
	rewinddir(d);
	return (d);
}

static int
skip_name(const char *s)
{

	return (strcmp(s, ".") == 0 || strcmp(s, "..") == 0);
}

/*
 * Plan the staged directory ${sfd} into the live directory ${lfd}, both
 * named by ${l}; ${selected}: the directory is selected as a whole.
 */
static int
plan_dir(struct commit *c, int sfd, int lfd, const struct level *l,
    int selected)
{
	struct level x = { 0 };
	struct dirent *de;
	struct stat sb;
	DIR *d;
	unsigned long long n;
	int sel;

	if ((d = dir_of(sfd, l->stage)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (skip_name(de->d_name))
			continue;
		if (level_sub(&x, l, de->d_name))
			goto err;
		sel = selected || inc_match(c, x.sys);
		if (plan_entry(c, sfd, lfd, &x, de->d_name, sel))
			goto err;
		level_free(&x);
	}
	closedir(d);

	/* What the live tree holds and the backup does not. */
	if ((d = dir_of(lfd, l->live)) == NULL)
		return (-1);
	while ((de = readdir(d)) != NULL) {
		if (skip_name(de->d_name) || fstatat(sfd, de->d_name, &sb,
		    AT_SYMLINK_NOFOLLOW) == 0)
			continue;
		if (level_sub(&x, l, de->d_name))
			goto err;
		if (selected || inc_match(c, x.sys)) {
			n = stage_count_at(lfd, de->d_name);
			if (!(c->flags & COMMIT_DELETE))
				c->st.kept += n;
			else {
				c->st.replaced += n;
				if (add_op(c, COMMIT_AWAY, 1, &x))
					goto err;
			}
		}
		level_free(&x);
	}
	closedir(d);
	return (0);

err:
	level_free(&x);
	closedir(d);
	return (-1);
}

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
	struct tree *t;
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

/*
 * Plan the configured path of ${l} (staged at ${sfd}) into its live place,
 * the entry ${base} of ${lpfd}; ${sel}: selected as a whole.
 */
static int
plan_top(struct commit *c, int sfd, int lpfd, const char *base,
    const struct level *l, int sel)
{
	struct stat ls, ss;
	int lfd, have, rc;

	if (fstat(sfd, &ss)) {
		log_fail(EX_IOERR, "%s: %s", l->stage, strerror(errno));
		return (-1);
	}
	if (!(have = fstatat(lpfd, base, &ls, AT_SYMLINK_NOFOLLOW) == 0) &&
	    errno != ENOENT) {
		log_fail(EX_IOERR, "%s: %s", l->live, strerror(errno));
		return (-1);
	}
	if (!have && !sel && !(c->flags & COMMIT_DRY_RUN)) {
		/* Only some entries are selected: the directory they go in. */
		if ((mkdirat(lpfd, base, ss.st_mode & 0777) && errno !=
		    EEXIST) || fchmodat(lpfd, base, ss.st_mode & 0777, 0) ||
		    fstatat(lpfd, base, &ls, AT_SYMLINK_NOFOLLOW)) {
			log_fail(EX_CANTCREAT, "%s: %s", l->live,
			    strerror(errno));
			return (-1);
		}
		have = 1;
	}
	if (have && S_ISDIR(ls.st_mode)) {
		if ((lfd = openat(lpfd, base, O_RDONLY | O_DIRECTORY |
		    O_NOFOLLOW | O_CLOEXEC)) == -1) {
			log_fail(EX_IOERR, "%s: %s", l->live, strerror(errno));
			return (-1);
		}
		rc = plan_dir(c, sfd, lfd, l, sel);
		close(lfd);
		if (rc == 0 && sel)
			rc = add_meta(c, l, &ss);
		return (rc);
	}
	/* Missing, or not a directory (a symlink included): put. */
	c->st.restored += stage_count_at(sfd, ".");
	if (have)
		c->st.replaced += stage_count_at(lpfd, base);
	return (add_op(c, COMMIT_PUT, (char)have, l));
}

int
commit_add(struct commit *c, const char *path, const char *live)
{
	struct level l = { 0 };
	const char *base;
	int sfd, lpfd = -1, sel, rc = -1;

	if (path[0] != '/' || live[0] != '/') {
		log_fail(EX_SOFTWARE, "%s: not an absolute path", path);
		return (-1);
	}
	if ((sfd = open_staged(c, path)) == -1)
		return (-1);
	sel = inc_match(c, path);
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
		rc = add_op(c, COMMIT_PUT, 0, &l);
		goto done;
	}
	if (plan_top(c, sfd, lpfd, base, &l, sel))
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
