#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/conf.h"
#include "conf/conf_sources.h"
#include "util/log.h"

/* The path ${p} of key ${key}: there, and open for reading (a directory
 * also searchable, so that its files can be reached). */
static int
check_one(const struct conf *c, const char *key, const char *p)
{
	struct stat st;
	int fd;

	if (stat(p, &st) == -1) {
		log_fail(errno == ENOENT || errno == ENOTDIR ? EX_CONFIG :
		    errno == EACCES ? EX_NOPERM : EX_IOERR,
		    "%s: backup.%s: %s: %s (fix the path, or remove it)",
		    c->path, key, p, strerror(errno));
		return (-1);
	}
	/* O_NONBLOCK: a FIFO or device is not waited on; pack decides what
	 * it keeps of it. */
	if (S_ISDIR(st.st_mode) || S_ISREG(st.st_mode)) {
		if ((fd = open(p, O_RDONLY | O_NONBLOCK | O_NOCTTY |
		    O_CLOEXEC)) == -1 || (S_ISDIR(st.st_mode) &&
		    faccessat(AT_FDCWD, p, X_OK, AT_EACCESS) == -1)) {
			log_fail(EX_NOPERM, "%s: backup.%s: %s: cannot read "
			    "it: %s", c->path, key, p, strerror(errno));
			if (fd != -1)
				close(fd);
			return (-1);
		}
		close(fd);
	}
	return (0);
}

int
conf_sources_check(const struct conf *c, int data, int configuration,
    size_t *n)
{
	size_t i;

	*n = 0;
	for (i = 0; configuration && c->backup_configuration[i] != NULL; i++,
	    (*n)++)
		if (check_one(c, "configuration", c->backup_configuration[i]))
			return (-1);
	for (i = 0; data && c->backup_data[i] != NULL; i++, (*n)++)
		if (check_one(c, "data", c->backup_data[i]))
			return (-1);
	return (0);
}
