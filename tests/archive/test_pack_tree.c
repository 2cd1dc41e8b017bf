/*
 * pack's tree walk: exclude globs, skipped special files, unreadable
 * paths, path normalisation, files changing while read, output failure.
 */
#include "config.h"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <fcntl.h>
#include <grp.h>
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

static char logbuf[4096];

/* An output callback that can change the tree when it is first called. */
struct hook {
	struct pt_mem m;
	void (*fn)(const char *);
	const char *arg;
	int fail;		/* return -1 from the second call on */
	int calls;
};

static int
hook_out(void *cookie, const void *buf, size_t len)
{
	struct hook *h = cookie;

	if (h->calls++ == 0 && h->fn != NULL)
		h->fn(h->arg);
	if (h->fail && h->calls > 1)
		return (-1);
	return (pt_mem_out(&h->m, buf, len));
}

/*
 * Pack ${path} (no compression, so output starts while files are read),
 * then list the archive through unpack's verify mode into ${list}.
 */
static int
pack_list(const char *path, char *const *exclude, struct hook *h,
    struct pack_stats *st, char **list)
{
	struct unpack_stats us;
	struct pack *p;
	int r;

	*list = NULL;
	log_reset();
	logbuf[0] = '\0';
	assert_non_null(p = pack_new(CONF_COMP_NONE, 0, hook_out, h));
	r = pack_add_tree(p, path, exclude);
	if (r == 0)
		r = pack_finish(p, st);
	pack_free(p);
	if (r == 0) {
		assert_int_equal(unpack_run(NULL, pt_mem_src, &h->m,
		    UINT64_MAX, pt_list_add, list, &us), 0);
		assert_int_equal(us.files, st->files);
		assert_int_equal(us.bytes, st->bytes);
	}
	return (r);
}

/* "${dir+1}/${name}\n" for each name, the expected listing. */
static char *
expect(const char *dir, const char *const *names)
{
	char *s = NULL;

	for (; *names != NULL; names++) {
		char *e = pt_join(dir + 1, *names);

		pt_list_add(&s, e);
		free(e);
	}
	return (s);
}

static void
mk(const char *base, const char *name, const char *data)
{
	char *p = pt_join(base, name);

	if (data == NULL)
		assert_int_equal(mkdir(p, 0755), 0);
	else
		pt_mkfile(p, data, strlen(data), 0644, 1600000000, 0);
	free(p);
}

static void
test_exclude(void **state)
{
	static char g1[] = "*.tmp", g2[] = "*.lock", g3[] = "*/src/cache",
	    g4[] = "*/sub/c.txt";
	char *const globs[] = { g1, g2, g3, g4, NULL };
	const char *const want[] = { "", "keep.txt", "sub/", "sub/d.txt",
	    NULL };
	char *base = scratch_new("pack"), *src = pt_join(base, "src"), *list, *exp;
	struct hook h = { .fn = NULL };
	struct pack_stats st;

	(void)state;
	mk(base, "src", NULL);
	mk(src, "keep.txt", "k");
	mk(src, "a.tmp", "t");
	mk(src, "sub", NULL);
	mk(src, "sub/b.lock", "l");
	mk(src, "sub/c.txt", "c");		/* excluded by full path */
	mk(src, "sub/d.txt", "d");
	mk(src, "cache", NULL);			/* subtree excluded */
	mk(src, "cache/x", "x");
	assert_int_equal(pack_list(src, globs, &h, &st, &list), 0);
	exp = expect(src, want);
	assert_string_equal(list, exp);
	assert_int_equal(st.files, 2);
	assert_int_equal(st.warnings, 0);
	free(exp);
	free(list);
	pt_mem_free(&h.m);
	scratch_rm(base);
	free(src);
	free(base);
}

/* Sockets, FIFOs (and device nodes, as root) are skipped with a warning. */
static void
test_special_skipped(void **state)
{
	const char *const want[] = { "", "ok", NULL };
	char *base = scratch_new("pack"), *src = pt_join(base, "src"), *list, *exp;
	char *sock, *fifo, *dev;
	struct hook h = { .fn = NULL };
	struct sockaddr_un sa;
	struct pack_stats st;
	int s, specials = 2;

	(void)state;
	mk(base, "src", NULL);
	mk(src, "ok", "ok");
	sock = pt_join(src, "sock");
	memset(&sa, 0, sizeof(sa));
	sa.sun_family = AF_UNIX;
	assert_true(strlen(sock) < sizeof(sa.sun_path));
	memcpy(sa.sun_path, sock, strlen(sock));
	assert_true((s = socket(AF_UNIX, SOCK_STREAM, 0)) >= 0);
	assert_int_equal(bind(s, (struct sockaddr *)&sa, sizeof(sa)), 0);
	fifo = pt_join(src, "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	dev = pt_join(src, "null");
	if (geteuid() == 0) {
		assert_int_equal(mknod(dev, S_IFCHR | 0600, makedev(1, 3)), 0);
		specials++;
	}
	assert_int_equal(pack_list(src, NULL, &h, &st, &list), 0);
	exp = expect(src, want);
	assert_string_equal(list, exp);
	assert_int_equal(st.warnings, specials);
	close(s);
	free(exp);
	free(list);
	free(sock);
	free(fifo);
	free(dev);
	pt_mem_free(&h.m);
	scratch_rm(base);
	free(src);
	free(base);
}

/*
 * Pack ${src} where ${bad} is mode 000; return 0 if pack failed naming
 * ${bad} with EX_NOINPUT.  Root reads anything, so as root this runs in a
 * child that became nobody.
 */
static int
unreadable_check(const char *src, const char *bad)
{
	struct hook h = { .fn = NULL };
	struct pack_stats st;
	char *list;
	int r;

	r = pack_list(src, NULL, &h, &st, &list);
	pt_mem_free(&h.m);
	free(list);
	if (r != -1 || strstr(logbuf, bad) == NULL ||
	    log_class() != EX_NOINPUT) {
		fprintf(stderr, "pack returned %d, class %d, log: %s\n", r,
		    log_class(), logbuf);
		return (1);
	}
	return (0);
}

static void
test_unreadable(void **state)
{
	static const char *const rows[] = { "secret.txt", "private" };
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *base = scratch_new("pack"), *src = pt_join(base, "src");
		char *bad = pt_join(src, rows[i]);
		pid_t pid;
		int status;

		mk(base, "src", NULL);
		mk(src, "a", "a");
		mk(src, rows[i], i == 0 ? "s" : NULL);
		mk(src, "z", "z");
		assert_int_equal(chmod(bad, 0), 0);
		if (geteuid() != 0)
			assert_int_equal(unreadable_check(src, bad), 0);
		else {
			assert_int_equal(chmod(base, 0755), 0);
			assert_true((pid = fork()) >= 0);
			if (pid == 0) {
				if (setgroups(0, NULL) || setgid(65534) ||
				    setuid(65534))
					_exit(2);
				if (access(src, R_OK | X_OK))
					_exit(77);
				_exit(unreadable_check(src, bad));
			}
			assert_int_equal(waitpid(pid, &status, 0), pid);
			assert_true(WIFEXITED(status));
			if (WEXITSTATUS(status) == 77)
				print_message("scratch dir not reachable as "
				    "nobody: row %zu skipped\n", i);
			else
				assert_int_equal(WEXITSTATUS(status), 0);
		}
		scratch_rm(base);
		free(bad);
		free(src);
		free(base);
	}
}

static void
test_paths(void **state)
{
	static const struct {
		const char *path;	/* after the scratch directory */
		int cls;		/* 0: accepted */
		const char *first;	/* first entry, after the scratch dir */
	} rows[] = {
		{ "relative/src", EX_CONFIG, NULL },	/* taken as is */
		{ "/src/../src", EX_CONFIG, NULL },
		{ "/./src", EX_CONFIG, NULL },
		{ "/missing", EX_NOINPUT, NULL },
		{ "//src/", 0, "/src/" },
		{ "/lnk", 0, "/lnk/" },		/* followed: it is configured */
		{ "/lnk/", 0, "/lnk/" },
		{ "/src/f", 0, "/src/f" },	/* a single file */
	};
	char *base = scratch_new("pack"), *src = pt_join(base, "src");
	char *lnk = pt_join(base, "lnk");
	size_t i;

	(void)state;
	mk(base, "src", NULL);
	mk(src, "f", "f");
	assert_int_equal(symlink("src", lnk), 0);
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char path[PATH_MAX], first[PATH_MAX];
		struct hook h = { .fn = NULL };
		struct pack_stats st;
		char *list = NULL;
		int r;

		snprintf(path, sizeof(path), "%s%s",
		    rows[i].path[0] == '/' ? base : "", rows[i].path);
		r = pack_list(path, NULL, &h, &st, &list);
		if (rows[i].cls != 0) {
			assert_int_equal(r, -1);
			assert_int_equal(log_class(), rows[i].cls);
			assert_non_null(strstr(logbuf, path));
		} else {
			assert_int_equal(r, 0);
			snprintf(first, sizeof(first), "%s%s\n", base + 1,
			    rows[i].first);
			assert_memory_equal(list, first, strlen(first));
			assert_int_equal(st.files, 1);
		}
		free(list);
		pt_mem_free(&h.m);
	}
	scratch_rm(base);
	free(lnk);
	free(src);
	free(base);
}

#define BIG	(1 << 20)

static void
do_shrink(const char *path)
{

	assert_int_equal(truncate(path, 1000), 0);
}

static void
do_grow(const char *path)
{
	int fd;

	assert_true((fd = open(path, O_WRONLY | O_APPEND)) >= 0);
	assert_int_equal(write(fd, "more", 4), 4);
	close(fd);
}

static void
do_unlink(const char *path)
{

	assert_int_equal(unlink(path), 0);
}

/*
 * Extract ${m}: the file ${big} holds what was read before it shrank (the
 * first 64 KiB block, read before the first output), then zeros.
 */
static void
check_shrunk(const char *base, const char *big, const unsigned char *data,
    struct pt_mem *m)
{
	char *dst = pt_join(base, "dst"), *got = pt_join(dst, big + 1);
	static const unsigned char zeros[4096];
	struct unpack_stats us;
	unsigned char *buf;
	int fd;

	assert_int_equal(mkdir(dst, 0700), 0);
	m->pos = 0;
	m->ended = 0;
	assert_int_equal(unpack_run(dst, pt_mem_src, m, UINT64_MAX, NULL,
	    NULL, &us), 0);
	assert_non_null(buf = malloc(BIG));
	assert_true((fd = open(got, O_RDONLY)) >= 0);
	assert_int_equal(read(fd, buf, BIG), BIG);
	close(fd);
	assert_memory_equal(buf, data, 65536);
	assert_memory_equal(buf + BIG - sizeof(zeros), zeros, sizeof(zeros));
	free(buf);
	free(got);
	free(dst);
}

/*
 * Files that change while read are warnings, and the archive stays
 * valid: the first output block is pushed while "a_big" is being read.
 */
static void
test_changed_while_read(void **state)
{
	static const struct {
		void (*fn)(const char *);
		const char *target;
		uint64_t files;
		uint64_t bytes;
	} rows[] = {
		{ do_shrink, "a_big", 2, BIG + 1 },	/* rest stored as zeros */
		{ do_grow, "a_big", 2, BIG + 1 },	/* first BIG bytes kept */
		{ do_unlink, "b_gone", 1, BIG },	/* skipped */
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
		char *base = scratch_new("pack"), *src = pt_join(base, "src");
		char *big = pt_join(src, "a_big"), *target, *list;
		struct hook h = { .fn = rows[i].fn };
		struct pack_stats st;
		unsigned char *data;
		size_t j;

		mk(base, "src", NULL);
		assert_non_null(data = malloc(BIG));
		for (j = 0; j < BIG; j++)
			data[j] = (unsigned char)(j % 251 + 1);
		pt_mkfile(big, data, BIG, 0644, 1600000000, 0);
		mk(src, "b_gone", "b");
		h.arg = target = pt_join(src, rows[i].target);
		assert_int_equal(pack_list(src, NULL, &h, &st, &list), 0);
		assert_int_equal(st.warnings, 1);
		assert_int_equal(st.files, rows[i].files);
		assert_int_equal(st.bytes, rows[i].bytes);
		if (rows[i].fn == do_shrink)
			check_shrunk(base, big, data, &h.m);
		free(data);
		free(list);
		pt_mem_free(&h.m);
		scratch_rm(base);
		free(target);
		free(big);
		free(src);
		free(base);
	}
}

/* A failing output callback stops pack, which logs nothing more. */
static void
test_out_failure(void **state)
{
	char *base = scratch_new("pack"), *src = pt_join(base, "src");
	char *big = pt_join(src, "big");
	struct hook h = { .fail = 1 };
	unsigned char *data;
	struct pack *p;

	(void)state;
	mk(base, "src", NULL);
	assert_non_null(data = calloc(1, BIG));
	pt_mkfile(big, data, BIG, 0644, 1600000000, 0);
	log_reset();
	logbuf[0] = '\0';
	assert_non_null(p = pack_new(CONF_COMP_NONE, 0, hook_out, &h));
	assert_int_equal(pack_add_tree(p, src, NULL), -1);
	assert_int_equal(log_class(), 0);
	assert_string_equal(logbuf, "");
	assert_int_equal(h.calls, 2);
	pack_free(p);
	assert_int_equal(h.calls, 2);	/* the trailer is not pushed */

	/* A compression level libarchive refuses. */
	assert_null(pack_new(CONF_COMP_ZSTD, 99, hook_out, &h));
	assert_int_equal(log_class(), EX_CONFIG);
	pack_free(NULL);
	free(data);
	pt_mem_free(&h.m);
	scratch_rm(base);
	free(big);
	free(src);
	free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exclude),
		cmocka_unit_test(test_special_skipped),
		cmocka_unit_test(test_unreadable),
		cmocka_unit_test(test_paths),
		cmocka_unit_test(test_changed_while_read),
		cmocka_unit_test(test_out_failure),
	};

	log_init("test_pack_tree", 0, 0);
	log_capture(logbuf, sizeof(logbuf));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
