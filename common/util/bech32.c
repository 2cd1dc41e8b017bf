/* Bech32 (BIP-173) for age keys: see bech32.h. */
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "util/bech32.h"

static const char charset[] = "qpzry9x8gf2tvdw0s3jn54khce6mua7l";

static uint32_t
polymod_step(uint32_t chk, unsigned int v)
{
	static const uint32_t gen[5] = {
		0x3b6a57b2, 0x26508e6d, 0x1ea119fa, 0x3d4233dd, 0x2a1462b3
	};
	uint32_t top = chk >> 25;
	int i;

	chk = ((chk & 0x1ffffff) << 5) ^ v;
	for (i = 0; i < 5; i++)
		if ((top >> i) & 1)
			chk ^= gen[i];
	return (chk);
}

static int
to_lower(int c)
{

	return ((c >= 'A' && c <= 'Z') ? c - 'A' + 'a' : c);
}

/* The checksum state after the expanded (lower-case) ${hrp} of ${n} chars. */
static uint32_t
hrp_polymod(const char *hrp, size_t n)
{
	uint32_t chk = 1;
	size_t i;

	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned int)to_lower(hrp[i]) >> 5);
	chk = polymod_step(chk, 0);
	for (i = 0; i < n; i++)
		chk = polymod_step(chk, (unsigned int)to_lower(hrp[i]) & 31);
	return (chk);
}

int
bech32_encode(const char *hrp, const uint8_t *data, size_t len, int upper,
    char *out, size_t outlen)
{
	size_t hlen = strlen(hrp), ngroups = (len * 8 + 4) / 5, pos, i;
	uint32_t chk, acc = 0;
	unsigned int bits = 0, v;
	int c;

	if (hlen == 0)
		goto err0;
	for (i = 0; i < hlen; i++)
		if (hrp[i] < 33 || hrp[i] > 126)
			goto err0;
	/* hrp, '1', the data groups, 6 checksum chars, NUL */
	if (outlen < hlen + 1 || outlen - hlen - 1 < ngroups + 7)
		goto err0;

	chk = hrp_polymod(hrp, hlen);
	for (i = 0; i < hlen; i++) {
		c = to_lower(hrp[i]);
		out[i] = (char)(upper && c >= 'a' && c <= 'z' ? c - 'a' + 'A' :
		    c);
	}
	pos = hlen;
	out[pos++] = '1';
	for (i = 0; i < len; i++) {
		acc = (acc << 8) | data[i];	/* only the low 12 bits matter */
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			v = (acc >> bits) & 31;
			chk = polymod_step(chk, v);
			out[pos++] = charset[v];
		}
	}
	if (bits > 0) {
		/* The last group, padded with zero bits. */
		v = (acc << (5 - bits)) & 31;
		chk = polymod_step(chk, v);
		out[pos++] = charset[v];
	}
	for (i = 0; i < 6; i++)
		chk = polymod_step(chk, 0);
	chk ^= 1;
	for (i = 0; i < 6; i++)
		out[pos++] = charset[(chk >> (5 * (5 - i))) & 31];
	out[pos] = '\0';
	if (upper)
		for (i = hlen + 1; i < pos; i++)
			if (out[i] >= 'a' && out[i] <= 'z')
				out[i] = (char)(out[i] - 'a' + 'A');

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}

int
bech32_decode(const char *s, char *hrp, size_t hrplen, uint8_t *data,
    size_t *len)
{
	size_t slen = strlen(s), sep, i, n = 0;
	const char *p;
	uint32_t chk, acc = 0;
	unsigned int bits = 0;
	int lower = 0, upper = 0, v;

	/* The separator is the last '1'; 6 checksum characters follow it. */
	if ((p = strrchr(s, '1')) == NULL)
		goto err0;
	sep = (size_t)(p - s);
	if (sep < 1 || slen - sep - 1 < 6 || sep >= hrplen)
		goto err0;
	for (i = 0; i < slen; i++) {
		if (s[i] < 33 || s[i] > 126)
			goto err0;
		if (s[i] >= 'a' && s[i] <= 'z')
			lower = 1;
		if (s[i] >= 'A' && s[i] <= 'Z')
			upper = 1;
	}
	if (lower && upper)
		goto err0;

	chk = hrp_polymod(s, sep);
	for (i = sep + 1; i < slen; i++) {
		if ((p = strchr(charset, to_lower(s[i]))) == NULL)
			goto err0;
		v = (int)(p - charset);
		chk = polymod_step(chk, (unsigned int)v);
		if (i >= slen - 6)
			continue;
		acc = ((acc << 5) | (unsigned int)v) & 0xfff;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n == *len)
				goto err0;
			data[n++] = (uint8_t)(acc >> bits);
		}
	}
	if (chk != 1)
		goto err0;
	/* Padding: fewer than 5 bits, all zero. */
	if (bits >= 5 || (acc & ((1U << bits) - 1)) != 0)
		goto err0;

	memcpy(hrp, s, sep);
	hrp[sep] = '\0';
	*len = n;

	/* Success! */
	return (0);

err0:
	/* Failure! */
	return (-1);
}
