/*
 * Unit tests of the transport's checks that need no server: path
 * validation, temporary names, refused users and URLs, and how locations
 * are described in messages.
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

#include "conf/conf.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

static int
setup(void **state)
{
	(void)state;
	log_init("test_transport", 1, 0);
	return (0);
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
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_open_refused),
	};

	return (cmocka_run_group_tests(tests, setup, NULL));
}
