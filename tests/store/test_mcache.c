/* Unit tests: the manifest cache (hits, misses on any doubt, pruning). */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "store/mcache.h"
#include "util/log.h"

#include "../lib/scratch.h"

static char *dir;
static const char text[] = "site branch-01\ncategory Data\nid 7\n";
static const char sig[] = "untrusted comment: x\nRWQ...\n";

static int
setup(void **state)
{

	(void)state;
	dir = scratch_new("mcache");
	log_init("test", 1, 0);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	return (scratch_end(&dir));
}

/* Look up Data_7 of branch-01 with listing sizes ${ml}, ${sl}. */
static int
get(struct mcache *mc, uint64_t ml, uint64_t sl)
{
	uint8_t *t = NULL, *s = NULL;
	size_t tl, slen;
	int hit;

	hit = mcache_get(mc, "branch-01", "Data", 7, ml, sl, &t, &tl, &s,
	    &slen);
	if (hit) {
		assert_int_equal(tl, strlen(text));
		assert_memory_equal(t, text, tl);
		assert_int_equal(slen, strlen(sig));
		assert_memory_equal(s, sig, slen);
		assert_int_equal(t[tl], '\0');
	}
	free(t);
	free(s);
	return (hit);
}

static void
test_roundtrip(void **state)
{
	struct mcache *mc;

	(void)state;
	assert_non_null(mc = mcache_open(dir));
	assert_int_equal(get(mc, 0, 0), 0);
	mcache_put(mc, "branch-01", "Data", 7, (const uint8_t *)text,
	    strlen(text), (const uint8_t *)sig, strlen(sig));
	assert_int_equal(get(mc, 0, 0), 1);
	assert_int_equal(get(mc, strlen(text), strlen(sig)), 1);
	/* The server lists other sizes: the manifest there is not ours. */
	assert_int_equal(get(mc, strlen(text) + 1, strlen(sig)), 0);
	assert_int_equal(get(mc, strlen(text), strlen(sig) - 1), 0);
	/* Another id or site is another entry. */
	assert_int_equal(mcache_get(mc, "branch-02", "Data", 7, 0, 0, NULL,
	    NULL, NULL, NULL), 0);
	assert_int_equal(mcache_hits(mc), 2);
	mcache_free(mc);
	mcache_free(NULL);
}

static void
test_tampered(void **state)
{
	struct mcache *mc;
	char path[512];
	FILE *f;
	long n;
	int c;

	(void)state;
	assert_non_null(mc = mcache_open(dir));
	mcache_put(mc, "branch-01", "Data", 7, (const uint8_t *)text,
	    strlen(text), (const uint8_t *)sig, strlen(sig));
	snprintf(path, sizeof(path), "%s/manifests/Data_7@branch-01", dir);
	/* Flip one byte of the manifest text: its hash no longer matches. */
	assert_non_null(f = fopen(path, "r+"));
	assert_int_equal(fseek(f, -3, SEEK_END), 0);
	c = fgetc(f);
	assert_int_equal(fseek(f, -3, SEEK_END), 0);
	fputc(c ^ 1, f);
	fclose(f);
	assert_int_equal(get(mc, 0, 0), 0);
	/* Truncated: a miss too. */
	assert_non_null(f = fopen(path, "r+"));
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fclose(f);
	assert_int_equal(truncate(path, n / 2), 0);
	assert_int_equal(get(mc, 0, 0), 0);
	/* A site name that is not one is never cached (no path tricks). */
	mcache_put(mc, "../x", "Data", 7, (const uint8_t *)text,
	    strlen(text), (const uint8_t *)sig, strlen(sig));
	snprintf(path, sizeof(path), "%s/x", dir);
	assert_int_equal(access(path, F_OK), -1);
	mcache_free(mc);
}

static void
test_prune(void **state)
{
	static const char *const keep[] = { "Data_8", "Configuration_7" };
	struct mcache *mc;
	char path[512];

	(void)state;
	assert_non_null(mc = mcache_open(dir));
	mcache_put(mc, "branch-01", "Data", 7, (const uint8_t *)text,
	    strlen(text), (const uint8_t *)sig, strlen(sig));
	mcache_put(mc, "branch-01", "Data", 8, (const uint8_t *)text,
	    strlen(text), (const uint8_t *)sig, strlen(sig));
	mcache_put(mc, "branch-02", "Data", 7, (const uint8_t *)text,
	    strlen(text), (const uint8_t *)sig, strlen(sig));
	mcache_prune(mc, "branch-01", keep, 2);
	snprintf(path, sizeof(path), "%s/manifests/Data_7@branch-01", dir);
	assert_int_equal(access(path, F_OK), -1);
	snprintf(path, sizeof(path), "%s/manifests/Data_8@branch-01", dir);
	assert_int_equal(access(path, F_OK), 0);
	/* Another site's entries are not this listing's business. */
	snprintf(path, sizeof(path), "%s/manifests/Data_7@branch-02", dir);
	assert_int_equal(access(path, F_OK), 0);
	mcache_free(mc);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_roundtrip, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tampered, setup, teardown),
		cmocka_unit_test_setup_teardown(test_prune, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
