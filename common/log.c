#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "log.h"

static const char *log_progname = "sitevault";
static int log_isquiet;
static int log_isverbose;
static int log_ismuted;
static int log_first_class;
static char *log_capbuf;
static size_t log_caplen;
static int log_syslog_open;

void
log_init(const char *progname, int quiet, int verbose)
{

	if (progname != NULL)
		log_progname = progname;
	log_isquiet = quiet;
	log_isverbose = verbose;
	log_first_class = 0;
}

void
log_failv(int cls, const char *fmt, va_list ap)
{
	char msg[2048];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (!log_ismuted)
		fprintf(stderr, "%s: %s\n", log_progname, msg);
	if (log_capbuf != NULL && log_caplen > 0)
		snprintf(log_capbuf, log_caplen, "%s", msg);
	if (log_first_class == 0)
		log_first_class = cls;
}

void
log_fail(int cls, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	log_failv(cls, fmt, ap);
	va_end(ap);
}

void
log_warn(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: warning: ", log_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_isquiet)
		return;
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

void
log_debug(const char *fmt, ...)
{
	va_list ap;

	if (!log_isverbose)
		return;
	fprintf(stderr, "%s: ", log_progname);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
log_quiet(void)
{

	return (log_isquiet);
}

int
log_class(void)
{

	return (log_first_class);
}

void
log_reset(void)
{

	log_first_class = 0;
}

void
log_capture(char *buf, size_t len)
{

	log_capbuf = buf;
	log_caplen = len;
	if (buf != NULL && len > 0)
		buf[0] = '\0';
}

void
log_mute(int on)
{

	log_ismuted = on;
}

void
log_audit(int ok, const char *fmt, ...)
{
	va_list ap;

	if (!log_syslog_open) {
		openlog(log_progname, LOG_PID, LOG_DAEMON);
		log_syslog_open = 1;
	}
	va_start(ap, fmt);
	vsyslog(ok ? LOG_INFO : LOG_ERR, fmt, ap);
	va_end(ap);
}
