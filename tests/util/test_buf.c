/* Unit tests for common/util/buf.c: growth, the limit, printf, take. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/buf.h"

static void
test_grow(void **state)
{
	struct buf b = BUF_INIT(1 << 20);
	char chunk[1000];
	size_t i;

	(void)state;
	memset(chunk, 'x', sizeof(chunk));
	for (i = 0; i < 100; i++)
		assert_int_equal(buf_append(&b, chunk, sizeof(chunk)), 0);
	assert_int_equal(b.len, 100 * sizeof(chunk));
	assert_true(b.cap > b.len);
	assert_int_equal(b.p[b.len], '\0');
	assert_int_equal(b.p[b.len - 1], 'x');
	buf_free(&b);
	assert_null(b.p);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.max, 1 << 20);
	buf_free(NULL);
}

static void
test_limit(void **state)
{
	struct buf b;

	(void)state;
	buf_init(&b, 5);
	assert_int_equal(buf_append(&b, "abc", 3), 0);
	assert_int_equal(buf_append(&b, "def", 3), -1);
	assert_int_equal(errno, EFBIG);
	/* Unchanged by the refused append, and exactly full is fine. */
	assert_string_equal((char *)b.p, "abc");
	assert_int_equal(buf_append(&b, "de", 2), 0);
	assert_string_equal((char *)b.p, "abcde");
	assert_int_equal(buf_printf(&b, "%s", "f"), -1);
	assert_int_equal(errno, EFBIG);
	assert_string_equal((char *)b.p, "abcde");
	buf_free(&b);
}

static void
test_printf(void **state)
{
	struct buf b = BUF_INIT(100000);
	uint8_t *p;
	int i;

	(void)state;
	for (i = 0; i < 1000; i++)
		assert_int_equal(buf_printf(&b, "%d,", i), 0);
	assert_int_equal(strncmp((char *)b.p, "0,1,2,", 6), 0);
	assert_int_equal(b.len, strlen((char *)b.p));
	buf_clear(&b);
	assert_int_equal(b.len, 0);
	assert_int_equal(buf_printf(&b, "%s=%d", "k", 7), 0);
	assert_string_equal((char *)b.p, "k=7");
	assert_non_null(p = buf_take(&b));
	assert_string_equal((char *)p, "k=7");
	assert_null(b.p);
	free(p);
	/* An empty buffer still gives a string. */
	assert_non_null(p = buf_take(&b));
	assert_string_equal((char *)p, "");
	free(p);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_grow),
		cmocka_unit_test(test_limit),
		cmocka_unit_test(test_printf),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
