#ifndef B64_H_
#define B64_H_

#include <stddef.h>
#include <stdint.h>

/*
 * Standard base64 (RFC 4648 section 4), padded or not.  Decoding is strict
 * by default: only the alphabet, the exact padding, and zero unused bits,
 * so that each byte string has one text (minisign keys and signatures, the
 * age header, sealed passwords, SHA-256 pins).
 */

#define B64_PAD		1	/* '=' padding to a multiple of 4 */
#define B64_ANYBITS	2	/* decode: accept non-zero unused bits */

/* Length of the text of ${n} bytes, without the NUL. */
#define B64_LEN(n)		(((n) + 2) / 3 * 4)
#define B64_NOPAD_LEN(n)	(((n) * 4 + 2) / 3)

/**
 * b64_encode(in, len, flags, out, outlen):
 * Write the base64 of ${len} bytes of ${in}, padded if B64_PAD is in
 * ${flags}, into ${out} of ${outlen} bytes, NUL-terminated.  Return the
 * length of the text, or -1 if it does not fit.
 */
int b64_encode(const uint8_t *, size_t, int, char *, size_t);

/**
 * b64_decode(in, inlen, flags, out, outmax, outlen):
 * Decode the ${inlen} characters at ${in} (padded if B64_PAD is in
 * ${flags}) into ${out} of ${outmax} bytes (${out} may be NULL to only
 * check the text), and set *${outlen}.  Return 0, or -1 on a character
 * outside the alphabet, wrong padding, a length no byte string has,
 * non-zero unused bits (unless B64_ANYBITS), or more than ${outmax} bytes.
 */
int b64_decode(const char *, size_t, int, uint8_t *, size_t, size_t *);

#endif /* !B64_H_ */
