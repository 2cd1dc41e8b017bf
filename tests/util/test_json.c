/* Unit tests for common/util/json.c: escaping and the object writer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/json.h"

/* Run ${fn} on a memory stream and return what it wrote (caller frees). */
static char *
capture(void (*fn)(FILE *, const void *), const void *arg)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	assert_non_null(f = open_memstream(&buf, &len));
	fn(f, arg);
	assert_int_equal(fclose(f), 0);
	return (buf);
}

static const struct {
	const char *in;
	size_t len;		/* 0: strlen(in) */
	const char *out;
} strings[] = {
	{ "", 0, "\"\"" },
	{ "plain /path/x.tmp", 0, "\"plain /path/x.tmp\"" },
	{ "q\"b\\", 0, "\"q\\\"b\\\\\"" },
	{ "a\nb\rc\td", 0, "\"a\\nb\\rc\\td\"" },
	{ "\x01\x1f\x7f", 0, "\"\\u0001\\u001f\\u007f\"" },
	{ "nul\0x", 5, "\"nul\\u0000x\"" },
	/* Valid UTF-8 passes through: 2, 3 and 4 byte forms. */
	{ "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80", 0,
	    "\"\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\"" },
	/* Invalid bytes become U+FFFD, one per byte. */
	{ "\xff", 0, "\"\\ufffd\"" },
	{ "a\xc3", 0, "\"a\\ufffd\"" },			/* truncated */
	{ "\xc0\xaf", 0, "\"\\ufffd\\ufffd\"" },	/* overlong '/' */
	{ "\xed\xa0\x80", 0, "\"\\ufffd\\ufffd\\ufffd\"" },	/* surrogate */
	{ "\xf4\x90\x80\x80", 0, "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
	{ "\xe2\x82", 0, "\"\\ufffd\\ufffd\"" },
};

static size_t cur;

static void
put_one(FILE *f, const void *arg)
{
	size_t len = strings[cur].len ? strings[cur].len : strlen(arg);

	json_put_stringn(f, arg, len);
}

static void
test_strings(void **state)
{
	char *out;

	(void)state;
	for (cur = 0; cur < sizeof(strings) / sizeof(strings[0]); cur++) {
		out = capture(put_one, strings[cur].in);
		if (strcmp(out, strings[cur].out) != 0)
			fail_msg("case %zu: got %s, want %s", cur, out,
			    strings[cur].out);
		free(out);
	}
}

static void
put_null(FILE *f, const void *arg)
{

	(void)arg;
	json_put_string(f, NULL);
	json_put_string(f, "x");
}

static void
test_null(void **state)
{
	char *out;

	(void)state;
	out = capture(put_null, NULL);
	assert_string_equal(out, "null\"x\"");
	free(out);
}

static void
write_object(FILE *f, const void *arg)
{
	struct json j;

	(void)arg;
	json_begin(&j, f);
	json_string(&j, "id", "42");
	json_uint(&j, "size", UINT64_MAX);
	json_int(&j, "delta", -5);
	json_bool(&j, "ok", 1);
	json_null(&j, "none");
	json_array(&j, "files");
	json_string(&j, NULL, "a");
	json_object(&j, NULL);
	json_bool(&j, "x", 0);
	json_object_end(&j);
	json_array_end(&j);
	json_array(&j, "empty");
	json_array_end(&j);
	json_object(&j, "open");
	json_array(&j, "left");
	json_uint(&j, NULL, 1);
	/* json_end closes what is still open, each with its own bracket. */
	assert_int_equal(json_end(&j), 0);
}

static void
test_object(void **state)
{
	char *out;

	(void)state;
	out = capture(write_object, NULL);
	assert_string_equal(out, "{\"id\":\"42\",\"size\":18446744073709551615,"
	    "\"delta\":-5,\"ok\":true,\"none\":null,"
	    "\"files\":[\"a\",{\"x\":false}],\"empty\":[],"
	    "\"open\":{\"left\":[1]}}\n");
	free(out);
}

static void
write_fixed(FILE *f, const void *arg)
{
	struct json j;

	(void)arg;
	json_begin(&j, f);
	json_fixed(&j, "s", 1.25, 3);
	json_fixed(&j, "z", 0, 0);
	json_fixed(&j, "inf", 1.0 / 0.0, 3);
	assert_int_equal(json_end(&j), 0);
}

static void
test_fixed(void **state)
{
	char *out;

	(void)state;
	out = capture(write_fixed, NULL);
	assert_string_equal(out, "{\"s\":1.250,\"z\":0,\"inf\":null}\n");
	free(out);
}

static void
test_write_error(void **state)
{
	struct json j;
	FILE *f;

	(void)state;
	/* A full device must be reported, not silently ignored. */
	if ((f = fopen("/dev/full", "w")) == NULL)
		skip();
	json_begin(&j, f);
	json_string(&j, "k", "v");
	assert_int_equal(json_end(&j), -1);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_strings),
		cmocka_unit_test(test_null),
		cmocka_unit_test(test_object),
		cmocka_unit_test(test_fixed),
		cmocka_unit_test(test_write_error),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
