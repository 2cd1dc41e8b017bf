/*
 * Unit tests of the sealed credentials (seal.h) and of the transport's
 * checks that need no server (path validation, refused users and URLs).
 */
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

#include "conf.h"
#include "log.h"
#include "seal.h"
#include "transport.h"
#include "transport_impl.h"

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

static const struct {
	const char *path;
	int empty_ok;
	int rc;
} paths[] = {
	{ "branch-01/SITE", 0, 0 },
	{ "a b/c#d%e/\xc3\xbc", 0, 0 },
	{ ".hidden/..x/x..", 0, 0 },
	{ "", 1, 0 },
	{ "", 0, -1 },
	{ "/abs", 0, -1 },
	{ "a/", 0, -1 },
	{ "a//b", 0, -1 },
	{ "..", 0, -1 },
	{ "a/../b", 0, -1 },
	{ "a/./b", 0, -1 },
	{ ".", 1, -1 },
	{ "a\nb", 0, -1 },
	{ "a\rb", 0, -1 },
	{ "a\tb", 0, -1 },
	{ "a\x7f", 0, -1 },
};

static void
test_paths(void **state)
{
	char longname[300];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++)
		if (transport_path_check(paths[i].path, paths[i].empty_ok) !=
		    paths[i].rc)
			fail_msg("path \"%s\": expected %d", paths[i].path,
			    paths[i].rc);
	memset(longname, 'x', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = '\0';
	assert_int_equal(transport_path_check(longname, 0), -1);
	assert_true(transport_is_temp("part.000001" TRANSPORT_TMP_MARK
	    "0a1b2c3d"));
	assert_false(transport_is_temp("part.000001"));
}

/* Refused before any connection: the class is EX_CONFIG. */
static void
test_open_refused(void **state)
{
	static const struct {
		const char *url;
		const char *user;
	} bad[] = {
		{ "ftp://127.0.0.1:1/x", "anonymous" },
		{ "ftp://127.0.0.1:1/x", "FTP" },
		{ "ftp://127.0.0.1:1/x", "" },
		{ "ftp://127.0.0.1:1/x", NULL },
		{ "ftp://u:p@127.0.0.1:1/x", "u" },
		{ "ftp://u@127.0.0.1:1/x", "u" },
		{ "http://127.0.0.1/x", "u" },
		{ "ftp://127.0.0.1/x#y", "u" },
		/* Credentials never reach a message, valid URL or not. */
		{ "ftp://u:s3cret@127.0.0.1:1/x", "u" },
		{ "ftp://:s3cret@127.0.0.1:1/x", "u" },
		{ "ftp://u:s3cret@127.0.0.1:99999/x", "u" },
		{ "ftp://u:s3cret@[::1/x", "u" },
		{ "http://u:s3cret@127.0.0.1/x", "u" },
		{ "ftps://u:s3cret@127.0.0.1/x#y", "u" },
		{ "ftp://u:s3cret@127.0.0.1/x", "anonymous" },
		{ "ftp://u:s3cret@127.0.0.1/x", "" },
		{ "ftp://u:pa/s3cret@127.0.0.1/x", "u" },
		{ "file://u:s3cret@/x", "u" },
	};
	static const struct {
		const char *url;
		const char *path;
		const char *want;
	} where[] = {
		{ "ftp://127.0.0.1:1", "branch-01/Data_7",
		    "ftp://127.0.0.1:1/branch-01/Data_7" },
		{ "ftp://127.0.0.1:1/", "branch-01/Data_7",
		    "ftp://127.0.0.1:1/branch-01/Data_7" },
		{ "ftp://127.0.0.1:1/", "", "ftp://127.0.0.1:1/" },
		{ "ftp://127.0.0.1:1/a/", "b", "ftp://127.0.0.1:1/a/b" },
		{ "ftp://127.0.0.1:1/a", "", "ftp://127.0.0.1:1/a" },
		{ "/", "srv/x", "/srv/x" },
		{ "file:///srv/", "x", "/srv/x" },
	};
	struct transport *t;
	struct conf c;
	char msg[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memset(&c, 0, sizeof(c));
		c.path = (char *)(uintptr_t)"test.conf";
		c.server_url = (char *)(uintptr_t)bad[i].url;
		c.server_user = (char *)(uintptr_t)bad[i].user;
		c.server_tls = CONF_TLS_TRY;
		c.server_retries = 1;
		log_reset();
		log_capture(msg, sizeof(msg));
		if ((t = transport_open(&c, "pw")) != NULL) {
			transport_close(t);
			fail_msg("opened %s as %s", bad[i].url,
			    bad[i].user ? bad[i].user : "(null)");
		}
		log_capture(NULL, 0);
		assert_int_equal(log_class(), EX_CONFIG);
		if (strstr(msg, "s3cret") != NULL)
			fail_msg("%s: the message shows the password: %s",
			    bad[i].url, msg);
	}
	/* A good one opens without connecting, and describes itself. */
	c.server_url = (char *)(uintptr_t)"ftp://127.0.0.1:1/a%20b/";
	c.server_user = (char *)(uintptr_t)"u";
	assert_non_null(t = transport_open(&c, "pw"));
	assert_string_equal(transport_describe(t), "ftp://127.0.0.1:1/a%20b");
	transport_close(t);
	/* Paths are joined to the URL with one '/', at the server's root too. */
	for (i = 0; i < sizeof(where) / sizeof(where[0]); i++) {
		c.server_url = (char *)(uintptr_t)where[i].url;
		assert_non_null(t = transport_open(&c, "pw"));
		assert_string_equal(transport_where(t, where[i].path, msg,
		    sizeof(msg)), where[i].want);
		transport_close(t);
	}
	/* Truncated, never overflowing. */
	c.server_url = (char *)(uintptr_t)"ftp://127.0.0.1:1/";
	assert_non_null(t = transport_open(&c, "pw"));
	assert_string_equal(transport_where(t, "branch-01/Data_7", msg, 12),
	    "ftp://127.0");
	transport_close(t);
	transport_close(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_refused),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_open_refused),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
