#ifndef UNIT_H_
#define UNIT_H_

/*
 * Helpers shared by the cmocka unit tests: the last logged failure, and
 * texts derived from a vector.  They fail the running test (fail_msg) on
 * what they check.
 */

/**
 * unit_capture(void):
 * Forget the last failure (log_reset) and capture the next messages in the
 * buffer unit_log() returns.
 */
void unit_capture(void);

/**
 * unit_log(void):
 * The message captured since unit_capture(), "" if none.
 */
const char *unit_log(void);

/**
 * unit_failed(cls, what):
 * The last failure was logged with class ${cls} (a sysexits code) and its
 * message contains ${what}; otherwise fail the test.
 */
void unit_failed(int, const char *);

/**
 * unit_replace(s, from, to):
 * Return ${s} with its first ${from} replaced by ${to} (malloc'd); fail the
 * test if ${s} holds no ${from}.
 */
char *unit_replace(const char *, const char *, const char *);

#endif /* !UNIT_H_ */
