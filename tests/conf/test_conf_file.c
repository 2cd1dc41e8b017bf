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

#include "../lib/scratch.h"

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
	char *dir = scratch_new("conf"), path[4096], msg[1024];
	struct conf *c;
	FILE *f;

	(void)state;
	snprintf(path, sizeof(path), "%s/t.conf", dir);
	assert_non_null(f = fopen(path, "w"));
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
	assert_int_equal(scratch_end(&dir), 0);
}

/*
 * The optional keys the shipped example shows commented out ("#key = value"
 * in its section): each, uncommented, must parse to the value shown.
 */
#define STR(f)		offsetof(struct conf, f), -1
#define LIST(f, i)	offsetof(struct conf, f), (i)
static const struct {
	const char *key;	/* section.key */
	size_t off;		/* its field in struct conf */
	int i;			/* -1: a string; else that entry of a list */
	const char *want;	/* the parsed value */
} examples[] = {
	{ "server.credentials", STR(server_credentials),
	    "hidden:c2VhbGVkIGJ5IHNpdGV2YXVsdCBjcmVkZW50aWFscw==" },
	{ "server.ca_file", STR(server_ca_file), "/etc/sitevault/ca.pem" },
	{ "server.pinned_pubkey", STR(server_pinned_pubkey),
	    "sha256//YhKJKSzoTt2b5FP18fvpHo7fJYqQCjAa3HWY3tvRMwE=" },
	{ "keys.recipients", LIST(keys_recipients, 0),
	    "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p" },
	{ "keys.recipients", LIST(keys_recipients, 1),
	    "/etc/sitevault/escrow.txt" },
	{ "keys.trusted", LIST(keys_trusted, 0),
	    "branch-02:/etc/sitevault/branch-02.pub" },
	{ "state.metrics", STR(state_metrics),
	    "/var/lib/prometheus/node-exporter/sitevault.prom" },
};
#define NEXAMPLES	(sizeof(examples) / sizeof(examples[0]))

/* The parsed value of examples[${i}] in ${c}. */
static const char *
example_value(const struct conf *c, size_t i)
{
	const char *field = (const char *)c + examples[i].off;

	if (examples[i].i < 0)
		return (*(char *const *)(const void *)field);
	return ((*(char **const *)(const void *)field)[examples[i].i]);
}

/*
 * Uncomment, in place, every "#key = value" line of ${text}, and check that
 * the keys are exactly those of examples[] (each in its section).
 */
static void
uncomment_examples(char *text)
{
	char section[32] = "", key[80], *p, *q;
	int seen[NEXAMPLES] = { 0 };
	size_t i, n;
	int known;

	for (p = text; p != NULL; p = (q = strchr(p, '\n')) ? q + 1 : NULL) {
		if (*p == '[' && (n = strcspn(p + 1, "]\n")) < sizeof(section) &&
		    p[1 + n] == ']') {
			memcpy(section, p + 1, n);
			section[n] = '\0';
			continue;
		}
		if (*p != '#')
			continue;
		n = strspn(p + 1, "abcdefghijklmnopqrstuvwxyz_");
		if (n == 0 || strncmp(p + 1 + n, " = ", 3) != 0)
			continue;
		assert_true(snprintf(key, sizeof(key), "%s.%.*s", section,
		    (int)n, p + 1) < (int)sizeof(key));
		*p = ' ';
		for (i = 0, known = 0; i < NEXAMPLES; i++)
			if (strcmp(examples[i].key, key) == 0) {
				seen[i]++;
				known = 1;
			}
		if (!known)
			fail_msg("config/sitevault.conf shows %s: name it in "
			    "examples[] with its value", key);
	}
	for (i = 0; i < NEXAMPLES; i++)
		if (seen[i] != 1)
			fail_msg("config/sitevault.conf shows %s %d times, "
			    "want once", examples[i].key, seen[i]);
}

/* The shipped example parses, and so does every optional key it shows. */
static void
test_example(void **state)
{
	const char *top = getenv("top_srcdir"), *got;
	char path[4096], *text;
	struct conf *c;
	FILE *f;
	long len;
	size_t i;

	(void)state;
	snprintf(path, sizeof(path), "%s/config/sitevault.conf",
	    top != NULL ? top : TOP_SRCDIR);
	assert_non_null(c = conf_load(path));
	assert_string_equal(c->site_name, "branch-01");
	assert_non_null(c->server_user);
	/* Commented out, the optional keys are unset. */
	for (i = 0; i < NEXAMPLES; i++)
		if (examples[i].i <= 0 && example_value(c, i) != NULL)
			fail_msg("%s is set in the example as shipped",
			    examples[i].key);
	conf_free(c);

	assert_non_null(f = fopen(path, "r"));
	assert_int_equal(fseek(f, 0, SEEK_END), 0);
	assert_true((len = ftell(f)) > 0);
	rewind(f);
	assert_non_null(text = malloc((size_t)len + 1));
	assert_int_equal(fread(text, 1, (size_t)len, f), (size_t)len);
	fclose(f);
	text[len] = '\0';
	uncomment_examples(text);
	c = conf_parse(path, text, (size_t)len);
	if (c == NULL)
		fail_msg("the example with its optional keys does not parse");
	for (i = 0; i < NEXAMPLES; i++) {
		got = example_value(c, i);
		if (got == NULL || strcmp(got, examples[i].want) != 0)
			fail_msg("%s: parsed as \"%s\", want \"%s\"",
			    examples[i].key, got != NULL ? got : "(unset)",
			    examples[i].want);
	}
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
