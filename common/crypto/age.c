/*
 * age v1: keys, their Bech32 strings, and the primitives that the header
 * and the payload share (X25519, HKDF, HMAC, ChaCha20-Poly1305, base64),
 * all through OpenSSL 3 EVP.
 */
#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/proverr.h>
#include <openssl/rand.h>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "util/bech32.h"
#include "util/log.h"

#define IDENTITY_HRP	"AGE-SECRET-KEY-"
#define RECIPIENT_HRP	"age"

const char *
age_strerror(enum age_err e)
{

	switch (e) {
	case AGE_OK:
		return ("success");
	case AGE_E_NOMATCH:
		return ("no identity matches any recipient stanza");
	case AGE_E_HEADER:
		return ("malformed age header");
	case AGE_E_STANZA:
		return ("unsupported or malformed recipient stanza");
	case AGE_E_ZEROSHARED:
		return ("X25519 shared secret is all zero (low-order share)");
	case AGE_E_HMAC:
		return ("header MAC does not verify");
	case AGE_E_PAYLOAD:
		return ("payload chunk does not verify");
	case AGE_E_TRUNCATED:
		return ("age file is truncated");
	case AGE_E_TRAILING:
		return ("data after the end of the age file");
	case AGE_E_OUTPUT:
		return ("output failed");
	case AGE_E_INTERNAL:
		break;
	}
	return ("internal error (allocation or OpenSSL)");
}

int
age_keygen(uint8_t sk[AGE_KEY_LEN])
{

	if (RAND_priv_bytes(sk, AGE_KEY_LEN) != 1) {
		log_fail(EX_SOFTWARE, "age: no random bytes for a new key");
		return (-1);
	}
	return (0);
}

int
age_public(const uint8_t sk[AGE_KEY_LEN], uint8_t pk[AGE_KEY_LEN])
{
	EVP_PKEY *k;
	size_t len = AGE_KEY_LEN;

	if ((k = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
	    AGE_KEY_LEN)) == NULL)
		goto err0;
	if (EVP_PKEY_get_raw_public_key(k, pk, &len) != 1 ||
	    len != AGE_KEY_LEN)
		goto err1;

	/* Success! */
	EVP_PKEY_free(k);
	return (0);

err1:
	EVP_PKEY_free(k);
err0:
	/* Failure! */
	log_fail(EX_SOFTWARE, "age: cannot compute an X25519 public key");
	return (-1);
}

/* Decode ${s} with the exact human-readable part ${want} into ${key}. */
static int
key_decode(const char *s, const char *want, uint8_t key[AGE_KEY_LEN])
{
	char hrp[32];
	uint8_t buf[AGE_KEY_LEN + 8];
	size_t len = sizeof(buf);
	int rc = -1;

	if (bech32_decode(s, hrp, sizeof(hrp), buf, &len) == 0 &&
	    strcmp(hrp, want) == 0 && len == AGE_KEY_LEN) {
		memcpy(key, buf, AGE_KEY_LEN);
		rc = 0;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return (rc);
}

int
age_identity_encode(const uint8_t sk[AGE_KEY_LEN], char *out, size_t outlen)
{

	return (bech32_encode(IDENTITY_HRP, sk, AGE_KEY_LEN, 1, out, outlen));
}

int
age_identity_decode(const char *s, uint8_t sk[AGE_KEY_LEN])
{

	return (key_decode(s, IDENTITY_HRP, sk));
}

int
age_recipient_encode(const uint8_t pk[AGE_KEY_LEN], char *out, size_t outlen)
{

	return (bech32_encode(RECIPIENT_HRP, pk, AGE_KEY_LEN, 0, out, outlen));
}

int
age_recipient_decode(const char *s, uint8_t pk[AGE_KEY_LEN])
{

	return (key_decode(s, RECIPIENT_HRP, pk));
}

int
age_x25519(const uint8_t sk[AGE_KEY_LEN], const uint8_t pk[AGE_KEY_LEN],
    uint8_t shared[AGE_KEY_LEN])
{
	static const uint8_t zero[AGE_KEY_LEN];
	EVP_PKEY *priv = NULL, *peer = NULL;
	EVP_PKEY_CTX *ctx = NULL;
	size_t len = AGE_KEY_LEN;
	unsigned long e;
	int rc = -1;

	ERR_set_mark();
	if ((priv = EVP_PKEY_new_raw_private_key(EVP_PKEY_X25519, NULL, sk,
	    AGE_KEY_LEN)) == NULL ||
	    (peer = EVP_PKEY_new_raw_public_key(EVP_PKEY_X25519, NULL, pk,
	    AGE_KEY_LEN)) == NULL ||
	    (ctx = EVP_PKEY_CTX_new(priv, NULL)) == NULL ||
	    EVP_PKEY_derive_init(ctx) != 1 ||
	    EVP_PKEY_derive_set_peer(ctx, peer) != 1)
		goto done;
	if (EVP_PKEY_derive(ctx, shared, &len) != 1) {
		/* OpenSSL refuses an all-zero result with this reason. */
		e = ERR_peek_last_error();
		if (ERR_GET_LIB(e) == ERR_LIB_PROV &&
		    ERR_GET_REASON(e) == PROV_R_FAILED_DURING_DERIVATION)
			rc = 1;
		goto done;
	}
	if (len != AGE_KEY_LEN)
		goto done;
	rc = CRYPTO_memcmp(shared, zero, AGE_KEY_LEN) == 0 ? 1 : 0;
done:
	ERR_pop_to_mark();
	EVP_PKEY_CTX_free(ctx);
	EVP_PKEY_free(peer);
	EVP_PKEY_free(priv);
	if (rc != 0)
		OPENSSL_cleanse(shared, AGE_KEY_LEN);
	return (rc);
}

int
age_hkdf(const uint8_t *ikm, size_t ikmlen, const uint8_t *salt,
    size_t saltlen, const char *info, uint8_t *out, size_t outlen)
{
	EVP_KDF *kdf;
	EVP_KDF_CTX *ctx = NULL;
	OSSL_PARAM params[5], *p = params;
	int rc = -1;

	if ((kdf = EVP_KDF_fetch(NULL, "HKDF", NULL)) == NULL)
		goto err0;
	if ((ctx = EVP_KDF_CTX_new(kdf)) == NULL)
		goto err1;
	*p++ = OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_KEY,
	    (void *)(uintptr_t)ikm, ikmlen);
	/* No salt is HKDF's default salt: hash-length zeros, as age wants. */
	if (saltlen > 0)
		*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SALT,
		    (void *)(uintptr_t)salt, saltlen);
	*p++ = OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_INFO,
	    (void *)(uintptr_t)info, strlen(info));
	*p = OSSL_PARAM_construct_end();
	if (EVP_KDF_derive(ctx, out, outlen, params) == 1)
		rc = 0;

	EVP_KDF_CTX_free(ctx);
err1:
	EVP_KDF_free(kdf);
err0:
	return (rc);
}

int
age_hmac(const uint8_t *key, size_t keylen, const void *buf, size_t len,
    uint8_t mac[AGE_MAC_LEN])
{
	EVP_MAC *m;
	EVP_MAC_CTX *ctx = NULL;
	OSSL_PARAM params[2];
	size_t maclen = 0;
	int rc = -1;

	if ((m = EVP_MAC_fetch(NULL, "HMAC", NULL)) == NULL)
		goto err0;
	if ((ctx = EVP_MAC_CTX_new(m)) == NULL)
		goto err1;
	params[0] = OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST,
	    (char *)(uintptr_t)"SHA256", 0);
	params[1] = OSSL_PARAM_construct_end();
	if (EVP_MAC_init(ctx, key, keylen, params) == 1 &&
	    EVP_MAC_update(ctx, buf, len) == 1 &&
	    EVP_MAC_final(ctx, mac, &maclen, AGE_MAC_LEN) == 1 &&
	    maclen == AGE_MAC_LEN)
		rc = 0;

	EVP_MAC_CTX_free(ctx);
err1:
	EVP_MAC_free(m);
err0:
	return (rc);
}

EVP_CIPHER_CTX *
age_aead_new(void)
{
	EVP_CIPHER *c;
	EVP_CIPHER_CTX *ctx = NULL;

	if ((c = EVP_CIPHER_fetch(NULL, "ChaCha20-Poly1305", NULL)) == NULL)
		goto err0;
	if ((ctx = EVP_CIPHER_CTX_new()) == NULL)
		goto err1;
	if (EVP_CipherInit_ex(ctx, c, NULL, NULL, NULL, 1) != 1)
		goto err2;

	/* Success! (the context holds its own reference to the cipher) */
	EVP_CIPHER_free(c);
	return (ctx);

err2:
	EVP_CIPHER_CTX_free(ctx);
err1:
	EVP_CIPHER_free(c);
err0:
	/* Failure! */
	return (NULL);
}

int
age_aead(EVP_CIPHER_CTX *ctx, int enc, const uint8_t key[AGE_SYMKEY_LEN],
    const uint8_t nonce[12], const uint8_t *in, size_t len, uint8_t *out)
{
	int n;

	if (!enc) {
		if (len < AGE_TAG_LEN)
			return (1);
		len -= AGE_TAG_LEN;
	}
	if (len > INT_MAX)
		return (-1);
	if (EVP_CipherInit_ex(ctx, NULL, NULL, key, nonce, enc) != 1)
		return (-1);
	if (!enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_SET_TAG,
	    AGE_TAG_LEN, (void *)(uintptr_t)(in + len)) != 1)
		return (-1);
	if (EVP_CipherUpdate(ctx, out, &n, in, (int)len) != 1)
		return (-1);
	if (EVP_CipherFinal_ex(ctx, out + n, &n) != 1)
		return (enc ? -1 : 1);
	if (enc && EVP_CIPHER_CTX_ctrl(ctx, EVP_CTRL_AEAD_GET_TAG,
	    AGE_TAG_LEN, out + len) != 1)
		return (-1);
	return (0);
}

