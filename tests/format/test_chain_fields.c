/*
 * Tests of the chain fields of the manifest (base, filelist) and of the
 * file list format (common/format/filelist.c), against the vectors of
 * docs/FORMAT.md, table-driven.
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

#include <openssl/sha.h>

#include "../lib/fmtvec.h"
#include "../lib/unit.h"
#include "format/filelist.h"
#include "format/manifest.h"
#include "util/log.h"

/* The vector and its SHA-256 vector: one encoding, one hash. */
static void
check_hash(const char *text, size_t len, const char *name)
{
	uint8_t sha[32], want[32];

	fmtvec_hex(name, want, sizeof(want));
	SHA256((const unsigned char *)text, len, sha);
	assert_memory_equal(sha, want, sizeof(sha));
}

static void
test_manifest_vector(void **state)
{
	struct manifest *m, *full;
	uint8_t prev[32];
	char *vec, *fvec, *text;
	size_t len, flen, tlen;

	(void)state;
	vec = fmtvec_get("manifest-incremental", &len);
	m = manifest_parse("manifest", vec, len);
	assert_non_null(m);
	assert_int_equal(m->id, 8);
	assert_true(m->has_base);
	assert_int_equal(m->base_id, 7);
	/* The base is the manifest vector of docs/FORMAT.md. */
	fmtvec_hex("manifest.sha256", prev, sizeof(prev));
	assert_memory_equal(m->base_sha256, prev, 32);
	assert_true(m->has_filelist);
	assert_int_equal(m->filelist_size, 712);
	assert_int_equal(m->filelist_sha256[0], 0x0f);
	text = manifest_format(m, &tlen);
	assert_non_null(text);
	assert_int_equal(tlen, len);
	assert_memory_equal(text, vec, len);
	check_hash(text, tlen, "manifest-incremental.sha256");
	free(text);
	/* A manifest without the lines is a full backup without a list. */
	fvec = fmtvec_get("manifest", &flen);
	full = manifest_parse("manifest", fvec, flen);
	assert_non_null(full);
	assert_false(full->has_base);
	assert_false(full->has_filelist);
	manifest_free(full);
	free(fvec);
	manifest_free(m);
	free(vec);
}

/* Variants of the incremental vector, and the line the error names. */
static const struct {
	const char *from, *to;
	unsigned int line;		/* 0: must parse */
} mrows[] = {
	/* base */
	{ "base 7 ", "base 07 ", 15 },
	{ "base 7 ", "base 0 ", 15 },
	{ "base 7 ", "base 8 ", 15 },		/* not older than id 8 */
	{ "base 7 ", "base 9 ", 15 },
	{ "base 7 ", "base  7 ", 15 },
	{ "base 7 8070", "base 7 8O70", 15 },
	{ "base 7 8070567d", "base 7 8070567D", 15 },
	{ "base 7 ", "Base 7 ", 15 },
	{ "\nfilelist 712", "\nbase 7 x\nfilelist 712", 16 },
	/* filelist */
	{ "filelist 712 ", "filelist 0 ", 16 },
	{ "filelist 712 ", "filelist 0712 ", 16 },
	{ "filelist 712 0f5d", "filelist 712  0f5d", 16 },
	{ "filelist 712 0f5d1b5d", "filelist 712 0f5d1b5", 16 },
	/* an incremental backup needs its list; order is fixed */
	{ "filelist 712 0f5d1b5dd2c3b6a6ad7e2c8a9f3b41ea5b0d5a4f5e6c7d8e9fa0b1c2"
	    "d3e4f506\n", "", 16 },
	{ "base 7 8070567de498438169f644aee50f84e40f4d2f4fd9d5b477405f50f387e6"
	    "3526\nfilelist 712 0f5d1b5dd2c3b6a6ad7e2c8a9f3b41ea5b0d5a4f5e6c7d8e"
	    "9fa0b1c2d3e4f506\n", "filelist 712 0f5d1b5dd2c3b6a6ad7e2c8a9f3b41ea"
	    "5b0d5a4f5e6c7d8e9fa0b1c2d3e4f506\nbase 7 8070567de498438169f644aee5"
	    "0f84e40f4d2f4fd9d5b477405f50f387e63526\n", 16 },
	/* a full backup of a chain: a list and no base */
	{ "base 7 8070567de498438169f644aee50f84e40f4d2f4fd9d5b477405f50f387e6"
	    "3526\n", "", 0 },
};

static void
test_manifest_rows(void **state)
{
	struct manifest *m;
	char *vec, *bad, want[64], *text;
	size_t len, i, tlen;

	(void)state;
	vec = fmtvec_get("manifest-incremental", &len);
	for (i = 0; i < sizeof(mrows) / sizeof(mrows[0]); i++) {
		bad = unit_replace(vec, mrows[i].from, mrows[i].to);
		unit_capture();
		m = manifest_parse("manifest", bad, strlen(bad));
		if (mrows[i].line == 0) {
			if (m == NULL)
				fail_msg("row %zu refused: %s", i, unit_log());
			/* Canonical: formats back to the same bytes. */
			text = manifest_format(m, &tlen);
			assert_non_null(text);
			assert_int_equal(tlen, strlen(bad));
			assert_memory_equal(text, bad, tlen);
			free(text);
		} else {
			if (m != NULL)
				fail_msg("row %zu accepted", i);
			snprintf(want, sizeof(want), "line %u:", mrows[i].line);
			if (strstr(unit_log(), want) == NULL)
				fail_msg("row %zu: \"%s\" lacks \"%s\"", i,
				    unit_log(), want);
			assert_int_equal(log_class(), EX_DATAERR);
		}
		manifest_free(m);
		free(bad);
	}
	log_capture(NULL, 0);
	free(vec);
}

/* manifest_format() refuses chain fields it could not parse back. */
static void
test_manifest_format_refuses(void **state)
{
	struct manifest *m;
	char *vec, *text;
	size_t len, tlen;

	(void)state;
	vec = fmtvec_get("manifest-incremental", &len);
	m = manifest_parse("manifest", vec, len);
	assert_non_null(m);
	unit_capture();
	m->base_id = m->id;
	assert_null(manifest_format(m, &tlen));
	m->base_id = 7;
	m->has_filelist = 0;
	assert_null(manifest_format(m, &tlen));
	m->has_filelist = 1;
	m->filelist_size = 0;
	assert_null(manifest_format(m, &tlen));
	m->filelist_size = 712;
	log_capture(NULL, 0);
	text = manifest_format(m, &tlen);
	assert_non_null(text);
	free(text);
	manifest_free(m);
	free(vec);
}

static void
test_filelist_vector(void **state)
{
	struct filelist *fl;
	const struct filelist_entry *e;
	char *vec, *text;
	size_t len, tlen;

	(void)state;
	vec = fmtvec_get("filelist", &len);
	fl = filelist_parse("filelist", vec, len);
	assert_non_null(fl);
	assert_int_equal(fl->n, 6);
	e = filelist_find(fl, "var/spool/voicemail/1001/msg0001.wav");
	assert_non_null(e);
	assert_int_equal(e->type, 'f');
	assert_int_equal(e->mode, 0600);
	assert_int_equal(e->size, 300000);
	assert_int_equal(e->mtime, 1795453100);
	assert_int_equal(e->mtime_ns, 123456789);
	assert_int_equal(e->ctime_ns, 1);
	assert_int_equal(e->ino, 131074);
	e = filelist_find(fl, "var/spool/voicemail/odd\\name\n.txt");
	assert_non_null(e);
	assert_int_equal(e->mtime, -86400);
	assert_non_null(filelist_find(fl, "var/spool/voicemail/Old Messages"));
	assert_null(filelist_find(fl, "var/spool/voicemail/Old"));
	text = filelist_format(fl, &tlen);
	assert_non_null(text);
	assert_int_equal(tlen, len);
	assert_memory_equal(text, vec, len);
	check_hash(text, tlen, "filelist.sha256");
	free(text);
	filelist_free(fl);
	free(vec);
}

/* Variants of the file list vector, and the line the error names. */
static const struct {
	const char *from, *to;
	unsigned int line;		/* 0: must parse */
} frows[] = {
	{ "sitevault-files 1\n", "sitevault-files 2\n", 1 },
	{ "sitevault-files 1\n", "", 1 },
	{ "d 0750 0 ", "x 0750 0 ", 2 },
	{ "d 0750 0 ", "d 750 0 ", 2 },
	{ "d 0750 0 ", "d 0780 0 ", 2 },
	{ "d 0750 0 ", "d 0750 1 ", 2 },	/* a directory has size 0 */
	{ "d 0750 0 ", "d 0750 00 ", 2 },
	{ "f 0600 300000 ", "f 0600 0300000 ", 4 },
	{ "1795453100.123456789", "1795453100.12345678", 4 },
	{ "1795453100.123456789", "1795453100", 4 },
	{ "1795453100.123456789", "+1795453100.123456789", 4 },
	{ " 131074 ", " 0131074 ", 4 },
	{ " 131074 ", "  131074 ", 4 },
	{ "-86400.000000000", "-0.000000000", 7 },
	{ "-86400.000000000", "--86400.000000000", 7 },
	{ "odd\\x5cname", "odd\\name", 7 },	/* a bare backslash */
	{ "odd\\x5cname", "odd\\x5Cname", 7 },	/* upper-case hex */
	{ "odd\\x5cname", "odd\\x41name", 7 },	/* needless escape */
	{ "odd\\x5cname", "odd\\x00name", 7 },
	{ "131073 var/spool", "131073 /var/spool", 2 },
	{ "131073 var/spool/voicemail\n", "131073 \n", 2 },
	{ "131073 var/spool", "131073 ../var/spool", 2 },
	{ "131073 var/spool", "131073 ./var/spool", 2 },
	{ "131073 var/spool", "131073 var//spool", 2 },
	{ "voicemail/Old Messages", "voicemail/..", 5 },
	{ "voicemail/Old Messages", "voicemail/.", 5 },
	{ "voicemail/Old Messages", "voicemail/Old Messages/", 5 },
	{ "voicemail/Old Messages", "voicemail/Old..", 0 },
	{ ".txt\n", ".txt", 7 },		/* no final LF */
	{ ".txt\n", ".txt\r\n", 7 },
	/* order by path, each path once */
	{ "var/spool/voicemail/1001\n", "var/spool/voicemail/2\n", 4 },
	{ "var/spool/voicemail/1001\n", "var/spool/voicemail\n", 3 },
	/* a time before 1970, and 0, are fine */
	{ "1672531200.000000000", "0.000000000", 0 },
	{ "-86400.000000000", "-1.999999999", 0 },
};

static void
test_filelist_rows(void **state)
{
	struct filelist *fl;
	char *vec, *bad, want[64], *text;
	size_t len, i, tlen;

	(void)state;
	vec = fmtvec_get("filelist", &len);
	for (i = 0; i < sizeof(frows) / sizeof(frows[0]); i++) {
		bad = unit_replace(vec, frows[i].from, frows[i].to);
		unit_capture();
		fl = filelist_parse("filelist", bad, strlen(bad));
		if (frows[i].line == 0) {
			if (fl == NULL)
				fail_msg("row %zu refused: %s", i, unit_log());
			text = filelist_format(fl, &tlen);
			assert_non_null(text);
			assert_int_equal(tlen, strlen(bad));
			assert_memory_equal(text, bad, tlen);
			free(text);
		} else {
			if (fl != NULL)
				fail_msg("row %zu accepted", i);
			snprintf(want, sizeof(want), "line %u:", frows[i].line);
			if (strstr(unit_log(), want) == NULL)
				fail_msg("row %zu: \"%s\" lacks \"%s\"", i,
				    unit_log(), want);
			assert_int_equal(log_class(), EX_DATAERR);
		}
		filelist_free(fl);
		free(bad);
	}
	log_capture(NULL, 0);
	free(vec);
}

/* The stat fields that make an object "changed". */
static void
test_filelist_unchanged(void **state)
{
	struct filelist *fl;
	struct stat st, st2;
	const struct filelist_entry *e;
	int i;

	(void)state;
	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFREG | 0640;
	st.st_size = 1000;
	st.st_mtim.tv_sec = 1795453100;
	st.st_mtim.tv_nsec = 5;
	st.st_ctim.tv_sec = 1795453101;
	st.st_ctim.tv_nsec = 6;
	st.st_ino = 42;
	assert_non_null(fl = filelist_new());
	assert_int_equal(filelist_add(fl, "b/file", &st), 0);
	assert_int_equal(filelist_add(fl, "a", &st), 0);
	assert_int_equal(filelist_sort(fl), 0);
	assert_non_null(e = filelist_find(fl, "b/file"));
	assert_true(filelist_unchanged(e, &st));
	for (i = 0; i < 7; i++) {
		st2 = st;
		switch (i) {
		case 0: st2.st_mode = S_IFLNK | 0640; break;
		case 1: st2.st_mode = S_IFREG | 0644; break;
		case 2: st2.st_size = 1001; break;
		case 3: st2.st_mtim.tv_nsec = 6; break;
		case 4: st2.st_ctim.tv_sec++; break;
		case 5: st2.st_ino = 43; break;
		case 6: st2.st_mtim.tv_sec--; break;
		}
		if (filelist_unchanged(e, &st2))
			fail_msg("change %d not seen", i);
	}
	/* The same path twice (overlapping backup paths) is refused. */
	unit_capture();
	assert_int_equal(filelist_add(fl, "a", &st), 0);
	assert_int_equal(filelist_sort(fl), -1);
	assert_int_equal(log_class(), EX_SOFTWARE);
	log_capture(NULL, 0);
	/* A FIFO is not listed. */
	st.st_mode = S_IFIFO | 0600;
	unit_capture();
	assert_int_equal(filelist_add(fl, "fifo", &st), -1);
	log_capture(NULL, 0);
	filelist_free(fl);
	/* Forgetting (pack.h: an object that vanished) takes the last only. */
	st.st_mode = S_IFREG | 0600;
	assert_non_null(fl = filelist_new());
	assert_int_equal(filelist_add(fl, "x", &st), 0);
	assert_int_equal(filelist_add(fl, "y", &st), 0);
	filelist_forget(fl, "x");
	assert_int_equal(fl->n, 2);
	filelist_forget(fl, "y");
	assert_int_equal(fl->n, 1);
	assert_string_equal(fl->e[0].path, "x");
	filelist_free(fl);
	filelist_free(NULL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_manifest_vector),
		cmocka_unit_test(test_manifest_rows),
		cmocka_unit_test(test_manifest_format_refuses),
		cmocka_unit_test(test_filelist_vector),
		cmocka_unit_test(test_filelist_rows),
		cmocka_unit_test(test_filelist_unchanged),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
