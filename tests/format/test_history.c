/* Unit tests: history log lines (common/format/history.c). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "format/history.h"

static const struct {
	const char *desc;	/* description given */
	const char *escaped;	/* as it must appear in the line */
} escapes[] = {
	{ "", "" },
	{ "nightly", "nightly" },
	{ "a\tb", "a\\tb" },
	{ "line1\nline2\r", "line1\\nline2\\r" },
	{ "back\\slash", "back\\\\slash" },
	{ "bell\a del\x7f", "bell\\x07 del\\x7f" },
	{ "caf\xc3\xa9 \xe2\x82\xac", "caf\xc3\xa9 \xe2\x82\xac" },
	{ "\\t literal", "\\\\t literal" },
};

static void
test_escape_roundtrip(void **state)
{
	char line[HISTORY_LINE_MAX], want[512];
	struct history_entry e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(escapes) / sizeof(escapes[0]); i++) {
		assert_int_equal(history_format(line, sizeof(line), 86400 + 61,
		    "backup", "Data", 42, 1, 12345, escapes[i].desc), 0);
		snprintf(want, sizeof(want), "1970-01-02T00:01:01Z\tbackup\t"
		    "Data\t42\tok\t12345\t%s", escapes[i].escaped);
		assert_string_equal(line, want);
		assert_null(strchr(line, '\n'));
		assert_int_equal(history_parse(line, &e), 0);
		assert_string_equal(e.description, escapes[i].desc);
		assert_string_equal(e.time, "1970-01-02T00:01:01Z");
		assert_string_equal(e.op, "backup");
		assert_string_equal(e.category, "Data");
		assert_string_equal(e.id, "42");
		assert_string_equal(e.result, "ok");
		assert_true(e.bytes == 12345);
	}
}

static void
test_dashes(void **state)
{
	char line[256];

	(void)state;
	assert_int_equal(history_format(line, sizeof(line), 0, "prune", NULL,
	    0, 0, 0, NULL), 0);
	assert_string_equal(line,
	    "1970-01-01T00:00:00Z\tprune\t-\t-\tfailed\t0\t");
}

static void
test_truncation(void **state)
{
	char line[64], desc[200];
	struct history_entry e;

	(void)state;
	/* Fixed fields that do not fit: refused. */
	assert_int_equal(history_format(line, 20, 0, "backup", "Data", 1, 1,
	    1, "x"), -1);
	/* A long description is cut, never inside an escape or UTF-8. */
	memset(desc, 0, sizeof(desc));
	for (size_t i = 0; i + 2 < sizeof(desc) - 1; i += 2)
		memcpy(desc + i, "\xc3\xa9", 2);
	assert_int_equal(history_format(line, sizeof(line), 0, "backup",
	    "Data", 1, 1, 1, desc), 0);
	assert_true(strlen(line) < sizeof(line));
	assert_int_equal(history_parse(line, &e), 0);
	assert_true(strlen(e.description) % 2 == 0);
	memset(desc, '\t', 100);
	desc[100] = '\0';
	assert_int_equal(history_format(line, sizeof(line), 0, "backup",
	    "Data", 1, 1, 1, desc), 0);
	assert_true(line[strlen(line) - 1] == 't');
	assert_true(line[strlen(line) - 2] == '\\');
}

static const char *const bad_lines[] = {
	"",
	"2024-01-01T00:00:00Z\tbackup\tData\t1\tok\t12",
	"2024-01-01T00:00:00Z\tbackup\tData\t1\tok\tx12\tdesc",
	"2024-01-01T00:00:00Z\tbackup\tData\t1\tok\t-1\tdesc",
	"2024-01-01T00:00:00Z\tbackup\tData\t1\tok\t99999999999999999999999\td",
	"a\tb\tc",
};

static void
test_parse_rejects(void **state)
{
	struct history_entry e;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_lines) / sizeof(bad_lines[0]); i++)
		assert_int_equal(history_parse(bad_lines[i], &e), -1);
	/* A description may itself hold a (literal) tab only escaped; an
	 * eighth field is part of the description. */
	assert_int_equal(history_parse("t\to\tc\t1\tok\t0\ta\tb", &e), 0);
	assert_string_equal(e.description, "a\tb");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_escape_roundtrip),
		cmocka_unit_test(test_dashes),
		cmocka_unit_test(test_truncation),
		cmocka_unit_test(test_parse_rejects),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
