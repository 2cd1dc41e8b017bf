/* Unit tests: the node_exporter textfile (metrics.h). */
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

#include "run/metrics.h"
#include "util/log.h"

#include "../lib/scratch.h"

static char *dir, file[300];

static int
setup(void **state)
{

	(void)state;
	dir = scratch_new("metrics");
	snprintf(file, sizeof(file), "%s/sitevault.prom", dir);
	log_init("test", 1, 0);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	return (scratch_end(&dir));
}

static char *
slurp(void)
{
	static char buf[8192];
	size_t n;
	FILE *f;

	assert_non_null(f = fopen(file, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return (buf);
}

static void
test_backup_then_verify(void **state)
{
	struct metrics_backup b[2] = {
		{ "Configuration", 1234, 12 }, { "Data", 987654321, 4000 }
	};
	struct stat sb;
	char *t;

	(void)state;
	assert_int_equal(metrics_update(file, "backup", 0, 12.5, 1700000000,
	    b, 2), 0);
	assert_int_equal(metrics_update(file, "verify", 65, 3.25, 1700000100,
	    NULL, 0), 0);
	t = slurp();
	assert_non_null(strstr(t, "# HELP sitevault_last_backup_bytes "));
	assert_non_null(strstr(t, "# TYPE sitevault_last_backup_bytes gauge\n"));
	assert_non_null(strstr(t, "\nsitevault_last_run_timestamp_seconds{operation=\"backup\"} 1700000000\n"));
	assert_non_null(strstr(t, "\nsitevault_last_run_exit_code{operation=\"backup\"} 0\n"));
	assert_non_null(strstr(t, "\nsitevault_last_run_timestamp_seconds{operation=\"verify\"} 1700000100\n"));
	assert_non_null(strstr(t, "\nsitevault_last_run_exit_code{operation=\"verify\"} 65\n"));
	/* The last run's duration: verify's. */
	assert_non_null(strstr(t, "\nsitevault_last_run_duration_seconds 3.250\n"));
	assert_null(strstr(t, "12.500"));
	assert_non_null(strstr(t, "\nsitevault_last_backup_bytes{category=\"Data\"} 987654321\n"));
	assert_non_null(strstr(t, "\nsitevault_last_backup_files{category=\"Configuration\"} 12\n"));
	assert_non_null(strstr(t, "\nsitevault_last_success_timestamp_seconds{category=\"Data\"} 1700000000\n"));
	assert_int_equal(stat(file, &sb), 0);
	assert_int_equal(sb.st_mode & 07777, 0644);
}

static void
test_foreign_lines(void **state)
{
	FILE *f;
	char *t;

	(void)state;
	/* Someone's edits and other metrics are dropped, ours kept. */
	assert_non_null(f = fopen(file, "w"));
	fputs("sitevault_last_backup_bytes{category=\"Data\"} 42\n"
	    "other_metric 1\n"
	    "sitevault_last_backup_files{category=\"Data\"} notanumber\n"
	    "sitevault_last_run_exit_code{operation=\"a\",x=\"y\"} 3\n"
	    "garbage {{{\n", f);
	fclose(f);
	assert_int_equal(metrics_update(file, "prune", 0, 0.5, 1700000200,
	    NULL, 0), 0);
	t = slurp();
	assert_non_null(strstr(t, "\nsitevault_last_backup_bytes{category=\"Data\"} 42\n"));
	assert_null(strstr(t, "other_metric"));
	assert_null(strstr(t, "notanumber"));
	assert_null(strstr(t, "x=\"y\""));
	assert_null(strstr(t, "garbage"));
}

static void
test_unwritable(void **state)
{
	char bad[400];

	(void)state;
	snprintf(bad, sizeof(bad), "%s/missing/sitevault.prom", dir);
	assert_int_equal(metrics_update(bad, "backup", 0, 1, 1, NULL, 0), -1);
	assert_int_not_equal(log_class(), 0);
	log_reset();
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_backup_then_verify, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_foreign_lines, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unwritable, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
