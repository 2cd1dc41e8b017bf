/* Unit tests for common/util/b64.c: round trips and strict decoding. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "util/b64.h"

/* RFC 4648 section 10, with and without padding. */
static const struct {
	const char *raw, *pad, *nopad;
} vectors[] = {
	{ "", "", "" },
	{ "f", "Zg==", "Zg" },
	{ "fo", "Zm8=", "Zm8" },
	{ "foo", "Zm9v", "Zm9v" },
	{ "foob", "Zm9vYg==", "Zm9vYg" },
	{ "fooba", "Zm9vYmE=", "Zm9vYmE" },
	{ "foobar", "Zm9vYmFy", "Zm9vYmFy" },
};

static void
test_vectors(void **state)
{
	char out[16];
	uint8_t raw[16];
	size_t i, n, len;

	(void)state;
	for (i = 0; i < sizeof(vectors) / sizeof(vectors[0]); i++) {
		len = strlen(vectors[i].raw);
		assert_int_equal(b64_encode((const uint8_t *)vectors[i].raw,
		    len, B64_PAD, out, sizeof(out)), strlen(vectors[i].pad));
		assert_string_equal(out, vectors[i].pad);
		assert_int_equal(b64_encode((const uint8_t *)vectors[i].raw,
		    len, 0, out, sizeof(out)), strlen(vectors[i].nopad));
		assert_string_equal(out, vectors[i].nopad);
		assert_int_equal(b64_decode(vectors[i].pad,
		    strlen(vectors[i].pad), B64_PAD, raw, sizeof(raw), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(raw, vectors[i].raw, len);
		assert_int_equal(b64_decode(vectors[i].nopad,
		    strlen(vectors[i].nopad), 0, raw, sizeof(raw), &n), 0);
		assert_int_equal(n, len);
		assert_memory_equal(raw, vectors[i].raw, len);
	}
}

/* Each row must be refused with its flags. */
static const struct {
	const char *b64;
	int flags;
} bad[] = {
	{ "AAF=", B64_PAD },		/* non-zero trailing bits */
	{ "AB==", B64_PAD },
	{ "AB", 0 },
	{ "AAE", B64_PAD },		/* no padding */
	{ "AAE=", 0 },			/* padding where there is none */
	{ " AAE=", B64_PAD },		/* whitespace */
	{ "AAE=\n", B64_PAD },
	{ "AA=C", B64_PAD },		/* padding inside */
	{ "A===", B64_PAD },		/* too much padding */
	{ "AAAA====", B64_PAD },
	{ "AA-_", B64_PAD },		/* URL alphabet */
	{ "A", 0 },			/* no byte string has this length */
	{ "AAAAA", 0 },
};

static void
test_strict(void **state)
{
	uint8_t out[8];
	size_t i, n;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (b64_decode(bad[i].b64, strlen(bad[i].b64), bad[i].flags,
		    out, sizeof(out), &n) == 0)
			fail_msg("case %zu \"%s\" accepted", i, bad[i].b64);
	/* Lax on the unused bits only when asked. */
	assert_int_equal(b64_decode("AB==", 4, B64_PAD | B64_ANYBITS, NULL, 0,
	    &n), 0);
	assert_int_equal(n, 1);
}

static void
test_limits(void **state)
{
	uint8_t out[2];
	char txt[5];
	size_t n;

	(void)state;
	/* More bytes than room: refused, also when only checking. */
	assert_int_equal(b64_decode("Zm9v", 4, B64_PAD, out, sizeof(out), &n),
	    -1);
	assert_int_equal(b64_decode("Zm9v", 4, B64_PAD, NULL, 0, &n), 0);
	assert_int_equal(n, 3);
	/* The text and its NUL must fit. */
	assert_int_equal(b64_encode((const uint8_t *)"foo", 3, B64_PAD, txt,
	    4), -1);
	assert_int_equal(b64_encode((const uint8_t *)"foo", 3, B64_PAD, txt,
	    5), 4);
	assert_int_equal(b64_encode((const uint8_t *)"fo", 2, B64_PAD, txt,
	    4), -1);
	assert_int_equal(b64_encode((const uint8_t *)"fo", 2, 0, txt, 4), 3);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_strict),
		cmocka_unit_test(test_limits),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
