#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/log.h"
#include "util/safepath.h"

#define GO_W	(S_IWGRP | S_IWOTH)

/* The real name of the file open on ${fd} (what was opened, whatever the
 * symbolic links on the way), malloc'd; else the resolved ${path}. */
static char *
real_name(int fd, const char *path)
{
	char proc[64], buf[PATH_MAX];
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	if ((n = readlink(proc, buf, sizeof(buf) - 1)) > 0 && buf[0] == '/') {
		buf[n] = '\0';
		return (strdup(buf));
	}
	return (realpath(path, NULL));
}

/*
 * Check every directory above ${real}, the real name of ${path}, whose own
 * owner is ${uid}: each must be root's and writable by nobody else, but a
 * sticky directory (such as /tmp) may be, above an entry of root's (nobody
 * else can rename or remove that entry).
 */
static int
parents(const char *path, const char *real, const char *what, uid_t uid)
{
	struct stat st;
	char *p, *slash;
	int rc = -1;

	if ((p = strdup(real)) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (-1);
	}
	while ((slash = strrchr(p, '/')) != NULL) {
		if (slash == p)
			slash[1] = '\0';
		else
			*slash = '\0';
		if (stat(p, &st) == -1) {
			log_fail(EX_NOPERM, "%s: %s: %s", path, p,
			    strerror(errno));
			goto out;
		}
		if (st.st_uid != 0) {
			log_fail(EX_NOPERM, "%s: unsafe %s: the directory %s "
			    "above it is owned by uid %lu, who could replace "
			    "it (chown root %s)", path, what, p,
			    (unsigned long)st.st_uid, p);
			goto out;
		}
		if ((st.st_mode & GO_W) && (uid != 0 ||
		    !(st.st_mode & S_ISVTX))) {
			log_fail(EX_NOPERM, "%s: unsafe %s: the directory %s "
			    "above it is writable by group or others (mode "
			    "%04o), who could replace it (chmod go-w %s)",
			    path, what, p, (unsigned int)(st.st_mode & 07777),
			    p);
			goto out;
		}
		uid = st.st_uid;
		if (strcmp(p, "/") == 0)
			break;
	}
	rc = 0;
out:
	free(p);
	return (rc);
}

/* The entry itself: not writable by group or others. */
static int
not_writable(const char *path, const char *what, const struct stat *st)
{

	if (st->st_mode & GO_W) {
		log_fail(EX_NOPERM, "%s: unsafe %s: writable by group or "
		    "others (mode %04o), who could make root act on what they "
		    "write (chmod go-w %s)", path, what,
		    (unsigned int)(st->st_mode & 07777), path);
		return (-1);
	}
	return (0);
}

/* The common part of safepath_file() and safepath_dir(). */
static int
check(int fd, const char *path, const char *what, struct stat *st,
    int isdir)
{
	char *real;
	int rc;

	if (fstat(fd, st) == -1) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (geteuid() != 0)
		return (0);
	if (not_writable(path, what, st))
		return (-1);
	if (!isdir && st->st_uid != 0) {
		log_fail(EX_NOPERM, "%s: unsafe %s: owned by uid %lu, not "
		    "root, who could make root act on what they write "
		    "(chown root %s)", path, what, (unsigned long)st->st_uid,
		    path);
		return (-1);
	}
	if ((real = real_name(fd, path)) == NULL) {
		log_fail(EX_NOPERM, "%s: %s", path, strerror(errno));
		return (-1);
	}
	rc = parents(path, real, what, st->st_uid);
	free(real);
	return (rc);
}

int
safepath_file(int fd, const char *path, const char *what)
{
	struct stat st;

	return (check(fd, path, what, &st, 0));
}

int
safepath_dir(int fd, const char *path, const char *what, struct stat *st)
{

	return (check(fd, path, what, st, 1));
}

int
safepath_entry(int fd, const char *path, const char *what,
    const struct stat *dirst)
{
	struct stat st;

	if (geteuid() != 0)
		return (0);
	if (fstat(fd, &st) == -1) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if (not_writable(path, what, &st))
		return (-1);
	if (st.st_uid != 0 && st.st_uid != dirst->st_uid) {
		log_fail(EX_NOPERM, "%s: unsafe %s: owned by uid %lu, neither "
		    "root nor the state directory's owner (remove it)", path,
		    what, (unsigned long)st.st_uid);
		return (-1);
	}
	return (0);
}
