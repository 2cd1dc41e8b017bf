#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "util/log.h"
#include "util/readfile.h"
#include "util/safepath.h"

/* What ${mode} is, for "not a regular file" messages. */
static const char *
kind(mode_t mode)
{

	if (S_ISDIR(mode))
		return ("a directory");
	if (S_ISFIFO(mode))
		return ("a FIFO");
	if (S_ISCHR(mode) || S_ISBLK(mode))
		return ("a device");
	if (S_ISSOCK(mode))
		return ("a socket");
	return ("a special file");
}

/* The class to report: ${cls}, unless the caller fixed one in ${flags}. */
#define CLS(cls)	((flags >> 8) != 0 ? (flags >> 8) : (cls))

char *
readfile_load(const char *path, size_t max, int flags, const char *what,
    size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t n;
	int fd;

	/* O_NONBLOCK: a FIFO in its place fails below, it is not waited on
	 * (reads of a regular file do not block anyway). */
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK)) ==
	    -1) {
		if (errno == ENOENT && (flags & READFILE_MISSING_OK)) {
			if ((buf = calloc(1, max + 1)) == NULL)
				log_fail(CLS(EX_OSERR), "out of memory");
			*len = 0;
			return (buf);
		}
		log_fail(CLS(errno == ENOENT ? EX_NOINPUT : errno == EACCES ?
		    EX_NOPERM : EX_IOERR), "%s: %s", path, strerror(errno));
		return (NULL);
	}
	/* Check the file opened, not the name: no race with a rename. */
	if (fstat(fd, &st) == -1) {
		log_fail(CLS(EX_IOERR), "%s: %s", path, strerror(errno));
		goto err;
	}
	if (!S_ISREG(st.st_mode)) {
		log_fail(CLS(EX_DATAERR), "%s: not a regular file (%s)", path,
		    kind(st.st_mode));
		goto err;
	}
	/*
	 * Owned by us, or by root: only root can change a root-owned file,
	 * so it is as safe, and it lets the service (which reads it with
	 * CAP_DAC_READ_SEARCH) and root's hand restores share one key.
	 */
	if ((flags & READFILE_PRIVATE) && st.st_uid != geteuid() &&
	    st.st_uid != 0) {
		log_fail(CLS(EX_NOPERM), "%s: unsafe %s: owned by uid %lu, "
		    "not by uid %lu or root", path, what, (unsigned long)st.st_uid,
		    (unsigned long)geteuid());
		goto err;
	}
	if ((flags & READFILE_PRIVATE) && (st.st_mode & 077) != 0) {
		log_fail(CLS(EX_NOPERM), "%s: unsafe %s: mode %04o allows "
		    "group or others (chmod 600 it, and make a new key if others may "
		    "have read it)", path, what,
		    (unsigned int)(st.st_mode & 07777));
		goto err;
	}
	if ((flags & READFILE_ROOTSAFE) && safepath_file(fd, path, what))
		goto err;
	if ((buf = malloc(max + 1)) == NULL) {
		log_fail(CLS(EX_OSERR), "out of memory");
		goto err;
	}
	*len = 0;
	while ((n = read(fd, buf + *len, max + 1 - *len)) > 0)
		if ((*len += (size_t)n) > max)
			break;
	if (n < 0) {
		log_fail(CLS(EX_IOERR), "%s: %s", path, strerror(errno));
		goto err;
	}
	if (*len > max) {
		log_fail(CLS(EX_DATAERR), "%s: larger than %zu bytes: not a %s",
		    path, max, what);
		goto err;
	}
	buf[*len] = '\0';

	/* Success! */
	close(fd);
	return (buf);

err:
	readfile_free(buf, max);
	close(fd);
	return (NULL);
}

void
readfile_free(char *buf, size_t max)
{

	if (buf == NULL)
		return;
	OPENSSL_cleanse(buf, max + 1);
	free(buf);
}

char *
readfile_line(char **cursor)
{
	char *line = *cursor, *nl;

	if (*line == '\0')
		return (NULL);
	if ((nl = strchr(line, '\n')) != NULL) {
		*nl = '\0';
		*cursor = nl + 1;
	} else
		*cursor = line + strlen(line);
	return (line);
}
