#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "util/dirsync.h"
#include "util/log.h"
#include "util/path.h"
#include "archive/commit.h"
#include "archive/commit_internal.h"
#include "archive/stage.h"

/*
 * The journal, <statedir>/restore.journal: NUL-terminated fields, a header
 * "sitevault-journal 1", the staging directory, then per step its type,
 * live, staged and replaced paths and directory metadata ("" where none),
 * and "end".  Paths may
 * hold any byte but NUL, so no quoting is needed.
 */
#define JOURNAL		"restore.journal"
#define JOURNAL_TMP	"restore.journal.tmp"
#define JOURNAL_MAGIC	"sitevault-journal 1"
#define JOURNAL_MAX	(1024UL * 1024 * 1024)

#ifndef RENAME_NOREPLACE
#define RENAME_NOREPLACE (1 << 0)
#endif

/* Rename without ever replacing what is at the destination. */
static int
mv(int ofd, const char *old, int nfd, const char *new)
{
	struct stat sb;

	if (renameat2(ofd, old, nfd, new, RENAME_NOREPLACE) == 0)
		return (0);
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP)
		return (-1);
	/* A filesystem without RENAME_NOREPLACE: we hold the run lock. */
	if (fstatat(nfd, new, &sb, AT_SYMLINK_NOFOLLOW) == 0) {
		errno = EEXIST;
		return (-1);
	}
	return (renameat(ofd, old, nfd, new));
}

/*
 * Move ${name} in ${lfd} (the live path ${live}) to ${repl}, or a free
 * name beside it; the name used in ${*aside} (malloc'd, may be NULL).
 */
static int
move_aside(int lfd, const char *name, const char *live, const char *repl,
    char **aside)
{
	char alt[PATH_BUF];
	const char *rb;
	int rfd, i;

	if ((rfd = stage_open_parent(repl, 0700, &rb)) == -1) {
		log_fail(EX_CANTCREAT, "%s: cannot create replaced tree "
		    "directory: %s", repl, strerror(errno));
		return (-1);
	}
	if (path_fmt(alt, "%s", rb)) {
		close(rfd);
		return (-1);
	}
	for (i = 1; mv(lfd, name, rfd, alt) == -1; i++) {
		if (errno != EEXIST || i > 99) {
			log_fail(EX_CANTCREAT, "%s: cannot move to %s: %s",
			    live, repl, strerror(errno));
			close(rfd);
			return (-1);
		}
		if (path_fmt(alt, "%s.%d", rb, i)) {
			close(rfd);
			return (-1);
		}
	}
	close(rfd);
	if (aside != NULL) {
		free(*aside);
		if (asprintf(aside, "%.*s%s", (int)(rb - repl), repl, alt) < 0)
			*aside = NULL;
	}
	return (0);
}

static int
op_put(struct commit_op *op)
{
	const char *sb, *lb;
	struct stat st;
	int sfd, lfd = -1, tries, rc = -1;

	if ((sfd = stage_open_parent(op->stage, 0, &sb)) == -1 ||
	    fstatat(sfd, sb, &st, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			rc = 0;		/* already in place */
		else
			log_fail(EX_IOERR, "%s: %s", op->stage, strerror(errno));
		goto done;
	}
	if ((lfd = stage_open_parent(op->live, 0, &lb)) == -1) {
		log_fail(EX_CANTCREAT, "%s: cannot open its directory without "
		    "following symlinks: %s", op->live, strerror(errno));
		goto done;
	}
	for (tries = 0; tries < 3; tries++) {
		if (fstatat(lfd, lb, &st, AT_SYMLINK_NOFOLLOW) == 0) {
			if (move_aside(lfd, lb, op->live, op->repl, &op->aside))
				goto done;
		} else if (errno != ENOENT) {
			log_fail(EX_IOERR, "%s: %s", op->live, strerror(errno));
			goto done;
		}
		if (mv(sfd, sb, lfd, lb) == 0) {
			rc = 0;
			goto done;
		}
		if (errno != EEXIST)
			break;
		/* Something new arrived at that name: it goes aside too. */
	}
	log_fail(EX_CANTCREAT, "%s: cannot move restored entry into place: %s",
	    op->live, strerror(errno));
done:
	if (sfd != -1)
		close(sfd);
	if (lfd != -1)
		close(lfd);
	return (rc);
}

static int
op_away(struct commit_op *op)
{
	const char *lb;
	struct stat st;
	int lfd, rc = 0;

	if ((lfd = stage_open_parent(op->live, 0, &lb)) == -1)
		return (0);
	if (fstatat(lfd, lb, &st, AT_SYMLINK_NOFOLLOW) == 0)
		rc = move_aside(lfd, lb, op->live, op->repl, &op->aside);
	close(lfd);
	return (rc);
}

/* The staged directory's mode, owner and times onto the live one. */
static int
op_meta(struct commit_op *op)
{
	struct timespec ts[2];
	unsigned int mode;
	unsigned long uid, gid;
	long long as, ms;
	long ans, mns;
	int lfd, rc = 0;

	if (op->meta == NULL || sscanf(op->meta, "%o %lu %lu %lld.%ld %lld.%ld",
	    &mode, &uid, &gid, &as, &ans, &ms, &mns) != 7) {
		log_fail(EX_SOFTWARE, "%s: no directory metadata", op->live);
		return (-1);
	}
	if ((lfd = stage_open_dir(op->live, 0)) == -1)
		return (0);
	if (geteuid() == 0 && fchown(lfd, (uid_t)uid, (gid_t)gid))
		rc = -1;
	/* Never setuid or setgid (sitevault(8), RESTORE). */
	if (fchmod(lfd, (mode_t)mode & 01777))
		rc = -1;
	ts[0].tv_sec = (time_t)as;
	ts[0].tv_nsec = ans;
	ts[1].tv_sec = (time_t)ms;
	ts[1].tv_nsec = mns;
	if (futimens(lfd, ts))
		rc = -1;
	if (rc)
		log_warn("%s: cannot set owner, mode or times: %s", op->live,
		    strerror(errno));
	close(lfd);
	return (0);
}

int
commit_op_do(struct commit_op *op)
{
	int rc;

	switch (op->type) {
	case COMMIT_PUT:
		rc = op_put(op);
		break;
	case COMMIT_AWAY:
		rc = op_away(op);
		break;
	default:
		rc = op_meta(op);
		break;
	}
	if (rc == 0)
		op->done = 1;
	return (rc);
}

/* Move the entry at ${from} back to ${to}. */
static int
move_back(const char *from, const char *to)
{
	const char *fb, *tb;
	int ffd, tfd, rc = -1;

	if ((ffd = stage_open_parent(from, 0, &fb)) == -1)
		goto fail;
	if ((tfd = stage_open_parent(to, 0, &tb)) == -1) {
		close(ffd);
		goto fail;
	}
	rc = mv(ffd, fb, tfd, tb);
	close(ffd);
	close(tfd);
	if (rc == 0)
		return (0);
fail:
	log_fail(EX_IOERR, "%s: cannot move back to %s: %s", from, to,
	    strerror(errno));
	return (-1);
}

int
commit_op_undo(struct commit_op *op)
{

	if (!op->done || op->type == COMMIT_META)
		return (0);
	if (op->type == COMMIT_PUT && move_back(op->live, op->stage))
		return (-1);
	if (op->aside != NULL && move_back(op->aside, op->live))
		return (-1);
	op->done = 0;
	return (0);
}

static int
put_field(FILE *f, const char *s)
{

	return (fwrite(s != NULL ? s : "", 1, strlen(s != NULL ? s : "") + 1,
	    f) == strlen(s != NULL ? s : "") + 1 ? 0 : -1);
}

int
commit_journal_write(const char *statedir, const char *stage,
    const struct commit_op *ops, size_t n)
{
	char tmp[PATH_BUF], path[PATH_BUF], type[2] = { 0, 0 };
	FILE *f = NULL;
	size_t i;
	int fd, bad = 0;

	if (path_join(tmp, statedir, JOURNAL_TMP) ||
	    path_join(path, statedir, JOURNAL))
		return (-1);
	(void)unlink(tmp);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
	    O_CLOEXEC, 0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_fail(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		return (-1);
	}
	bad |= put_field(f, JOURNAL_MAGIC) | put_field(f, stage);
	for (i = 0; i < n; i++) {
		type[0] = ops[i].type;
		bad |= put_field(f, type) | put_field(f, ops[i].live) |
		    put_field(f, ops[i].stage) | put_field(f, ops[i].repl) |
		    put_field(f, ops[i].meta);
	}
	bad |= put_field(f, "end");
	if (bad || fflush(f) || fsync(fileno(f))) {
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		fclose(f);
		(void)unlink(tmp);
		return (-1);
	}
	fclose(f);
	if (rename(tmp, path) || dirsync_dir(statedir)) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		(void)unlink(tmp);
		return (-1);
	}
	return (0);
}

int
commit_journal_remove(const char *statedir)
{
	char path[PATH_BUF];

	if (path_join(path, statedir, JOURNAL))
		return (-1);
	if (unlink(path) && errno != ENOENT) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		return (-1);
	}
	(void)dirsync_dir(statedir);
	return (0);
}

int
commit_journal_finish(const char *statedir, const char *stage, int fsfd)
{

	/*
	 * Every move durable before the journal that would redo it goes:
	 * after an I/O error the journal stays, for the next command.
	 */
	if (fsfd == -1)
		sync();
	else if (syncfs(fsfd)) {
		log_fail(EX_IOERR, "%s: syncfs: %s (the restore journal is "
		    "kept: the next command completes the restore)", stage,
		    strerror(errno));
		return (-1);
	}
	if (stage_remove(stage))
		return (-1);
	return (commit_journal_remove(statedir));
}

int
commit_pending(const char *statedir)
{
	char path[PATH_BUF];
	struct stat sb;

	if (path_join(path, statedir, JOURNAL))
		return (1);	/* cannot look: do not run past it */
	return (lstat(path, &sb) == 0);
}

/* Read the journal into a malloc'd buffer. */
static char *
journal_read(const char *path, size_t *len)
{
	struct stat sb;
	char *buf = NULL;
	ssize_t n;
	size_t got = 0;
	int fd;

	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1 ||
	    fstat(fd, &sb) || !S_ISREG(sb.st_mode) ||
	    (uint64_t)sb.st_size > JOURNAL_MAX ||
	    (buf = malloc((size_t)sb.st_size + 1)) == NULL)
		goto fail;
	while (got < (size_t)sb.st_size &&
	    (n = read(fd, buf + got, (size_t)sb.st_size - got)) > 0)
		got += (size_t)n;
	if (got != (size_t)sb.st_size)
		goto fail;
	buf[got] = '\0';
	close(fd);
	*len = got;
	return (buf);
fail:
	log_fail(EX_IOERR, "%s: cannot read: %s", path, errno ? strerror(errno)
	    : "unusable");
	free(buf);
	if (fd != -1)
		close(fd);
	return (NULL);
}

/* The next field at ${*p} before ${end}, or NULL. */
static char *
field(char **p, const char *end)
{
	char *s = *p, *z;

	if (s >= end || (z = memchr(s, '\0', (size_t)(end - s))) == NULL)
		return (NULL);
	*p = z + 1;
	return (s);
}

int
commit_recover(const char *statedir)
{
	char path[PATH_BUF], *buf, *p, *end, *stage, *t;
	struct commit_op op;
	size_t len, n = 0;
	int fsfd, r, rc = -1;

	if (path_join(path, statedir, JOURNAL))
		return (-1);
	if (!commit_pending(statedir))
		return (0);
	errno = 0;
	if ((buf = journal_read(path, &len)) == NULL)
		return (-1);
	p = buf;
	end = buf + len;
	if ((t = field(&p, end)) == NULL || strcmp(t, JOURNAL_MAGIC) != 0 ||
	    (stage = field(&p, end)) == NULL)
		goto bad;
	for (;;) {
		memset(&op, 0, sizeof(op));
		if ((t = field(&p, end)) == NULL)
			goto bad;
		if (strcmp(t, "end") == 0)
			break;
		op.type = t[0];
		if ((op.live = field(&p, end)) == NULL ||
		    (op.stage = field(&p, end)) == NULL ||
		    (op.repl = field(&p, end)) == NULL ||
		    (op.meta = field(&p, end)) == NULL ||
		    (op.type != COMMIT_PUT && op.type != COMMIT_AWAY &&
		    op.type != COMMIT_META))
			goto bad;
		if (commit_op_do(&op)) {
			free(op.aside);
			goto out;
		}
		free(op.aside);
		n++;
	}
	/* The stage is on the filesystem of the moves: sync that one. */
	fsfd = open(stage, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	r = commit_journal_finish(statedir, stage, fsfd);
	if (fsfd != -1)
		close(fsfd);
	if (r)
		goto out;
	log_warn("%s: completed a restore that was interrupted (%zu steps); "
	    "what it replaced is in the replaced trees beside the restored "
	    "paths", path, n);
	rc = 0;
	goto out;
bad:
	log_fail(EX_DATAERR, "%s: malformed restore journal: left in place, "
	    "see sitevault(8), RESTORE", path);
out:
	free(buf);
	return (rc);
}
