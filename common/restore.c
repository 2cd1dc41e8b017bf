#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/evp.h>

#include "fetch.h"
#include "log.h"
#include "manifest.h"
#include "restore.h"
#include "transport.h"
#include "unpack.h"

struct manifest *
restore_load_manifest(struct transport *t, const char *site,
    const char *category, uint64_t id, const struct minisign_pub *pubs,
    size_t npub, uint8_t hash[32])
{
	struct manifest *m;
	char dir[512], mpath[600], spath[600];
	uint8_t *text = NULL, *sig = NULL;
	size_t tlen, slen;
	unsigned int hlen = 32;

	snprintf(dir, sizeof(dir), "%s/%s_%llu", site, category,
	    (unsigned long long)id);
	snprintf(mpath, sizeof(mpath), "%s/manifest", dir);
	snprintf(spath, sizeof(spath), "%s/manifest.sig", dir);

	if (transport_get_buf(t, mpath, MANIFEST_MAX, &text, &tlen))
		goto err0;
	if (transport_get_buf(t, spath, MANIFEST_SIG_MAX, &sig, &slen))
		goto err1;
	if ((m = manifest_verify(pubs, npub, mpath, (const char *)text, tlen,
	    (const char *)sig, slen)) == NULL)
		goto err2;

	/*
	 * A valid signature only proves who wrote the manifest; it must also
	 * describe the backup the directory claims to hold, else a manifest
	 * of another site, category or id could be planted here.
	 */
	if (strcmp(m->site, site) != 0) {
		log_fail(EX_DATAERR, "%s: signed for site %s, not %s: refusing "
		    "a backup of another site", mpath, m->site, site);
		goto err3;
	}
	if (strcmp(m->category, category) != 0 || m->id != id) {
		log_fail(EX_DATAERR, "%s: signed for %s_%llu, not %s_%llu",
		    mpath, m->category, (unsigned long long)m->id, category,
		    (unsigned long long)id);
		goto err3;
	}
	if (hash != NULL &&
	    EVP_Digest(text, tlen, hash, &hlen, EVP_sha256(), NULL) != 1) {
		log_fail(EX_SOFTWARE, "SHA-256 failed");
		goto err3;
	}

	/* Success! */
	free(sig);
	free(text);
	return (m);

err3:
	manifest_free(m);
err2:
	free(sig);
err1:
	free(text);
err0:
	/* Failure! */
	return (NULL);
}

int
restore_stream(struct transport *t, const struct manifest *m,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk, const char *root,
    unpack_entry_fn *each, void *cookie, struct unpack_stats *st)
{
	struct fetch *f;
	char dir[512];

	snprintf(dir, sizeof(dir), "%s/%s_%llu", m->site, m->category,
	    (unsigned long long)m->id);
	memset(st, 0, sizeof(*st));
	if ((f = fetch_new(t, dir, m, sks, nsk, NULL, NULL)) == NULL)
		goto err0;
	if (unpack_run(root, fetch_read, f, m->archive_bytes, each, cookie,
	    st))
		goto err1;
	/* Every part and the end of the age stream must verify, too. */
	if (fetch_drain(f))
		goto err1;
	if (st->files != m->files || st->bytes != m->bytes) {
		log_fail(EX_DATAERR, "%s: archive holds %llu files, %llu bytes; "
		    "the signed manifest says %llu files, %llu bytes", dir,
		    (unsigned long long)st->files,
		    (unsigned long long)st->bytes,
		    (unsigned long long)m->files,
		    (unsigned long long)m->bytes);
		goto err1;
	}

	/* Success! */
	fetch_free(f);
	return (0);

err1:
	fetch_free(f);
err0:
	/* Failure! */
	return (-1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y ? -1 : x > y);
}

int
restore_ids(struct transport *t, const char *site, const char *category,
    uint64_t **ids, size_t *n)
{
	struct transport_entry *ents = NULL;
	size_t nents = 0, i, clen = strlen(category);
	const char *p;
	char *end;
	uint64_t id;

	*ids = NULL;
	*n = 0;
	if (transport_list(t, site, &ents, &nents) < 0)
		return (-1);
	if (nents > 0 && (*ids = calloc(nents, sizeof(**ids))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		transport_entries_free(ents, nents);
		return (-1);
	}
	for (i = 0; i < nents; i++) {
		if (!ents[i].is_dir || strncmp(ents[i].name, category, clen) ||
		    ents[i].name[clen] != '_')
			continue;
		/* Decimal, no sign, no leading zero: one spelling per id. */
		p = ents[i].name + clen + 1;
		if (*p < '1' || *p > '9')
			continue;
		id = strtoull(p, &end, 10);
		if (*end != '\0' || id == UINT64_MAX)
			continue;
		(*ids)[(*n)++] = id;
	}
	transport_entries_free(ents, nents);
	qsort(*ids, *n, sizeof(**ids), cmp_u64);
	return (0);
}

struct manifest *
restore_latest(struct transport *t, const char *site, const char *category,
    const struct minisign_pub *pubs, size_t npub, uint8_t hash[32])
{
	struct manifest *m = NULL;
	uint64_t *ids;
	size_t n, i;
	char path[600];
	int ex;

	if (restore_ids(t, site, category, &ids, &n))
		return (NULL);
	for (i = n; i > 0; i--) {
		snprintf(path, sizeof(path), "%s/%s_%llu/manifest", site,
		    category, (unsigned long long)ids[i - 1]);
		if ((ex = transport_exists(t, path)) < 0)
			goto done;
		if (ex == 0)
			continue;	/* unfinished: invisible */
		m = restore_load_manifest(t, site, category, ids[i - 1], pubs,
		    npub, hash);
		goto done;
	}
	log_fail(EX_NOINPUT, "%s: no complete %s backup on %s", site, category,
	    transport_describe(t));
done:
	free(ids);
	return (m);
}
