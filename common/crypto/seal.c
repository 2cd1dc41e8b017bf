/* Sealed FTP password: see seal.h. */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/rand.h>

#include "conf/conf.h"
#include "crypto/keys.h"
#include "crypto/seal.h"
#include "util/b64.h"
#include "util/log.h"

#define SEAL_VERSION	1
#define KEYLEN		32
#define NONCELEN	12
#define TAGLEN		16
#define HDRLEN		(1 + NONCELEN)

/* The sealing key: HKDF-SHA-256(sk, no salt, SEAL_INFO). */
static int
derive(const uint8_t sk[AGE_KEY_LEN], uint8_t key[KEYLEN])
{
	OSSL_PARAM params[4];
	EVP_KDF_CTX *ctx = NULL;
	EVP_KDF *kdf;
	int rc = -1;

	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL ||
	    (ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto out;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)sk, AGE_KEY_LEN);
	params[2] = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)(uintptr_t)SEAL_INFO, sizeof(SEAL_INFO) - 1);
	params[3] = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, key, KEYLEN, params) == 1)
		rc = 0;
out:
	EVP_KDF_CTX_free(ctx);
	EVP_KDF_free(kdf);
	return (rc);
}

/*
 * ChaCha20-Poly1305 of ${len} bytes ${in} to ${out} under ${key} and the
 * nonce and AAD in ${hdr}; the tag is written to or checked at ${tag}.
 * Return 0, or -1 (for decryption: the tag did not verify).
 */
static int
aead(int enc, const uint8_t key[KEYLEN], const uint8_t hdr[HDRLEN],
    const uint8_t *in, size_t len, uint8_t *out, uint8_t tag[TAGLEN])
{
	EVP_CIPHER_CTX *ctx;
	int n, rc = -1;

	if (len > INT32_MAX || (ctx = EVP_CIPHER_CTX_new()) == NULL)
		return (-1);
	if (EVP_CipherInit_ex(ctx, EVP_chacha20_poly1305(), NULL, NULL, NULL,
	    enc) != 1 ||
	    EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_IVLEN, NONCELEN,
	    NULL) != 1 ||
	    EVP_CipherInit_ex(ctx, NULL, NULL, key, hdr + 1, enc) != 1 ||
	    EVP_CipherUpdate(ctx, NULL, &n, hdr, 1) != 1 ||
	    EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		goto out;
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG, TAGLEN,
	    tag) != 1)
		goto out;
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1)
		goto out;
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG, TAGLEN,
	    tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(ctx);
	return (rc);
}

char *
seal_password(const uint8_t sk[AGE_KEY_LEN], const char *password)
{
	uint8_t key[KEYLEN], *raw = NULL;
	size_t plen = strlen(password), rawlen, b64len;
	char *out = NULL;

	if (plen == 0 || plen > SEAL_MAXPASS ||
	    strpbrk(password, "\r\n") != NULL) {
		log_fail(EX_DATAERR, "credentials: the password must be 1 to "
		    "%d bytes on one line", SEAL_MAXPASS);
		return (NULL);
	}
	rawlen = HDRLEN + plen + TAGLEN;
	b64len = 4 * ((rawlen + 2) / 3);
	if ((raw = malloc(rawlen)) == NULL ||
	    (out = malloc(sizeof(SEAL_PREFIX) + b64len)) == NULL) {
		log_fail(EX_OSERR, "credentials: out of memory");
		goto err;
	}
	raw[0] = SEAL_VERSION;
	if (RAND_bytes(raw + 1, NONCELEN) != 1 || derive(sk, key) ||
	    aead(1, key, raw, (const uint8_t *)password, plen, raw + HDRLEN,
	    raw + HDRLEN + plen)) {
		log_fail(EX_SOFTWARE, "credentials: sealing failed (OpenSSL)");
		goto err;
	}
	memcpy(out, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1);
	if (b64_encode(raw, rawlen, B64_PAD, out + sizeof(SEAL_PREFIX) - 1,
	    b64len + 1) < 0) {
		log_fail(EX_SOFTWARE, "credentials: sealing failed (base64)");
		goto err;
	}
	OPENSSL_cleanse(key, sizeof(key));
	free(raw);
	return (out);

err:
	OPENSSL_cleanse(key, sizeof(key));
	free(raw);
	free(out);
	return (NULL);
}

/* Decode padded base64 ${s}; return the byte count or -1. */
static long
unbase64(const char *s, uint8_t **out)
{
	size_t len = strlen(s), n;

	*out = NULL;
	if (len == 0 || len % 4 != 0 || len > 4 * SEAL_MAXPASS)
		return (-1);
	if ((*out = malloc(len / 4 * 3)) == NULL)
		return (-1);
	if (b64_decode(s, len, B64_PAD, *out, len / 4 * 3, &n)) {
		free(*out);
		*out = NULL;
		return (-1);
	}
	return ((long)n);
}

int
seal_open(const uint8_t sk[AGE_KEY_LEN], const char *value, const char *name,
    char **password)
{
	uint8_t key[KEYLEN], *raw = NULL;
	size_t plen = 0;
	char *pw = NULL;
	long n = 0;

	*password = NULL;
	if (strncmp(value, SEAL_PREFIX, sizeof(SEAL_PREFIX) - 1) != 0 ||
	    (n = unbase64(value + sizeof(SEAL_PREFIX) - 1, &raw)) < 0 ||
	    (size_t)n <= HDRLEN + TAGLEN) {
		log_fail(EX_CONFIG, "%s: not a sealed password; run `sitevault "
		    "credentials` to store it", name);
		goto err;
	}
	if (raw[0] != SEAL_VERSION) {
		log_fail(EX_CONFIG, "%s: sealed with format version %u, which "
		    "this sitevault does not know", name, raw[0]);
		goto err;
	}
	plen = (size_t)n - HDRLEN - TAGLEN;
	if ((pw = malloc(plen + 1)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", name);
		goto err;
	}
	if (derive(sk, key) || aead(0, key, raw, raw + HDRLEN, plen,
	    (uint8_t *)pw, raw + HDRLEN + plen)) {
		log_fail(EX_CONFIG, "%s: cannot open the sealed password: it "
		    "was sealed with another site key, or altered; run "
		    "`sitevault credentials` again", name);
		goto err;
	}
	pw[plen] = '\0';
	if (strlen(pw) != plen) {
		log_fail(EX_CONFIG, "%s: the sealed password holds a NUL byte",
		    name);
		goto err;
	}
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(raw, (size_t)n);
	free(raw);
	*password = pw;
	return (0);

err:
	OPENSSL_cleanse(key, sizeof(key));
	if (pw != NULL) {
		OPENSSL_cleanse(pw, plen);
		free(pw);
	}
	if (raw != NULL)
		OPENSSL_cleanse(raw, (size_t)n);
	free(raw);
	return (-1);
}

int
seal_conf_password(const struct conf *c, char **password)
{
	struct keys *k;
	char name[4200];
	int rc;

	*password = NULL;
	if (conf_is_local(c))
		return (0);
	if (c->server_credentials == NULL) {
		log_fail(EX_CONFIG, "%s: [server] credentials missing: run "
		    "`sitevault credentials` to store the %s", c->path,
		    conf_is_s3(c) ? "S3 secret key" : "FTP password");
		return (-1);
	}
	if ((k = keys_load(c->keys_secret)) == NULL)
		return (-1);
	snprintf(name, sizeof(name), "%s:%d: server.credentials", c->path,
	    c->server_credentials_line);
	rc = seal_open(k->age_sk, c->server_credentials, name, password);
	keys_free(k);
	return (rc);
}

void
seal_free(char *password)
{

	if (password == NULL)
		return;
	OPENSSL_cleanse(password, strlen(password));
	free(password);
}
