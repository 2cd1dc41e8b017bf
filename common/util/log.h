#ifndef LOG_H_
#define LOG_H_

/*
 * Diagnostics for the whole program.  The library (common/) reports each
 * failure once, where it is found, with log_fail(); the agent reads back the
 * class of the first failure to choose its exit code.  Classes are the
 * sysexits.h codes of the exit status table in sitevault(8) (EX_DATAERR,
 * EX_NOINPUT, EX_UNAVAILABLE, EX_CANTCREAT, EX_IOERR, EX_TEMPFAIL,
 * EX_NOPERM, EX_CONFIG, ...).
 *
 * The failure class and the captured message belong to the thread that
 * logged them: a worker thread hands its failure to the thread that waits
 * for it with log_take() and log_adopt(), so that no state is shared
 * without a lock.  log_init(), log_mute() and log_capture() are for the
 * main thread, before or between its worker threads.
 */

#include <stdarg.h>
#include <stddef.h>

#define LOG_PRINTF(a, b) __attribute__((format(printf, a, b)))

/**
 * log_init(progname, quiet, verbose):
 * Set the name in front of every message, and the verbosity: ${quiet}
 * silences everything but errors, ${verbose} enables log_debug().
 */
void log_init(const char *, int, int);

/*
 * Every message is printed with its control characters escaped (see
 * log_escape()): file names in it may hold any byte, and must not forge
 * lines or drive the terminal.
 */

/**
 * log_fail(cls, fmt, ...):
 * Print "progname: <message>" on stderr and remember ${cls} as the failure
 * class if no failure was recorded yet.  The message names the file, line,
 * server reply or backup id involved.
 */
void log_fail(int, const char *, ...) LOG_PRINTF(2, 3);

/**
 * log_failv(cls, fmt, ap):
 * As log_fail(), with a va_list.
 */
void log_failv(int, const char *, va_list) LOG_PRINTF(2, 0);

/**
 * log_warn(fmt, ...):
 * Print a warning "progname: warning: <message>" on stderr; not silenced by
 * -q, since cron should mail it.  Does not record a failure class.
 */
void log_warn(const char *, ...) LOG_PRINTF(1, 2);

/**
 * log_info(fmt, ...):
 * Print an informational line on stderr unless quiet.
 */
void log_info(const char *, ...) LOG_PRINTF(1, 2);

/**
 * log_debug(fmt, ...):
 * Print a line on stderr only with -v.
 */
void log_debug(const char *, ...) LOG_PRINTF(1, 2);

/**
 * log_class(void):
 * Return the class of the first failure recorded since log_init() or
 * log_reset(), or 0 if none.
 */
int log_class(void);

/**
 * log_reset(void):
 * Forget the recorded failure class (the agent does this between
 * independent steps, e.g. the lines of `sitevault check`).
 */
void log_reset(void);

/**
 * log_capture(buf, len):
 * While ${buf} is not NULL, also copy the text of the most recent
 * log_fail() message of this thread (without the program name) into
 * ${buf} of ${len} bytes.  Used by `check` and JSON output to report the
 * reason of a failed step.
 */
void log_capture(char *, size_t);

#define LOG_MSG_MAX	2048

/* Room for log_escape() of a string of ${n} bytes. */
#define LOG_ESCAPED_LEN(n)	(4 * (n) + 1)

/* A failure handed from a worker thread to the thread waiting for it. */
struct log_failure {
	int cls;			/* 0: none */
	unsigned long first;		/* order of its first and last */
	unsigned long last;		/* messages among all threads' */
	char msg[LOG_ESCAPED_LEN(LOG_MSG_MAX)];	/* the last, escaped */
};

/**
 * log_take(f):
 * Move this thread's failure class and last message into ${f}, and forget
 * them here (a worker thread does this before it signals its end).
 */
void log_take(struct log_failure *);

/**
 * log_adopt(f):
 * Record the failure ${f} in this thread as if it had been logged here
 * (without printing it again): its class, if it came first, and its
 * message for log_capture(), if it is the most recent.  Does nothing if
 * ${f} holds no failure.
 */
void log_adopt(const struct log_failure *);

/**
 * log_escape(s, buf, len):
 * Copy the string ${s} into ${buf} of ${len} bytes with the characters that
 * could forge lines or drive a terminal escaped: "\n", "\t", "\r", and
 * "\xHH" for the other bytes below 0x20, for 0x7f and for the C1 controls
 * (U+0080 to U+009F, "\xc2\xHH").  A longer result is cut before the
 * escape or byte that does not fit.  Return ${buf}.
 */
const char *log_escape(const char *, char *, size_t);

/**
 * log_mute(on):
 * While ${on} is non-zero, log_fail() records the class and the captured
 * text but prints nothing: for `check`, which shows each failure once, in
 * its own result line.
 */
void log_mute(int);

/**
 * log_audit(ok, fmt, ...):
 * Send an audit event to syslog (facility LOG_DAEMON): success at LOG_INFO,
 * failure at LOG_ERR.  Never contains a secret.
 */
void log_audit(int, const char *, ...) LOG_PRINTF(2, 3);

#endif /* !LOG_H_ */
