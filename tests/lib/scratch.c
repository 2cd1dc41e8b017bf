/*
 * scratch: the unit tests' scratch directories (see scratch.h).
 */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "scratch.h"

char *
scratch_new(const char *name)
{
	const char *t = getenv("TMPDIR");
	char tmpl[PATH_MAX], *r;
	int n;

	n = snprintf(tmpl, sizeof(tmpl), "%s/sv-%s.XXXXXX",
	    t != NULL && *t != '\0' ? t : "/tmp", name);
	if (n < 0 || (size_t)n >= sizeof(tmpl)) {
		fprintf(stderr, "scratch: %s: name too long\n", name);
		abort();
	}
	if (mkdtemp(tmpl) == NULL || (r = realpath(tmpl, NULL)) == NULL) {
		fprintf(stderr, "scratch: %s: %s\n", tmpl, strerror(errno));
		abort();
	}
	return (r);
}

/* Make directories writable and searchable, so that rm_one can empty them. */
static int
rm_chmod(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	(void)ftw;
	if (flag == FTW_D || flag == FTW_DNR)
		(void)chmod(path, (st->st_mode & 07777) | 0700);
	return (0);
}

/* Remove one entry, children first (FTW_DEPTH); never the top (level 0). */
static int
rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	(void)st;
	if (ftw->level == 0)
		return (0);
	if (flag == FTW_DP)
		(void)rmdir(path);
	else
		(void)unlink(path);
	return (0);
}

/* Whether the directory ${path} holds no entry. */
static int
is_empty(const char *path)
{
	struct dirent *de;
	DIR *d;
	int empty = 1;

	if ((d = opendir(path)) == NULL)
		return (0);
	while ((de = readdir(d)) != NULL)
		if (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0)
			empty = 0;
	closedir(d);
	return (empty);
}

int
scratch_clear(const char *path)
{

	(void)nftw(path, rm_chmod, 16, FTW_PHYS);
	(void)nftw(path, rm_one, 16, FTW_PHYS | FTW_DEPTH);
	return (is_empty(path) ? 0 : -1);
}

int
scratch_rm(const char *path)
{
	struct stat st;

	if (path == NULL)
		return (0);
	if (scratch_clear(path) != 0 || rmdir(path) != 0)
		return (-1);
	return (lstat(path, &st) == 0 ? -1 : 0);
}

int
scratch_end(char **dirp)
{
	int rc;

	rc = scratch_rm(*dirp);
	free(*dirp);
	*dirp = NULL;
	return (rc);
}
