/* Chains of incremental backups: see chain.h and docs/FORMAT.md. */
#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "archive/blob.h"
#include "conf/conf.h"
#include "conf/conf_value.h"
#include "crypto/keys.h"
#include "crypto/recipients.h"
#include "format/filelist.h"
#include "format/manifest.h"
#include "run/chain.h"
#include "store/state.h"
#include "store/store.h"
#include "transport/transport.h"
#include "util/buf.h"
#include "util/log.h"

/* The sealed list is compressed: a tenth of the text is a generous cap. */
#define SEALED_MAX	((size_t)FILELIST_MAX)

/* The age writer's and reader's output, into a struct buf. */
static int
gbuf_out(void *cookie, const void *p, size_t len)
{
	struct buf *g = cookie;

	if (buf_append(g, p, len)) {
		log_fail(errno == EFBIG ? EX_DATAERR : EX_OSERR, "file list: %s",
		    errno == EFBIG ? "too large" : "out of memory");
		return (-1);
	}
	return (0);
}

/* The compressor's output: into the age writer. */
static int
age_out(void *cookie, const void *p, size_t len)
{

	if (age_writer_write(cookie, p, len)) {
		log_fail(EX_SOFTWARE, "file list: encryption failed");
		return (-1);
	}
	return (0);
}

int
chain_list_seal(const struct conf *c, const uint8_t (*pks)[AGE_KEY_LEN],
    size_t npk, struct filelist *fl, uint8_t **out, size_t *outlen)
{
	struct buf g = BUF_INIT(SEALED_MAX);
	struct age_writer *w = NULL;
	struct blob_writer *z = NULL;

	/* Text, compressed, encrypted: piece by piece, never all the text. */
	if ((w = age_writer_new(pks, npk, gbuf_out, &g)) == NULL) {
		log_fail(EX_SOFTWARE, "file list: encryption failed");
		goto err;
	}
	if ((z = blob_writer_new(c->backup_compression,
	    c->backup_compression_level, age_out, w)) == NULL ||
	    filelist_write(fl, blob_writer_write, z) || blob_writer_finish(z))
		goto err;
	if (age_writer_finish(w)) {
		log_fail(EX_SOFTWARE, "file list: encryption failed");
		goto err;
	}
	blob_writer_free(z);
	age_writer_free(w);
	*outlen = g.len;
	if ((*out = buf_take(&g)) == NULL) {
		log_fail(EX_OSERR, "file list: out of memory");
		return (-1);
	}
	return (0);

err:
	blob_writer_free(z);
	age_writer_free(w);
	buf_free(&g);
	return (-1);
}

struct filelist *
chain_list_fetch(struct transport *t, const struct manifest *m,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk)
{
	struct buf g = BUF_INIT(SEALED_MAX);
	struct age_reader *r = NULL;
	struct filelist *fl = NULL;
	struct filelist_parser *ps = NULL;
	enum conf_compression comp;
	uint8_t *buf = NULL, sha[SHA256_DIGEST_LENGTH];
	char path[512];
	const char *why;
	size_t len;
	int level;

	snprintf(path, sizeof(path), "%s/%s_%" PRIu64 "/filelist", m->site,
	    m->category, m->id);
	if (!m->has_filelist) {
		log_fail(EX_DATAERR, "%s: the manifest names no file list",
		    path);
		return (NULL);
	}
	if (m->filelist_size > SEALED_MAX ||
	    transport_get_buf(t, path, (size_t)m->filelist_size, &buf, &len))
		goto out;
	/* Check what the signed manifest says before decrypting a byte. */
	if (len != m->filelist_size || EVP_Digest(buf, len, sha, NULL,
	    EVP_sha256(), NULL) != 1 || CRYPTO_memcmp(sha, m->filelist_sha256,
	    SHA256_DIGEST_LENGTH) != 0) {
		log_fail(EX_DATAERR, "%s: size or SHA-256 differs from the "
		    "signed manifest", path);
		goto out;
	}
	if ((r = age_reader_new(sks, nsk, gbuf_out, &g)) == NULL)
		goto out;
	if (age_reader_write(r, buf, len) || age_reader_finish(r)) {
		log_fail(EX_DATAERR, "%s: %s", path,
		    age_strerror(age_reader_error(r)));
		goto out;
	}
	free(buf);
	buf = NULL;
	if (conf_value_compression(m->compression, &comp, &level, &why)) {
		log_fail(EX_DATAERR, "%s: compression %s: %s", path,
		    m->compression, why);
		goto out;
	}
	/* Parsed as it is decompressed: the text is never held whole. */
	if ((ps = filelist_parser_new(path)) == NULL ||
	    blob_decompress(path, comp, g.p, g.len, filelist_parser_feed, ps))
		goto out;
	fl = filelist_parser_finish(ps);
	ps = NULL;
out:
	filelist_parser_free(ps);
	age_reader_free(r);
	buf_free(&g);
	free(buf);
	return (fl);
}

static const struct store_backup *
find_base(const struct store_backup *b, size_t n, const struct manifest *m)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].status == STORE_COMPLETE && b[i].m != NULL &&
		    strcmp(b[i].category, m->category) == 0 &&
		    b[i].id == m->base_id &&
		    memcmp(b[i].sha256, m->base_sha256, SHA256_DIGEST_LENGTH) == 0)
			return (&b[i]);
	return (NULL);
}

int
chain_of(const struct store_backup *b, size_t n,
    const struct store_backup *target, const struct store_backup ***out,
    size_t *nout, const struct store_backup **broken)
{
	const struct store_backup **v = NULL, **nv, *cur;
	size_t k = 0, i;
	int rc = -1;

	for (cur = target; cur != NULL; ) {
		if ((nv = reallocarray(v, k + 1, sizeof(*v))) == NULL) {
			log_fail(EX_OSERR, "chain: out of memory");
			goto err;
		}
		v = nv;
		v[k++] = cur;
		if (!cur->m->has_base)
			break;
		if (find_base(b, n, cur->m) == NULL) {
			*broken = cur;
			rc = 1;
			goto err;
		}
		cur = find_base(b, n, cur->m);
	}
	/* Oldest (the full backup) first. */
	for (i = 0; i < k / 2; i++) {
		cur = v[i];
		v[i] = v[k - 1 - i];
		v[k - 1 - i] = cur;
	}
	*out = v;
	*nout = k;
	return (0);

err:
	free(v);
	return (rc);
}

static void LOG_PRINTF(2, 3)
full_because(struct chain_plan *plan, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(plan->why, sizeof(plan->why), fmt, ap);
	va_end(ap);
}

/*
 * Can the newest backup ${nb} be a base?  Return 1, or 0 with plan->why
 * saying why not, or -1 after logging.
 */
static int
usable_base(const struct conf *c, const struct recipients *r,
    const struct store_backup *b, size_t n, const struct store_backup *nb,
    struct chain_plan *plan)
{
	const struct store_backup **v = NULL, *broken;
	const struct manifest *m = nb->m;
	char comp[CONF_COMPRESSION_STRMAX];
	size_t k, i;
	int rc;

	if (!m->has_filelist) {
		full_because(plan, "%s_%" PRIu64 " has no file list",
		    nb->category, nb->id);
		return (0);
	}
	conf_value_compression_format(c->backup_compression,
	    c->backup_compression_level, comp);
	if (strcmp(m->compression, comp) != 0) {
		full_because(plan, "compression changed from %s to %s",
		    m->compression, comp);
		return (0);
	}
	/* The site key's recipient comes first: this also sees a new key. */
	for (i = 0; i < r->n && i < m->nrecipients; i++)
		if (strcmp(r->strs[i], m->recipients[i]) != 0)
			break;
	if (i != r->n || i != m->nrecipients) {
		full_because(plan, "%s changed since %s_%" PRIu64, i == 0 ?
		    "the site key" : "the recipients", nb->category, nb->id);
		return (0);
	}
	if ((rc = chain_of(b, n, nb, &v, &k, &broken)) != 0) {
		if (rc < 0)
			return (-1);
		full_because(plan, "the chain of %s_%" PRIu64 " is broken (the "
		    "base of %s_%" PRIu64 " is missing or does not verify)",
		    nb->category, nb->id, broken->category, broken->id);
		return (0);
	}
	free(v);
	if (k >= c->backup_full_every) {
		full_because(plan, "the chain has %zu backups (full_every = "
		    "%u)", k, c->backup_full_every);
		return (0);
	}
	return (1);
}

/* The base's file list: the local one if it belongs to ${nb}, else its own. */
static struct filelist *
base_list(struct transport *t, const struct conf *c, const struct keys *k,
    const char *site, const struct store_backup *nb)
{
	struct filelist *fl = NULL;
	uint8_t sha[SHA256_DIGEST_LENGTH];
	uint64_t id;
	char *text, name[512];
	size_t len;

	if (state_list_get(c->state_dir, site, nb->category, &id, sha, &text,
	    &len))
		return (NULL);
	if (text != NULL && id == nb->id && memcmp(sha, nb->sha256,
	    SHA256_DIGEST_LENGTH) == 0) {
		snprintf(name, sizeof(name), "%s/files.%s.%s", c->state_dir,
		    site, nb->category);
		fl = filelist_parse(name, text, len);
	}
	free(text);
	if (fl != NULL)
		return (fl);
	log_info("%s_%" PRIu64 ": no local file list of it; reading its "
	    "signed one from the server", nb->category, nb->id);
	return (chain_list_fetch(t, nb->m,
	    (const uint8_t (*)[AGE_KEY_LEN])&k->age_sk, 1));
}

int
chain_plan(struct transport *t, const struct conf *c, const struct keys *k,
    const struct recipients *r, const char *site, const char *category,
    const struct store_backup *b, size_t n, const struct state_cat *sc,
    struct chain_plan *plan)
{
	const struct store_backup *nb;
	size_t i;
	int rc;

	memset(plan, 0, sizeof(*plan));
	if (c->backup_full_every <= 1)
		return (0);
	plan->with_list = 1;
	nb = store_newest(b, n, category);
	/* A newer backup that does not verify: another key, or tampering. */
	for (i = n; i-- > 0; )
		if (strcmp(b[i].category, category) == 0 &&
		    (nb == NULL || b[i].id > nb->id) &&
		    (b[i].status == STORE_BADSIG ||
		    b[i].status == STORE_UNVERIFIED)) {
			full_because(plan, "%s_%" PRIu64 " does not verify with "
			    "the site key (a new key?)", category, b[i].id);
			return (0);
		}
	if (nb == NULL) {
		full_because(plan, "no earlier backup of %s", category);
		return (0);
	}
	if (sc->id > nb->id) {
		full_because(plan, "the local state remembers %s_%" PRIu64
		    ", newer than any on the server", category, sc->id);
		return (0);
	}
	if ((rc = usable_base(c, r, b, n, nb, plan)) != 1)
		return (rc < 0 ? -1 : 0);
	if ((plan->prev = base_list(t, c, k, site, nb)) == NULL) {
		full_because(plan, "the file list of %s_%" PRIu64 " cannot be "
		    "read", category, nb->id);
		return (0);
	}
	plan->incremental = 1;
	plan->base_id = nb->id;
	memcpy(plan->base_sha256, nb->sha256, SHA256_DIGEST_LENGTH);
	return (0);
}

void
chain_plan_free(struct chain_plan *plan)
{

	filelist_free(plan->prev);
	plan->prev = NULL;
}
