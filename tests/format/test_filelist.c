/*
 * Tests of the in-memory file list (common/format/filelist.c): paths
 * packed in chunks, lookups in walk order, the merged pass over two lists
 * that a chain restore makes, and the text handed out in pieces.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <cmocka.h>

#include "format/filelist.h"
#include "util/buf.h"
#include "util/log.h"

#include "../lib/unit.h"

#define MAGIC	"sitevault-files 1\n"

static struct stat
st_of(char type, uint64_t ino)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = (type == 'd' ? S_IFDIR : type == 'l' ? S_IFLNK :
	    S_IFREG) | 0644;
	st.st_size = type == 'd' ? 4096 : 10;
	st.st_mtim.tv_sec = 1795453100;
	st.st_mtim.tv_nsec = 999999999;
	st.st_ctim.tv_sec = -5;
	st.st_ctim.tv_nsec = 1;
	st.st_ino = ino;
	return (st);
}

/* A list of "TYPE:PATH" specs, in the order given (a walk's order). */
static struct filelist *
list_of(const char *const *spec)
{
	struct filelist *fl;
	struct stat st;
	size_t i;

	assert_non_null(fl = filelist_new());
	for (i = 0; spec[i] != NULL; i++) {
		st = st_of(spec[i][0], i + 1);
		assert_int_equal(filelist_add(fl, spec[i] + 2, &st), 0);
	}
	assert_int_equal(filelist_sort(fl), 0);
	return (fl);
}

/* filelist_merge() callback: "PATH a>b;" with a type or '-' for none. */
static int
record(void *cookie, const struct filelist_entry *a,
    const struct filelist_entry *b)
{
	struct buf *out = cookie;

	assert_true(a != NULL || b != NULL);
	if (a != NULL && b != NULL)
		assert_string_equal(a->path, b->path);
	return (buf_printf(out, "%s %c>%c;", a != NULL ? a->path : b->path,
	    a != NULL ? a->type : '-', b != NULL ? b->type : '-'));
}

static void
merge_is(const char *const *a, const char *const *b, const char *want)
{
	struct filelist *fa = list_of(a), *fb = list_of(b);
	struct buf out = BUF_INIT(1 << 20);

	assert_int_equal(filelist_merge(fa, fb, record, &out), 0);
	assert_string_equal(out.len ? (char *)out.p : "", want);
	buf_free(&out);
	filelist_free(fa);
	filelist_free(fb);
}

static const char *const none[] = { NULL };

static void
test_empty(void **state)
{
	struct filelist *fl, *back;
	size_t len, hint = 0;
	char *text;

	(void)state;
	merge_is(none, none, "");
	assert_non_null(fl = filelist_new());
	assert_null(filelist_find(fl, "a"));
	assert_null(filelist_find_near(fl, "a", &hint));
	filelist_forget(fl, "a");
	assert_non_null(text = filelist_format(fl, &len));
	assert_int_equal(len, strlen(MAGIC));
	assert_string_equal(text, MAGIC);
	assert_non_null(back = filelist_parse("empty", text, len));
	assert_int_equal(back->n, 0);
	free(text);
	filelist_free(back);
	filelist_free(fl);
	filelist_free(NULL);
}

static void
test_merge_cases(void **state)
{
	static const char *const night1[] = { "d:v", "d:v/1001", "f:v/1001/m1",
	    "f:v/1001/m2", "d:v/old", "f:v/old/x", NULL };
	/* m2 renamed m3, the directory old replaced by a file. */
	static const char *const night2[] = { "d:v", "d:v/1001", "f:v/1001/m1",
	    "f:v/1001/m3", "f:v/old", NULL };

	(void)state;
	/* Everything new: the first night of a chain. */
	merge_is(none, night1, "v ->d;v/1001 ->d;v/1001/m1 ->f;"
	    "v/1001/m2 ->f;v/old ->d;v/old/x ->f;");
	/* Everything deleted. */
	merge_is(night1, none, "v d>-;v/1001 d>-;v/1001/m1 f>-;"
	    "v/1001/m2 f>-;v/old d>-;v/old/x f>-;");
	/* A rename is a deletion and a new name; d>f is a replacement. */
	merge_is(night1, night2, "v d>d;v/1001 d>d;v/1001/m1 f>f;"
	    "v/1001/m2 f>-;v/1001/m3 ->f;v/old d>f;v/old/x f>-;");
	merge_is(night2, night1, "v d>d;v/1001 d>d;v/1001/m1 f>f;"
	    "v/1001/m2 ->f;v/1001/m3 f>-;v/old f>d;v/old/x ->f;");
}

static int
stop_at_b(void *cookie, const struct filelist_entry *a,
    const struct filelist_entry *b)
{
	const char *p = a != NULL ? a->path : b->path;

	(*(int *)cookie)++;
	return (strcmp(p, "b") == 0 ? 7 : 0);
}

static void
test_merge_stops(void **state)
{
	static const char *const l[] = { "f:a", "f:b", "f:c", NULL };
	struct filelist *fl = list_of(l);
	int calls = 0;

	(void)state;
	assert_int_equal(filelist_merge(fl, fl, stop_at_b, &calls), 7);
	assert_int_equal(calls, 2);
	filelist_free(fl);
}

/*
 * Names that sort near each other: a tree walk meets "a" and what it
 * holds before "a-b" and "a.b", while the list's order (bytes, unsigned)
 * puts '-' and '.' before '/'.  Non-ASCII bytes sort after ASCII.
 */
static void
test_near_names(void **state)
{
	static const char *const walk[] = { "d:a", "f:a/b", "d:a/c",
	    "f:a/c/d", "f:a-b", "f:a.b", "f:a0", "f:caf\xc3\xa9", "f:cafe",
	    "f:cafz", "f:\xe6\x97\xa5\xe6\x9c\xac", "f:A", NULL };
	static const char *const sorted[] = { "A", "a", "a-b", "a.b", "a/b",
	    "a/c", "a/c/d", "a0", "cafe", "cafz", "caf\xc3\xa9",
	    "\xe6\x97\xa5\xe6\x9c\xac" };
	struct filelist *fl;
	const struct filelist_entry *e;
	struct stat st;
	size_t i, hint = 0;
	char *text, *back_text;
	size_t len, blen;
	struct filelist *back;

	(void)state;
	assert_non_null(fl = filelist_new());
	for (i = 0; walk[i] != NULL; i++) {
		st = st_of(walk[i][0], i + 1);
		assert_int_equal(filelist_add(fl, walk[i] + 2, &st), 0);
	}
	assert_false(fl->sorted);
	assert_int_equal(filelist_sort(fl), 0);
	assert_int_equal(fl->n, sizeof(sorted) / sizeof(sorted[0]));
	for (i = 0; i < fl->n; i++)
		assert_string_equal(fl->e[i].path, sorted[i]);
	/* Every name found again in walk order, each with its own inode. */
	for (i = 0; walk[i] != NULL; i++) {
		assert_non_null(e = filelist_find_near(fl, walk[i] + 2,
		    &hint));
		assert_string_equal(e->path, walk[i] + 2);
		assert_int_equal(e->ino, i + 1);
		assert_int_equal(hint, (size_t)(e - fl->e) + 1);
	}
	assert_null(filelist_find_near(fl, "a/", &hint));
	assert_null(filelist_find_near(fl, "caf", &hint));
	/* The text keeps the bytes (no escape above 0x7f) and parses back. */
	assert_non_null(text = filelist_format(fl, &len));
	assert_non_null(strstr(text, " caf\xc3\xa9\n"));
	assert_non_null(back = filelist_parse("near", text, len));
	assert_non_null(back_text = filelist_format(back, &blen));
	assert_int_equal(blen, len);
	assert_memory_equal(back_text, text, len);
	free(back_text);
	free(text);
	filelist_free(back);
	filelist_free(fl);
}

/* The output callback of test_pieces(): a copy, and the largest piece. */
struct sink {
	struct buf b;
	size_t pieces, largest;
	int fail_at;			/* fail the Nth piece (1-based), or 0 */
};

static int
sink_out(void *cookie, const void *p, size_t len)
{
	struct sink *s = cookie;

	s->pieces++;
	if (len > s->largest)
		s->largest = len;
	if (s->fail_at != 0 && s->pieces == (size_t)s->fail_at) {
		log_fail(EX_IOERR, "sink: refused");
		return (-1);
	}
	return (buf_append(&s->b, p, len));
}

/*
 * Many paths over many chunks, one longer than a chunk, one that escapes
 * to more than a piece: pointers stay put, the pieces add up to the
 * whole text, and the text parses back to the same list.
 */
static void
test_chunks_and_pieces(void **state)
{
	struct filelist *fl, *back;
	struct sink s = { BUF_INIT(64 << 20), 0, 0, 0 };
	const char *first;
	char name[256], *longname, *text;
	struct stat st = st_of('f', 1);
	size_t i, len;

	(void)state;
	assert_non_null(fl = filelist_new());
	memset(name, 'x', sizeof(name));
	for (i = 0; i < 5000; i++) {
		snprintf(name + 150, sizeof(name) - 150, "/%05zu", 5000 - i);
		name[0] = 'd';
		assert_int_equal(filelist_add(fl, name, &st), 0);
	}
	first = fl->e[0].path;
	/* Longer than a chunk; then escapes only, four bytes each. */
	longname = malloc(100001);
	memset(longname, 'L', 100000);
	longname[100000] = '\0';
	assert_int_equal(filelist_add(fl, longname, &st), 0);
	memset(longname, '\\', 30000);
	longname[30000] = '\0';
	longname[0] = 'e';
	assert_int_equal(filelist_add(fl, longname, &st), 0);
	assert_ptr_equal(fl->e[0].path, first);
	assert_true(strncmp(first, "dxx", 3) == 0);
	/* A vanished object at a chunk's end, then more. */
	assert_int_equal(filelist_add(fl, "gone", &st), 0);
	filelist_forget(fl, "gone");
	assert_int_equal(filelist_add(fl, "kept", &st), 0);
	assert_int_equal(fl->n, 5003);
	assert_string_equal(fl->e[5002].path, "kept");

	assert_int_equal(filelist_write(fl, sink_out, &s), 0);
	assert_true(s.pieces > 1);
	assert_true(s.largest <= 64 * 1024);
	assert_non_null(text = filelist_format(fl, &len));
	assert_int_equal(s.b.len, len);
	assert_memory_equal(s.b.p, text, len);
	assert_non_null(back = filelist_parse("chunks", text, len));
	assert_int_equal(back->n, fl->n);
	for (i = 0; i < fl->n; i++) {
		assert_string_equal(back->e[i].path, fl->e[i].path);
		assert_int_equal(back->e[i].mtime_ns, 999999999);
		assert_int_equal(back->e[i].ctime, -5);
		assert_int_equal(back->e[i].ctime_ns, 1);
	}
	assert_non_null(filelist_find(back, longname));
	assert_null(filelist_find(back, "gone"));

	/* A failing output stops the text; it said why, nothing else does. */
	buf_free(&s.b);
	s.pieces = 0;
	s.fail_at = 2;
	unit_capture();
	assert_int_equal(filelist_write(fl, sink_out, &s), -1);
	assert_int_equal(log_class(), EX_IOERR);
	assert_string_equal(unit_log(), "sink: refused");
	assert_int_equal(s.pieces, 2);
	log_capture(NULL, 0);
	log_reset();

	buf_free(&s.b);
	free(text);
	free(longname);
	filelist_free(back);
	filelist_free(fl);
}

/* Feed ${text} to a parser in pieces of ${step} bytes. */
static struct filelist *
parse_by(const char *text, size_t len, size_t step)
{
	struct filelist_parser *ps;
	size_t i, n;

	assert_non_null(ps = filelist_parser_new("pieces"));
	for (i = 0; i < len; i += n) {
		n = len - i < step ? len - i : step;
		if (filelist_parser_feed(ps, text + i, n)) {
			filelist_parser_free(ps);
			return (NULL);
		}
	}
	return (filelist_parser_finish(ps));
}

/* The text read piece by piece (as it is decompressed) is the same list. */
static void
test_parser_pieces(void **state)
{
	static const char *const l[] = { "d:v", "f:v/a\\b", "f:v/a-b",
	    "l:v/a.b", "d:v/a", "f:v/a/\x7f", NULL };
	static const size_t steps[] = { 1, 2, 3, 7, 64, 100000 };
	static const struct {
		const char *text;
		const char *why;
	} bad[] = {
		{ "", "pieces: line 1: expected" },
		{ "sitevault-files 1", "pieces: line 1: expected" },
		{ "sitevault-files 2\n", "pieces: line 1: expected" },
		{ "sitevault-files 1\nf 0644 1 1.000000000 1.000000000 1 a\n"
		    "f 0644 1 1.000000000 1.000000000 1 b", "pieces: line 3: no "
		    "newline" },
		{ "sitevault-files 1\nf 0644 1 1.000000000 1.000000000 1 b\n"
		    "f 0644 1 1.000000000 1.000000000 1 a\n", "pieces: line 3: "
		    "not sorted" },
		{ "sitevault-files 1\nf 0644 1 1.000000000 1.000000000 1 b\n"
		    "x\n", "pieces: line 3: expected 7 fields" },
	};
	struct filelist *fl = list_of(l), *back;
	char *text, *again;
	size_t len, alen, i, j;

	(void)state;
	assert_non_null(text = filelist_format(fl, &len));
	for (i = 0; i < sizeof(steps) / sizeof(steps[0]); i++) {
		assert_non_null(back = parse_by(text, len, steps[i]));
		assert_non_null(again = filelist_format(back, &alen));
		assert_int_equal(alen, len);
		assert_memory_equal(again, text, len);
		free(again);
		filelist_free(back);
	}
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		for (j = 0; j < 3; j++) {
			unit_capture();
			assert_null(parse_by(bad[i].text, strlen(bad[i].text),
			    steps[j]));
			log_capture(NULL, 0);
			if (strncmp(unit_log(), bad[i].why, strlen(bad[i].why)))
				fail_msg("bad %zu by %zu: \"%s\"", i, steps[j],
				    unit_log());
			assert_int_equal(log_class(), EX_DATAERR);
		}
	log_reset();
	filelist_parser_free(NULL);
	free(text);
	filelist_free(fl);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_merge_cases),
		cmocka_unit_test(test_merge_stops),
		cmocka_unit_test(test_near_names),
		cmocka_unit_test(test_chunks_and_pieces),
		cmocka_unit_test(test_parser_pieces),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
