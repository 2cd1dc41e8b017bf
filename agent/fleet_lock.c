#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include "fleet_lock.h"
#include "store/store.h"
#include "transport/transport.h"
#include "util/log.h"

/*
 * Mute the log around a query of object lock: a refusal becomes a warning
 * in lock_end(), not an error printed first.
 */
static void
lock_begin(struct log_failure *prev, char *msg, size_t len)
{

	log_take(prev);
	log_capture(msg, len);
	log_mute(1);
}

/*
 * After lock_begin() and a query that ${failed}: a refusal (EX_NOPERM) is
 * one warning per ${fl} and ends the queries; any other failure is logged
 * now, once, as it was muted.  Return 0 or -1.
 */
static int
lock_end(struct fleet_lock *fl, const struct log_failure *prev, int failed,
    const char *msg, const char *what)
{
	struct log_failure f;

	log_mute(0);
	log_capture(NULL, 0);
	log_take(&f);
	log_adopt(prev);
	if (!failed)
		return (0);
	if (f.cls != EX_NOPERM) {
		if (f.cls != 0)
			log_fail(f.cls, "%s", msg);
		return (-1);
	}
	if (!fl->warned)
		log_warn("%s: %s refused: %s; immutable-until dates are not "
		    "shown", transport_describe(fl->t), what, msg);
	fl->warned = 1;
	fl->on = 0;
	return (0);
}

int
fleet_lock_open(struct transport *t, struct fleet_lock *fl)
{
	char msg[LOG_ESCAPED_LEN(LOG_MSG_MAX)];
	struct log_failure prev;
	enum transport_lock ls;
	int rc;

	memset(fl, 0, sizeof(*fl));
	fl->t = t;
	lock_begin(&prev, msg, sizeof(msg));
	rc = transport_lock_state(t, &ls);
	if (lock_end(fl, &prev, rc != 0, msg, "reading the object lock "
	    "configuration"))
		return (-1);
	/* Retention dates are asked for only where the bucket can lock. */
	fl->on = rc == 0 && ls == TRANSPORT_LOCK_ON;
	return (0);
}

int
fleet_lock_until(struct fleet_lock *fl, struct store *st,
    const char *category, uint64_t id, int64_t now, int64_t *until)
{
	char msg[LOG_ESCAPED_LEN(LOG_MSG_MAX)];
	struct log_failure prev;
	int64_t u;
	int rc;

	*until = 0;
	if (!fl->on)
		return (0);
	lock_begin(&prev, msg, sizeof(msg));
	rc = store_locked_until(st, category, id, &u);
	if (lock_end(fl, &prev, rc == -1, msg, "reading the retention of "
	    "a backup"))
		return (-1);
	if (rc == 1 && u > now)
		*until = u;
	return (0);
}
