#include "config.h"

#include <sys/stat.h>
#include <sys/syscall.h>
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

#ifdef __linux__
#include <linux/openat2.h>
#endif

#include "util/log.h"
#include "archive/stage.h"

#define STAGE_PREFIX	".sitevault-restore."

/*
 * Walk ${path} from "/" (or, if it is relative, from ${start}) one
 * component at a time, never through a symlink.
 */
static int
walk_dir(int start, const char *path, int mode)
{
	char comp[NAME_MAX + 1];
	const char *s, *e;
	int fd, nfd, serr;

	if ((fd = path[0] == '/' ? open("/", O_RDONLY | O_DIRECTORY |
	    O_CLOEXEC) : dup(start)) == -1)
		return (-1);
	for (s = path; *s != '\0'; s = e) {
		while (*s == '/')
			s++;
		if (*s == '\0')
			break;
		for (e = s; *e != '\0' && *e != '/'; e++)
			;
		if ((size_t)(e - s) > NAME_MAX ||
		    (e - s == 2 && s[0] == '.' && s[1] == '.')) {
			close(fd);
			errno = (size_t)(e - s) > NAME_MAX ? ENAMETOOLONG :
			    EXDEV;
			return (-1);
		}
		memcpy(comp, s, (size_t)(e - s));
		comp[e - s] = '\0';
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd == -1 && errno == ENOENT && mode != 0) {
			/* The mode asked for, whatever the umask. */
			if (mkdirat(fd, comp, (mode_t)mode) == 0) {
				if (fchmodat(fd, comp, (mode_t)mode, 0) == -1)
					goto next;	/* nfd is -1 */
			} else if (errno != EEXIST)
				goto next;
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		}
next:
		serr = errno;
		close(fd);
		if (nfd == -1) {
			errno = serr;
			return (-1);
		}
		fd = nfd;
	}
	return (fd);
}

int
stage_open_dir(const char *path, int mode)
{
#if defined(SYS_openat2) && defined(RESOLVE_NO_SYMLINKS)
	struct open_how how;
	long fd;

	if (mode == 0 && path[0] == '/') {
		memset(&how, 0, sizeof(how));
		how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
		how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS;
		fd = syscall(SYS_openat2, AT_FDCWD, path, &how, sizeof(how));
		if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
			return ((int)fd);
	}
#endif
	if (path[0] != '/') {
		errno = EINVAL;
		return (-1);
	}
	return (walk_dir(AT_FDCWD, path, mode));
}

int
stage_open_below(int dfd, const char *rel)
{
#if defined(SYS_openat2) && defined(RESOLVE_NO_SYMLINKS)
	struct open_how how;
	long fd;

	memset(&how, 0, sizeof(how));
	how.flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC;
	how.resolve = RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS |
	    RESOLVE_BENEATH;
	fd = syscall(SYS_openat2, dfd, rel, &how, sizeof(how));
	if (fd >= 0 || (errno != ENOSYS && errno != EPERM))
		return ((int)fd);
#endif
	if (rel[0] == '/') {
		errno = EXDEV;
		return (-1);
	}
	return (walk_dir(dfd, rel, 0));
}

int
stage_open_parent(const char *path, int mode, const char **base)
{
	char buf[PATH_MAX];
	const char *slash = strrchr(path, '/');
	size_t len;

	if (slash == NULL || slash[1] == '\0') {
		errno = EINVAL;
		return (-1);
	}
	*base = slash + 1;
	if ((len = (size_t)(slash - path)) >= sizeof(buf)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	if (len == 0)
		return (stage_open_dir("/", mode));
	memcpy(buf, path, len);
	buf[len] = '\0';
	return (stage_open_dir(buf, mode));
}

/* Remove ${name} in ${dfd}, on the filesystem ${dev}. */
static int
remove_at(int dfd, const char *name, dev_t dev, int top)
{
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd, rc = 0;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return (0);
		log_fail(EX_IOERR, "%s: %s", name, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(sb.st_mode))
		goto unlink;
	if (!top && sb.st_dev != dev) {
		log_fail(EX_IOERR, "%s: another filesystem is mounted there: "
		    "not removed", name);
		return (-1);
	}
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		log_fail(EX_IOERR, "%s: %s", name, strerror(errno));
		return (-1);
	}
	/* Restored trees may hold read-only directories: make it writable. */
	if ((sb.st_mode & 0700) != 0700)
		(void)fchmod(fd, (sb.st_mode & 07777) | 0700);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		log_fail(EX_IOERR, "%s: %s", name, strerror(errno));
		return (-1);
	}
	while ((de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
			continue;
		if (remove_at(dirfd(d), de->d_name, sb.st_dev, 0))
			rc = -1;
	}
	closedir(d);
	if (rc)
		return (-1);
unlink:
	if (unlinkat(dfd, name, S_ISDIR(sb.st_mode) ? AT_REMOVEDIR : 0) &&
	    errno != ENOENT) {
		log_fail(EX_IOERR, "%s: cannot remove: %s", name,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

int
stage_remove_at(int dfd, const char *name)
{

	return (remove_at(dfd, name, 0, 1));
}

int
stage_remove(const char *path)
{
	const char *base;
	int fd, rc;

	if ((fd = stage_open_parent(path, 0, &base)) == -1) {
		if (errno == ENOENT)
			return (0);
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		return (-1);
	}
	rc = stage_remove_at(fd, base);
	close(fd);
	return (rc);
}

unsigned long long
stage_count_at(int dfd, const char *name)
{
	unsigned long long n = 0;
	struct dirent *de;
	struct stat sb;
	DIR *d;
	int fd;

	if (fstatat(dfd, name, &sb, AT_SYMLINK_NOFOLLOW))
		return (0);
	if (!S_ISDIR(sb.st_mode))
		return (1);
	if ((fd = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1)
		return (0);
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return (0);
	}
	/* The type readdir gives spares a lookup per file. */
	while ((de = readdir(d)) != NULL)
		if (de->d_type != DT_DIR && de->d_type != DT_UNKNOWN)
			n++;
		else if (strcmp(de->d_name, ".") != 0 &&
		    strcmp(de->d_name, "..") != 0)
			n += stage_count_at(dirfd(d), de->d_name);
	closedir(d);
	return (n);
}

/*
 * Leftovers of restores that were killed before their commit began (a
 * commit in progress is in the journal, commit.h, and finished before any
 * command runs): we hold the run lock, so every staging directory of
 * ${base} in ${dfd} is stale.
 */
static int
stage_recover(int dfd, const char *dir, const char *base)
{
	char pre[NAME_MAX + 32];
	struct dirent *de;
	DIR *d;
	int fd, rc = 0;

	if ((size_t)snprintf(pre, sizeof(pre), STAGE_PREFIX "%s.", base) >=
	    sizeof(pre))
		return (0);	/* no such name can exist */
	if ((fd = dup(dfd)) == -1 || (d = fdopendir(fd)) == NULL) {
		if (fd != -1)
			close(fd);
		return (0);
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, pre, strlen(pre)) != 0)
			continue;
		log_warn("%s/%s: removing what an interrupted restore left",
		    dir, de->d_name);
		if (stage_remove_at(dfd, de->d_name))
			rc = -1;
	}
	closedir(d);
	return (rc);
}

char *
stage_create(const char *target)
{
	const char *base;
	char *stage = NULL;
	size_t len, dlen;
	int dfd;

	if ((dfd = stage_open_parent(target, 0755, &base)) == -1) {
		log_fail(EX_CANTCREAT, "%s: cannot open its parent directory "
		    "without following symlinks: %s", target, strerror(errno));
		goto err0;
	}
	dlen = (size_t)(base - target);
	if (stage_recover(dfd, target, base))
		goto err1;
	len = strlen(target) + 64;
	if ((stage = malloc(len)) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		goto err1;
	}
	snprintf(stage, len, "%.*s" STAGE_PREFIX "%s.%ld", (int)dlen, target,
	    base, (long)getpid());
	if (mkdirat(dfd, stage + dlen, 0700)) {
		log_fail(EX_CANTCREAT, "%s: cannot create staging directory: %s",
		    stage, strerror(errno));
		goto err2;
	}

	/* Success! */
	close(dfd);
	return (stage);

err2:
	free(stage);
err1:
	close(dfd);
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
