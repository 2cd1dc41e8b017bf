#ifndef CHAIN_H_
#define CHAIN_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#include "crypto/age.h"

/*
 * Chains of backups (full_every > 1 in sitevault.conf(5)): a full backup,
 * then incremental ones whose archive holds only what changed since the
 * backup before, each carrying the complete file list of its moment as an
 * encrypted "filelist" object (docs/FORMAT.md).  This module decides
 * whether the next backup is full or incremental, writes and reads file
 * list objects, and finds the chain a backup belongs to.
 */

struct conf;
struct filelist;
struct keys;
struct manifest;
struct recipients;
struct state_cat;
struct store_backup;
struct transport;

#define CHAIN_WHY_MAX	256

struct chain_plan {
	int with_list;			/* write a file list (full_every > 1) */
	int incremental;		/* 1: store only what changed */
	uint64_t base_id;		/* when incremental */
	uint8_t base_sha256[SHA256_DIGEST_LENGTH];
	struct filelist *prev;		/* the base's list, when incremental */
	char why[CHAIN_WHY_MAX];	/* why a chain backup is full */
};

/**
 * chain_plan(t, c, k, r, site, category, b, n, sc, plan):
 * Decide how the next backup of ${category} is made, from the backups
 * ${b} of store_scan() and the local state ${sc}.  It is full when
 * full_every is 1, when the chain is as long as full_every, and when the
 * newest backup is missing or unusable as a base: its chain is broken, it
 * has no file list or one that cannot be read, or it was made with
 * another key, other recipients or another compression (${plan->why}
 * says which).  The base's file list comes from the local state, or from
 * the base's own signed file list when the state has none for it.
 * Return 0, or -1 after logging a local failure.
 */
int chain_plan(struct transport *, const struct conf *, const struct keys *,
    const struct recipients *, const char *, const char *,
    const struct store_backup *, size_t, const struct state_cat *,
    struct chain_plan *);

/**
 * chain_plan_free(plan):
 * Free what ${plan} holds.
 */
void chain_plan_free(struct chain_plan *);

/**
 * chain_list_seal(c, pks, npk, fl, out, outlen):
 * The "filelist" object of the list ${fl} (sorted first): its text
 * compressed as the configuration says, then encrypted to the ${npk}
 * recipients ${pks}, into the malloc'd ${*out} of ${*outlen} bytes.
 * Return 0 or -1 (logged).
 */
int chain_list_seal(const struct conf *, const uint8_t (*)[AGE_KEY_LEN],
    size_t, struct filelist *, uint8_t **, size_t *);

/**
 * chain_list_fetch(t, m, sks, nsk):
 * Download the file list of the verified manifest ${m}, check its size and
 * SHA-256 against the manifest, decrypt it with the identities ${sks} and
 * parse it.  Return the list, or NULL after logging.
 */
struct filelist *chain_list_fetch(struct transport *, const struct manifest *,
    const uint8_t (*)[AGE_KEY_LEN], size_t);

/**
 * chain_of(b, n, target, out, nout, broken):
 * Fill the malloc'd ${*out} with the ${*nout} backups of the chain ending
 * at the complete backup ${target} of ${b}, the full one first: each
 * incremental backup's base must be a complete backup of ${b} with the id
 * and manifest hash it names.  Return 0; 1 if a link is missing, with
 * ${*broken} the backup whose base is missing (nothing logged, nothing
 * allocated); or -1 after logging that memory ran out.
 */
int chain_of(const struct store_backup *, size_t,
    const struct store_backup *, const struct store_backup ***, size_t *,
    const struct store_backup **);

#endif /* !CHAIN_H_ */
