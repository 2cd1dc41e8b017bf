#ifndef LOCK_H_
#define LOCK_H_

/*
 * The run lock: one sitevault run at a time per state directory (backup,
 * prune and restore change the server and the local state).  An fcntl()
 * write lock on "<state_dir>/lock", which holds the holder's pid as text.
 * The kernel drops the lock when the holder exits, however it exits, so a
 * stale lock file never blocks a later run.
 */
struct lock;

/**
 * lock_acquire(dir):
 * Create ${dir} (mode 0700) if it is missing, then take the lock in it
 * without waiting.  If another process holds it, log "lock held by pid N"
 * with class EX_TEMPFAIL and return NULL; other failures log EX_CANTCREAT.
 */
struct lock *lock_acquire(const char *);

/**
 * lock_release(l):
 * Release the lock and free ${l}; the lock file stays.  Does nothing if ${l}
 * is NULL.
 */
void lock_release(struct lock *);

#endif /* !LOCK_H_ */
