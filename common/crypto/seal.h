#ifndef SEAL_H_
#define SEAL_H_

#include <stddef.h>
#include <stdint.h>

#include "crypto/age.h"

struct conf;

/*
 * The sealed FTP password of `credentials = hidden:...` (sitevault.conf(5),
 * docs/FORMAT.md section 2.4): useless without the site key.  The sealing key is
 * HKDF-SHA-256(ikm = the site's X25519 secret key, salt = none,
 * info = SEAL_INFO); the value is "hidden:" and the padded base64 of
 * version (1 byte, 1) || nonce (12 random bytes) || ChaCha20-Poly1305
 * ciphertext of the password || tag (16 bytes), with the version byte as
 * associated data.
 */

#define SEAL_PREFIX	"hidden:"
#define SEAL_INFO	"sitevault credentials v1"
#define SEAL_MAXPASS	1024	/* longest password accepted, in bytes */

/**
 * seal_password(sk, password):
 * Seal ${password} (1 to SEAL_MAXPASS bytes, no NUL, CR or LF) with the key
 * derived from the X25519 secret key ${sk}.  Return the malloc'd
 * "hidden:..." value, or NULL after logging.
 */
char *seal_password(const uint8_t[AGE_KEY_LEN], const char *);

/**
 * seal_open(sk, value, name, password):
 * Open the sealed ${value}; ${name} says where it came from in messages
 * (e.g. "FILE:LINE: server.credentials").  Set ${*password} to the
 * malloc'd password, to be released with seal_free().  A malformed value or
 * one sealed with another key logs with class EX_CONFIG.  Return 0 or -1.
 */
int seal_open(const uint8_t[AGE_KEY_LEN], const char *, const char *, char **);

/**
 * seal_conf_password(c, password):
 * The FTP password of the configuration ${c}: load the site key
 * ${c->keys_secret} and open ${c->server_credentials}.  For a local store
 * set ${*password} to NULL.  Missing credentials for an FTP URL log with
 * class EX_CONFIG.  Return 0 or -1 after logging.
 */
int seal_conf_password(const struct conf *, char **);

/**
 * seal_free(password):
 * Wipe and free ${password}.  Does nothing if ${password} is NULL.
 */
void seal_free(char *);

#endif /* !SEAL_H_ */
