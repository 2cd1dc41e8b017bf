#ifndef REPLAY_H_
#define REPLAY_H_

#include <stddef.h>
#include <stdint.h>

#include "crypto/age.h"
#include "run/restore.h"

struct manifest;
struct store;
struct transport;

/*
 * Restoring (or verifying) a backup that may be the end of a chain
 * (chain.h): the chain is verified as a whole before anything is written,
 * then replayed in order into one directory, so that it ends up holding
 * exactly the tree of the chosen backup, deletions included.
 */

struct replay_stats {
	struct unpack_stats st;		/* summed over the chain */
	size_t nbackups;		/* backups in the chain (1: a full one) */
};

/**
 * replay_restore(t, st, m, sks, nsk, root, hooks, rs):
 * Restore the backup of the verified manifest ${m} of site directory
 * ${st} under ${root}, or only verify it if ${root} is NULL.  A full
 * backup streams as restore_stream() does.  For an incremental one,
 * every backup of its chain (the full one, then each incremental in
 * order) is first verified completely: manifest, base link, file list,
 * every part and chunk and entry; then each is extracted in turn under
 * ${root}, after removing what its file list no longer holds (or holds
 * with another type), and finally directory times are set from the last
 * file list.  ${hooks} hear of the entries and progress of the
 * extraction.  Return 0, or -1 after logging the backup that failed.
 */
int replay_restore(struct transport *, struct store *,
    const struct manifest *, const uint8_t (*)[AGE_KEY_LEN], size_t,
    const char *, const struct restore_hooks *, struct replay_stats *);

#endif /* !REPLAY_H_ */
