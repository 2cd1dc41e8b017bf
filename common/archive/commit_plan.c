/* The plan of a commit: the walk of the stage against the live tree that
 * decides, entry by entry, what to put, move away or re-stamp. */
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
#include <unistd.h>

#include "util/log.h"
#include "archive/commit.h"
#include "archive/commit_internal.h"
#include "archive/stage.h"

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
int
commit_inc_match(struct commit *c, const char *sys)
{

	return (c->ninc == 0 || commit_match(c->inc, c->ninc, c->matched, sys));
}

int
commit_add_op(struct commit *c, char type, char had,
    const struct commit_level *l)
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
add_meta(struct commit *c, const struct commit_level *l, const struct stat *sb)
{
	struct commit_op *op;

	if (commit_add_op(c, COMMIT_META, 0, l))
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

static int plan_dir(struct commit *, int, int, const struct commit_level *,
    int);

/* Plan one entry ${name} of the staged directory ${sfd}. */
static int
plan_entry(struct commit *c, int sfd, int lfd, const struct commit_level *x,
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
		return (commit_add_op(c, COMMIT_PUT, 0, x));
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
		return (commit_add_op(c, COMMIT_PUT, (char)have, x));
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
level_sub(struct commit_level *x, const struct commit_level *l,
    const char *name)
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
level_free(struct commit_level *x)
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
plan_dir(struct commit *c, int sfd, int lfd, const struct commit_level *l,
    int selected)
{
	struct commit_level x = { 0 };
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
		sel = selected || commit_inc_match(c, x.sys);
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
		if (selected || commit_inc_match(c, x.sys)) {
			n = stage_count_at(lfd, de->d_name);
			if (!(c->flags & COMMIT_DELETE))
				c->st.kept += n;
			else {
				c->st.replaced += n;
				if (commit_add_op(c, COMMIT_AWAY, 1, &x))
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

/*
 * Plan the configured path of ${l} (staged at ${sfd}) into its live place,
 * the entry ${base} of ${lpfd}; ${sel}: selected as a whole.
 */
int
commit_plan_top(struct commit *c, int sfd, int lpfd, const char *base,
    const struct commit_level *l, int sel)
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
	return (commit_add_op(c, COMMIT_PUT, (char)have, l));
}
