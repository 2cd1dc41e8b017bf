#include <pthread.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>

#include "util/log.h"

/* Set by the main thread before any worker starts; only read after. */
static const char *log_progname = "sitevault";
static int log_isquiet;
static int log_isverbose;
static int log_ismuted;

/* Each thread's own failure: see log_take() and log_adopt(). */
static _Thread_local int log_first_class;
static _Thread_local unsigned long log_first_seq, log_last_seq;
static _Thread_local char log_last_msg[LOG_ESCAPED_LEN(LOG_MSG_MAX)];
static _Thread_local char *log_capbuf;
static _Thread_local size_t log_caplen;

/* Orders failures across threads, so that "first" keeps its meaning. */
static unsigned long log_seq;

static pthread_once_t log_syslog_once = PTHREAD_ONCE_INIT;

const char *
log_escape(const char *s, char *buf, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *p = (const unsigned char *)s;
	char rep[9];
	size_t o = 0, n;

	if (len == 0)
		return (buf);
	for (; *p != '\0'; p += n) {
		n = 1;
		if (*p == '\n' || *p == '\t' || *p == '\r') {
			rep[0] = '\\';
			rep[1] = *p == '\n' ? 'n' : *p == '\t' ? 't' : 'r';
			rep[2] = '\0';
		} else if (*p < 0x20 || *p == 0x7f) {
			memcpy(rep, "\\x", 2);
			rep[2] = hex[*p >> 4];
			rep[3] = hex[*p & 0xf];
			rep[4] = '\0';
		} else if (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f) {
			/* A C1 control: 0x9b is CSI on some terminals. */
			memcpy(rep, "\\xc2\\x", 6);
			rep[6] = hex[p[1] >> 4];
			rep[7] = hex[p[1] & 0xf];
			rep[8] = '\0';
			n = 2;
		} else {
			rep[0] = (char)*p;
			rep[1] = '\0';
		}
		if (o + strlen(rep) >= len)
			break;
		memcpy(buf + o, rep, strlen(rep));
		o += strlen(rep);
	}
	buf[o] = '\0';
	return (buf);
}

static void log_line(const char *, const char *, va_list) LOG_PRINTF(2, 0);

/* Print "${prefix}${fmt...}" on stderr as one line, escaped. */
static void
log_line(const char *prefix, const char *fmt, va_list ap)
{
	char msg[LOG_MSG_MAX], esc[LOG_ESCAPED_LEN(LOG_MSG_MAX)];

	vsnprintf(msg, sizeof(msg), fmt, ap);
	fprintf(stderr, "%s%s\n", prefix, log_escape(msg, esc, sizeof(esc)));
}

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
	char msg[LOG_MSG_MAX], esc[LOG_ESCAPED_LEN(LOG_MSG_MAX)];

	unsigned long seq;

	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_escape(msg, esc, sizeof(esc));
	if (!log_ismuted)
		fprintf(stderr, "%s: %s\n", log_progname, esc);
	/* check and --json print the captured text: escaped too. */
	if (log_capbuf != NULL && log_caplen > 0)
		log_escape(msg, log_capbuf, log_caplen);
	seq = __atomic_add_fetch(&log_seq, 1, __ATOMIC_RELAXED);
	memcpy(log_last_msg, esc, sizeof(log_last_msg));
	log_last_seq = seq;
	if (log_first_class == 0) {
		log_first_class = cls;
		log_first_seq = seq;
	}
}

void
log_take(struct log_failure *f)
{

	f->cls = log_first_class;
	f->first = log_first_seq;
	f->last = log_last_seq;
	memcpy(f->msg, log_last_msg, sizeof(f->msg));
	log_first_class = 0;
	log_first_seq = log_last_seq = 0;
	log_last_msg[0] = '\0';
}

void
log_adopt(const struct log_failure *f)
{

	if (f->cls == 0)
		return;
	if (log_first_class == 0 || f->first < log_first_seq) {
		log_first_class = f->cls;
		log_first_seq = f->first;
	}
	if (f->last > log_last_seq) {
		log_last_seq = f->last;
		memcpy(log_last_msg, f->msg, sizeof(log_last_msg));
		/* Already escaped: copied as it is. */
		if (log_capbuf != NULL && log_caplen > 0)
			snprintf(log_capbuf, log_caplen, "%s", f->msg);
	}
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
	char prefix[128];
	va_list ap;

	snprintf(prefix, sizeof(prefix), "%s: warning: ", log_progname);
	va_start(ap, fmt);
	log_line(prefix, fmt, ap);
	va_end(ap);
}

void
log_info(const char *fmt, ...)
{
	va_list ap;

	if (log_isquiet)
		return;
	va_start(ap, fmt);
	log_line("", fmt, ap);
	va_end(ap);
}

void
log_debug(const char *fmt, ...)
{
	char prefix[128];
	va_list ap;

	if (!log_isverbose)
		return;
	snprintf(prefix, sizeof(prefix), "%s: ", log_progname);
	va_start(ap, fmt);
	log_line(prefix, fmt, ap);
	va_end(ap);
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

static void
open_syslog(void)
{

	openlog(log_progname, LOG_PID, LOG_DAEMON);
}

void
log_audit(int ok, const char *fmt, ...)
{
	va_list ap;

	(void)pthread_once(&log_syslog_once, open_syslog);
	va_start(ap, fmt);
	vsyslog(ok ? LOG_INFO : LOG_ERR, fmt, ap);
	va_end(ap);
}
