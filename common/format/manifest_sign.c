/*
 * Signing and verifying backup manifests (see manifest.h): the minisign
 * envelope around the text manifest.c formats and parses, kept apart so the
 * parser stays free of key handling.  The trusted comment binds the
 * signature to the site, category, id and time of the manifest.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/log.h"
#include "format/manifest.h"
#include "format/manifest_fields.h"

/* Longest trusted comment: "sitevault site=... category=... id=... time=...". */
#define TC_MAX		256

int
manifest_trusted_comment(const struct manifest *m, char *out, size_t outlen)
{
	char t[21];
	int n;

	if (manifest_fields_time_format(m->time, t))
		return (-1);
	n = snprintf(out, outlen, "sitevault site=%s category=%s id=%llu "
	    "time=%s", m->site, m->category, (unsigned long long)m->id, t);
	return (n < 0 || (size_t)n >= outlen ? -1 : 0);
}

int
manifest_sign(const struct minisign_sec *sec, const struct manifest *m,
    const char *text, size_t len, char **sig, size_t *siglen)
{
	char tc[TC_MAX], kid[2 * MINISIGN_KEYID_LEN + 1], uc[64];
	char *canon;
	size_t clen;
	int rc = -1;

	/* Sign only what restore will accept: the canonical text of ${m},
	 * naming this key as the signer. */
	if ((canon = manifest_format(m, &clen)) == NULL)
		return (-1);
	if (clen != len || memcmp(canon, text, len) != 0) {
		log_fail(EX_SOFTWARE, "manifest: text does not match its "
		    "fields");
		goto done;
	}
	minisign_keyid_hex(sec->keyid, kid);
	if (memcmp(m->keyid, sec->keyid, MINISIGN_KEYID_LEN) != 0) {
		log_fail(EX_SOFTWARE, "manifest: signer is not key %s", kid);
		goto done;
	}
	if (manifest_trusted_comment(m, tc, sizeof(tc))) {
		log_fail(EX_SOFTWARE, "manifest: trusted comment too long");
		goto done;
	}
	snprintf(uc, sizeof(uc), "signature from sitevault key %s", kid);
	rc = minisign_sign(sec, text, len, uc, tc, sig, siglen);
done:
	free(canon);
	return (rc);
}

struct manifest *
manifest_verify(const struct minisign_pub *pubs, size_t npub,
    const char *name, const char *text, size_t len, const char *sig,
    size_t siglen)
{
	struct manifest *m = NULL;
	char signame[512], *trusted = NULL, tc[TC_MAX];
	char kid[2 * MINISIGN_KEYID_LEN + 1];
	size_t which;

	snprintf(signame, sizeof(signame), "%s.sig", name);
	if (len > MANIFEST_MAX || siglen > MANIFEST_SIG_MAX) {
		log_fail(EX_DATAERR, "%s: too large", len > MANIFEST_MAX ?
		    name : signame);
		goto err;
	}
	/* Authenticate first: the parser only sees signed text. */
	if (minisign_verify_named(signame, pubs, npub, text, len, sig, siglen,
	    &trusted, &which))
		goto err;
	if ((m = manifest_parse(name, text, len)) == NULL)
		goto err;
	if (manifest_trusted_comment(m, tc, sizeof(tc)) ||
	    strcmp(tc, trusted) != 0) {
		log_fail(EX_DATAERR, "%s: trusted comment \"%s\" does not match "
		    "the manifest", signame, trusted);
		goto err;
	}
	if (memcmp(m->keyid, pubs[which].keyid, MINISIGN_KEYID_LEN) != 0) {
		minisign_keyid_hex(pubs[which].keyid, kid);
		log_fail(EX_DATAERR, "%s: signed by key %s, not by the signer "
		    "the manifest names", signame, kid);
		goto err;
	}

	/* Success! */
	free(trusted);
	return (m);

err:
	/* Failure! */
	manifest_free(m);
	free(trusted);
	return (NULL);
}
