#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/dirsync.h"
#include "util/log.h"
#include "util/path.h"
#include "archive/stage.h"

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

/* Split ${path} into a malloc'd parent directory and base name. */
static int
split(const char *path, char **dir, char **base)
{
	char *a, *b;

	if ((a = strdup(path)) == NULL || (b = strdup(path)) == NULL) {
		free(a);
		log_fail(EX_OSERR, "out of memory");
		return (-1);
	}
	*dir = strdup(dirname(a));
	*base = strdup(basename(b));
	free(a);
	free(b);
	if (*dir == NULL || *base == NULL) {
		free(*dir);
		free(*base);
		log_fail(EX_OSERR, "out of memory");
		return (-1);
	}
	return (0);
}

/* mkdir -p, mode 0755 for directories the target would have had anyway. */
static int
mkdirs(const char *path)
{
	char buf[PATH_MAX];
	size_t i, len = strlen(path);

	if (len >= sizeof(buf)) {
		log_fail(EX_CANTCREAT, "%s: path too long", path);
		return (-1);
	}
	memcpy(buf, path, len + 1);
	for (i = 1; i <= len; i++) {
		if (buf[i] != '/' && buf[i] != '\0')
			continue;
		buf[i] = '\0';
		if (mkdir(buf, 0755) && errno != EEXIST) {
			log_fail(EX_CANTCREAT, "%s: cannot create directory: %s",
			    buf, strerror(errno));
			return (-1);
		}
		buf[i] = (i == len) ? '\0' : '/';
	}
	return (0);
}

/*
 * Leftovers of a restore that was killed: we hold the run lock, so every
 * staging or aside directory of ${base} in ${dir} is stale.  If a kill came
 * between the two renames of the fallback swap, the target is missing and
 * the complete old tree is aside: put it back first.
 */
static int
stage_recover(const char *dir, const char *base, const char *target)
{
	char pre_stage[NAME_MAX + 32], pre_old[NAME_MAX + 32], path[PATH_BUF];
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int missing, rc = 0;

	snprintf(pre_stage, sizeof(pre_stage), ".sitevault-restore.%s.", base);
	snprintf(pre_old, sizeof(pre_old), ".sitevault-old.%s.", base);
	missing = (lstat(target, &sb) == -1 && errno == ENOENT);
	if ((d = opendir(dir)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, pre_old, strlen(pre_old)) != 0 &&
		    strncmp(de->d_name, pre_stage, strlen(pre_stage)) != 0)
			continue;
		if (path_join(path, dir, de->d_name)) {
			rc = -1;
			continue;
		}
		if (missing && strncmp(de->d_name, pre_old,
		    strlen(pre_old)) == 0 && rename(path, target) == 0) {
			log_warn("%s: put back from %s, left by an interrupted "
			    "restore", target, path);
			missing = 0;
			continue;
		}
		log_warn("%s: removing what an interrupted restore left", path);
		if (stage_remove(path))
			rc = -1;
	}
	closedir(d);
	return (rc);
}

char *
stage_create(const char *target)
{
	char *dir = NULL, *base = NULL, *stage = NULL;
	size_t len;

	if (split(target, &dir, &base))
		goto err0;
	if (mkdirs(dir) || stage_recover(dir, base, target))
		goto err1;
	len = strlen(dir) + strlen(base) + 64;
	if ((stage = malloc(len)) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		goto err1;
	}
	snprintf(stage, len, "%s/.sitevault-restore.%s.%ld", dir, base,
	    (long)getpid());
	if (mkdir(stage, 0700)) {
		log_fail(EX_CANTCREAT, "%s: cannot create staging directory: %s",
		    stage, strerror(errno));
		goto err2;
	}

	/* Success! */
	free(base);
	free(dir);
	return (stage);

err2:
	free(stage);
err1:
	free(base);
	free(dir);
err0:
	/* Failure! */
	return (NULL);
}

/* The device of ${path} or of its nearest existing ancestor. */
static int
devof(const char *path, dev_t *dev)
{
	char buf[PATH_MAX];
	struct stat sb;
	char *slash;

	if (strlen(path) >= sizeof(buf)) {
		log_fail(EX_CANTCREAT, "%s: path too long", path);
		return (-1);
	}
	memcpy(buf, path, strlen(path) + 1);
	for (;;) {
		if (lstat(buf, &sb) == 0) {
			*dev = sb.st_dev;
			return (0);
		}
		if ((slash = strrchr(buf, '/')) == NULL || slash == buf) {
			if (lstat("/", &sb)) {
				log_fail(EX_IOERR, "/: %s", strerror(errno));
				return (-1);
			}
			*dev = sb.st_dev;
			return (0);
		}
		*slash = '\0';
	}
}

int
stage_same_fs(const char *a, const char *b)
{
	dev_t da, db;

	if (devof(a, &da) || devof(b, &db))
		return (-1);
	return (da == db);
}

static int
chmod_dirs(const char *path, const struct stat *sb, int flag,
    struct FTW *ftw)
{

	(void)ftw;
	if (flag == FTW_D && (sb->st_mode & 0700) != 0700)
		(void)chmod(path, (sb->st_mode & 07777) | 0700);
	return (0);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{

	(void)sb;
	(void)ftw;
	if (flag == FTW_DP ? rmdir(path) : unlink(path)) {
		log_fail(EX_IOERR, "%s: cannot remove: %s", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

int
stage_remove(const char *path)
{
	struct stat sb;

	if (lstat(path, &sb)) {
		if (errno == ENOENT)
			return (0);
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		return (-1);
	}
	/* Restored trees may hold read-only directories: make them writable. */
	if (S_ISDIR(sb.st_mode)) {
		(void)nftw(path, chmod_dirs, 32, FTW_PHYS | FTW_MOUNT);
		if (nftw(path, rm_one, 32, FTW_DEPTH | FTW_PHYS | FTW_MOUNT))
			return (-1);
		return (0);
	}
	if (unlink(path)) {
		log_fail(EX_IOERR, "%s: cannot remove: %s", path,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

/* Make a rename in ${dir} durable; -1 after logging if it may not be. */
static int
sync_dir(const char *dir)
{

	if (dirsync_dir(dir)) {
		log_fail(EX_IOERR, "%s: fsync: %s", dir, strerror(errno));
		return (-1);
	}
	return (0);
}

int
stage_commit(const char *staged, const char *target)
{
	char *dir = NULL, *base = NULL, aside[PATH_BUF];
	struct stat sb;

	if (split(target, &dir, &base))
		goto err0;
	if (lstat(target, &sb)) {
		if (errno != ENOENT) {
			log_fail(EX_IOERR, "%s: %s", target, strerror(errno));
			goto err1;
		}
		if (rename(staged, target)) {
			log_fail(EX_CANTCREAT, "%s: cannot move restored tree "
			    "into place: %s", target, strerror(errno));
			goto err1;
		}
		if (sync_dir(dir))
			goto err1;
		goto done;
	}

	/* The atomic way: afterwards ${staged} holds the old tree. */
	if (renameat2(AT_FDCWD, staged, AT_FDCWD, target, RENAME_EXCHANGE)
	    == 0) {
		/* Remove the old tree even if the sync failed. */
		if (sync_dir(dir) | stage_remove(staged))
			goto err1;
		goto done;
	}
	if (errno != EINVAL && errno != ENOSYS && errno != ENOTSUP) {
		log_fail(EX_CANTCREAT, "%s: cannot swap restored tree into "
		    "place: %s", target, strerror(errno));
		goto err1;
	}

	/*
	 * No exchange on this filesystem: between these two renames the old
	 * tree is complete under its aside name, and the new one under the
	 * staging name; nothing is ever half-written.
	 */
	if (path_fmt(aside, "%s/.sitevault-old.%s.%ld", dir, base,
	    (long)getpid()))
		goto err1;
	if (rename(target, aside)) {
		log_fail(EX_CANTCREAT, "%s: cannot move old tree aside: %s",
		    target, strerror(errno));
		goto err1;
	}
	if (rename(staged, target)) {
		log_fail(EX_CANTCREAT, "%s: cannot move restored tree into "
		    "place: %s", target, strerror(errno));
		(void)rename(aside, target);
		goto err1;
	}
	if (sync_dir(dir) | stage_remove(aside))
		goto err1;

done:
	/* Success! */
	free(base);
	free(dir);
	return (0);

err1:
	free(base);
	free(dir);
err0:
	/* Failure! */
	return (-1);
}

/* nftw() has no cookie: the walk's context lives here, for one walk. */
static const char *diff_other;
static size_t diff_skip;
static FILE *diff_out;
static long diff_count;
static int diff_removed;

static int
diff_one(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	char other[PATH_MAX], esc[LOG_ESCAPED_LEN(PATH_MAX)];
	const char *rel = path + diff_skip;
	struct stat ob;

	(void)flag;
	if (ftw->level == 0)
		return (0);
	while (*rel == '/')
		rel++;
	if (snprintf(other, sizeof(other), "%s/%s", diff_other, rel) >=
	    (int)sizeof(other))
		return (0);
	if (lstat(other, &ob)) {
		fprintf(diff_out, "%s %s\n", diff_removed ? "removed" : "new",
		    log_escape(rel, esc, sizeof(esc)));
		diff_count++;
		return (0);
	}
	if (diff_removed)
		return (0);
	if ((sb->st_mode & S_IFMT) != (ob.st_mode & S_IFMT) ||
	    (sb->st_mode & 07777) != (ob.st_mode & 07777) ||
	    (!S_ISDIR(sb->st_mode) && (sb->st_size != ob.st_size ||
	    sb->st_mtim.tv_sec != ob.st_mtim.tv_sec ||
	    sb->st_mtim.tv_nsec != ob.st_mtim.tv_nsec))) {
		fprintf(diff_out, "changed %s\n", log_escape(rel, esc,
		    sizeof(esc)));
		diff_count++;
	}
	return (0);
}

long
stage_diff(const char *staged, const char *target, FILE *out)
{
	struct stat sb;

	diff_out = out;
	diff_count = 0;

	/* What the staged tree adds or changes. */
	diff_other = target;
	diff_skip = strlen(staged);
	diff_removed = 0;
	if (nftw(staged, diff_one, 32, FTW_PHYS)) {
		log_fail(EX_IOERR, "%s: %s", staged, strerror(errno));
		return (-1);
	}

	/* What the target has that the staged tree lacks. */
	if (lstat(target, &sb) == 0 && S_ISDIR(sb.st_mode)) {
		diff_other = staged;
		diff_skip = strlen(target);
		diff_removed = 1;
		if (nftw(target, diff_one, 32, FTW_PHYS)) {
			log_fail(EX_IOERR, "%s: %s", target, strerror(errno));
			return (-1);
		}
	}
	return (diff_count);
}
