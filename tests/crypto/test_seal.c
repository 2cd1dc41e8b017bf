/* Unit tests of the sealed credentials (crypto/seal.h). */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "util/log.h"
#include "crypto/seal.h"

static uint8_t sk1[AGE_KEY_LEN], sk2[AGE_KEY_LEN];

static int
setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < AGE_KEY_LEN; i++) {
		sk1[i] = (uint8_t)i;
		sk2[i] = (uint8_t)(i + 1);
	}
	log_init("test_seal", 1, 0);
	return (0);
}

static void
test_roundtrip(void **state)
{
	static const char *pws[] = { "x", "correct horse battery staple",
	    "p\xc3\xa4ss w#rd;=%", NULL };
	char *v1, *v2, *pw, big[SEAL_MAXPASS + 1];
	size_t i;

	(void)state;
	for (i = 0; pws[i] != NULL; i++) {
		assert_non_null(v1 = seal_password(sk1, pws[i]));
		assert_non_null(v2 = seal_password(sk1, pws[i]));
		assert_true(strncmp(v1, "hidden:", 7) == 0);
		/* A fresh nonce each time; the password never shows. */
		assert_string_not_equal(v1, v2);
		if (strlen(pws[i]) >= 8)
			assert_null(strstr(v1, pws[i]));
		assert_int_equal(seal_open(sk1, v1, "t", &pw), 0);
		assert_string_equal(pw, pws[i]);
		seal_free(pw);
		free(v1);
		free(v2);
	}
	memset(big, 'a', SEAL_MAXPASS);
	big[SEAL_MAXPASS] = '\0';
	assert_non_null(v1 = seal_password(sk1, big));
	assert_int_equal(seal_open(sk1, v1, "t", &pw), 0);
	assert_string_equal(pw, big);
	seal_free(pw);
	free(v1);
	seal_free(NULL);
}

/* A vector computed with Python's cryptography package (HKDF, AEAD). */
static void
test_vector(void **state)
{
	static const char v[] = "hidden:AaChoqOkpaanqKmqq9kx2lfTZyW/GXY+jfk+Sasw"
	    "4XwuStyvq2gbNUEu/PbFrxbfMhJ7J0wIy1Gb";
	char *pw;

	(void)state;
	assert_int_equal(seal_open(sk1, v, "t", &pw), 0);
	assert_string_equal(pw, "correct horse battery staple");
	seal_free(pw);
}

static void
test_refused(void **state)
{
	static const char *bad[] = {
		"AaChoqOkpaanqKmqq9kx2lfTZyW/GXY+jfk+Sasw4XwuStyvq2gbNUEu",
		"hidden:",
		"hidden:!!!!",
		"hidden:AaChoq",			/* too short */
		"hidden:AqChoqOkpaanqKmqq9kx2lfTZyW/GXY+jfk+Sasw4XwuStyvq2gb"
		    "NUEu/PbFrxbfMhJ7J0wIy1Gb",		/* version 2 */
		"hidden:AaChoqOkpaanqKmqq9kx2lfTZyW/GXY+jfk+Sasw4XwuStyvq2gb"
		    "NUEu/PbFrxbfMhJ7J0wIy1Gc",		/* tag altered */
		"hidden:AaChoqOkpaanqKmqq9kx2lfTZyW/GXY+jfk+Sasw4XwuStyvq2gb"
		    "NUEu/PbFrxbfMhJ7J0wIy1G",		/* truncated */
		NULL
	};
	char *v, *pw = (char *)1;
	size_t i;

	(void)state;
	for (i = 0; bad[i] != NULL; i++) {
		log_reset();
		if (seal_open(sk1, bad[i], "t", &pw) != -1)
			fail_msg("accepted: %s", bad[i]);
		assert_null(pw);
		assert_int_equal(log_class(), EX_CONFIG);
	}
	/* Another site's key cannot open it. */
	assert_non_null(v = seal_password(sk1, "secret"));
	log_reset();
	assert_int_equal(seal_open(sk2, v, "t", &pw), -1);
	assert_int_equal(log_class(), EX_CONFIG);
	free(v);
	/* Passwords that cannot be one line of a config file. */
	assert_null(seal_password(sk1, ""));
	assert_null(seal_password(sk1, "a\nb"));
	assert_null(seal_password(sk1, "a\rb"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_refused),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
