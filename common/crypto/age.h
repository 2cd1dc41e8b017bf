#ifndef AGE_H_
#define AGE_H_

#include <stddef.h>
#include <stdint.h>

/*
 * age v1 (C2SP age) with X25519 recipients, as streams in constant memory.
 * Both directions are push-style: the caller feeds bytes in, and the module
 * hands bytes out through a callback, so that a stream of any size passes
 * through a few 64 KiB buffers.  Decrypted plaintext of a chunk is handed
 * out only after that chunk's tag verified.
 */

#define AGE_KEY_LEN		32	/* X25519 secret or public key */
#define AGE_RECIPIENT_STRMAX	128	/* "age1..." with NUL */
#define AGE_IDENTITY_STRMAX	128	/* "AGE-SECRET-KEY-1..." with NUL */

/* Why a stream was rejected; age_strerror() gives the text. */
enum age_err {
	AGE_OK = 0,
	AGE_E_NOMATCH,		/* no identity opens any stanza (wrong key) */
	AGE_E_HEADER,		/* malformed header (bad line, base64, ...) */
	AGE_E_STANZA,		/* a stanza type or form we do not accept */
	AGE_E_ZEROSHARED,	/* X25519 shared secret is all zero */
	AGE_E_HMAC,		/* header MAC does not verify */
	AGE_E_PAYLOAD,		/* a chunk failed authentication (modified,
				   reordered, duplicated or missing chunk) */
	AGE_E_TRUNCATED,	/* input ended before the last chunk */
	AGE_E_TRAILING,		/* bytes after the last chunk */
	AGE_E_OUTPUT,		/* the output callback failed */
	AGE_E_INTERNAL		/* allocation or OpenSSL failure */
};

/*
 * Output callback: receives ${len} bytes at ${buf}; returns 0, or -1 to
 * abort the stream (the error is then AGE_E_OUTPUT).  The callback logs
 * its own failure; the module does not log it again.
 */
typedef int age_out_fn(void *, const void *, size_t);

/**
 * age_strerror(e):
 * A short text for ${e}, e.g. "header MAC does not verify".
 */
const char *age_strerror(enum age_err);

/**
 * age_keygen(sk):
 * Fill ${sk} with a new X25519 secret key.  Return 0 or -1.
 */
int age_keygen(uint8_t[AGE_KEY_LEN]);

/**
 * age_public(sk, pk):
 * Compute the X25519 public key ${pk} of the secret key ${sk}.  Return 0 or -1.
 */
int age_public(const uint8_t[AGE_KEY_LEN], uint8_t[AGE_KEY_LEN]);

/**
 * age_identity_encode(sk, out, outlen):
 * Write the Bech32 identity "AGE-SECRET-KEY-1..." of ${sk} into ${out}.
 * Return 0, or -1 if ${outlen} is too small.
 */
int age_identity_encode(const uint8_t[AGE_KEY_LEN], char *, size_t);

/**
 * age_identity_decode(s, sk):
 * Parse the Bech32 identity ${s} into ${sk}.  Return 0, or -1 if ${s} is
 * not a valid X25519 identity (checksum, prefix, length).  Does not log.
 */
int age_identity_decode(const char *, uint8_t[AGE_KEY_LEN]);

/**
 * age_recipient_encode(pk, out, outlen):
 * Write the Bech32 recipient "age1..." of ${pk} into ${out}.  Return 0 or -1.
 */
int age_recipient_encode(const uint8_t[AGE_KEY_LEN], char *, size_t);

/**
 * age_recipient_decode(s, pk):
 * Parse the recipient ${s} ("age1...") into ${pk}.  Return 0 or -1.
 * Does not log.
 */
int age_recipient_decode(const char *, uint8_t[AGE_KEY_LEN]);

/**
 * age_writer_new(pks, npk, out, cookie):
 * Start an age file to the ${npk} X25519 recipients ${pks}, with a fresh
 * random file key.  The header is emitted through ${out}(${cookie}, ...)
 * at once.  Return NULL on failure (logged).
 */
struct age_writer *age_writer_new(const uint8_t (*)[AGE_KEY_LEN], size_t,
    age_out_fn *, void *);

/**
 * age_writer_write(w, buf, len):
 * Encrypt ${len} bytes of plaintext; full chunks go out through the output
 * callback.  Return 0 or -1.
 */
int age_writer_write(struct age_writer *, const void *, size_t);

/**
 * age_writer_finish(w):
 * Emit the last chunk.  Return 0 or -1.  Nothing may be written after.
 */
int age_writer_finish(struct age_writer *);

/**
 * age_writer_free(w):
 * Free ${w} and wipe its keys.  Does nothing if ${w} is NULL.
 */
void age_writer_free(struct age_writer *);

/**
 * age_reader_new(sks, nsk, out, cookie):
 * Start reading an age file with the ${nsk} X25519 identities ${sks}.
 * Verified plaintext goes out through ${out}(${cookie}, ...), chunk by
 * chunk as each tag verifies: a stream rejected later has already released
 * its verified chunks, so the caller discards or stages its output until
 * age_reader_finish() succeeds.  Stanzas of unknown types are ignored (as
 * the age spec asks), scrypt stanzas refused; headers over 64 KiB are
 * refused.  Rejections are not logged: the caller logs age_strerror() with
 * its file name.  Return NULL on allocation failure (logged).
 */
struct age_reader *age_reader_new(const uint8_t (*)[AGE_KEY_LEN], size_t,
    age_out_fn *, void *);

/**
 * age_reader_write(r, buf, len):
 * Feed ${len} bytes of the age file.  Return 0, or -1 once the stream has
 * been rejected (see age_reader_error()); every later call fails too.
 */
int age_reader_write(struct age_reader *, const void *, size_t);

/**
 * age_reader_finish(r):
 * Signal the end of the input: return 0 if the last chunk was seen and
 * verified, else -1 (AGE_E_TRUNCATED, ...).  A stream cut inside a chunk,
 * or with bytes after a short last chunk, ends in a chunk that does not
 * verify (AGE_E_PAYLOAD): age has no lengths to tell these apart.
 */
int age_reader_finish(struct age_reader *);

/**
 * age_reader_error(r):
 * Why ${r} rejected its stream, or AGE_OK.
 */
enum age_err age_reader_error(const struct age_reader *);

/**
 * age_reader_chunk(r):
 * The index of the payload chunk being read (for messages).
 */
uint64_t age_reader_chunk(const struct age_reader *);

/**
 * age_reader_free(r):
 * Free ${r} and wipe its keys.  Does nothing if ${r} is NULL.
 */
void age_reader_free(struct age_reader *);

#endif /* !AGE_H_ */
