#ifndef MINISIGN_H_
#define MINISIGN_H_

#include <stddef.h>
#include <stdint.h>

/*
 * minisign signatures (prehashed "ED": Ed25519 over BLAKE2b-512 of the
 * message, with a trusted comment and a global signature), made and checked
 * with OpenSSL.  Verification is against pinned public keys only: the key id
 * in a signature is a hint that selects among them, never a source of trust.
 */

#define MINISIGN_KEYID_LEN	8
#define MINISIGN_PK_LEN		32
#define MINISIGN_SEED_LEN	32

struct minisign_pub {
	uint8_t keyid[MINISIGN_KEYID_LEN];	/* little-endian as in the file */
	uint8_t pk[MINISIGN_PK_LEN];
};

struct minisign_sec {
	uint8_t keyid[MINISIGN_KEYID_LEN];
	uint8_t seed[MINISIGN_SEED_LEN];	/* Ed25519 private key (seed) */
	uint8_t pk[MINISIGN_PK_LEN];
};

/**
 * minisign_keyid_hex(keyid, out):
 * Write the key id as minisign prints it (16 upper-case hex digits, most
 * significant byte first) into ${out} of at least 17 bytes.
 */
void minisign_keyid_hex(const uint8_t[MINISIGN_KEYID_LEN], char *);

/**
 * minisign_generate(sec):
 * Fill ${sec} with a new Ed25519 key and random key id.  Return 0 or -1.
 */
int minisign_generate(struct minisign_sec *);

/**
 * minisign_sec_public(sec, pub):
 * The public key of ${sec}.
 */
void minisign_sec_public(const struct minisign_sec *, struct minisign_pub *);

/**
 * minisign_pub_format(pub, comment):
 * Return a NUL-terminated minisign public key file text ("untrusted
 * comment: ${comment}" and the base64 line), or NULL.  Caller frees.
 */
char *minisign_pub_format(const struct minisign_pub *, const char *);

/**
 * minisign_pub_parse(name, text, len, pub):
 * Parse a minisign public key: a file text with an untrusted comment line,
 * or the bare base64 line.  ${name} is used in messages.  Return 0, or -1
 * after logging why (EX_CONFIG... as the caller's context is unknown, the
 * class is EX_DATAERR).
 */
int minisign_pub_parse(const char *, const char *, size_t,
    struct minisign_pub *);

/**
 * minisign_pub_load(path, pub):
 * Read and parse the public key file ${path}.  Return 0 or -1 (logged).
 */
int minisign_pub_load(const char *, struct minisign_pub *);

/**
 * minisign_sign(sec, msg, len, untrusted, trusted, out, outlen):
 * Sign ${len} bytes at ${msg}; return in ${out} a malloc'd signature file
 * text of ${outlen} bytes, NUL-terminated, with the two comments.
 * Return 0 or -1 (logged).
 */
int minisign_sign(const struct minisign_sec *, const void *, size_t,
    const char *, const char *, char **, size_t *);

/**
 * minisign_verify(pubs, npub, msg, len, sig, siglen, trusted, which):
 * Verify the signature file text ${sig} over ${msg} against the ${npub}
 * pinned keys ${pubs}: the key whose id matches must verify both the
 * signature and the global signature.  On success return 0, set ${*trusted}
 * (if not NULL) to a malloc'd copy of the trusted comment and ${*which} (if
 * not NULL) to the index of the key that verified.  Return -1 if the
 * signature is malformed, made by a key not among ${pubs}, or does not
 * verify; the reason is logged with class EX_DATAERR.
 */
int minisign_verify(const struct minisign_pub *, size_t, const void *, size_t,
    const char *, size_t, char **, size_t *);

/**
 * minisign_verify_named(name, pubs, npub, msg, len, sig, siglen, trusted,
 *     which):
 * As minisign_verify(), naming ${name} (the signature file) in messages.
 */
int minisign_verify_named(const char *, const struct minisign_pub *, size_t,
    const void *, size_t, const char *, size_t, char **, size_t *);

/**
 * minisign_sec_derive(sec):
 * Compute ${sec}->pk from ${sec}->seed.  Return 0 or -1 (logged).
 */
int minisign_sec_derive(struct minisign_sec *);

/**
 * minisign_pub_encode(pub, out, outlen):
 * Write the base64 public key line (without LF) of ${pub}, as minisign -P
 * takes it, into ${out} of ${outlen} (at least 57) bytes.  Return 0 or -1.
 */
int minisign_pub_encode(const struct minisign_pub *, char *, size_t);

/**
 * minisign_b64_encode(in, len, out, outlen):
 * Write standard base64 with padding of ${len} bytes at ${in} into ${out},
 * NUL-terminated.  Return the text length, or 0 if ${outlen} is too small.
 */
size_t minisign_b64_encode(const void *, size_t, char *, size_t);

/**
 * minisign_b64_decode(s, slen, out, outlen):
 * Decode the ${slen} characters at ${s} into exactly ${outlen} bytes at
 * ${out}.  Only the canonical encoding is accepted: padded, no whitespace,
 * zero trailing bits (see b64_decode()).  Return 0, or -1 (not logged);
 * ${out} may then hold part of the bytes, and the caller wipes it.
 */
int minisign_b64_decode(const char *, size_t, uint8_t *, size_t);

#endif /* !MINISIGN_H_ */
