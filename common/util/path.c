#include <stdarg.h>
#include <stdio.h>
#include <sysexits.h>

#include "util/log.h"
#include "util/path.h"

static int
path_vfmt(char buf[PATH_BUF], const char *fmt, va_list ap)
{
	int n;

	n = vsnprintf(buf, PATH_BUF, fmt, ap);
	if (n < 0 || n >= PATH_BUF) {
		/* Name the path by its start: that is what a reader knows. */
		log_fail(EX_DATAERR, "%.64s...: path longer than %d bytes",
		    n < 0 ? "" : buf, PATH_BUF - 1);
		buf[0] = '\0';
		return (-1);
	}
	return (0);
}

int
path_fmt(char buf[PATH_BUF], const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = path_vfmt(buf, fmt, ap);
	va_end(ap);
	return (rc);
}

int
path_join(char buf[PATH_BUF], const char *dir, const char *name)
{

	return (path_fmt(buf, "%s/%s", dir, name));
}
