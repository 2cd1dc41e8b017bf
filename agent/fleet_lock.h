#ifndef FLEET_LOCK_H_
#define FLEET_LOCK_H_

#include <stdint.h>

struct store;
struct transport;

/*
 * Object lock as status and list show it (sitevault(8), STATUS and LIST):
 * a key that may list the backups but not read the bucket's lock
 * configuration or a backup's retention loses the dates, not the listing.
 * The queries mute the log and use log_capture(): not for a caller that
 * holds a capture buffer.
 */
struct fleet_lock {
	struct transport *t;
	int on;			/* ask for retention dates */
	int warned;		/* a refusal was reported */
};

/**
 * fleet_lock_open(t, fl):
 * Whether the bucket behind ${t} has object lock, into ${fl}.  A refusal
 * (EX_NOPERM) is one warning naming the bucket and the server's reply, and
 * no date is asked for (${fl->on} 0).  Return 0, or -1 after logging any
 * other failure once.
 */
int fleet_lock_open(struct transport *, struct fleet_lock *);

/**
 * fleet_lock_until(fl, st, category, id, now, until):
 * Until when the backup ${category}_${id} of ${st} is immutable into
 * ${*until}, or 0 if not after ${now}, not known, or ${fl->on} is 0.  A
 * refusal is a warning as in fleet_lock_open(), given once per ${fl}, and
 * no date is asked for after it.  Return 0, or -1 after logging.
 */
int fleet_lock_until(struct fleet_lock *, struct store *, const char *,
    uint64_t, int64_t, int64_t *);

#endif /* !FLEET_LOCK_H_ */
