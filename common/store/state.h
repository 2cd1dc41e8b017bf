#ifndef STATE_H_
#define STATE_H_

#include <stdint.h>

#include <openssl/sha.h>

/*
 * The local state in the state directory ([state] dir), which the server
 * cannot roll back:
 *
 *   <dir>/state        per site and category, the newest backup id this
 *                      machine wrote and the SHA-256 of its manifest text,
 *                      one line each: "SITE CATEGORY ID SHA256HEX"
 *                      ('#' comments); rewritten atomically (temporary
 *                      file, fsync, rename, fsync of the directory).
 *                      CATEGORY "<Category>.issued" holds the highest id
 *                      issued to a backup of that category, finished or
 *                      not (hash all zeros), so that no id comes back.
 *   <dir>/history.log  the local history: one line per operation in the
 *                      format of history.h, appended.
 *   <dir>/lock         the run lock (lock.h).
 *   <dir>/manifests/   the cache of signed manifests (mcache.h).
 *   <dir>/files.SITE.CATEGORY
 *                      the file list (filelist.h) of the newest backup of
 *                      a chain this machine wrote, after one line
 *                      "# sitevault file list: SITE CATEGORY ID SHA256HEX"
 *                      naming that backup and its manifest's hash; written
 *                      like the state.  Incremental backups compare the
 *                      tree with it.
 */

/* What the state remembers of one site and category. */
struct state_list_w;

struct state_cat {
	uint64_t id;		/* high-water id; 0 if none */
	uint8_t sha256[SHA256_DIGEST_LENGTH];	/* SHA-256 of that backup's manifest text */
};

/**
 * state_dir_make(dir):
 * Create ${dir} and missing parents, mode 0700.  An existing directory is
 * success.  Return 0, or -1 after logging (EX_CANTCREAT).
 */
int state_dir_make(const char *);

/**
 * state_get(dir, site, category, out):
 * Fill ${out} with what the state in ${dir} records for ${site} and
 * ${category}; a missing file or entry gives id 0.  Return 0, or -1 after
 * logging (EX_IOERR for a read error, EX_DATAERR for a malformed line,
 * naming the file and line).
 */
int state_get(const char *, const char *, const char *, struct state_cat *);

/**
 * state_set(dir, site, category, id, sha256):
 * Record ${id} and ${sha256} for ${site} and ${category} in ${dir}, unless
 * the state already holds a higher id (the high-water mark never goes
 * down).  The file is replaced atomically.  Return 0, or -1 after logging
 * (EX_IOERR / EX_CANTCREAT).  A line the parser would refuse is never
 * written: an id of 0 or above STORE_ID_MAX, or a name with a space or a
 * control character, is refused (EX_SOFTWARE) with the file unchanged.
 */
int state_set(const char *, const char *, const char *, uint64_t,
    const uint8_t[SHA256_DIGEST_LENGTH]);

/**
 * state_issue(dir, site, category, id):
 * Record that ${id} was issued to a backup of ${site} and ${category},
 * before anything of it is uploaded.  Return 0, or -1 after logging.
 */
int state_issue(const char *, const char *, const char *, uint64_t);

/**
 * state_issued(dir, site, category, id):
 * The highest id issued for ${site} and ${category} into ${*id} (0 if
 * none).  Return 0, or -1 after logging as state_get().
 */
int state_issued(const char *, const char *, const char *, uint64_t *);

/**
 * state_check(fd, path, dir):
 * When running as root, refuse (EX_NOPERM) the file ${path} open on ${fd}
 * in the state directory ${dir} if root should not trust it, or the
 * directory (util/safepath.h).  Return 0, or -1 after logging.
 */
int state_check(int, const char *, const char *);

/**
 * state_own(fd, path, dir):
 * As state_check(), then give the file the owner of ${dir}: a restore run
 * by root must not leave files the service user (who owns the directory)
 * can no longer write.  A failed chown is not an error (the file stays
 * private).  Does nothing when not root.  Return 0, or -1 after logging.
 */
int state_own(int, const char *, const char *);

/**
 * state_chown(fd, dir):
 * When running as root, give the file open on ${fd} the owner of ${dir},
 * with no check (for caches below the state directory, whose entries are
 * verified on use).  Failures are ignored (the file stays private).
 */
void state_chown(int, const char *);

/**
 * state_history_append(dir, line):
 * Append ${line} (without newline; see history_format()) and a newline to
 * ${dir}/history.log in one write.  Return 0, or -1 after logging
 * (EX_IOERR / EX_CANTCREAT).
 */
int state_history_append(const char *, const char *);

/**
 * state_list_put(dir, site, category, id, sha256, text, len):
 * Record the file list ${text} of backup ${id} of ${category} (manifest
 * hash ${sha256}) for the next incremental backup, replacing the one
 * before, atomically (state_list_open(), state_list_write() and
 * state_list_commit() in one).  Return 0, or -1 after logging.
 */
int state_list_put(const char *, const char *, const char *, uint64_t,
    const uint8_t[SHA256_DIGEST_LENGTH], const char *, size_t);

/**
 * state_list_open(dir, site, category, id, sha256):
 * Start recording, piece by piece with state_list_write(), the file list
 * of backup ${id} of ${category} (manifest hash ${sha256}); the list
 * before stays until state_list_commit().  Return NULL after logging.
 */
struct state_list_w *state_list_open(const char *, const char *,
    const char *, uint64_t, const uint8_t[SHA256_DIGEST_LENGTH]);

/**
 * state_list_write(w, buf, len):
 * Append ${len} bytes of list text to the state_list_w ${w} (a void
 * pointer, so that it fits an output callback).  Return 0 or -1 (logged).
 */
int state_list_write(void *, const void *, size_t);

/**
 * state_list_commit(w):
 * Put the list written to ${w} in place of the one before, atomically and
 * durably, and free ${w}.  Return 0, or -1 after logging (the list before
 * stays).
 */
int state_list_commit(struct state_list_w *);

/**
 * state_list_free(w):
 * Abandon ${w} without touching the list before.  Does nothing if ${w} is
 * NULL.
 */
void state_list_free(struct state_list_w *);

/**
 * state_list_get(dir, site, category, id, sha256, text, len):
 * Read the file list recorded for ${site} and ${category}: set ${*text}
 * (malloc'd, NUL-terminated, ${*len} bytes without its header line) and
 * the backup it belongs to, or ${*text} NULL when there is none (missing,
 * or a header that does not parse: logged as a warning).  Return 0, or -1
 * after logging a read error.
 */
int state_list_get(const char *, const char *, const char *, uint64_t *,
    uint8_t[SHA256_DIGEST_LENGTH], char **, size_t *);

/**
 * state_list_drop(dir, site, category):
 * Remove the recorded file list of ${site} and ${category} (a full backup
 * without one, full_every = 1, makes it stale).  Errors are ignored.
 */
void state_list_drop(const char *, const char *, const char *);

#endif /* !STATE_H_ */
