#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "store/lock.h"
#include "util/log.h"
#include "store/state.h"

struct lock {
	int fd;
	char *path;
};

/* The pid of the holder: from the kernel, else from the file's text. */
static long
holder_pid(int fd)
{
	struct flock fl;
	char buf[32];
	ssize_t n;
	char *end;
	long pid;

	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(fd, F_GETLK, &fl) == 0 && fl.l_type != F_UNLCK &&
	    fl.l_pid > 0)
		return ((long)fl.l_pid);
	if ((n = pread(fd, buf, sizeof(buf) - 1, 0)) <= 0)
		return (-1);
	buf[n] = '\0';
	errno = 0;
	pid = strtol(buf, &end, 10);
	if (errno != 0 || end == buf || pid <= 0)
		return (-1);
	return (pid);
}

struct lock *
lock_acquire(const char *dir)
{
	struct lock *l;
	struct flock fl;
	char pidtext[32];
	int len;
	long pid;

	if (state_dir_make(dir))
		goto err0;
	if ((l = calloc(1, sizeof(*l))) == NULL) {
		log_fail(EX_OSERR, "lock: out of memory");
		goto err0;
	}
	l->fd = -1;
	if (asprintf(&l->path, "%s/lock", dir) < 0) {
		l->path = NULL;
		log_fail(EX_OSERR, "lock: out of memory");
		goto err1;
	}
	if ((l->fd = open(l->path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW,
	    0600)) == -1) {
		log_fail(EX_CANTCREAT, "%s: cannot open lock file: %s",
		    l->path, strerror(errno));
		goto err1;
	}
	if (state_own(l->fd, l->path, dir))
		goto err1;
	memset(&fl, 0, sizeof(fl));
	fl.l_type = F_WRLCK;
	fl.l_whence = SEEK_SET;
	if (fcntl(l->fd, F_SETLK, &fl) == -1) {
		if (errno != EACCES && errno != EAGAIN) {
			log_fail(EX_CANTCREAT, "%s: cannot lock: %s", l->path,
			    strerror(errno));
			goto err1;
		}
		if ((pid = holder_pid(l->fd)) > 0)
			log_fail(EX_TEMPFAIL, "%s: lock held by pid %ld: "
			    "another sitevault run is in progress", l->path,
			    pid);
		else
			log_fail(EX_TEMPFAIL, "%s: lock held by another "
			    "sitevault run", l->path);
		goto err1;
	}

	/* Ours: record our pid for the next run's message. */
	len = snprintf(pidtext, sizeof(pidtext), "%ld\n", (long)getpid());
	if (ftruncate(l->fd, 0) == -1 ||
	    pwrite(l->fd, pidtext, (size_t)len, 0) != len) {
		log_fail(EX_IOERR, "%s: cannot write pid: %s", l->path,
		    strerror(errno));
		goto err1;
	}

	/* Success! */
	return (l);

err1:
	lock_release(l);
err0:
	/* Failure! */
	return (NULL);
}

void
lock_release(struct lock *l)
{

	if (l == NULL)
		return;
	/* Closing drops the fcntl lock; the file stays for the next run. */
	if (l->fd != -1)
		close(l->fd);
	free(l->path);
	free(l);
}
