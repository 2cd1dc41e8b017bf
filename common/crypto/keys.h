#ifndef KEYS_H_
#define KEYS_H_

#include <stdint.h>

#include "crypto/age.h"
#include "crypto/minisign.h"

/*
 * The site key: an X25519 age identity (encryption) and an Ed25519 minisign
 * key (signing), in one secret key file that stock `age -d -i FILE` accepts,
 * and its public file FILE.pub (the age1... recipient and the minisign
 * public key).  The file format is in docs/FORMAT.md.
 */
/* Where `sitevault keygen` writes without --out or a configuration. */
#define KEYS_DEFAULT_PATH "/etc/sitevault/site.key"

struct keys {
	uint8_t age_sk[AGE_KEY_LEN];
	uint8_t age_pk[AGE_KEY_LEN];
	struct minisign_sec sign;
};

/* The public half, as read from FILE.pub (or derived from a secret key). */
struct keys_pub {
	uint8_t age_pk[AGE_KEY_LEN];
	struct minisign_pub sign;
};

/**
 * keys_generate(void):
 * Return a new site key, or NULL.
 */
struct keys *keys_generate(void);

/**
 * keys_write(k, path):
 * Write the secret key file ${path} (O_EXCL, mode 0600) and ${path}.pub.
 * Never overwrites: if either exists, log and return -1 with class
 * EX_CANTCREAT; nothing is left behind on failure.
 */
int keys_write(const struct keys *, const char *);

/**
 * keys_load(path):
 * Read the secret key file ${path}.  Refuse (EX_NOPERM) a file not owned by
 * the user or readable or writable by group or others; EX_NOINPUT if it is
 * missing; EX_DATAERR if malformed.  Return NULL after logging.
 */
struct keys *keys_load(const char *);

/**
 * keys_public(k, pub):
 * Fill ${pub} with the public half of ${k}.
 */
void keys_public(const struct keys *, struct keys_pub *);

/**
 * keys_pub_load(path, pub):
 * Read a public key file written by keys_write(): both halves.  Return 0 or
 * -1 after logging.
 */
int keys_pub_load(const char *, struct keys_pub *);

/**
 * keys_identity_file_load(path, sks, nsk):
 * Read an age identity file (e.g. from stock age-keygen; '#' comments and
 * empty lines ignored) and append its X25519 identities to ${*sks}
 * (realloc'd), counting them in ${*nsk}.  Used for escrow identities.
 * Return 0 or -1 after logging.
 */
int keys_identity_file_load(const char *, uint8_t (**)[AGE_KEY_LEN], size_t *);

/**
 * keys_free(k):
 * Wipe and free ${k}.  Does nothing if ${k} is NULL.
 */
void keys_free(struct keys *);

#endif /* !KEYS_H_ */
