/*
 * Unit tests of the age header (common/crypto/age_header.c): tampering, low-order
 * shares and recipients, stanzas to ignore or refuse, non-age input; each
 * with its specific error.
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "util/b64.h"
#include "age_test.h"

static void
test_header_tamper(void **state)
{
	uint8_t *pt = pattern(10);
	struct buf ct = encrypt(pt, 10), out;
	size_t h = header_len(&ct), mac = h - 44, i;
	static const struct {
		int where;	/* 0: MAC, 1: version, 2: share, 3: body */
		uint8_t to;
		enum age_err err;
	} cases[] = {
		{ 0, 'A', AGE_E_HMAC },		/* a MAC character */
		{ 0, '=', AGE_E_HEADER },	/* not base64 */
		{ 1, 'b', AGE_E_HEADER },	/* version line */
		{ 2, '-', AGE_E_STANZA },	/* the share is no key */
		{ 3, '*', AGE_E_HEADER },	/* body not base64 */
	};
	size_t pos[4];

	(void)state;
	/* "age-encryption.org/v1\n-> X25519 " share LF body LF "--- " */
	pos[0] = mac + 10;
	pos[1] = 0;
	pos[2] = 22 + 10 + 5;
	pos[3] = 22 + 10 + 43 + 1 + 5;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t save = ct.p[pos[cases[i].where]];

		ct.p[pos[cases[i].where]] = save == cases[i].to ? 'B' :
		    cases[i].to;
		out = buf_new();
		assert_int_equal(decrypt(ct.p, ct.len, &out), cases[i].err);
		assert_int_equal(out.len, 0);
		ct.p[pos[cases[i].where]] = save;
	}
	/* A changed share is another key: the body does not open. */
	ct.p[pos[2]] = ct.p[pos[2]] == 'A' ? 'B' : 'A';
	out = buf_new();
	assert_int_equal(decrypt(ct.p, ct.len, &out), AGE_E_NOMATCH);
	free(ct.p);
	free(pt);
}

/* A three-chunk file, cut into header+nonce and chunks for reassembly. */
static const uint8_t low_order[][AGE_KEY_LEN] = {
	{ 0 },
	{ 1 },
	{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56, 0xe3,
	  0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb, 0x9c, 0x32,
	  0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49, 0xb8, 0x00 },
	{ 0xec, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
	  0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x7f },
};

static void
test_low_order(void **state)
{
	struct buf ct = buf_new(), out;
	uint8_t rc[2][AGE_KEY_LEN], shared[AGE_KEY_LEN];
	char extra[256], share[64];
	uint8_t *pt = pattern(10);
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(low_order) / sizeof(low_order[0]); i++) {
		assert_int_equal(age_x25519(sks[0], low_order[i], shared), 1);
		/* The writer refuses such a recipient, even among others. */
		memcpy(rc[0], pks[0], AGE_KEY_LEN);
		memcpy(rc[1], low_order[i], AGE_KEY_LEN);
		assert_null(age_writer_new((const uint8_t (*)[AGE_KEY_LEN])rc,
		    2, buf_out, &ct));
		/* The reader refuses such a share. */
		b64_encode(low_order[i], AGE_KEY_LEN, 0, share, sizeof(share));
		snprintf(extra, sizeof(extra), "-> X25519 %s\n"
		    "W3E/OCRme9TiTY97JoK31Z71arNur77WIIdB90XnN3M\n", share);
		free(ct.p);
		ct = encrypt_ex((const uint8_t (*)[AGE_KEY_LEN])&other_pk, 1,
		    extra, pt, 10, 10);
		out = buf_new();
		assert_int_equal(decrypt(ct.p, ct.len, &out),
		    AGE_E_ZEROSHARED);
		assert_int_equal(out.len, 0);
		free(ct.p);
		ct = buf_new();
	}
	free(ct.p);
	free(pt);
}

/* Stanzas beside ours: ignored if unknown, refused if not acceptable. */
static void
test_stanzas(void **state)
{
	static const struct {
		const char *extra;
		enum age_err err;	/* with our recipient first */
		enum age_err alone;	/* with a stranger's recipient */
	} cases[] = {
		{ "-> grease x y\n\n", AGE_OK, AGE_E_NOMATCH },
		{ "-> example.com/pq a\nAAAA\n", AGE_OK, AGE_E_NOMATCH },
		{ "-> x25519 Zm9v\nAAAA\n", AGE_OK, AGE_E_NOMATCH },
		{ "-> long\n"
		  "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n"
		  "\n", AGE_OK, AGE_E_NOMATCH },
		/* passphrase files are not ours, and scrypt must be alone */
		{ "-> scrypt 3d9y0G+8q1ffPQ0xJJatIQ 10\n"
		  "foZolxuhRSL7IG7oaR+456IzkHtvue7j4mUjh3DB6EI\n",
		  AGE_E_STANZA, AGE_E_STANZA },
		/* X25519 stanzas must have the one form */
		{ "-> X25519\n"
		  "W3E/OCRme9TiTY97JoK31Z71arNur77WIIdB90XnN3M\n",
		  AGE_E_STANZA, AGE_E_STANZA },
		{ "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc x\n"
		  "W3E/OCRme9TiTY97JoK31Z71arNur77WIIdB90XnN3M\n",
		  AGE_E_STANZA, AGE_E_STANZA },
		{ "-> X25519 TEiF0ypqr+bpvcqXNyCVJpL7OuwPdVwPL7KQEbFDOCc\n"
		  "W3E/OCRme9TiTY97JoK31Z71arNur77WIIdB90XnN3MAAAA\n",
		  AGE_E_STANZA, AGE_E_STANZA },
		/* grammar: every stanza is checked, known or not */
		{ "-> grease\nAAA=\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "-> grease\nAAB\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "-> grease  x\n\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "-> grease\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "->\n\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "-> gr\xc3\xa9" "ase\n\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "-> grease\r\n\n", AGE_E_HEADER, AGE_E_HEADER },
		{ "-> grease\n"
		  "QUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFBQUFB\n",
		  AGE_E_HEADER, AGE_E_HEADER },
		{ "junk\n", AGE_E_HEADER, AGE_E_HEADER },
	};
	uint8_t *pt = pattern(10);
	struct buf ct, out;
	size_t i, j;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		for (j = 0; j < 2; j++) {
			ct = encrypt_ex((const uint8_t (*)[AGE_KEY_LEN])
			    (j == 0 ? pks : &other_pk), 1, cases[i].extra,
			    pt, 10, 10);
			out = buf_new();
			if (decrypt(ct.p, ct.len, &out) !=
			    (j == 0 ? cases[i].err : cases[i].alone))
				fail_msg("stanza case %zu/%zu: got %s", i, j,
				    age_strerror(decrypt(ct.p, ct.len, &out)));
			assert_int_equal(out.len,
			    j == 0 && cases[i].err == AGE_OK ? 10 : 0);
			free(out.p);
			free(ct.p);
		}
	free(pt);
}

/* Not age at all, or a header too long: refused before the end. */
static void
test_not_age(void **state)
{
	struct age_reader *r;
	struct buf out = buf_new();
	char *big;
	size_t n = AGE_HEADER_MAX + 10;

	(void)state;
	assert_non_null(r = age_reader_new((const uint8_t (*)[AGE_KEY_LEN])sks,
	    1, buf_out, &out));
	assert_int_equal(age_reader_write(r, "age-encryption.org/v2", 21), -1);
	assert_int_equal(age_reader_error(r), AGE_E_HEADER);
	age_reader_free(r);

	assert_non_null(big = malloc(n));
	memset(big, 'A', n);
	memcpy(big, "age-encryption.org/v1\n-> grease\n", 32);
	assert_non_null(r = age_reader_new((const uint8_t (*)[AGE_KEY_LEN])sks,
	    1, buf_out, &out));
	assert_int_equal(age_reader_write(r, big, n), -1);
	assert_int_equal(age_reader_error(r), AGE_E_HEADER);
	age_reader_free(r);
	free(big);
}

/* A failing output callback stops both directions. */
int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_header_tamper),
		cmocka_unit_test(test_low_order),
		cmocka_unit_test(test_stanzas),
		cmocka_unit_test(test_not_age),
	};

	return (cmocka_run_group_tests(tests, age_test_setup, NULL));
}
