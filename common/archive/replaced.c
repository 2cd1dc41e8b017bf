#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/replaced.h"
#include "archive/stage.h"

/* The time in a name's "YYYYMMDDTHHMMSSZ[-N]", or -1 if it is not one. */
static time_t
stamp_time(const char *s)
{
	struct tm tm;
	const char *e;

	memset(&tm, 0, sizeof(tm));
	if ((e = strptime(s, "%Y%m%dT%H%M%SZ", &tm)) == NULL ||
	    (*e != '\0' && *e != '-') || e - s != 16)
		return ((time_t)-1);
	return (timegm(&tm));
}

int
replaced_each(const char *path, replaced_fn *fn, void *cookie)
{
	char pre[512], *full;
	const char *base;
	struct dirent *de;
	struct stat sb;
	size_t plen;
	time_t t;
	DIR *d;
	int dfd, n = 0;

	if ((dfd = stage_open_parent(path, 0, &base)) == -1) {
		if (errno == ENOENT)
			return (0);
		log_fail(EX_IOERR, "%s: cannot open its directory without "
		    "following symlinks: %s", path, strerror(errno));
		return (-1);
	}
	if ((size_t)snprintf(pre, sizeof(pre), "%s.replaced-", base) >=
	    sizeof(pre) || (d = fdopendir(dfd)) == NULL) {
		close(dfd);
		return (0);
	}
	plen = strlen(pre);
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, pre, plen) != 0 ||
		    (t = stamp_time(de->d_name + plen)) == (time_t)-1 ||
		    fstatat(dirfd(d), de->d_name, &sb, AT_SYMLINK_NOFOLLOW) ||
		    !S_ISDIR(sb.st_mode))
			continue;
		if (asprintf(&full, "%.*s%s", (int)(base - path), path,
		    de->d_name) < 0)
			break;
		fn(cookie, full, t);
		free(full);
		n++;
	}
	closedir(d);
	return (n);
}
