#ifndef MCACHE_H_
#define MCACHE_H_

#include <stddef.h>
#include <stdint.h>

/*
 * A cache of signed manifests in the state directory, so that `status`,
 * `list` and `report` over a whole fleet do not download every manifest
 * of every site on each run.  A manifest is immutable once signed and ids
 * are never reused, so a backup directory's manifest can be kept:
 *
 *   <dir>/manifests/<Category>_<id>@<site>
 *       "sitevault-mcache 1 SHA256HEX MANIFEST_LEN SIG_LEN\n", then the
 *       signature text, then the manifest text.
 *
 * The cache never vouches for anything: the caller verifies what it gets
 * as if it had just downloaded it, against the keys trusted now.  An entry
 * whose hash does not match its text, or whose lengths differ from the
 * sizes the server lists, is a miss.  Only `list`, `status` and `report`
 * use it; `verify` and `restore` always download.
 */

struct mcache;

/**
 * mcache_open(state_dir):
 * The cache in ${state_dir}/manifests, created if missing.  Return NULL
 * after logging if it cannot be created (callers then run without it).
 */
struct mcache *mcache_open(const char *);

/**
 * mcache_get(mc, site, category, id, mlen, slen, text, tlen, sig, siglen):
 * Look up backup ${id} of ${category} of ${site}.  ${mlen} and ${slen} are
 * the manifest and signature sizes the listing shows (0: not shown, not
 * compared).  On a hit set the malloc'd ${*text} (NUL-terminated, ${*tlen}
 * bytes) and ${*sig} (${*siglen}) and return 1; return 0 on a miss.
 */
int mcache_get(struct mcache *, const char *, const char *, uint64_t,
    uint64_t, uint64_t, uint8_t **, size_t *, uint8_t **, size_t *);

/**
 * mcache_put(mc, site, category, id, text, tlen, sig, siglen):
 * Remember a manifest and its signature.  Failures are logged at debug
 * level only (a cache that cannot be written costs a download next time).
 */
void mcache_put(struct mcache *, const char *, const char *, uint64_t,
    const uint8_t *, size_t, const uint8_t *, size_t);

/**
 * mcache_prune(mc, site, names, n):
 * Remove the entries of ${site} whose backup directory is not among the
 * ${n} names ${names} ("<Category>_<id>"): retention removed them.
 */
void mcache_prune(struct mcache *, const char *, const char *const *, size_t);

/**
 * mcache_hits(mc):
 * How many lookups were served from the cache so far (for -v).
 */
size_t mcache_hits(const struct mcache *);

/**
 * mcache_free(mc):
 * Free ${mc}.  Does nothing if ${mc} is NULL.
 */
void mcache_free(struct mcache *);

#endif /* !MCACHE_H_ */
