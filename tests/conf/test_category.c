/* Unit tests for common/conf/category.c: the parser and the name table. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "conf/category.h"
#include "conf/conf.h"

/* --category values: how many categories each gives, and the first. */
static const struct {
	const char *arg;
	int n;				/* 0: refused */
	enum category first;
} cases[] = {
	{ NULL, 2, CATEGORY_CONFIGURATION },
	{ "all", 2, CATEGORY_CONFIGURATION },
	{ "ALL", 2, CATEGORY_CONFIGURATION },
	{ "data", 1, CATEGORY_DATA },
	{ "Data", 1, CATEGORY_DATA },
	{ "DATA", 1, CATEGORY_DATA },
	{ "configuration", 1, CATEGORY_CONFIGURATION },
	{ "CONFIGURATION", 1, CATEGORY_CONFIGURATION },
	{ "Configuration", 1, CATEGORY_CONFIGURATION },
	{ "", 0, 0 },
	{ "everything", 0, 0 },
	{ "dat", 0, 0 },
	{ "data ", 0, 0 },
	{ "config", 0, 0 },
};

static void
test_parse(void **state)
{
	enum category cats[CATEGORY_N];
	size_t i, n;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = category_parse(cases[i].arg, cats, &n);
		if (cases[i].n == 0) {
			if (rc != -1)
				fail_msg("case %zu \"%s\" accepted", i,
				    cases[i].arg);
			continue;
		}
		if (rc != 0 || n != (size_t)cases[i].n ||
		    cats[0] != cases[i].first)
			fail_msg("case %zu \"%s\": rc %d, n %zu", i,
			    cases[i].arg ? cases[i].arg : "(null)", rc, n);
	}
	/* "all" is every category, in order. */
	assert_int_equal(category_parse("all", cats, &n), 0);
	assert_int_equal(cats[1], CATEGORY_DATA);
}

static void
test_names(void **state)
{
	enum category cat;

	(void)state;
	assert_string_equal(category_name(CATEGORY_CONFIGURATION),
	    "Configuration");
	assert_string_equal(category_name(CATEGORY_DATA), "Data");
	assert_string_equal(category_key(CATEGORY_DATA), "data");
	assert_string_equal(category_key(CATEGORY_CONFIGURATION),
	    "configuration");
	/* Names read from the server or a manifest: exact. */
	assert_int_equal(category_lookup("Data", 4, &cat), 0);
	assert_int_equal(cat, CATEGORY_DATA);
	assert_int_equal(category_lookup("Configuration_1", 13, &cat), 0);
	assert_int_equal(cat, CATEGORY_CONFIGURATION);
	assert_int_equal(category_lookup("data", 4, &cat), -1);
	assert_int_equal(category_lookup("Dat", 3, &cat), -1);
	assert_int_equal(category_lookup("Data_", 5, &cat), -1);
}

static void
test_paths(void **state)
{
	static char etc[] = "/etc/pbx";
	char *conf_paths[] = { etc, NULL }, *data_paths[] = { NULL };
	struct conf c;

	(void)state;
	memset(&c, 0, sizeof(c));
	c.backup_configuration = conf_paths;
	c.backup_data = data_paths;
	assert_ptr_equal(category_paths(&c, CATEGORY_CONFIGURATION),
	    conf_paths);
	assert_ptr_equal(category_paths(&c, CATEGORY_DATA), data_paths);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_paths),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
