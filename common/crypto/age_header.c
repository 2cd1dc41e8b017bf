/*
 * age v1 header (C2SP age): build it for X25519 recipients, and parse and
 * check it against X25519 identities.  Grammar:
 *	"age-encryption.org/v1" LF
 *	1*( "->" 1*(SP argument) LF *(64 base64 chars LF) <64 base64 chars LF )
 *	"---" SP 43 base64 chars LF
 * with arguments of VCHARs and bodies in canonical unpadded base64.
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
#include "util/b64.h"
#include "util/log.h"

#define VERSION_LINE	"age-encryption.org/v1"
#define X25519_INFO	"age-encryption.org/v1/X25519"
#define BODY_COLUMNS	64
#define MAC_B64_LEN	B64_NOPAD_LEN(AGE_MAC_LEN)
#define KEY_B64_LEN	B64_NOPAD_LEN(AGE_KEY_LEN)
#define WRAPPED_LEN	(AGE_FILEKEY_LEN + AGE_TAG_LEN)
#define ARGS_KEPT	3	/* arguments remembered; more are counted */

/* A stanza as it stands in the header text. */
struct stanza {
	const char *arg[ARGS_KEPT];
	size_t arglen[ARGS_KEPT];
	size_t nargs;
	const char *body;	/* first body line */
	const char *bodyend;	/* after the LF of the last body line */
};

/* The lines of a header: every line ends in LF. */
struct lines {
	const char *p;
	const char *end;
};

static const uint8_t zero_nonce[12];

/* The next line of ${it} (without its LF) into ${line}, ${len}; or -1. */
static int
next_line(struct lines *it, const char **line, size_t *len)
{
	const char *nl;

	if (it->p == it->end ||
	    (nl = memchr(it->p, '\n', (size_t)(it->end - it->p))) == NULL)
		return (-1);
	*line = it->p;
	*len = (size_t)(nl - it->p);
	it->p = nl + 1;
	return (0);
}

/* Split the arguments of the stanza line ${l} of ${len} bytes. */
static int
parse_args(const char *l, size_t len, struct stanza *st)
{
	size_t i, start;

	/* "->" then one or more (SP argument), no empty argument. */
	if (len < 4 || l[2] != ' ')
		return (-1);
	st->nargs = 0;
	for (i = 3, start = 3; i <= len; i++) {
		if (i < len && l[i] != ' ') {
			if (l[i] < 33 || l[i] > 126)
				return (-1);
			continue;
		}
		if (i == start)
			return (-1);
		if (st->nargs < ARGS_KEPT) {
			st->arg[st->nargs] = l + start;
			st->arglen[st->nargs] = i - start;
		}
		st->nargs++;
		start = i + 1;
	}
	return (0);
}

/*
 * Read the next stanza of ${it} into ${st} and return 1; or at the MAC line,
 * decode the MAC into ${mac}, set ${macpos} to the offset of its "---"
 * within ${hdr}, and return 0; or return -1 on a syntax error.
 */
static int
next_stanza(struct lines *it, const char *hdr, struct stanza *st,
    uint8_t mac[AGE_MAC_LEN], size_t *macpos)
{
	const char *l;
	size_t len, n;

	if (next_line(it, &l, &len))
		return (-1);
	if (len >= 3 && memcmp(l, "---", 3) == 0) {
		/* The MAC line ends the header. */
		if (len != 4 + MAC_B64_LEN || l[3] != ' ' || it->p != it->end ||
		    b64_decode(l + 4, MAC_B64_LEN, 0, mac, AGE_MAC_LEN, &n) ||
		    n != AGE_MAC_LEN)
			return (-1);
		*macpos = (size_t)(l - hdr);
		return (0);
	}
	if (len < 2 || memcmp(l, "->", 2) != 0 || parse_args(l, len, st))
		return (-1);
	st->body = it->p;
	/* Body lines: full ones of 64 columns, ended by a shorter one. */
	do {
		if (next_line(it, &l, &len) || len > BODY_COLUMNS ||
		    b64_decode(l, len, 0, NULL, 0, &n))
			return (-1);
	} while (len == BODY_COLUMNS);
	st->bodyend = it->p;
	return (1);
}

/* Decode the body of ${st} into ${out} of ${outmax} bytes; set ${outlen}. */
static int
body_decode(const struct stanza *st, uint8_t *out, size_t outmax,
    size_t *outlen)
{
	struct lines it = { st->body, st->bodyend };
	const char *l;
	size_t len, n, total = 0;

	/* Each line decodes alone: full lines are whole 3-byte groups. */
	while (next_line(&it, &l, &len) == 0) {
		if (b64_decode(l, len, 0, out + total, outmax - total, &n))
			return (-1);
		total += n;
	}
	*outlen = total;
	return (0);
}

static int
arg_is(const struct stanza *st, size_t i, const char *s)
{

	return (st->nargs > i && st->arglen[i] == strlen(s) &&
	    memcmp(st->arg[i], s, st->arglen[i]) == 0);
}

/* The wrap key of an X25519 stanza from ${shared}, ${share}, ${pk}. */
static int
x25519_wrapkey(const uint8_t shared[AGE_KEY_LEN],
    const uint8_t share[AGE_KEY_LEN], const uint8_t pk[AGE_KEY_LEN],
    uint8_t key[AGE_SYMKEY_LEN])
{
	uint8_t salt[2 * AGE_KEY_LEN];

	memcpy(salt, share, AGE_KEY_LEN);
	memcpy(salt + AGE_KEY_LEN, pk, AGE_KEY_LEN);
	return (age_hkdf(shared, AGE_KEY_LEN, salt, sizeof(salt), X25519_INFO,
	    key, AGE_SYMKEY_LEN));
}

/*
 * Check the X25519 stanza ${st} and, unless ${filekey} was already found
 * (*${found}), try the identities ${sks} (public keys ${pks}) on it.
 */
static enum age_err
x25519_stanza(EVP_CIPHER_CTX *ctx, const struct stanza *st,
    const uint8_t (*sks)[AGE_KEY_LEN], const uint8_t (*pks)[AGE_KEY_LEN],
    size_t nsk, uint8_t filekey[AGE_FILEKEY_LEN], int *found)
{
	uint8_t share[AGE_KEY_LEN], body[WRAPPED_LEN], shared[AGE_KEY_LEN];
	uint8_t key[AGE_SYMKEY_LEN], fk[AGE_FILEKEY_LEN];
	enum age_err e = AGE_OK;
	size_t i, n;
	int r;

	/* Exactly "X25519 <share>", a 32-byte share, a 32-byte body. */
	if (st->nargs != 2 || st->arglen[1] != KEY_B64_LEN ||
	    b64_decode(st->arg[1], KEY_B64_LEN, 0, share, sizeof(share), &n) ||
	    n != AGE_KEY_LEN ||
	    body_decode(st, body, sizeof(body), &n) || n != WRAPPED_LEN)
		return (AGE_E_STANZA);
	for (i = 0; i < nsk && !*found; i++) {
		if ((r = age_x25519(sks[i], share, shared)) != 0) {
			e = r == 1 ? AGE_E_ZEROSHARED : AGE_E_INTERNAL;
			break;
		}
		if (x25519_wrapkey(shared, share, pks[i], key)) {
			e = AGE_E_INTERNAL;
			break;
		}
		if ((r = age_aead(ctx, 0, key, zero_nonce, body, WRAPPED_LEN,
		    fk)) == 0) {
			memcpy(filekey, fk, AGE_FILEKEY_LEN);
			*found = 1;
		} else if (r < 0) {
			e = AGE_E_INTERNAL;
			break;
		}
	}
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	OPENSSL_cleanse(fk, sizeof(fk));
	return (e);
}

/* The header MAC of ${len} bytes of ${hdr} under ${filekey}. */
static int
header_mac(const uint8_t filekey[AGE_FILEKEY_LEN], const char *hdr,
    size_t len, uint8_t mac[AGE_MAC_LEN])
{
	uint8_t key[AGE_SYMKEY_LEN];
	int rc;

	rc = age_hkdf(filekey, AGE_FILEKEY_LEN, NULL, 0, "header", key,
	    sizeof(key)) || age_hmac(key, sizeof(key), hdr, len, mac) ? -1 : 0;
	OPENSSL_cleanse(key, sizeof(key));
	return (rc);
}

enum age_err
age_header_parse(const char *hdr, size_t len,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk,
    uint8_t filekey[AGE_FILEKEY_LEN])
{
	struct lines it = { hdr, hdr + len }, first;
	struct stanza st;
	uint8_t mac[AGE_MAC_LEN], want[AGE_MAC_LEN], (*pks)[AGE_KEY_LEN];
	EVP_CIPHER_CTX *ctx = NULL;
	const char *l;
	size_t i, n, nstanza = 0, nscrypt = 0, macpos = 0;
	enum age_err e = AGE_E_INTERNAL;
	int r, found = 0;

	if ((pks = calloc(nsk ? nsk : 1, sizeof(*pks))) == NULL)
		goto err0;

	/* First the whole syntax, so that a parse error is never masked. */
	if (next_line(&it, &l, &n) || n != strlen(VERSION_LINE) ||
	    memcmp(l, VERSION_LINE, n) != 0) {
		e = AGE_E_HEADER;
		goto err1;
	}
	first = it;
	while ((r = next_stanza(&it, hdr, &st, mac, &macpos)) == 1) {
		nstanza++;
		if (arg_is(&st, 0, "scrypt"))
			nscrypt++;
	}
	if (r < 0 || nstanza == 0) {
		e = AGE_E_HEADER;
		goto err1;
	}
	/* A passphrase file is not for us; it must also stand alone. */
	if (nscrypt > 0) {
		e = AGE_E_STANZA;
		goto err1;
	}

	/* Then the stanzas we understand; others are ignored (grease). */
	for (i = 0; i < nsk; i++)
		if (age_public(sks[i], pks[i]))
			goto err1;
	if ((ctx = age_aead_new()) == NULL)
		goto err1;
	it = first;
	while (next_stanza(&it, hdr, &st, mac, &macpos) == 1) {
		if (!arg_is(&st, 0, "X25519"))
			continue;
		if ((e = x25519_stanza(ctx, &st, sks,
		    (const uint8_t (*)[AGE_KEY_LEN])pks, nsk, filekey,
		    &found)) != AGE_OK)
			goto err2;
	}
	if (!found) {
		e = AGE_E_NOMATCH;
		goto err2;
	}

	/* The MAC covers the header up to and including "---". */
	e = AGE_E_INTERNAL;
	if (header_mac(filekey, hdr, macpos + 3, want))
		goto err2;
	if (CRYPTO_memcmp(mac, want, AGE_MAC_LEN) != 0) {
		e = AGE_E_HMAC;
		goto err2;
	}

	/* Success! */
	EVP_CIPHER_CTX_free(ctx);
	free(pks);
	return (AGE_OK);

err2:
	EVP_CIPHER_CTX_free(ctx);
err1:
	free(pks);
err0:
	/* Failure! */
	OPENSSL_cleanse(filekey, AGE_FILEKEY_LEN);
	return (e);
}

/* Append the X25519 stanza wrapping ${filekey} to ${pk} at ${out}. */
static int
x25519_wrap(EVP_CIPHER_CTX *ctx, const uint8_t filekey[AGE_FILEKEY_LEN],
    const uint8_t pk[AGE_KEY_LEN], char *out, size_t outlen, size_t *len)
{
	uint8_t esk[AGE_KEY_LEN], share[AGE_KEY_LEN], shared[AGE_KEY_LEN];
	uint8_t key[AGE_SYMKEY_LEN], body[WRAPPED_LEN];
	char sb[KEY_B64_LEN + 1], bb[KEY_B64_LEN + 1], rcpt[AGE_RECIPIENT_STRMAX];
	int r, n, rc = -1;

	/* A fresh ephemeral key per stanza. */
	if (age_keygen(esk) || age_public(esk, share))
		goto done;
	if ((r = age_x25519(esk, pk, shared)) != 0) {
		if (r == 1 && age_recipient_encode(pk, rcpt, sizeof(rcpt)) == 0)
			log_fail(EX_DATAERR, "age: recipient %s is a low-order "
			    "point (all-zero shared secret)", rcpt);
		else
			log_fail(EX_SOFTWARE, "age: X25519 failed");
		goto done;
	}
	if (x25519_wrapkey(shared, share, pk, key) ||
	    age_aead(ctx, 1, key, zero_nonce, filekey, AGE_FILEKEY_LEN,
	    body)) {
		log_fail(EX_SOFTWARE, "age: cannot wrap the file key");
		goto done;
	}
	b64_encode(share, sizeof(share), 0, sb, sizeof(sb));
	b64_encode(body, sizeof(body), 0, bb, sizeof(bb));
	n = snprintf(out, outlen, "-> X25519 %s\n%s\n", sb, bb);
	if (n < 0 || (size_t)n >= outlen)
		goto done;
	*len = (size_t)n;
	rc = 0;
done:
	OPENSSL_cleanse(esk, sizeof(esk));
	OPENSSL_cleanse(shared, sizeof(shared));
	OPENSSL_cleanse(key, sizeof(key));
	return (rc);
}

char *
age_header_make(const uint8_t filekey[AGE_FILEKEY_LEN],
    const uint8_t (*pks)[AGE_KEY_LEN], size_t npk, const char *extra,
    size_t *lenp)
{
	/* Per stanza: "-> X25519 " share LF body LF. */
	const size_t stanza_max = 10 + KEY_B64_LEN + 1 + KEY_B64_LEN + 1 + 1;
	size_t cap, len, n, i, elen = extra != NULL ? strlen(extra) : 0;
	uint8_t mac[AGE_MAC_LEN];
	EVP_CIPHER_CTX *ctx;
	char *buf;

	if ((ctx = age_aead_new()) == NULL) {
		log_fail(EX_SOFTWARE, "age: no ChaCha20-Poly1305 in OpenSSL");
		goto err0;
	}
	if (npk == 0 || npk > (SIZE_MAX - elen - 256) / stanza_max) {
		log_fail(EX_SOFTWARE, "age: %zu recipients", npk);
		goto err1;
	}
	cap = sizeof(VERSION_LINE) + npk * stanza_max + elen + 5 +
	    MAC_B64_LEN + 1;
	if ((buf = malloc(cap)) == NULL) {
		log_fail(EX_OSERR, "age: out of memory");
		goto err1;
	}
	len = sizeof(VERSION_LINE);
	memcpy(buf, VERSION_LINE "\n", len);
	for (i = 0; i < npk; i++) {
		if (x25519_wrap(ctx, filekey, pks[i], buf + len, cap - len, &n))
			goto err2;
		len += n;
	}
	memcpy(buf + len, extra != NULL ? extra : "", elen);
	len += elen;
	memcpy(buf + len, "---", 3);
	len += 3;
	if (header_mac(filekey, buf, len, mac)) {
		log_fail(EX_SOFTWARE, "age: cannot compute the header MAC");
		goto err2;
	}
	buf[len++] = ' ';
	len += (size_t)b64_encode(mac, sizeof(mac), 0, buf + len, cap - len);
	buf[len++] = '\n';

	/* Success! */
	EVP_CIPHER_CTX_free(ctx);
	*lenp = len;
	return (buf);

err2:
	free(buf);
err1:
	EVP_CIPHER_CTX_free(ctx);
err0:
	/* Failure! */
	return (NULL);
}
