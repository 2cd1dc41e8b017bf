/*
 * Unit tests for common/conf/conf.c beyond the table of test_conf.c: reading
 * files, limits, secrets kept out of messages, the shipped example, and the
 * value formatters.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "conf/conf_value.h"
#include "util/log.h"

#define FTP "[site]\nname = s1\n[server]\nurl = ftp://h/d\nuser = u\n"

/*
 * Parse ${text}: it must be rejected with one EX_CONFIG line starting
 * "t.conf:LINE: " (or "t.conf: " if ${line} < 0) and naming ${what}.  The
 * message is left in ${msg}.
 */
static void
expect_error(const char *text, size_t len, int line, const char *what,
    char *msg, size_t msglen)
{
	struct conf *c;
	char want[64];

	log_reset();
	log_capture(msg, msglen);
	c = conf_parse("t.conf", text, len);
	log_capture(NULL, 0);
	assert_null(c);
	assert_int_equal(log_class(), EX_CONFIG);
	assert_null(strchr(msg, '\n'));
	if (line > 0)
		snprintf(want, sizeof(want), "t.conf:%d: ", line);
	else
		snprintf(want, sizeof(want), "t.conf: ");
	if (strncmp(msg, want, strlen(want)) != 0 || strstr(msg, what) == NULL)
		fail_msg("want \"%s...%s\", got: %s", want, what, msg);
}

static void
test_long_line(void **state)
{
	struct conf *c;
	char *text, msg[1024];
	size_t n;

	(void)state;
	/* A 4096-byte line is fine; one byte more is not. */
	assert_non_null(text = malloc(10000));
	n = (size_t)snprintf(text, 10000, "[site]\nname = a\n[backup]\n"
	    "exclude = ");
	memset(text + n, 'x', 4096 - 10);
	n += 4096 - 10;
	memcpy(text + n, "\n[server]\nurl = /x\n", 19);
	c = conf_parse("t.conf", text, n + 19);
	assert_non_null(c);
	conf_free(c);
	text[n] = 'x';
	expect_error(text, n + 19, 4, "longer than 4096", msg, sizeof(msg));
	free(text);
}

static void
test_secret_not_echoed(void **state)
{
	static const char *const bad[] = {
		"[server]\ncredentials = hidden:SECRETPW$\n",
		"[server]\ncredentials = SECRETPW\n",
		"[server]\ncredentials = hidden:SECRETPW\ncredentials = x\n",
	};
	char msg[1024];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		expect_error(bad[i], strlen(bad[i]), i == 2 ? 3 : 2,
		    "server.credentials", msg, sizeof(msg));
		if (strstr(msg, "SECRETPW") != NULL)
			fail_msg("credentials value in message: %s", msg);
	}
}

static void
test_too_large(void **state)
{
	char *text, msg[1024];
	size_t len = 1024 * 1024 + 1;

	(void)state;
	assert_non_null(text = malloc(len));
	memset(text, '\n', len);
	expect_error(text, len, -1, "larger than", msg, sizeof(msg));
	free(text);
}

static void
test_load(void **state)
{
	char path[] = "/tmp/test_conf.XXXXXX", msg[1024];
	struct conf *c;
	FILE *f;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(path)) != -1);
	assert_non_null(f = fdopen(fd, "w"));
	fputs(FTP "retries = 7\n", f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(c = conf_load(path));
	assert_string_equal(c->path, path);
	assert_int_equal(c->server_retries, 7);
	assert_false(conf_is_local(c));
	conf_free(c);

	/* Unreadable: EX_CONFIG (78: the spec gives 66 to missing backups) with the file and the reason. */
	assert_int_equal(unlink(path), 0);
	log_reset();
	log_capture(msg, sizeof(msg));
	assert_null(conf_load(path));
	assert_int_equal(log_class(), EX_CONFIG);
	assert_non_null(strstr(msg, path));
	assert_non_null(strstr(msg, "No such file"));
	log_reset();
	assert_null(conf_load("/"));
	assert_int_equal(log_class(), EX_CONFIG);
	assert_non_null(strstr(msg, "directory"));
	log_capture(NULL, 0);
	conf_free(NULL);
}

/* The shipped example parses, and so does every optional key it shows. */
static void
test_example(void **state)
{
	const char *top = getenv("top_srcdir");
	char path[4096], *text, *p, *q;
	struct conf *c;
	FILE *f;
	long len;
	size_t n;
	int uncommented = 0;

	(void)state;
	snprintf(path, sizeof(path), "%s/config/sitevault.conf",
	    top != NULL ? top : TOP_SRCDIR);
	assert_non_null(c = conf_load(path));
	assert_string_equal(c->site_name, "branch-01");
	assert_non_null(c->server_user);
	assert_null(c->server_credentials);
	conf_free(c);

	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((len = ftell(f)) > 0);
	rewind(f);
	assert_non_null(text = malloc((size_t)len + 1));
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	text[len] = '\0';
	/* "#key = value" lines are examples: uncomment them in place. */
	for (p = text; (q = strstr(p, "\n#")) != NULL; p = q + 1) {
		n = strspn(q + 2, "abcdefghijklmnopqrstuvwxyz_");
		if (n > 0 && strncmp(q + 2 + n, " = ", 3) == 0) {
			q[1] = ' ';
			uncommented++;
		}
	}
	/* credentials, ca_file, pinned_pubkey, recipients, trusted, and more */
	assert_true(uncommented >= 5);
	c = conf_parse(path, text, (size_t)len);
	if (c == NULL)
		fail_msg("the example with its optional keys does not parse");
	assert_non_null(c->server_credentials);
	assert_non_null(c->server_ca_file);
	assert_non_null(c->server_pinned_pubkey);
	assert_non_null(c->state_metrics);
	assert_non_null(c->keys_recipients[1]);
	assert_non_null(c->keys_trusted[0]);
	conf_free(c);
	free(text);
}

static void
test_format(void **state)
{
	static const struct {
		uint64_t n;
		const char *size, *duration;
	} f[] = {
		{ 0, "0", "0s" },
		{ 1, "1", "1s" },
		{ 60, "60", "1m" },
		{ 90, "90", "90s" },
		{ 1024, "1K", "1024s" },
		{ 3600, "3600", "1h" },
		{ 86400, "86400", "1d" },
		{ 7200, "7200", "2h" },
		{ 16777216, "16M", "16777216s" },
		{ 1536, "1536", "1536s" },
		{ UINT64_C(4) << 30, "4G", "4294967296s" },
	};
	char buf[32];
	uint64_t back;
	const char *why;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(f) / sizeof(f[0]); i++) {
		conf_value_format_size(f[i].n, buf, sizeof(buf));
		assert_string_equal(buf, f[i].size);
		assert_int_equal(conf_value_size(buf, &back, &why), 0);
		assert_true(back == f[i].n);
		conf_value_format_duration(f[i].n, buf, sizeof(buf));
		assert_string_equal(buf, f[i].duration);
		assert_int_equal(conf_value_duration(buf, &back, &why), 0);
		assert_true(back == f[i].n);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_long_line),
		cmocka_unit_test(test_secret_not_echoed),
		cmocka_unit_test(test_too_large),
		cmocka_unit_test(test_load),
		cmocka_unit_test(test_example),
		cmocka_unit_test(test_format),
	};

	log_init("test_conf_file", 0, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
