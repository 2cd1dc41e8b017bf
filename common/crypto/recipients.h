#ifndef RECIPIENTS_H_
#define RECIPIENTS_H_

#include <stddef.h>
#include <stdint.h>

#include "crypto/age.h"

/*
 * The age recipients of a backup: the site key first, then every entry of
 * [keys] recipients, an "age1..." string or a file of them (one a line,
 * '#' comments and empty lines ignored, as stock age -R reads them).
 */

#define RECIPIENTS_MAX	256	/* age recipients of one backup, all named in
				   its signed manifest */

struct recipients {
	uint8_t (*pks)[AGE_KEY_LEN];	/* X25519 public keys */
	char **strs;			/* their age1... strings */
	size_t n;
};

/**
 * recipients_load(site_pk, list, conf, r):
 * Fill ${r} with ${site_pk} and the recipients of the NULL-terminated
 * ${list} ([keys] recipients of the configuration file ${conf}), in order,
 * without duplicates; more than a manifest holds
 * (RECIPIENTS_MAX) is refused here, before any upload.  Return
 * 0, or -1 after logging (EX_CONFIG naming ${conf} and the entry, or the
 * recipients file and line).
 */
int recipients_load(const uint8_t[AGE_KEY_LEN], char *const *, const char *,
    struct recipients *);

/**
 * recipients_free(r):
 * Free what recipients_load() put in ${r} (not ${r}); ${r} zeroed is fine.
 */
void recipients_free(struct recipients *);

#endif /* !RECIPIENTS_H_ */
