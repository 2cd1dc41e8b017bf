#include <limits.h>
#include <stddef.h>
#include <stdint.h>

#include "util/b64.h"

static const char b64chars[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int
b64_encode(const uint8_t *in, size_t len, int flags, char *out,
    size_t outlen)
{
	size_t i, n = 0;
	uint32_t v;

	if (len > INT_MAX / 2 ||
	    outlen < ((flags & B64_PAD) ? B64_LEN(len) : B64_NOPAD_LEN(len)) + 1)
		return (-1);
	for (i = 0; i + 3 <= len; i += 3) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8 | in[i + 2];
		out[n++] = b64chars[v >> 18];
		out[n++] = b64chars[(v >> 12) & 63];
		out[n++] = b64chars[(v >> 6) & 63];
		out[n++] = b64chars[v & 63];
	}
	if (len - i == 1) {
		v = (uint32_t)in[i] << 16;
		out[n++] = b64chars[v >> 18];
		out[n++] = b64chars[(v >> 12) & 63];
	} else if (len - i == 2) {
		v = (uint32_t)in[i] << 16 | (uint32_t)in[i + 1] << 8;
		out[n++] = b64chars[v >> 18];
		out[n++] = b64chars[(v >> 12) & 63];
		out[n++] = b64chars[(v >> 6) & 63];
	}
	if (flags & B64_PAD)
		while (n % 4 != 0)
			out[n++] = '=';
	out[n] = '\0';
	return ((int)n);
}

static int
b64val(char c)
{

	if (c >= 'A' && c <= 'Z')
		return (c - 'A');
	if (c >= 'a' && c <= 'z')
		return (c - 'a' + 26);
	if (c >= '0' && c <= '9')
		return (c - '0' + 52);
	if (c == '+')
		return (62);
	if (c == '/')
		return (63);
	return (-1);
}

int
b64_decode(const char *in, size_t inlen, int flags, uint8_t *out,
    size_t outmax, size_t *outlen)
{
	size_t i, n = 0, pad = 0;
	uint32_t acc = 0;
	unsigned int bits = 0;
	int v;

	if (flags & B64_PAD) {
		/* Exactly the padding that completes the last quantum. */
		if (inlen % 4 != 0)
			return (-1);
		while (pad < 2 && pad < inlen && in[inlen - 1 - pad] == '=')
			pad++;
		inlen -= pad;
		if (pad != (4 - inlen % 4) % 4)
			return (-1);
	}
	/* One character left over carries no whole byte. */
	if (inlen % 4 == 1)
		return (-1);
	for (i = 0; i < inlen; i++) {
		if ((v = b64val(in[i])) < 0)
			return (-1);
		acc = (acc << 6) | (uint32_t)v;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (out != NULL) {
				if (n == outmax)
					return (-1);
				out[n] = (uint8_t)(acc >> bits);
			}
			n++;
		}
	}
	/* Canonical: the bits below the last byte are zero. */
	if (!(flags & B64_ANYBITS) && (acc & ((1U << bits) - 1)) != 0)
		return (-1);
	*outlen = n;
	return (0);
}
