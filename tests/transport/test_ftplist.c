/* Unit tests of the FTP listing parsers, on lines the real servers sent. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport/ftplist.h"
#include "transport/transport.h"

static const struct {
	enum ftplist_format fmt;
	const char *line;
	int rc;			/* 1 entry, 0 nothing, -1 not this format */
	const char *name;
	int is_dir;
	uint64_t size;
} cases[] = {
	/* proftpd 1.3.8 MLSD */
	{ FTPLIST_MLSD, "modify=20261123165750;perm=adfrw;size=6;type=file;"
	    "unique=FE00UA722C1;UNIX.group=0;UNIX.groupname=0;UNIX.mode=0644;"
	    "UNIX.owner=0;UNIX.ownername=svuser; a b.txt", 1, "a b.txt", 0, 6 },
	{ FTPLIST_MLSD, "modify=20261123165750;perm=flcdmpe;type=cdir;"
	    "unique=FE00UA7239A;UNIX.mode=0755; .", 0, NULL, 0, 0 },
	{ FTPLIST_MLSD, "modify=20261123165750;perm=adfrw;size=7;"
	    "type=OS.unix=symlink;unique=FE00UA722C1;UNIX.mode=0777; link", 1,
	    "link", 0, 7 },
	{ FTPLIST_MLSD, "modify=20261123165750;perm=flcdmpe;type=dir;"
	    "unique=FE00UA72390;UNIX.mode=0755; dir1", 1, "dir1", 1, 0 },
	{ FTPLIST_MLSD, "modify=20261123165750;perm=flcdmpe;type=pdir;"
	    "unique=FE00UA7239A; ..", 0, NULL, 0, 0 },
	/* pure-ftpd 1.0.50 MLSD: dot files shown, "sizd" for directories */
	{ FTPLIST_MLSD, "type=file;size=0;modify=20261123165800;UNIX.mode=0644;"
	    "UNIX.uid=65534;UNIX.gid=65534;unique=fe00ga72321; .hidden", 1,
	    ".hidden", 0, 0 },
	{ FTPLIST_MLSD, "type=OS.unix=slink:;size=7;modify=20261123165800;"
	    "UNIX.mode=0777; link", 1, "link", 0, 7 },
	{ FTPLIST_MLSD, "type=dir;sizd=4096;modify=20261123165800;"
	    "UNIX.mode=0755; dir1", 1, "dir1", 1, 0 },
	{ FTPLIST_MLSD, "type=cdir;sizd=4096;modify=20261123165800; .", 0,
	    NULL, 0, 0 },
	/* MLSD in general: case, semicolons and spaces in names */
	{ FTPLIST_MLSD, "Type=File;Size=12; name ; with = odd", 1,
	    "name ; with = odd", 0, 12 },
	{ FTPLIST_MLSD, "type=file;size=1;  lead", 1, " lead", 0, 1 },
	{ FTPLIST_MLSD, "size=5; no type", -1, NULL, 0, 0 },
	{ FTPLIST_MLSD, "type=file;size=abc; x", -1, NULL, 0, 0 },
	{ FTPLIST_MLSD, "type=file;size=99999999999999999999999; x", -1, NULL,
	    0, 0 },
	{ FTPLIST_MLSD, "type=file;size=1;", -1, NULL, 0, 0 },
	{ FTPLIST_MLSD, "-rw-r--r--    1 1001  65534  6 Nov 23 16:58 a", -1,
	    NULL, 0, 0 },
	/* vsftpd 3.0.3 LIST: numeric owner and group */
	{ FTPLIST_LIST, "-rw-r--r--    1 1001     65534           6 Nov 23 "
	    "16:58 a b.txt", 1, "a b.txt", 0, 6 },
	{ FTPLIST_LIST, "drwxr-xr-x    2 1001     65534        4096 Nov 23 "
	    "16:58 dir1", 1, "dir1", 1, 0 },
	{ FTPLIST_LIST, "lrwxrwxrwx    1 1001     65534           7 Nov 23 "
	    "16:58 link -> a b.txt", 1, "link", 0, 7 },
	{ FTPLIST_LIST, "drwxr-xr-x    3 1001     65534        4096 Nov 23 "
	    "16:58 .", 0, NULL, 0, 0 },
	{ FTPLIST_LIST, "drwxr-xr-x    3 1001     65534        4096 Nov 23 "
	    "16:58 ..", 0, NULL, 0, 0 },
	{ FTPLIST_LIST, "-rw-------    1 1001     65534    1073741824 Jan 05  "
	    "2025 old file", 1, "old file", 0, 1073741824 },
	/* proftpd 1.3.8 LIST: user name, numeric group */
	{ FTPLIST_LIST, "-rw-r--r--   1 svuser   0               6 Nov 23 "
	    "16:57 a b.txt", 1, "a b.txt", 0, 6 },
	{ FTPLIST_LIST, "lrwxrwxrwx   1 svuser   0               7 Nov 23 "
	    "16:57 link -> a b.txt", 1, "link", 0, 7 },
	/* pure-ftpd 1.0.50 LIST: uid and group name */
	{ FTPLIST_LIST, "-rw-r--r--    1 65534      nogroup             6 Nov "
	    "23 16:58 a b.txt", 1, "a b.txt", 0, 6 },
	{ FTPLIST_LIST, "drwxr-xr-x    2 65534      nogroup          4096 Nov "
	    "23 16:58 dir1", 1, "dir1", 1, 0 },
	/* ls -l variations */
	{ FTPLIST_LIST, "total 12", 0, NULL, 0, 0 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 owner 123 Nov 23 16:58 no group", 1,
	    "no group", 0, 123 },
	{ FTPLIST_LIST, "-rw-r--r--+ 1 u g 5 Dec  1 01:02 acl", 1, "acl", 0,
	    5 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 u g 2 Nov 23 16:58  lead", 1, " lead", 0,
	    2 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 u g 3 Nov 23 16:58 x -> y", 1, "x -> y",
	    0, 3 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 jan dec 42 Nov 23 16:58 f", 1, "f", 0,
	    42 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 u g 4 Nov 23 16:58 semi;colon = 1", 1,
	    "semi;colon = 1", 0, 4 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 u g x Nov 23 16:58 f", -1, NULL, 0, 0 },
	{ FTPLIST_LIST, "-rw-r--r-- 1 u g 5 Nov 23 16:58", -1, NULL, 0, 0 },
	{ FTPLIST_LIST, "hello world, not a listing", -1, NULL, 0, 0 },
	{ FTPLIST_LIST, "type=file;size=6; a", -1, NULL, 0, 0 },
	/* IIS (DOS form) */
	{ FTPLIST_LIST, "11-23-26  05:01PM       <DIR>          Data 1", 1,
	    "Data 1", 1, 0 },
	{ FTPLIST_LIST, "11-23-26  05:01PM                 1234 a b.txt", 1,
	    "a b.txt", 0, 1234 },
	{ FTPLIST_LIST, "11-23-26  05:01PM                 12x4 a", -1, NULL,
	    0, 0 },
	/* NLST */
	{ FTPLIST_NLST, "a b.txt", 1, "a b.txt", 0, 0 },
	{ FTPLIST_NLST, "dir/", 1, "dir", 0, 0 },
	{ FTPLIST_NLST, "store/x", 1, "x", 0, 0 },
	{ FTPLIST_NLST, "..", 0, NULL, 0, 0 },
	{ FTPLIST_NLST, "", 0, NULL, 0, 0 },
};

static void
test_lines(void **state)
{
	struct transport_entry e;
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		rc = ftplist_parse_line(cases[i].fmt, cases[i].line,
		    strlen(cases[i].line), &e);
		if (rc != cases[i].rc)
			fail_msg("case %zu (%s): rc %d, expected %d", i,
			    cases[i].line, rc, cases[i].rc);
		if (rc != 1)
			continue;
		if (strcmp(e.name, cases[i].name) != 0 ||
		    e.is_dir != cases[i].is_dir || e.size != cases[i].size)
			fail_msg("case %zu (%s): got \"%s\" dir %d size %llu", i,
			    cases[i].line, e.name, e.is_dir,
			    (unsigned long long)e.size);
		free(e.name);
	}
}

/* A NUL in a name (found by fuzz_ftplist) would make it another file's
 * name: the entry names nothing. */
static void
test_nul(void **state)
{
	static const char nlst[] = "Data_1\0x";
	static const char list[] = "-rw-r--r-- 1 0 0 6 Nov 23 16:58 a\0b";
	struct transport_entry e;

	(void)state;
	assert_int_equal(ftplist_parse_line(FTPLIST_NLST, nlst,
	    sizeof(nlst) - 1, &e), 0);
	assert_int_equal(ftplist_parse_line(FTPLIST_LIST, list,
	    sizeof(list) - 1, &e), 0);
}

/* A whole listing with CRLF line ends, as vsftpd sends LIST -a. */
static void
test_listing(void **state)
{
	static const char text[] =
	    "drwxr-xr-x    3 1001     65534        4096 Nov 23 16:58 .\r\n"
	    "drwxr-xr-x    3 1001     65534        4096 Nov 23 16:58 ..\r\n"
	    "-rw-r--r--    1 1001     65534           0 Nov 23 16:58 .hidden\r\n"
	    "-rw-r--r--    1 1001     65534           6 Nov 23 16:58 a b.txt\r\n"
	    "drwxr-xr-x    2 1001     65534        4096 Nov 23 16:58 dir1\r\n";
	static const char mixed[] = "type=file;size=1; a\n"
	    "-rw-r--r-- 1 u g 5 Nov 23 16:58 b\n";
	struct transport_entry *e;
	size_t n;

	(void)state;
	assert_int_equal(ftplist_parse(FTPLIST_LIST, text, strlen(text), &e,
	    &n), 0);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].name, ".hidden");
	assert_string_equal(e[1].name, "a b.txt");
	assert_int_equal(e[1].size, 6);
	assert_string_equal(e[2].name, "dir1");
	assert_true(e[2].is_dir);
	transport_entries_free(e, n);

	/* Empty listing; a last line without its end. */
	assert_int_equal(ftplist_parse(FTPLIST_MLSD, "", 0, &e, &n), 0);
	assert_int_equal(n, 0);
	transport_entries_free(e, n);
	assert_int_equal(ftplist_parse(FTPLIST_NLST, "a\nb", 3, &e, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(e[1].name, "b");
	transport_entries_free(e, n);

	/* One line in another format: the whole listing is refused. */
	assert_int_equal(ftplist_parse(FTPLIST_MLSD, mixed, strlen(mixed), &e,
	    &n), -1);
	assert_null(e);
	assert_int_equal(n, 0);
}

/* Many entries: the array grows. */
static void
test_many(void **state)
{
	struct transport_entry *e;
	char *text, *p;
	size_t n, i;

	(void)state;
	text = p = malloc(1000 * 48);
	assert_non_null(text);
	for (i = 0; i < 1000; i++)
		p += snprintf(p, 48, "type=file;size=%zu; part.%06zu\r\n", i, i);
	assert_int_equal(ftplist_parse(FTPLIST_MLSD, text, (size_t)(p - text),
	    &e, &n), 0);
	assert_int_equal(n, 1000);
	assert_string_equal(e[999].name, "part.000999");
	assert_int_equal(e[999].size, 999);
	transport_entries_free(e, n);
	transport_entries_free(NULL, 0);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_nul),
		cmocka_unit_test(test_listing),
		cmocka_unit_test(test_many),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
