/*
 * The C2SP CCTV age test vectors against common/age: every vector in
 * $SITEVAULT_SHARED/testvectors/age-cctv (default $top_srcdir/../shared)
 * whose identities are all X25519 and which is not armored is decrypted,
 * whole and in odd-sized pieces, and must fail or succeed as the vector
 * says, releasing exactly the plaintext whose SHA-256 it gives.  Passphrase,
 * armored and post-quantum vectors are skipped (features sitevault does not
 * use) and counted.  Exit 77 if the vectors are absent.
 */
#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <zlib.h>

#include "crypto/age.h"

#define MAX_IDS		8
#define MAX_FILE	(64 * 1024 * 1024)	/* inflated */

struct vector {
	char expect[32];
	char payload[65];	/* hex SHA-256, or "" */
	uint8_t sks[MAX_IDS][AGE_KEY_LEN];
	size_t nsk;
	int skip;		/* 1 if it needs a feature we do not have */
	int compressed;
	const uint8_t *body;
	size_t bodylen;
};

/*
 * The error some vectors must give exactly; the others only need the
 * class of their "expect" line.
 */
static const struct {
	const char *name;
	enum age_err err;
} exact[] = {
	{ "hmac_bad", AGE_E_HMAC },
	{ "x25519_low_order", AGE_E_ZEROSHARED },
	{ "x25519_identity", AGE_E_ZEROSHARED },
	{ "x25519_extra_argument", AGE_E_STANZA },
	{ "x25519_long_share", AGE_E_STANZA },
	{ "x25519_short_share", AGE_E_STANZA },
	{ "x25519_long_file_key", AGE_E_STANZA },
	{ "x25519_not_canonical_share", AGE_E_STANZA },
	{ "x25519_not_canonical_body", AGE_E_HEADER },
	{ "stanza_missing_body", AGE_E_HEADER },
	{ "stanza_not_canonical", AGE_E_HEADER },
	{ "stream_no_chunks", AGE_E_TRUNCATED },
	{ "stream_no_final_full", AGE_E_TRUNCATED },
	{ "stream_no_final_two_chunks_full", AGE_E_TRUNCATED },
	{ "stream_last_chunk_empty", AGE_E_PAYLOAD },
	{ "stream_bad_tag", AGE_E_PAYLOAD },
	{ "stream_trailing_garbage_long", AGE_E_TRAILING },
	{ "stream_two_final_chunks_full", AGE_E_TRAILING },
	{ "stream_no_nonce", AGE_E_HEADER },
	{ "stream_short_nonce", AGE_E_HEADER },
};

struct sink {
	EVP_MD_CTX *md;
};

static int
sink_out(void *cookie, const void *buf, size_t len)
{
	struct sink *s = cookie;

	return (EVP_DigestUpdate(s->md, buf, len) == 1 ? 0 : -1);
}

/* Is ${e} in the class the vector's "expect" line names? */
static int
in_class(const char *expect, enum age_err e)
{

	if (strcmp(expect, "success") == 0)
		return (e == AGE_OK);
	if (strcmp(expect, "no match") == 0)
		return (e == AGE_E_NOMATCH);
	if (strcmp(expect, "HMAC failure") == 0)
		return (e == AGE_E_HMAC);
	if (strcmp(expect, "header failure") == 0)
		return (e == AGE_E_HEADER || e == AGE_E_STANZA ||
		    e == AGE_E_ZEROSHARED);
	if (strcmp(expect, "payload failure") == 0)
		return (e == AGE_E_PAYLOAD || e == AGE_E_TRUNCATED ||
		    e == AGE_E_TRAILING);
	return (0);
}

/* Parse the "key: value" lines of ${buf}; point v->body after them. */
static int
parse_vector(const uint8_t *buf, size_t len, struct vector *v)
{
	const char *p = (const char *)buf, *end = p + len, *nl, *val;
	size_t n;

	memset(v, 0, sizeof(*v));
	while (p < end && (nl = memchr(p, '\n', (size_t)(end - p))) != NULL) {
		n = (size_t)(nl - p);
		if (n == 0) {
			v->body = (const uint8_t *)nl + 1;
			v->bodylen = (size_t)(end - nl - 1);
			return (0);
		}
		if ((val = memchr(p, ':', n)) == NULL || val + 2 > nl)
			return (-1);
		val += 2;
#define KEY(k) ((size_t)(val - 2 - p) == strlen(k) && \
		memcmp(p, k, strlen(k)) == 0)
		if (KEY("expect") && (size_t)(nl - val) < sizeof(v->expect))
			memcpy(v->expect, val, (size_t)(nl - val));
		else if (KEY("payload") && nl - val == 64)
			memcpy(v->payload, val, 64);
		else if (KEY("passphrase") || KEY("armored"))
			v->skip = 1;
		else if (KEY("compressed"))
			v->compressed = 1;
		else if (KEY("identity")) {
			char id[AGE_IDENTITY_STRMAX];

			if ((size_t)(nl - val) >= sizeof(id) ||
			    v->nsk == MAX_IDS)
				return (-1);
			memcpy(id, val, (size_t)(nl - val));
			id[nl - val] = '\0';
			/* Only X25519 identities are ours; PQ ones skip. */
			if (strncmp(id, "AGE-SECRET-KEY-1", 16) != 0)
				v->skip = 1;
			else if (age_identity_decode(id, v->sks[v->nsk++]))
				return (-1);
		}
#undef KEY
		p = nl + 1;
	}
	return (-1);
}

static uint8_t *
inflate_all(const uint8_t *in, size_t inlen, size_t *outlen)
{
	z_stream z;
	uint8_t *out = NULL, *o;
	size_t cap = 1 << 20;
	int rc;

	memset(&z, 0, sizeof(z));
	if (inflateInit(&z) != Z_OK || (out = malloc(cap)) == NULL)
		goto err;
	z.next_in = (Bytef *)(uintptr_t)in;
	z.avail_in = (uInt)inlen;
	do {
		if (z.total_out == cap) {
			if (cap >= MAX_FILE || (o = realloc(out, cap * 2)) ==
			    NULL)
				goto err;
			out = o;
			cap *= 2;
		}
		z.next_out = out + z.total_out;
		z.avail_out = (uInt)(cap - z.total_out);
		rc = inflate(&z, Z_NO_FLUSH);
	} while (rc == Z_OK);
	if (rc != Z_STREAM_END)
		goto err;
	*outlen = z.total_out;
	inflateEnd(&z);
	return (out);
err:
	inflateEnd(&z);
	free(out);
	return (NULL);
}

/*
 * Decrypt ${len} bytes of ${in} with the identities of ${v}, in pieces of
 * the sizes ${steps} (cycled; NULL: all at once).  Return the error and
 * the hex SHA-256 of the released plaintext in ${hex}.
 */
static enum age_err
run(const struct vector *v, const uint8_t *in, size_t len,
    const size_t *steps, char hex[65])
{
	struct sink s;
	struct age_reader *r;
	uint8_t md[32];
	unsigned int mdlen, i;
	size_t off = 0, n, k = 0;
	enum age_err e;

	if ((s.md = EVP_MD_CTX_new()) == NULL ||
	    EVP_DigestInit_ex(s.md, EVP_sha256(), NULL) != 1 ||
	    (r = age_reader_new((const uint8_t (*)[AGE_KEY_LEN])v->sks,
	    v->nsk, sink_out, &s)) == NULL) {
		fprintf(stderr, "cctv: out of memory\n");
		exit(99);
	}
	while (off < len) {
		n = steps == NULL ? len - off : steps[k++];
		if (steps != NULL && steps[k] == 0)
			k = 0;
		if (n > len - off)
			n = len - off;
		if (age_reader_write(r, in + off, n))
			break;
		off += n;
	}
	if (off == len)
		(void)age_reader_finish(r);
	e = age_reader_error(r);
	/* Once failed, every later call fails with the same reason. */
	if (e != AGE_OK && (age_reader_write(r, "x", 1) != -1 ||
	    age_reader_finish(r) != -1 || age_reader_error(r) != e)) {
		fprintf(stderr, "cctv: reader not sticky after failure\n");
		exit(1);
	}
	age_reader_free(r);
	EVP_DigestFinal_ex(s.md, md, &mdlen);
	EVP_MD_CTX_free(s.md);
	for (i = 0; i < 32; i++)
		snprintf(hex + 2 * i, 3, "%02x", md[i]);
	return (e);
}

/* Check one vector; return 0 pass, 1 skip, -1 fail. */
static int
check(const char *dir, const char *name)
{
	static const size_t odd[] = { 1, 7, 3, 65551, 4096, 2, 65553, 0 };
	char path[8192], hex[65];
	struct vector v;
	uint8_t *buf = NULL, *plain = NULL;
	const uint8_t *in;
	size_t len, inlen, i, pass;
	enum age_err e;
	FILE *f;
	int rc = -1;

	if ((size_t)snprintf(path, sizeof(path), "%s/%s", dir, name) >=
	    sizeof(path) || (f = fopen(path, "rb")) == NULL ||
	    (buf = malloc(MAX_FILE)) == NULL) {
		fprintf(stderr, "%s: %s\n", path, strerror(errno));
		goto done;
	}
	len = fread(buf, 1, MAX_FILE, f);
	fclose(f);
	if (parse_vector(buf, len, &v)) {
		fprintf(stderr, "%s: cannot parse the vector\n", name);
		goto done;
	}
	if (v.skip) {
		rc = 1;
		goto done;
	}
	in = v.body;
	inlen = v.bodylen;
	if (v.compressed) {
		if ((plain = inflate_all(v.body, v.bodylen, &inlen)) == NULL) {
			fprintf(stderr, "%s: cannot inflate\n", name);
			goto done;
		}
		in = plain;
	}
	for (pass = 0; pass < 2; pass++) {
		e = run(&v, in, inlen, pass ? odd : NULL, hex);
		if (!in_class(v.expect, e)) {
			fprintf(stderr, "%s: expect %s, got %s (%d)\n", name,
			    v.expect, age_strerror(e), (int)e);
			goto done;
		}
		for (i = 0; i < sizeof(exact) / sizeof(exact[0]); i++)
			if (strcmp(exact[i].name, name) == 0 &&
			    exact[i].err != e) {
				fprintf(stderr, "%s: expect \"%s\", got \"%s\"\n",
				    name, age_strerror(exact[i].err),
				    age_strerror(e));
				goto done;
			}
		if (v.payload[0] != '\0' && strcmp(hex, v.payload) != 0) {
			fprintf(stderr, "%s: released plaintext %s, want %s"
			    " (%s)\n", name, hex, v.payload, age_strerror(e));
			goto done;
		}
	}
	printf("ok %s: %s\n", name, age_strerror(e));
	rc = 0;
done:
	free(plain);
	free(buf);
	return (rc);
}

int
main(void)
{
	const char *shared = getenv("SITEVAULT_SHARED"), *top;
	char dir[4096];
	struct dirent **ents;
	int n, i, rc, passed = 0, skipped = 0, failed = 0;

	if (shared != NULL)
		snprintf(dir, sizeof(dir), "%s/testvectors/age-cctv", shared);
	else {
		top = getenv("top_srcdir");
		snprintf(dir, sizeof(dir), "%s/../shared/testvectors/age-cctv",
		    top != NULL ? top : ".");
	}
	if ((n = scandir(dir, &ents, NULL, alphasort)) < 0) {
		printf("SKIP: no CCTV vectors at %s\n", dir);
		return (77);
	}
	for (i = 0; i < n; i++) {
		if (ents[i]->d_name[0] != '.') {
			rc = check(dir, ents[i]->d_name);
			if (rc == 0)
				passed++;
			else if (rc == 1)
				skipped++;
			else
				failed++;
		}
		free(ents[i]);
	}
	free(ents);
	printf("cctv: %d passed, %d skipped, %d failed\n", passed, skipped,
	    failed);
	return (failed > 0 || passed == 0 ? 1 : 0);
}
