#ifndef AGE_INTERNAL_H_
#define AGE_INTERNAL_H_

/*
 * Declarations shared by the files of the age module (age.c: keys and
 * primitives; age_header.c: header; age_stream.c: payload), and by its
 * tests.  Not a contract for other modules: use age.h.
 */

#include <stddef.h>
#include <stdint.h>

#include <openssl/evp.h>

#include "crypto/age.h"

#define AGE_FILEKEY_LEN		16
#define AGE_MAC_LEN		32	/* HMAC-SHA-256 */
#define AGE_SYMKEY_LEN		32	/* ChaCha20-Poly1305 and HMAC keys */
#define AGE_NONCE_LEN		16	/* payload nonce after the header */
#define AGE_TAG_LEN		16	/* Poly1305 */
#define AGE_CHUNK_LEN		65536	/* plaintext of a full chunk */
#define AGE_HEADER_MAX		65536	/* longest header the reader takes */

/**
 * age_x25519(sk, pk, shared):
 * X25519(${sk}, ${pk}) into ${shared}.  Return 0, 1 if the shared secret
 * is all zero (a low-order ${pk}), or -1 on an OpenSSL failure.  Does not
 * log.
 */
int age_x25519(const uint8_t[AGE_KEY_LEN], const uint8_t[AGE_KEY_LEN],
    uint8_t[AGE_KEY_LEN]);

/**
 * age_hkdf(ikm, ikmlen, salt, saltlen, info, out, outlen):
 * HKDF-SHA-256 of ${ikm} with ${salt} (may be empty) and the string
 * ${info}, ${outlen} bytes into ${out}.  Return 0 or -1.  Does not log.
 */
int age_hkdf(const uint8_t *, size_t, const uint8_t *, size_t, const char *,
    uint8_t *, size_t);

/**
 * age_hmac(key, keylen, buf, len, mac):
 * HMAC-SHA-256 of ${len} bytes at ${buf} with ${key} into ${mac}.  Return
 * 0 or -1.  Does not log.
 */
int age_hmac(const uint8_t *, size_t, const void *, size_t,
    uint8_t[AGE_MAC_LEN]);

/**
 * age_aead_new(void):
 * A cipher context for age_aead(), or NULL.  Free it with
 * EVP_CIPHER_CTX_free().
 */
EVP_CIPHER_CTX *age_aead_new(void);

/**
 * age_aead(ctx, enc, key, nonce, in, len, out):
 * One ChaCha20-Poly1305 operation in ${ctx} (from age_aead_new()) with the
 * 32-byte ${key} and 12-byte ${nonce}.  If ${enc}: seal ${len} bytes of
 * ${in} into ${out} (${len} + 16 bytes, the tag last).  Else: open the
 * ${len} bytes (tag last) of ${in} into ${out}, which must be private: its
 * contents are meaningless unless 0 is returned.  Return 0, 1 if the tag
 * does not verify (or ${len} is shorter than a tag), -1 on other failures.
 */
int age_aead(EVP_CIPHER_CTX *, int, const uint8_t[AGE_SYMKEY_LEN],
    const uint8_t[12],
    const uint8_t *, size_t, uint8_t *);

/**
 * age_header_make(filekey, pks, npk, extra, len):
 * Build a header wrapping ${filekey} to the ${npk} recipients ${pks}, with
 * the raw stanza text ${extra} (NULL for none; tests use it for grease and
 * broken stanzas) after theirs, and its MAC.  Return it (malloc'd, *${len}
 * bytes, not NUL-terminated), or NULL after logging.
 */
char *age_header_make(const uint8_t[AGE_FILEKEY_LEN],
    const uint8_t (*)[AGE_KEY_LEN], size_t, const char *, size_t *);

/**
 * age_header_parse(hdr, len, sks, nsk, filekey):
 * Parse the complete header of ${len} bytes at ${hdr} (up to and including
 * the LF of the MAC line), find the file key with one of the ${nsk}
 * identities ${sks}, and verify the MAC.  Return AGE_OK with the file key
 * in ${filekey}, or why the header was rejected.  Does not log.
 */
enum age_err age_header_parse(const char *, size_t,
    const uint8_t (*)[AGE_KEY_LEN], size_t, uint8_t[AGE_FILEKEY_LEN]);

/**
 * age_writer_new_filekey(filekey, extra, pks, npk, out, cookie):
 * As age_writer_new(), with the given ${filekey} and extra stanza text
 * ${extra} (see age_header_write()).  For tests only: a real file key must
 * be fresh and random.
 */
struct age_writer *age_writer_new_filekey(const uint8_t[AGE_FILEKEY_LEN],
    const char *, const uint8_t (*)[AGE_KEY_LEN], size_t, age_out_fn *,
    void *);

#endif /* !AGE_INTERNAL_H_ */
