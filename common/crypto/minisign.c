/* minisign signatures with OpenSSL: see minisign.h and docs/FORMAT.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "crypto/minisign.h"
#include "util/b64.h"
#include "util/log.h"
#include "util/readfile.h"

#define SIG_LEN		64
#define HASH_LEN	64		/* BLAKE2b-512 */
#define ALG_LEN		2
#define SIGSTRUCT_LEN	(ALG_LEN + MINISIGN_KEYID_LEN + SIG_LEN)	/* 74 */
#define PUBSTRUCT_LEN	(ALG_LEN + MINISIGN_KEYID_LEN + MINISIGN_PK_LEN) /* 42 */

#define UNTRUSTED_PREFIX "untrusted comment: "
#define TRUSTED_PREFIX	"trusted comment: "
/* minisign's own limits (COMMENTMAXBYTES, TRUSTEDCOMMENTMAXBYTES). */
#define UNTRUSTED_MAX	(1024 - sizeof(UNTRUSTED_PREFIX))
#define TRUSTED_MAX	(8192 - sizeof(TRUSTED_PREFIX))
#define PUBFILE_MAX	8192

void
minisign_keyid_hex(const uint8_t keyid[MINISIGN_KEYID_LEN], char *out)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t i;

	/* minisign prints the id as a little-endian 64-bit number. */
	for (i = 0; i < MINISIGN_KEYID_LEN; i++) {
		out[2 * i] = hex[keyid[MINISIGN_KEYID_LEN - 1 - i] >> 4];
		out[2 * i + 1] = hex[keyid[MINISIGN_KEYID_LEN - 1 - i] & 15];
	}
	out[2 * MINISIGN_KEYID_LEN] = '\0';
}

size_t
minisign_b64_encode(const void *in, size_t len, char *out, size_t outlen)
{
	int n;

	n = b64_encode(in, len, B64_PAD, out, outlen);
	return (n < 0 ? 0 : (size_t)n);
}

int
minisign_b64_decode(const char *s, size_t slen, uint8_t *out, size_t outlen)
{
	size_t n;

	/* Strict: the canonical text of exactly ${outlen} bytes. */
	if (outlen == 0 || b64_decode(s, slen, B64_PAD, out, outlen, &n) ||
	    n != outlen)
		return (-1);
	return (0);
}

static int
ed_public(const uint8_t seed[MINISIGN_SEED_LEN], uint8_t pk[MINISIGN_PK_LEN])
{
	EVP_PKEY *key;
	size_t pklen = MINISIGN_PK_LEN;
	int rc = -1;

	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    MINISIGN_SEED_LEN)) == NULL)
		return (-1);
	if (EVP_PKEY_get_raw_public_key(key, pk, &pklen) == 1 &&
	    pklen == MINISIGN_PK_LEN)
		rc = 0;
	EVP_PKEY_free(key);
	return (rc);
}

/* Ed25519 is one-shot in OpenSSL 3.0: the message is small (a hash or
 * a signature and a comment), never a stream. */
static int
ed_sign(const uint8_t seed[MINISIGN_SEED_LEN], const void *msg, size_t len,
    uint8_t sig[SIG_LEN])
{
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = NULL;
	size_t siglen = SIG_LEN;
	int rc = -1;

	if ((key = EVP_PKEY_new_raw_private_key(EVP_PKEY_ED25519, NULL, seed,
	    MINISIGN_SEED_LEN)) == NULL)
		goto err0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto err1;
	if (EVP_DigestSignInit(ctx, NULL, NULL, NULL, key) != 1)
		goto err1;
	if (EVP_DigestSign(ctx, sig, &siglen, msg, len) != 1 ||
	    siglen != SIG_LEN)
		goto err1;
	rc = 0;
err1:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
err0:
	return (rc);
}

/* Return 1 if ${sig} verifies, 0 if not, -1 on an OpenSSL failure. */
static int
ed_verify(const uint8_t pk[MINISIGN_PK_LEN], const void *msg, size_t len,
    const uint8_t sig[SIG_LEN])
{
	EVP_PKEY *key;
	EVP_MD_CTX *ctx = NULL;
	int rc = -1;

	if ((key = EVP_PKEY_new_raw_public_key(EVP_PKEY_ED25519, NULL, pk,
	    MINISIGN_PK_LEN)) == NULL)
		goto err0;
	if ((ctx = EVP_MD_CTX_new()) == NULL)
		goto err1;
	if (EVP_DigestVerifyInit(ctx, NULL, NULL, NULL, key) != 1)
		goto err1;
	rc = (EVP_DigestVerify(ctx, sig, SIG_LEN, msg, len) == 1);
err1:
	EVP_MD_CTX_free(ctx);
	EVP_PKEY_free(key);
err0:
	return (rc);
}

static int
blake2b(const void *msg, size_t len, uint8_t out[HASH_LEN])
{
	unsigned int olen = 0;

	if (EVP_Digest(msg, len, out, &olen, EVP_blake2b512(), NULL) != 1 ||
	    olen != HASH_LEN)
		return (-1);
	return (0);
}

int
minisign_generate(struct minisign_sec *sec)
{

	if (RAND_bytes(sec->keyid, MINISIGN_KEYID_LEN) != 1 ||
	    RAND_priv_bytes(sec->seed, MINISIGN_SEED_LEN) != 1 ||
	    ed_public(sec->seed, sec->pk)) {
		OPENSSL_cleanse(sec, sizeof(*sec));
		log_fail(EX_SOFTWARE, "Ed25519 key generation failed");
		return (-1);
	}
	return (0);
}

int
minisign_sec_derive(struct minisign_sec *sec)
{

	if (ed_public(sec->seed, sec->pk)) {
		log_fail(EX_SOFTWARE, "Ed25519: cannot derive the public key");
		return (-1);
	}
	return (0);
}

void
minisign_sec_public(const struct minisign_sec *sec, struct minisign_pub *pub)
{

	memcpy(pub->keyid, sec->keyid, MINISIGN_KEYID_LEN);
	memcpy(pub->pk, sec->pk, MINISIGN_PK_LEN);
}

int
minisign_pub_encode(const struct minisign_pub *pub, char *out, size_t outlen)
{
	uint8_t raw[PUBSTRUCT_LEN];

	memcpy(raw, "Ed", ALG_LEN);
	memcpy(raw + ALG_LEN, pub->keyid, MINISIGN_KEYID_LEN);
	memcpy(raw + ALG_LEN + MINISIGN_KEYID_LEN, pub->pk, MINISIGN_PK_LEN);
	return (minisign_b64_encode(raw, sizeof(raw), out, outlen) == 0 ?
	    -1 : 0);
}

char *
minisign_pub_format(const struct minisign_pub *pub, const char *comment)
{
	char b64[B64_LEN(PUBSTRUCT_LEN) + 1];
	char *out;
	size_t len;

	if (strchr(comment, '\n') != NULL || strchr(comment, '\r') != NULL ||
	    strlen(comment) > UNTRUSTED_MAX) {
		log_fail(EX_SOFTWARE, "public key comment is not one short line");
		return (NULL);
	}
	if (minisign_pub_encode(pub, b64, sizeof(b64)))
		return (NULL);
	len = sizeof(UNTRUSTED_PREFIX) + strlen(comment) + sizeof(b64) + 2;
	if ((out = malloc(len)) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (NULL);
	}
	snprintf(out, len, UNTRUSTED_PREFIX "%s\n%s\n", comment, b64);
	return (out);
}

/* The line at ${*p} (up to ${end}) without its LF; advance past it.
 * Return the line length, or -1 if there is no LF before ${end}. */
static ssize_t
nextline(const char **p, const char *end, const char **line)
{
	const char *nl;

	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		return (-1);
	*line = *p;
	*p = nl + 1;
	return (nl - *line);
}

int
minisign_pub_parse(const char *name, const char *text, size_t len,
    struct minisign_pub *pub)
{
	uint8_t raw[PUBSTRUCT_LEN];
	const char *p = text, *end = text + len, *line;
	ssize_t ll;
	size_t l;

	if (memchr(text, '\0', len) != NULL) {
		log_fail(EX_DATAERR, "%s: not a minisign public key (NUL byte)",
		    name);
		return (-1);
	}
	/* minisign reads a comment line (which it does not check), then the
	 * key line, and ignores the rest: sitevault's FILE.pub puts the age
	 * recipient there.  A bare key line alone is also accepted. */
	if (len >= sizeof(UNTRUSTED_PREFIX) - 1 &&
	    memcmp(text, UNTRUSTED_PREFIX, sizeof(UNTRUSTED_PREFIX) - 1) == 0 &&
	    nextline(&p, end, &line) < 0) {
		log_fail(EX_DATAERR, "%s: line 1: no key line after the comment",
		    name);
		return (-1);
	}
	if ((ll = nextline(&p, end, &line)) < 0) {
		line = p;
		ll = end - p;
	}
	l = (size_t)ll;
	if (l > 0 && line[l - 1] == '\r')
		l--;
	if (minisign_b64_decode(line, l, raw, sizeof(raw)) ||
	    memcmp(raw, "Ed", ALG_LEN) != 0) {
		log_fail(EX_DATAERR, "%s: line %d: not a minisign Ed25519 public "
		    "key", name, line == text ? 1 : 2);
		return (-1);
	}
	memcpy(pub->keyid, raw + ALG_LEN, MINISIGN_KEYID_LEN);
	memcpy(pub->pk, raw + ALG_LEN + MINISIGN_KEYID_LEN, MINISIGN_PK_LEN);
	return (0);
}

int
minisign_pub_load(const char *path, struct minisign_pub *pub)
{
	char *buf;
	size_t len;
	int rc;

	if ((buf = readfile_load(path, PUBFILE_MAX, READFILE_ROOTSAFE,
	    "public key file", &len)) == NULL)
		return (-1);
	rc = minisign_pub_parse(path, buf, len, pub);
	readfile_free(buf, PUBFILE_MAX);
	return (rc);
}

static int
comment_ok(const char *c, size_t max)
{
	size_t i, len = strlen(c);

	if (len > max)
		return (0);
	for (i = 0; i < len; i++)
		if (c[i] == '\r' || c[i] == '\n')
			return (0);
	return (1);
}

int
minisign_sign(const struct minisign_sec *sec, const void *msg, size_t len,
    const char *untrusted, const char *trusted, char **out, size_t *outlen)
{
	uint8_t hash[HASH_LEN], sigstruct[SIGSTRUCT_LEN], gsig[SIG_LEN];
	uint8_t *sig = sigstruct + ALG_LEN + MINISIGN_KEYID_LEN;
	char b1[B64_LEN(SIGSTRUCT_LEN) + 1], b2[B64_LEN(SIG_LEN) + 1];
	uint8_t *gmsg = NULL;
	size_t tlen = strlen(trusted), olen;
	char *o;
	int n;

	*out = NULL;
	if (!comment_ok(untrusted, UNTRUSTED_MAX) ||
	    !comment_ok(trusted, TRUSTED_MAX)) {
		log_fail(EX_SOFTWARE, "signature comment is not one short line");
		goto err0;
	}
	memcpy(sigstruct, "ED", ALG_LEN);
	memcpy(sigstruct + ALG_LEN, sec->keyid, MINISIGN_KEYID_LEN);
	if (blake2b(msg, len, hash) || ed_sign(sec->seed, hash, HASH_LEN, sig))
		goto err1;
	/* The global signature binds the trusted comment to the signature. */
	if ((gmsg = malloc(SIG_LEN + tlen)) == NULL)
		goto err1;
	memcpy(gmsg, sig, SIG_LEN);
	memcpy(gmsg + SIG_LEN, trusted, tlen);
	if (ed_sign(sec->seed, gmsg, SIG_LEN + tlen, gsig))
		goto err1;
	if (minisign_b64_encode(sigstruct, sizeof(sigstruct), b1,
	    sizeof(b1)) == 0 ||
	    minisign_b64_encode(gsig, sizeof(gsig), b2, sizeof(b2)) == 0)
		goto err1;
	olen = sizeof(UNTRUSTED_PREFIX) + strlen(untrusted) + sizeof(b1) +
	    sizeof(TRUSTED_PREFIX) + tlen + sizeof(b2) + 1;
	if ((o = malloc(olen)) == NULL)
		goto err1;
	n = snprintf(o, olen, UNTRUSTED_PREFIX "%s\n%s\n" TRUSTED_PREFIX
	    "%s\n%s\n", untrusted, b1, trusted, b2);
	if (n < 0 || (size_t)n >= olen) {
		free(o);
		goto err1;
	}

	/* Success! */
	free(gmsg);
	*out = o;
	*outlen = (size_t)n;
	return (0);

err1:
	free(gmsg);
	log_fail(EX_SOFTWARE, "minisign: signing failed");
err0:
	/* Failure! */
	return (-1);
}

int
minisign_verify(const struct minisign_pub *pubs, size_t npub, const void *msg,
    size_t len, const char *sig, size_t siglen, char **trusted, size_t *which)
{

	return (minisign_verify_named("signature", pubs, npub, msg, len, sig,
	    siglen, trusted, which));
}

int
minisign_verify_named(const char *name, const struct minisign_pub *pubs,
    size_t npub, const void *msg, size_t len, const char *sig, size_t siglen,
    char **trusted, size_t *which)
{
	uint8_t hash[HASH_LEN], sigstruct[SIGSTRUCT_LEN], gsig[SIG_LEN];
	const uint8_t *keyid = sigstruct + ALG_LEN;
	const uint8_t *s = keyid + MINISIGN_KEYID_LEN;
	const char *p = sig, *end = sig + siglen, *l[4];
	ssize_t ll[4];
	uint8_t *gmsg = NULL;
	char hex[2 * MINISIGN_KEYID_LEN + 1];
	const char *tc;
	size_t i, tlen;
	int found = 0, v;

	/* Exactly the four LF-terminated lines minisign writes. */
	if (memchr(sig, '\0', siglen) != NULL || memchr(sig, '\r', siglen)) {
		log_fail(EX_DATAERR, "%s: not a minisign signature (NUL or CR)",
		    name);
		goto err0;
	}
	for (i = 0; i < 4; i++) {
		if ((ll[i] = nextline(&p, end, &l[i])) < 0) {
			log_fail(EX_DATAERR, "%s: line %zu: truncated signature",
			    name, i + 1);
			goto err0;
		}
	}
	if (p != end) {
		log_fail(EX_DATAERR, "%s: line 5: data after the signature", name);
		goto err0;
	}
	if ((size_t)ll[0] < sizeof(UNTRUSTED_PREFIX) - 1 ||
	    memcmp(l[0], UNTRUSTED_PREFIX, sizeof(UNTRUSTED_PREFIX) - 1) != 0) {
		log_fail(EX_DATAERR, "%s: line 1: no untrusted comment", name);
		goto err0;
	}
	if (minisign_b64_decode(l[1], (size_t)ll[1], sigstruct,
	    sizeof(sigstruct))) {
		log_fail(EX_DATAERR, "%s: line 2: not a minisign signature", name);
		goto err0;
	}
	/* Legacy "Ed" signatures sign the message itself; sitevault makes
	 * and accepts only prehashed ones (one algorithm, one code path). */
	if (memcmp(sigstruct, "ED", ALG_LEN) != 0) {
		log_fail(EX_DATAERR, "%s: line 2: %s", name,
		    memcmp(sigstruct, "Ed", ALG_LEN) == 0 ?
		    "legacy (not prehashed) minisign signature not accepted" :
		    "unknown signature algorithm");
		goto err0;
	}
	if ((size_t)ll[2] < sizeof(TRUSTED_PREFIX) - 1 ||
	    memcmp(l[2], TRUSTED_PREFIX, sizeof(TRUSTED_PREFIX) - 1) != 0) {
		log_fail(EX_DATAERR, "%s: line 3: no trusted comment", name);
		goto err0;
	}
	tc = l[2] + sizeof(TRUSTED_PREFIX) - 1;
	tlen = (size_t)ll[2] - (sizeof(TRUSTED_PREFIX) - 1);
	if (minisign_b64_decode(l[3], (size_t)ll[3], gsig, sizeof(gsig))) {
		log_fail(EX_DATAERR, "%s: line 4: not a minisign global signature",
		    name);
		goto err0;
	}
	if (blake2b(msg, len, hash) ||
	    (gmsg = malloc(SIG_LEN + tlen)) == NULL) {
		log_fail(EX_SOFTWARE, "%s: out of memory", name);
		goto err0;
	}
	memcpy(gmsg, s, SIG_LEN);
	memcpy(gmsg + SIG_LEN, tc, tlen);

	/* The key id only selects among the pinned keys. */
	minisign_keyid_hex(keyid, hex);
	for (i = 0; i < npub; i++) {
		if (memcmp(pubs[i].keyid, keyid, MINISIGN_KEYID_LEN) != 0)
			continue;
		found = 1;
		if ((v = ed_verify(pubs[i].pk, hash, HASH_LEN, s)) < 0)
			goto fail;
		if (v == 0)
			continue;
		if ((v = ed_verify(pubs[i].pk, gmsg, SIG_LEN + tlen, gsig)) < 0)
			goto fail;
		if (v == 0) {
			log_fail(EX_DATAERR, "%s: trusted comment signature by "
			    "key %s does not verify", name, hex);
			goto err1;
		}
		break;
	}
	if (i == npub) {
		if (found)
			log_fail(EX_DATAERR, "%s: signature by key %s does not "
			    "verify", name, hex);
		else
			log_fail(EX_DATAERR, "%s: signed by key %s, which is not "
			    "a trusted key", name, hex);
		goto err1;
	}
	if (trusted != NULL) {
		if ((*trusted = malloc(tlen + 1)) == NULL)
			goto fail;
		memcpy(*trusted, tc, tlen);
		(*trusted)[tlen] = '\0';
	}
	if (which != NULL)
		*which = i;

	/* Success! */
	free(gmsg);
	return (0);

fail:
	log_fail(EX_SOFTWARE, "%s: signature check failed (OpenSSL)", name);
err1:
	free(gmsg);
err0:
	/* Failure! */
	return (-1);
}
