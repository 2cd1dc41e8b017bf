/*
 * pack: sparse files.  Holes are found with SEEK_DATA/SEEK_HOLE and never
 * read (bytes read measured through /proc/self/io), the tar stream holds
 * only the data, and unpack brings the file back byte for byte with its
 * holes; a file that is all hole; short holes read as data; a filesystem
 * without SEEK_HOLE (lseek wrapped at link time) read whole.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "util/log.h"
#include "archive/pack.h"
#include "archive/unpack.h"
#include "packtest.h"
#include "../lib/scratch.h"

#define MIB	(1024 * 1024)

/*
 * Linked with -Wl,--wrap=lseek,--wrap=lseek64 (the name pack.c calls
 * depends on _FILE_OFFSET_BITS): pack's lseek comes here.
 */
off_t __real_lseek(int, off_t, int);
off_t __wrap_lseek(int, off_t, int);
off_t __real_lseek64(int, off_t, int);
off_t __wrap_lseek64(int, off_t, int);

static int no_seek_hole;	/* act as a filesystem without SEEK_HOLE */

off_t
__wrap_lseek(int fd, off_t off, int whence)
{

	if (no_seek_hole && (whence == SEEK_DATA || whence == SEEK_HOLE)) {
		errno = EINVAL;
		return (-1);
	}
	return (__real_lseek(fd, off, whence));
}

off_t
__wrap_lseek64(int fd, off_t off, int whence)
{

	if (no_seek_hole && (whence == SEEK_DATA || whence == SEEK_HOLE)) {
		errno = EINVAL;
		return (-1);
	}
	return (__real_lseek64(fd, off, whence));
}

/* Bytes this process has read through read(2) and friends so far. */
static uint64_t
rchar(void)
{
	char line[256];
	uint64_t n = UINT64_MAX;
	FILE *f;

	assert_non_null(f = fopen("/proc/self/io", "r"));
	while (fgets(line, sizeof(line), f) != NULL)
		if (sscanf(line, "rchar: %" SCNu64, &n) == 1)
			break;
	fclose(f);
	assert_true(n != UINT64_MAX);
	return (n);
}

/* Write ${len} bytes of pattern at ${off} of the file ${path}. */
static void
put(const char *path, off_t off, size_t len)
{
	unsigned char *b;
	size_t i;
	int fd;

	assert_non_null(b = malloc(len));
	for (i = 0; i < len; i++)
		b[i] = (unsigned char)(i * 13 + (size_t)off / 4096 + 1);
	assert_true((fd = open(path, O_WRONLY)) != -1);
	assert_int_equal(pwrite(fd, b, len, off), (ssize_t)len);
	close(fd);
	free(b);
}

/* Create ${dir}/${name} of ${size} bytes, all hole. */
static char *
mkhole(const char *dir, const char *name, off_t size)
{
	char *path = pt_join(dir, name);
	int fd;

	assert_true((fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0640)) !=
	    -1);
	assert_int_equal(ftruncate(fd, size), 0);
	close(fd);
	return (path);
}

static uint64_t
allocated(const char *path)
{
	struct stat sb;

	assert_int_equal(stat(path, &sb), 0);
	return ((uint64_t)sb.st_blocks * 512);
}

/* Compare the files ${a} and ${b} byte for byte. */
static void
same(const char *a, const char *b)
{
	static unsigned char ba[MIB], bb[MIB];
	ssize_t na, nb;
	int fa, fb;

	assert_true((fa = open(a, O_RDONLY)) != -1);
	assert_true((fb = open(b, O_RDONLY)) != -1);
	do {
		na = read(fa, ba, sizeof(ba));
		nb = read(fb, bb, sizeof(bb));
		assert_int_equal(na, nb);
		assert_true(na >= 0);
		assert_memory_equal(ba, bb, (size_t)na);
	} while (na > 0);
	close(fa);
	close(fb);
}

/*
 * Pack ${dir} (zstd), check what was read against ${maxread}, then unpack
 * into ${dir}.out and compare ${file} there; return pack's stats.
 */
static void
roundtrip(const char *dir, const char *file, uint64_t maxread,
    struct pack_stats *ps)
{
	struct pt_mem m = { NULL, 0, 0, 0, 0, 0, 0 };
	struct unpack_stats us;
	struct pack *p;
	char *out = pt_join(dir, "../out"), *got;
	uint64_t r0;

	r0 = rchar();
	assert_non_null(p = pack_new(CONF_COMP_ZSTD, 3, pt_mem_out, &m));
	assert_int_equal(pack_add_tree(p, dir, NULL), 0);
	assert_int_equal(pack_finish(p, ps), 0);
	assert_true(rchar() - r0 <= maxread);
	pack_free(p);

	assert_int_equal(mkdir(out, 0700), 0);
	assert_int_equal(unpack_run(out, pt_mem_src, &m, ps->archive_bytes,
	    NULL, NULL, &us), 0);
	assert_int_equal(us.files, ps->files);
	assert_int_equal(us.bytes, ps->bytes);
	got = pt_join(out, file + 1);
	same(file, got);
	free(got);
	free(out);
	pt_mem_free(&m);
}

/* Skip unless ${path} (all hole) really has no blocks here. */
static int
holes_kept(const char *path)
{

	if (allocated(path) == 0)
		return (1);
	print_message("this filesystem does not keep holes\n");
	return (0);
}

/* 1 GiB with 4 KiB of data in the middle and 4 KiB at the end. */
static void
test_sparse_big(void **state)
{
	char *base = scratch_new("pack"), *dir = pt_join(base, "src"), *f, *o, *r;
	struct pack_stats ps;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	f = mkhole(dir, "disk.img", 1024LL * MIB);
	if (!holes_kept(f))
		goto out;
	put(f, 512LL * MIB, 4096);
	put(f, 1024LL * MIB - 4096, 4096);
	roundtrip(dir, f, 4 * MIB, &ps);
	assert_int_equal(ps.files, 1);
	assert_int_equal(ps.sparse, 1);
	assert_int_equal(ps.bytes, 1024LL * MIB);
	/* The uncompressed tar stream holds the data, not the holes. */
	assert_true(ps.archive_bytes < 64 * 1024);
	o = pt_join(base, "out");
	r = pt_join(o, f + 1);
	assert_true(allocated(r) < MIB);
	free(r);
	free(o);
out:
	free(f);
	scratch_rm(base);
	free(dir);
	free(base);
}

/* All hole: no data at all, still its size and no blocks. */
static void
test_sparse_all_hole(void **state)
{
	char *base = scratch_new("pack"), *dir = pt_join(base, "src"), *f, *o, *r;
	struct pack_stats ps;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	f = mkhole(dir, "empty.img", 256LL * MIB);
	if (!holes_kept(f))
		goto out;
	roundtrip(dir, f, MIB, &ps);
	assert_int_equal(ps.sparse, 1);
	assert_int_equal(ps.bytes, 256LL * MIB);
	assert_true(ps.archive_bytes < 64 * 1024);
	o = pt_join(base, "out");
	r = pt_join(o, f + 1);
	assert_int_equal(allocated(r), 0);
	free(r);
	free(o);
out:
	free(f);
	scratch_rm(base);
	free(dir);
	free(base);
}

/* Holes shorter than 64 KiB are read as data: no sparse entry. */
static void
test_sparse_short_holes(void **state)
{
	char *base = scratch_new("pack"), *dir = pt_join(base, "src"), *f;
	struct pack_stats ps;
	off_t o;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	f = mkhole(dir, "holey", 4 * MIB);
	if (!holes_kept(f))
		goto out;
	for (o = 0; o < 4 * MIB; o += 32768)
		put(f, o, 4096);
	roundtrip(dir, f, 8 * MIB, &ps);
	assert_int_equal(ps.sparse, 0);
	assert_true(ps.archive_bytes > 4 * MIB);
out:
	free(f);
	scratch_rm(base);
	free(dir);
	free(base);
}

/* Without SEEK_HOLE the file is read whole, and still comes back right. */
static void
test_sparse_no_seek_hole(void **state)
{
	char *base = scratch_new("pack"), *dir = pt_join(base, "src"), *f;
	struct pack_stats ps;

	(void)state;
	assert_int_equal(mkdir(dir, 0755), 0);
	f = mkhole(dir, "disk.img", 64 * MIB);
	if (!holes_kept(f))
		goto out;
	put(f, 32 * MIB, 4096);
	no_seek_hole = 1;
	roundtrip(dir, f, 128 * MIB, &ps);
	no_seek_hole = 0;
	assert_int_equal(ps.sparse, 0);
	assert_true(ps.archive_bytes > 64 * MIB);
out:
	free(f);
	scratch_rm(base);
	free(dir);
	free(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sparse_big),
		cmocka_unit_test(test_sparse_all_hole),
		cmocka_unit_test(test_sparse_short_holes),
		cmocka_unit_test(test_sparse_no_seek_hole),
	};

	log_init("test_pack_sparse", 0, 0);
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
