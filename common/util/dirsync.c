#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "util/dirsync.h"
#include "util/path.h"

int
dirsync_dir(const char *dir)
{
	int fd, rc, e;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1)
		return (-1);
	rc = fsync(fd);
	e = errno;
	if (close(fd) == -1 && rc == 0)
		return (-1);
	errno = e;
	return (rc);
}

int
dirsync_parent(const char *path)
{
	char dir[PATH_BUF];
	const char *slash;
	size_t n;

	if ((slash = strrchr(path, '/')) == NULL)
		return (dirsync_dir("."));
	/* "/name": the root directory. */
	n = slash == path ? 1 : (size_t)(slash - path);
	if (n >= sizeof(dir)) {
		errno = ENAMETOOLONG;
		return (-1);
	}
	memcpy(dir, path, n);
	dir[n] = '\0';
	return (dirsync_dir(dir));
}
