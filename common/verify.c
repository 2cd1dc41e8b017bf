#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "age.h"
#include "log.h"
#include "manifest.h"
#include "transport.h"
#include "verify.h"

/* age output: the decrypted stream, only counted here. */
static int
count_plain(void *cookie, const void *buf, size_t len)
{
	struct verify_result *res = cookie;

	(void)buf;
	res->plain += len;
	return (0);
}

/* Fetch and verify the manifest of ${dir}; NULL after logging. */
static struct manifest *
load_manifest(struct transport *t, const char *dir, const char *site,
    const char *category, uint64_t id, const struct minisign_pub *pubs,
    size_t npub)
{
	struct manifest *m = NULL;
	uint8_t *text = NULL, *sig = NULL;
	size_t tlen, slen;
	char path[512], spath[512];

	snprintf(path, sizeof(path), "%s/manifest", dir);
	snprintf(spath, sizeof(spath), "%s/manifest.sig", dir);
	if (transport_get_buf(t, path, MANIFEST_MAX, &text, &tlen) ||
	    transport_get_buf(t, spath, MANIFEST_SIG_MAX, &sig, &slen))
		goto out;
	if ((m = manifest_verify(pubs, npub, path, (char *)text, tlen,
	    (char *)sig, slen)) == NULL)
		goto out;
	if (strcmp(m->site, site) != 0 || strcmp(m->category, category) != 0 ||
	    m->id != id) {
		log_fail(EX_DATAERR, "%s: signed for site %s, %s_%" PRIu64
		    ", not this place: refused", path, m->site, m->category,
		    m->id);
		manifest_free(m);
		m = NULL;
	}
out:
	free(sig);
	free(text);
	return (m);
}

int
verify_backup(struct transport *t, const char *site, const char *category,
    uint64_t id, const struct minisign_pub *pubs, size_t npub,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk, struct verify_result *res)
{
	struct manifest *m;
	struct age_reader *r;
	uint8_t *buf, sha[32];
	size_t len, i;
	char dir[256], path[320];

	memset(res, 0, sizeof(*res));
	snprintf(dir, sizeof(dir), "%s/%s_%" PRIu64, site, category, id);
	if ((m = load_manifest(t, dir, site, category, id, pubs, npub)) == NULL)
		goto err0;
	if ((r = age_reader_new(sks, nsk, count_plain, res)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", dir);
		goto err1;
	}
	for (i = 0; i < m->nparts; i++) {
		snprintf(path, sizeof(path), "%s/part.%06zu", dir, i);
		/* One byte over the signed size tells "too long" apart. */
		if (transport_get_buf(t, path, (size_t)m->parts[i].size + 1,
		    &buf, &len))
			goto err2;
		/* The hash first: unsigned bytes never reach the decryptor. */
		EVP_Digest(buf, len, sha, NULL, EVP_sha256(), NULL);
		if (len != m->parts[i].size ||
		    CRYPTO_memcmp(sha, m->parts[i].sha256, 32) != 0) {
			log_fail(EX_DATAERR, "%s: does not match the signed "
			    "manifest (%zu bytes, %s)", path, len,
			    len != m->parts[i].size ? "size differs" :
			    "SHA-256 differs");
			free(buf);
			goto err2;
		}
		res->stored += len;
		if (age_reader_write(r, buf, len)) {
			free(buf);
			goto bad_age;
		}
		free(buf);
		res->nparts++;
	}
	if (age_reader_finish(r))
		goto bad_age;

	/* Success! */
	age_reader_free(r);
	manifest_free(m);
	return (0);

bad_age:
	log_fail(EX_DATAERR, "%s: encrypted stream rejected at chunk %" PRIu64
	    ": %s", dir, age_reader_chunk(r),
	    age_strerror(age_reader_error(r)));
err2:
	age_reader_free(r);
err1:
	manifest_free(m);
err0:
	/* Failure! */
	return (-1);
}
