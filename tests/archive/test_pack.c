/*
 * pack: round trips through pack -> memory -> unpack in every compression,
 * compared field by field; the streams read back by stock zstd/gzip/tar;
 * a large file streamed in blocks; verify counts equal pack counts.
 */
#include "config.h"

#include <sys/stat.h>
#include <sys/wait.h>

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

#include "util/log.h"
#include "archive/pack.h"
#include "packtest.h"
#include "../lib/scratch.h"
#include "archive/unpack.h"

#define T0	1600000000	/* base mtime of the test tree */

/*
 * The round-trip tree under ${base}/src: every kind pack stores.  Returns
 * the path of src (malloc'd).
 */
static char *
make_tree(const char *base)
{
	static const struct {
		const char *name;
		int kind;		/* 'f' file, 'd' dir, 'l' symlink, 'h' hard link */
		const char *data;	/* contents, target, or link source */
		mode_t mode;
	} tree[] = {
		{ "empty", 'f', "", 0600 },
		{ "small.txt", 'f', "hello\n", 0640 },
		{ "name with spaces.txt", 'f', "spaces\n", 0755 },
		{ "caf\xc3\xa9 \xc3\xbc" "n\xc3\xaf" "c\xc3\xb8" "de.wav", 'f',
		    "utf8\n", 0644 },
		{ "sub", 'd', NULL, 0755 },
		{ "sub/nested", 'd', NULL, 0700 },
		{ "sub/nested/deep.bin", 'f', NULL, 0600 },	/* 200 KB */
		{ "emptydir", 'd', NULL, 0750 },
		{ "readonly", 'd', NULL, 0755 },	/* 0555 at the end */
		{ "readonly/inside", 'f', "ro\n", 0444 },
		{ "link_rel", 'l', "sub/nested/deep.bin", 0 },
		{ "link_abs", 'l', "/etc/sitevault-test-absent", 0 },
		{ "link_dir", 'l', "sub", 0 },
		{ "hl_a", 'f', "linked\n", 0644 },
		{ "sub/hl_b", 'h', "hl_a", 0 },
	};
	char *src = pt_join(base, "src"), *p, *q;
	unsigned char *big;
	size_t i;

	assert_int_equal(mkdir(src, 0755), 0);
	assert_non_null(big = malloc(200000));
	for (i = 0; i < 200000; i++)
		big[i] = (unsigned char)(i * 7 + i / 251);
	for (i = 0; i < sizeof(tree) / sizeof(tree[0]); i++) {
		p = pt_join(src, tree[i].name);
		switch (tree[i].kind) {
		case 'f':
			if (tree[i].data != NULL)
				pt_mkfile(p, tree[i].data, strlen(tree[i].data),
				    tree[i].mode, T0 + (time_t)i, 123456789);
			else
				pt_mkfile(p, big, 200000, tree[i].mode,
				    T0 + (time_t)i, 1);
			break;
		case 'd':
			assert_int_equal(mkdir(p, tree[i].mode), 0);
			assert_int_equal(chmod(p, tree[i].mode), 0);
			break;
		case 'l':
			assert_int_equal(symlink(tree[i].data, p), 0);
			break;
		case 'h':
			q = pt_join(src, tree[i].data);
			assert_int_equal(link(q, p), 0);
			free(q);
			break;
		}
		free(p);
	}
	free(big);
	if (geteuid() == 0) {
		/* Ids without names: restored by number. */
		p = pt_join(src, "small.txt");
		assert_int_equal(lchown(p, 1234, 2345), 0);
		free(p);
	}
	/* Directory and symlink times last: creating entries changes them. */
	for (i = sizeof(tree) / sizeof(tree[0]); i-- > 0;) {
		if (tree[i].kind != 'd' && tree[i].kind != 'l')
			continue;
		p = pt_join(src, tree[i].name);
		pt_settime(p, T0 + 100 + (time_t)i, 987654321);
		if (strcmp(tree[i].name, "readonly") == 0)
			assert_int_equal(chmod(p, 0555), 0);
		free(p);
	}
	pt_settime(src, T0 + 1000, 5);
	return (src);
}

/* Pack ${path} into ${m}; return pack's result. */
static int
pack_to_mem(const char *path, enum conf_compression c, int level,
    char *const *exclude, struct pt_mem *m, struct pack_stats *st)
{
	struct pack *p;
	int r;

	assert_non_null(p = pack_new(c, level, pt_mem_out, m));
	r = pack_add_tree(p, path, exclude);
	if (r == 0)
		r = pack_finish(p, st);
	pack_free(p);
	return (r);
}

static const struct {
	enum conf_compression c;
	int level;
	const char *magic;	/* first bytes of the stream */
	size_t magiclen;
} comps[] = {
	{ CONF_COMP_NONE, 0, NULL, 0 },
	{ CONF_COMP_GZIP, 1, "\x1f\x8b", 2 },
	{ CONF_COMP_GZIP, 9, "\x1f\x8b", 2 },
	{ CONF_COMP_ZSTD, 1, "\x28\xb5\x2f\xfd", 4 },
	{ CONF_COMP_ZSTD, 19, "\x28\xb5\x2f\xfd", 4 },
};

static void
test_roundtrip(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
		char *base = scratch_new("pack"), *src = make_tree(base);
		char *dst = pt_join(base, "dst"), *got, *a, *b, *list = NULL;
		struct pt_mem m = { .chunk = 1000 };
		struct pack_stats ps;
		struct unpack_stats us, vs;
		struct stat sa, sb;

		print_message("compression %d level %d\n", comps[i].c,
		    comps[i].level);
		assert_int_equal(pack_to_mem(src, comps[i].c, comps[i].level,
		    NULL, &m, &ps), 0);
		if (comps[i].magic != NULL)
			assert_memory_equal(m.p, comps[i].magic,
			    comps[i].magiclen);
		/* files: 7 regular + 1 hard link entry; bytes once. */
		assert_int_equal(ps.files, 8);
		assert_int_equal(ps.bytes, 0 + 6 + 7 + 5 + 200000 + 3 + 7);
		assert_int_equal(ps.warnings, 0);
		assert_true(ps.archive_bytes > ps.bytes);

		/* verify: no root, counts equal pack's, every entry listed. */
		assert_int_equal(unpack_run(NULL, pt_mem_src, &m,
		    ps.archive_bytes, pt_list_add, &list, &vs), 0);
		assert_int_equal(vs.files, ps.files);
		assert_int_equal(vs.bytes, ps.bytes);
		assert_int_equal(vs.archive_bytes, ps.archive_bytes);
		assert_non_null(strstr(list, src + 1));
		assert_non_null(strstr(list, "/sub/nested/deep.bin\n"));
		assert_non_null(strstr(list, "/emptydir/\n"));

		/* extract */
		m.pos = 0;
		m.ended = 0;
		assert_int_equal(mkdir(dst, 0700), 0);
		assert_int_equal(unpack_run(dst, pt_mem_src, &m,
		    ps.archive_bytes, NULL, NULL, &us), 0);
		assert_int_equal(us.files, ps.files);
		assert_int_equal(us.bytes, ps.bytes);
		assert_int_equal(us.archive_bytes, ps.archive_bytes);
		got = pt_join(dst, src + 1);
		assert_int_equal(pt_tree_equal(src, got, 1), 0);
		/* The hard link is a hard link again. */
		a = pt_join(got, "hl_a");
		b = pt_join(got, "sub/hl_b");
		assert_int_equal(lstat(a, &sa), 0);
		assert_int_equal(lstat(b, &sb), 0);
		assert_int_equal(sa.st_ino, sb.st_ino);
		assert_int_equal(sa.st_nlink, 2);

		free(a);
		free(b);
		free(got);
		free(list);
		pt_mem_free(&m);
		scratch_rm(base);
		free(dst);
		free(src);
		free(base);
	}
}

static int
file_out(void *cookie, const void *buf, size_t len)
{

	return (fwrite(buf, 1, len, cookie) == len ? 0 : -1);
}

/* The stream decompresses and unpacks with stock tools to the same tree. */
static void
test_stock_tools(void **state)
{
	static const char *decomp[] = { "cat", "gzip -dc", "gzip -dc",
	    "zstd -dcq", "zstd -dcq" };
	size_t i;

	(void)state;
	if (system("command -v zstd >/dev/null && command -v gzip >/dev/null "
	    "&& command -v tar >/dev/null") != 0)
		skip();
	for (i = 0; i < sizeof(comps) / sizeof(comps[0]); i++) {
		char *base = scratch_new("pack"), *src = make_tree(base);
		char *dst = pt_join(base, "dst"), *file = pt_join(base, "a");
		char cmd[3 * PATH_MAX], *got;
		struct pack_stats ps;
		struct pack *p;
		FILE *f;

		assert_non_null(f = fopen(file, "wb"));
		assert_non_null(p = pack_new(comps[i].c, comps[i].level,
		    file_out, f));
		assert_int_equal(pack_add_tree(p, src, NULL), 0);
		assert_int_equal(pack_finish(p, &ps), 0);
		pack_free(p);
		assert_int_equal(fclose(f), 0);
		assert_int_equal(mkdir(dst, 0700), 0);
		snprintf(cmd, sizeof(cmd), "cd '%s' && %s < '%s' | "
		    "tar -xpf -", dst, decomp[i], file);
		assert_int_equal(system(cmd), 0);
		got = pt_join(dst, src + 1);
		/* GNU tar does not restore symlink times. */
		assert_int_equal(pt_tree_equal(src, got, 0), 0);
		free(got);
		scratch_rm(base);
		free(file);
		free(dst);
		free(src);
		free(base);
	}
}

struct counter {
	uint64_t total;
	size_t maxchunk;
	unsigned long calls;
};

static int
count_out(void *cookie, const void *buf, size_t len)
{
	struct counter *c = cookie;

	(void)buf;
	c->total += len;
	c->calls++;
	if (len > c->maxchunk)
		c->maxchunk = len;
	return (0);
}

/*
 * A 128 MiB file streams through in 64 KiB blocks, and neither pack nor
 * unpack holds it: the output arrives in blocks of at most 64 KiB.  (Peak
 * RSS against the stream size is measured in `make bench`.)
 */
static void
test_bounded_memory(void **state)
{
	const uint64_t size = 128ULL << 20;
	char *base = scratch_new("pack"), *dir = pt_join(base, "big");
	char *file = pt_join(dir, "huge.bin");
	struct counter c = { 0, 0, 0 };
	struct pt_mem m = { .chunk = 65536 };
	struct pack_stats ps, ps2;
	struct unpack_stats vs;
	struct pack *p;
	int fd;

	(void)state;
	assert_int_equal(mkdir(dir, 0700), 0);
	assert_true((fd = open(file, O_WRONLY | O_CREAT, 0600)) >= 0);
	/* Allocated, so read whole: holes are not (test_pack_sparse.c). */
	assert_int_equal(posix_fallocate(fd, 0, (off_t)size), 0);
	close(fd);

	assert_non_null(p = pack_new(CONF_COMP_NONE, 0, count_out, &c));
	assert_int_equal(pack_add_tree(p, dir, NULL), 0);
	assert_int_equal(pack_finish(p, &ps), 0);
	pack_free(p);
	assert_int_equal(ps.bytes, size);
	assert_int_equal(c.total, ps.archive_bytes);
	assert_true(c.maxchunk <= 65536);
	assert_true(c.calls >= size / 65536);

	assert_int_equal(pack_to_mem(dir, CONF_COMP_ZSTD, 1, NULL, &m, &ps2),
	    0);
	assert_int_equal(ps2.archive_bytes, ps.archive_bytes);
	assert_true(m.len < (1 << 20));
	assert_int_equal(unpack_run(NULL, pt_mem_src, &m, ps.archive_bytes,
	    NULL, NULL, &vs), 0);
	assert_int_equal(vs.bytes, size);
	assert_int_equal(vs.archive_bytes, ps.archive_bytes);

	/* One byte less than the archive is a decompression bomb. */
	m.pos = 0;
	m.ended = 0;
	assert_int_equal(unpack_run(NULL, pt_mem_src, &m,
	    ps.archive_bytes - 1, NULL, NULL, &vs), -1);

	pt_mem_free(&m);
	scratch_rm(base);
	free(file);
	free(dir);
	free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounded_memory),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_stock_tools),
	};

	log_init("test_pack", 0, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
