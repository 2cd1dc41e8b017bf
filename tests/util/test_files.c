/*
 * Unit tests for the file primitives of common/util: readfile.c (what may
 * stand in a file's place), path.c (no silent truncation), dirsync.c.
 */
#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
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

#include "util/dirsync.h"
#include "util/log.h"
#include "util/path.h"
#include "util/readfile.h"

#include "../lib/scratch.h"
#include "../lib/unit.h"

static char *dir;

static int
setup(void **state)
{

	(void)state;
	dir = scratch_new("files");
	log_init("test_files", 1, 0);
	log_mute(1);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	assert_int_equal(scratch_end(&dir), 0);
	return (0);
}

static void
test_readfile(void **state)
{
	char p[PATH_BUF];
	char *buf;
	size_t len;
	FILE *f;

	(void)state;
	assert_int_equal(path_join(p, dir, "small"), 0);
	assert_non_null(f = fopen(p, "w"));
	fputs("hello\n", f);
	assert_int_equal(fclose(f), 0);
	assert_non_null(buf = readfile_load(p, 6, 0, "test file", &len));
	assert_int_equal(len, 6);
	assert_string_equal(buf, "hello\n");
	readfile_free(buf, 6);
	/* One byte over the cap. */
	unit_capture();
	assert_null(readfile_load(p, 5, 0, "test file", &len));
	unit_failed(EX_DATAERR, "larger than 5 bytes: not a test file");
	/* Missing: an error, or empty if allowed. */
	assert_int_equal(path_join(p, dir, "missing"), 0);
	unit_capture();
	assert_null(readfile_load(p, 10, 0, "test file", &len));
	unit_failed(EX_NOINPUT, "missing");
	assert_non_null(buf = readfile_load(p, 10, READFILE_MISSING_OK,
	    "test file", &len));
	assert_int_equal(len, 0);
	assert_string_equal(buf, "");
	readfile_free(buf, 10);
	/* The caller's class for every failure. */
	unit_capture();
	assert_null(readfile_load(p, 10, READFILE_CLASS(EX_CONFIG),
	    "test file", &len));
	unit_failed(EX_CONFIG, "missing");
}

/* A FIFO, a directory or a device in the file's place: refused at once. */
static void
test_readfile_special(void **state)
{
	char p[PATH_BUF];
	size_t len;

	(void)state;
	assert_int_equal(path_join(p, dir, "fifo"), 0);
	assert_int_equal(mkfifo(p, 0600), 0);
	unit_capture();
	assert_null(readfile_load(p, 10, 0, "test file", &len));
	unit_failed(EX_DATAERR, "not a regular file (a FIFO)");
	unit_capture();
	assert_null(readfile_load(dir, 10, 0, "test file", &len));
	unit_failed(EX_DATAERR, "not a regular file (a directory)");
	unit_capture();
	assert_null(readfile_load("/dev/zero", 10, 0, "test file", &len));
	unit_failed(EX_DATAERR, "not a regular file (a device)");
}

static void
test_path(void **state)
{
	char p[PATH_BUF], *long_name;

	(void)state;
	assert_int_equal(path_fmt(p, "%s/%s_%d", "site", "Data", 7), 0);
	assert_string_equal(p, "site/Data_7");
	/* Exactly PATH_BUF - 1 bytes fit; one more is an error. */
	assert_non_null(long_name = malloc(PATH_BUF + 1));
	memset(long_name, 'a', PATH_BUF);
	long_name[PATH_BUF - 3] = '\0';
	assert_int_equal(path_join(p, "d", long_name), 0);
	assert_int_equal(strlen(p), PATH_BUF - 1);
	long_name[PATH_BUF - 3] = 'a';
	long_name[PATH_BUF - 2] = '\0';
	unit_capture();
	assert_int_equal(path_join(p, "d", long_name), -1);
	unit_failed(EX_DATAERR, "path longer than");
	assert_string_equal(p, "");
	free(long_name);
}

static void
test_dirsync(void **state)
{
	char p[PATH_BUF];

	(void)state;
	assert_int_equal(dirsync_dir(dir), 0);
	assert_int_equal(path_join(p, dir, "anything"), 0);
	assert_int_equal(dirsync_parent(p), 0);
	assert_int_equal(dirsync_parent("/top"), 0);
	assert_int_equal(dirsync_parent("relative"), 0);
	assert_int_equal(path_join(p, dir, "missing/x"), 0);
	assert_int_equal(dirsync_parent(p), -1);
	assert_int_equal(errno, ENOENT);
}

/* Every line, empty ones too, the last one with or without its newline. */
static void
test_readfile_line(void **state)
{
	char text[] = "one\n\nthree\nfour", empty[] = "", nl[] = "a\n";
	char *cur = text;

	(void)state;
	assert_string_equal(readfile_line(&cur), "one");
	assert_string_equal(readfile_line(&cur), "");
	assert_string_equal(readfile_line(&cur), "three");
	assert_string_equal(readfile_line(&cur), "four");
	assert_null(readfile_line(&cur));
	assert_null(readfile_line(&cur));
	cur = empty;
	assert_null(readfile_line(&cur));
	cur = nl;
	assert_string_equal(readfile_line(&cur), "a");
	assert_null(readfile_line(&cur));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readfile),
		cmocka_unit_test(test_readfile_special),
		cmocka_unit_test(test_readfile_line),
		cmocka_unit_test(test_path),
		cmocka_unit_test(test_dirsync),
	};

	return (cmocka_run_group_tests(tests, setup, teardown));
}
