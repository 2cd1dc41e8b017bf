/*
 * age v1 payload: the STREAM construction of ChaCha20-Poly1305 in 64 KiB
 * chunks, nonce = 11-byte big-endian chunk counter || last-chunk flag, with
 * the key HKDF-SHA-256(file key, salt = 16-byte nonce, "payload").  Both
 * directions are push-style and hold at most one chunk: a chunk is only
 * known to be the last when the input ends, so the writer holds a full
 * chunk until more plaintext comes, and the reader a full chunk until more
 * ciphertext comes.  Plaintext leaves the reader only after its tag
 * verified.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "util/log.h"

#define SEALED_LEN	(AGE_CHUNK_LEN + AGE_TAG_LEN)
#define VERSION_PREFIX	"age-encryption.org/v1\n"

struct age_writer {
	EVP_CIPHER_CTX *ctx;
	age_out_fn *out;
	void *cookie;
	uint8_t key[AGE_SYMKEY_LEN];
	uint64_t counter;
	size_t fill;		/* plaintext bytes in pt */
	int closed;		/* finished, or failed */
	uint8_t pt[AGE_CHUNK_LEN];
	uint8_t ct[SEALED_LEN];
};

enum rstate { R_HEADER, R_NONCE, R_PAYLOAD, R_DONE, R_FAILED };

struct age_reader {
	uint8_t (*sks)[AGE_KEY_LEN];
	size_t nsk;
	age_out_fn *out;
	void *cookie;
	enum rstate state;
	enum age_err err;
	char *hdr;		/* the header until it is complete */
	size_t hlen;
	size_t lstart;		/* start of the header line being read */
	uint8_t filekey[AGE_FILEKEY_LEN];
	uint8_t nonce[AGE_NONCE_LEN];
	size_t nlen;
	uint8_t key[AGE_SYMKEY_LEN];
	EVP_CIPHER_CTX *ctx;
	uint64_t counter;
	size_t clen;		/* sealed bytes in ct */
	uint8_t ct[SEALED_LEN];
	uint8_t pt[AGE_CHUNK_LEN];	/* private until the tag verified */
};

/* The nonce of chunk ${counter}, with the last-chunk flag ${last}. */
static void
chunk_nonce(uint64_t counter, int last, uint8_t nonce[12])
{
	int i;

	memset(nonce, 0, 12);
	for (i = 10; i >= 3; i--, counter >>= 8)
		nonce[i] = (uint8_t)counter;
	nonce[11] = last ? 1 : 0;
}

static int
payload_key(const uint8_t filekey[AGE_FILEKEY_LEN],
    const uint8_t nonce[AGE_NONCE_LEN], uint8_t key[AGE_SYMKEY_LEN])
{

	return (age_hkdf(filekey, AGE_FILEKEY_LEN, nonce, AGE_NONCE_LEN,
	    "payload", key, AGE_SYMKEY_LEN));
}

struct age_writer *
age_writer_new_filekey(const uint8_t filekey[AGE_FILEKEY_LEN],
    const char *extra, const uint8_t (*pks)[AGE_KEY_LEN], size_t npk,
    age_out_fn *out, void *cookie)
{
	struct age_writer *w;
	uint8_t nonce[AGE_NONCE_LEN];
	char *hdr;
	size_t hlen;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_fail(EX_OSERR, "age: out of memory");
		goto err0;
	}
	w->out = out;
	w->cookie = cookie;
	if ((w->ctx = age_aead_new()) == NULL) {
		log_fail(EX_SOFTWARE, "age: no ChaCha20-Poly1305 in OpenSSL");
		goto err1;
	}
	if ((hdr = age_header_make(filekey, pks, npk, extra, &hlen)) == NULL)
		goto err1;
	/* The callback reports its own failures. */
	if (out(cookie, hdr, hlen))
		goto err2;
	if (RAND_bytes(nonce, sizeof(nonce)) != 1 ||
	    payload_key(filekey, nonce, w->key)) {
		log_fail(EX_SOFTWARE, "age: cannot derive the payload key");
		goto err2;
	}
	if (out(cookie, nonce, sizeof(nonce)))
		goto err2;

	/* Success! */
	free(hdr);
	return (w);

err2:
	free(hdr);
err1:
	age_writer_free(w);
err0:
	/* Failure! */
	return (NULL);
}

struct age_writer *
age_writer_new(const uint8_t (*pks)[AGE_KEY_LEN], size_t npk,
    age_out_fn *out, void *cookie)
{
	struct age_writer *w = NULL;
	uint8_t filekey[AGE_FILEKEY_LEN];

	/* A fresh file key per stream. */
	if (RAND_priv_bytes(filekey, sizeof(filekey)) != 1)
		log_fail(EX_SOFTWARE, "age: no random bytes for a file key");
	else
		w = age_writer_new_filekey(filekey, NULL, pks, npk, out,
		    cookie);
	OPENSSL_cleanse(filekey, sizeof(filekey));
	return (w);
}

/* Seal and emit the ${w->fill} bytes of plaintext as a chunk. */
static int
writer_seal(struct age_writer *w, int last)
{
	uint8_t nonce[12];

	chunk_nonce(w->counter, last, nonce);
	if (age_aead(w->ctx, 1, w->key, nonce, w->pt, w->fill, w->ct)) {
		log_fail(EX_SOFTWARE, "age: ChaCha20-Poly1305 failed");
		goto err0;
	}
	if (w->out(w->cookie, w->ct, w->fill + AGE_TAG_LEN))
		goto err0;
	w->counter++;
	w->fill = 0;

	/* Success! */
	return (0);

err0:
	/* Failure! */
	w->closed = 1;
	return (-1);
}

int
age_writer_write(struct age_writer *w, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;

	if (w->closed) {
		log_fail(EX_SOFTWARE, "age: write to a closed stream");
		return (-1);
	}
	while (len > 0) {
		/* A full chunk is not the last one: more plaintext came. */
		if (w->fill == AGE_CHUNK_LEN && writer_seal(w, 0))
			return (-1);
		n = AGE_CHUNK_LEN - w->fill;
		if (n > len)
			n = len;
		memcpy(w->pt + w->fill, p, n);
		w->fill += n;
		p += n;
		len -= n;
	}
	return (0);
}

int
age_writer_finish(struct age_writer *w)
{

	if (w->closed) {
		log_fail(EX_SOFTWARE, "age: finish of a closed stream");
		return (-1);
	}
	/* Empty only if the whole payload is: writes leave >= 1 byte. */
	if (writer_seal(w, 1))
		return (-1);
	w->closed = 1;
	return (0);
}

void
age_writer_free(struct age_writer *w)
{

	if (w == NULL)
		return;
	EVP_CIPHER_CTX_free(w->ctx);
	OPENSSL_cleanse(w, sizeof(*w));
	free(w);
}

struct age_reader *
age_reader_new(const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk,
    age_out_fn *out, void *cookie)
{
	struct age_reader *r;

	if ((r = calloc(1, sizeof(*r))) == NULL)
		goto err0;
	if ((r->sks = calloc(nsk ? nsk : 1, sizeof(*r->sks))) == NULL ||
	    (r->hdr = malloc(AGE_HEADER_MAX)) == NULL)
		goto err1;
	if (nsk > 0)
		memcpy(r->sks, sks, nsk * sizeof(*r->sks));
	r->nsk = nsk;
	r->out = out;
	r->cookie = cookie;
	r->state = R_HEADER;
	r->err = AGE_OK;

	/* Success! */
	return (r);

err1:
	age_reader_free(r);
err0:
	/* Failure! */
	log_fail(EX_OSERR, "age: out of memory");
	return (NULL);
}

static int
reader_fail(struct age_reader *r, enum age_err e)
{

	r->state = R_FAILED;
	r->err = e;
	OPENSSL_cleanse(r->pt, sizeof(r->pt));
	return (-1);
}

/* Take header bytes up to the end of a line; parse at the MAC line. */
static size_t
reader_header(struct age_reader *r, const uint8_t *p, size_t len)
{
	const uint8_t *nl = memchr(p, '\n', len);
	size_t n = nl != NULL ? (size_t)(nl - p) + 1 : len, m;
	enum age_err e;

	if (n > AGE_HEADER_MAX - r->hlen)
		return (reader_fail(r, AGE_E_HEADER), n);
	memcpy(r->hdr + r->hlen, p, n);
	/* Not age at all: say so at once, not after 64 KiB. */
	if (r->hlen < sizeof(VERSION_PREFIX) - 1) {
		m = sizeof(VERSION_PREFIX) - 1 - r->hlen;
		if (m > n)
			m = n;
		if (memcmp(r->hdr + r->hlen, &VERSION_PREFIX[r->hlen], m) != 0)
			return (reader_fail(r, AGE_E_HEADER), n);
	}
	r->hlen += n;
	if (nl == NULL)
		return (n);
	/* Only the MAC line starts with "---" ('-' is not base64). */
	if (r->hlen - r->lstart >= 4 &&
	    memcmp(r->hdr + r->lstart, "---", 3) == 0) {
		e = age_header_parse(r->hdr, r->hlen,
		    (const uint8_t (*)[AGE_KEY_LEN])r->sks, r->nsk, r->filekey);
		OPENSSL_cleanse(r->hdr, r->hlen);
		free(r->hdr);
		r->hdr = NULL;
		if (e != AGE_OK)
			return (reader_fail(r, e), n);
		r->state = R_NONCE;
	}
	r->lstart = r->hlen;
	return (n);
}

static size_t
reader_nonce(struct age_reader *r, const uint8_t *p, size_t len)
{
	size_t n = AGE_NONCE_LEN - r->nlen;

	if (n > len)
		n = len;
	memcpy(r->nonce + r->nlen, p, n);
	r->nlen += n;
	if (r->nlen < AGE_NONCE_LEN)
		return (n);
	if ((r->ctx = age_aead_new()) == NULL ||
	    payload_key(r->filekey, r->nonce, r->key))
		return (reader_fail(r, AGE_E_INTERNAL), n);
	OPENSSL_cleanse(r->filekey, sizeof(r->filekey));
	r->state = R_PAYLOAD;
	return (n);
}

/* Open the ${r->clen} bytes in ct as chunk ${r->counter}, ${last} or not. */
static int
reader_open(struct age_reader *r, int last)
{
	uint8_t nonce[12];

	chunk_nonce(r->counter, last, nonce);
	return (age_aead(r->ctx, 0, r->key, nonce, r->ct, r->clen, r->pt));
}

/* Hand out the verified plaintext of the chunk in ct. */
static int
reader_release(struct age_reader *r)
{
	size_t n = r->clen - AGE_TAG_LEN;

	r->clen = 0;
	r->counter++;
	if (n > 0 && r->out(r->cookie, r->pt, n))
		return (reader_fail(r, AGE_E_OUTPUT));
	return (0);
}

/* A full chunk with more input after it: it must not be the last one. */
static int
reader_full(struct age_reader *r)
{
	int rc;

	if ((rc = reader_open(r, 0)) == 0)
		return (reader_release(r));
	if (rc < 0)
		return (reader_fail(r, AGE_E_INTERNAL));
	/*
	 * A valid last chunk with more after it: its plaintext is authentic
	 * and complete, the bytes after it are trailing data.
	 */
	if ((rc = reader_open(r, 1)) == 0) {
		if (reader_release(r))
			return (-1);
		return (reader_fail(r, AGE_E_TRAILING));
	}
	return (reader_fail(r, rc < 0 ? AGE_E_INTERNAL : AGE_E_PAYLOAD));
}

int
age_reader_write(struct age_reader *r, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	size_t n;

	if (r->state == R_DONE && len > 0)
		return (reader_fail(r, AGE_E_TRAILING));
	while (len > 0 && r->state != R_FAILED) {
		switch (r->state) {
		case R_HEADER:
			n = reader_header(r, p, len);
			break;
		case R_NONCE:
			n = reader_nonce(r, p, len);
			break;
		default:
			if (r->clen == SEALED_LEN && reader_full(r))
				return (-1);
			n = SEALED_LEN - r->clen;
			if (n > len)
				n = len;
			memcpy(r->ct + r->clen, p, n);
			r->clen += n;
			break;
		}
		p += n;
		len -= n;
	}
	return (r->state == R_FAILED ? -1 : 0);
}

int
age_reader_finish(struct age_reader *r)
{
	int rc;

	switch (r->state) {
	case R_DONE:
		return (0);
	case R_FAILED:
		return (-1);
	case R_HEADER:
	case R_NONCE:
		/* The header (with its nonce) is incomplete. */
		return (reader_fail(r, AGE_E_HEADER));
	case R_PAYLOAD:
		break;
	}
	if (r->clen == 0)
		return (reader_fail(r, AGE_E_TRUNCATED));
	if ((rc = reader_open(r, 1)) < 0)
		return (reader_fail(r, AGE_E_INTERNAL));
	if (rc > 0) {
		/*
		 * A full chunk that opens as not last is authentic, like
		 * those before it; only the rest of the stream is missing.
		 */
		if (r->clen == SEALED_LEN && reader_open(r, 0) == 0) {
			if (reader_release(r))
				return (-1);
			return (reader_fail(r, AGE_E_TRUNCATED));
		}
		return (reader_fail(r, AGE_E_PAYLOAD));
	}
	/* The last chunk is empty only if the whole payload is. */
	if (r->clen == AGE_TAG_LEN && r->counter > 0)
		return (reader_fail(r, AGE_E_PAYLOAD));
	if (reader_release(r))
		return (-1);
	r->state = R_DONE;
	return (0);
}

enum age_err
age_reader_error(const struct age_reader *r)
{

	return (r->err);
}

uint64_t
age_reader_chunk(const struct age_reader *r)
{

	return (r->counter);
}

void
age_reader_free(struct age_reader *r)
{

	if (r == NULL)
		return;
	if (r->hdr != NULL) {
		OPENSSL_cleanse(r->hdr, AGE_HEADER_MAX);
		free(r->hdr);
	}
	if (r->sks != NULL) {
		OPENSSL_cleanse(r->sks, (r->nsk ? r->nsk : 1) *
		    sizeof(*r->sks));
		free(r->sks);
	}
	EVP_CIPHER_CTX_free(r->ctx);
	OPENSSL_cleanse(r, sizeof(*r));
	free(r);
}
