#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "crypto/age.h"
#include "util/log.h"
#include "util/safepath.h"
#include "crypto/recipients.h"

/* Add recipient ${s} unless it is there already. */
static int
add_recipient(const char *s, const uint8_t pk[AGE_KEY_LEN],
    struct recipients *r)
{
	uint8_t (*np)[AGE_KEY_LEN];
	char **ns;
	size_t i;

	for (i = 0; i < r->n; i++)
		if (memcmp(r->pks[i], pk, AGE_KEY_LEN) == 0)
			return (0);
	if ((np = reallocarray(r->pks, r->n + 1, sizeof(*np))) == NULL)
		goto oom;
	r->pks = np;
	if ((ns = reallocarray(r->strs, r->n + 1, sizeof(*ns))) == NULL)
		goto oom;
	r->strs = ns;
	if ((ns[r->n] = strdup(s)) == NULL)
		goto oom;
	memcpy(np[r->n], pk, AGE_KEY_LEN);
	r->n++;
	return (0);
oom:
	log_fail(EX_OSERR, "recipients: out of memory");
	return (-1);
}

/* Add every recipient of the file ${path}, one a line. */
static int
add_file(const char *path, struct recipients *r)
{
	uint8_t pk[AGE_KEY_LEN];
	char *line = NULL, *s, *e;
	size_t cap = 0;
	unsigned long lineno = 0;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "re")) == NULL) {
		log_fail(EX_CONFIG, "%s: cannot read recipients file: %s", path,
		    strerror(errno));
		return (-1);
	}
	if (safepath_file(fileno(f), path, "recipients file"))
		goto out;
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && (e[-1] == '\n' ||
		    e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (age_recipient_decode(s, pk)) {
			log_fail(EX_CONFIG, "%s: line %lu: not an age X25519 "
			    "recipient (age1...)", path, lineno);
			goto out;
		}
		if (add_recipient(s, pk, r))
			goto out;
	}
	if (ferror(f)) {
		log_fail(EX_CONFIG, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return (rc);
}

int
recipients_load(const uint8_t site_pk[AGE_KEY_LEN], char *const *list,
    const char *conf, struct recipients *r)
{
	char s[AGE_RECIPIENT_STRMAX];
	uint8_t pk[AGE_KEY_LEN];
	size_t i;

	memset(r, 0, sizeof(*r));
	if (age_recipient_encode(site_pk, s, sizeof(s))) {
		log_fail(EX_SOFTWARE, "site key: cannot encode its recipient");
		goto err0;
	}
	if (add_recipient(s, site_pk, r))
		goto err0;
	for (i = 0; list[i] != NULL; i++) {
		if (strncmp(list[i], "age1", 4) != 0) {
			if (add_file(list[i], r))
				goto err0;
			continue;
		}
		if (age_recipient_decode(list[i], pk)) {
			log_fail(EX_CONFIG, "%s: [keys] recipients: %s: not a "
			    "valid age X25519 recipient", conf, list[i]);
			goto err0;
		}
		if (add_recipient(list[i], pk, r))
			goto err0;
	}
	/* The signed manifest names every recipient; it has a limit. */
	if (r->n > RECIPIENTS_MAX) {
		log_fail(EX_CONFIG, "%s: [keys] recipients: %zu recipients with "
		    "the site key; a backup holds at most %d", conf, r->n,
		    RECIPIENTS_MAX);
		goto err0;
	}

	/* Success! */
	return (0);

err0:
	/* Failure! */
	recipients_free(r);
	return (-1);
}

void
recipients_free(struct recipients *r)
{
	size_t i;

	free(r->pks);
	for (i = 0; r->strs != NULL && i < r->n; i++)
		free(r->strs[i]);
	free(r->strs);
	memset(r, 0, sizeof(*r));
}
