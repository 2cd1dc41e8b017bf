#ifndef BECH32_H_
#define BECH32_H_

#include <stddef.h>
#include <stdint.h>

/*
 * Bech32 (BIP-173) strings of byte strings, as age uses them for its keys:
 * the data is packed into 5-bit groups, and there is no limit of 90
 * characters.  Case is all lower or all upper, never mixed.
 */

/**
 * bech32_encode(hrp, data, len, upper, out, outlen):
 * Write the Bech32 string of the ${len} bytes ${data} under the
 * human-readable part ${hrp} into ${out} of ${outlen} bytes (with the NUL),
 * in upper case if ${upper}, else in lower case.  Return 0, or -1 if
 * ${hrp} is empty or has characters outside 33..126, or ${out} is too small.
 */
int bech32_encode(const char *, const uint8_t *, size_t, int, char *, size_t);

/**
 * bech32_decode(s, hrp, hrplen, data, len):
 * Decode the Bech32 string ${s}: copy its human-readable part, in the case
 * it has in ${s}, into ${hrp} of ${hrplen} bytes (with the NUL), and its
 * data into ${data}, which holds *${len} bytes; set *${len} to the length
 * of the data.  Return 0, or -1 if ${s} has mixed case, a bad character,
 * a bad checksum, non-zero or overlong padding, or does not fit.  Does not
 * log.
 */
int bech32_decode(const char *, char *, size_t, uint8_t *, size_t *);

#endif /* !BECH32_H_ */
