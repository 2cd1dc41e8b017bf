/*
 * unpack against hostile archives, built here with libarchive's writer
 * (not through pack): each must fail with EX_DATAERR naming the entry, in
 * verify and in extract mode, and nothing may appear outside the root.
 */
#include "config.h"

#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
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

#include "util/log.h"
#include "packtest.h"
#include "../lib/scratch.h"
#include "archive/unpack.h"
#include "archive/unpack_internal.h"

static char logbuf[4096];

/* One archive entry; '@' at the start of a name or target is the sandbox. */
struct ent {
	char type;	/* f file, z zeros, s sparse-ish (pat()), d dir,
			   l symlink, h hard link, c char dev, b block dev,
			   p FIFO (tar has no type for sockets) */
	const char *name;
	const char *arg;	/* contents, or link target */
	size_t size;		/* for 'z' */
};

static la_ssize_t
mem_write(struct archive *a, void *cookie, const void *buf, size_t len)
{

	(void)a;
	return (pt_mem_out(cookie, buf, len) ? -1 : (la_ssize_t)len);
}

static char *
expand(const char *base, const char *s)
{

	if (s[0] == '@')
		return (pt_join(base, s + 2));
	assert_non_null(s = strdup(s));
	return ((char *)(uintptr_t)s);
}

/*
 * Byte ${i} of an 's' entry: 4 KiB blocks of data (ending in a few zeros),
 * zeros, zeros, data...
 */
static unsigned char
pat(size_t i)
{

	if ((i / 4096) % 3 != 0 || i % 4096 > 4000)
		return (0);
	return ((unsigned char)('a' + i % 26));
}

/* Write ${ents} as a pax archive (zstd if ${zstd}) into ${m}. */
static void
build(struct pt_mem *m, const char *base, const struct ent *ents, int zstd)
{
	static const char zeros[65536];
	struct archive *a;
	struct archive_entry *e;
	char *name, *arg;
	size_t left, n;

	assert_non_null(a = archive_write_new());
	assert_int_equal(archive_write_set_format_pax(a), ARCHIVE_OK);
	if (zstd)
		assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), 0);
	assert_int_equal(archive_write_open(a, m, NULL, mem_write, NULL),
	    ARCHIVE_OK);
	for (; ents->type != 0; ents++) {
		assert_non_null(e = archive_entry_new());
		name = expand(base, ents->name);
		arg = ents->arg != NULL ? expand(base, ents->arg) : NULL;
		archive_entry_copy_pathname(e, name);
		archive_entry_set_perm(e, 0644);
		archive_entry_set_mtime(e, 1600000000, 0);
		switch (ents->type) {
		case 'f':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)strlen(arg));
			break;
		case 's':
		case 'z':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_set_size(e, (la_int64_t)ents->size);
			break;
		case 'd':
			archive_entry_set_filetype(e, AE_IFDIR);
			archive_entry_set_perm(e, 0755);
			break;
		case 'l':
			archive_entry_set_filetype(e, AE_IFLNK);
			archive_entry_copy_symlink(e, arg);
			break;
		case 'h':
			archive_entry_set_filetype(e, AE_IFREG);
			archive_entry_copy_hardlink(e, arg);
			break;
		case 'c':
		case 'b':
			archive_entry_set_filetype(e, ents->type == 'c' ?
			    AE_IFCHR : AE_IFBLK);
			archive_entry_set_rdevmajor(e, 1);
			archive_entry_set_rdevminor(e, 3);
			break;
		case 'p':
			archive_entry_set_filetype(e, AE_IFIFO);
			break;
		}
		assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
		if (ents->type == 'f')
			assert_int_equal(archive_write_data(a, arg, strlen(arg)),
			    (la_ssize_t)strlen(arg));
		/* In odd pieces, so that no block boundary is aligned. */
		for (left = ents->type == 's' ? ents->size : 0; left > 0;
		    left -= n) {
			unsigned char piece[1000];

			n = left > sizeof(piece) ? sizeof(piece) : left;
			for (size_t k = 0; k < n; k++)
				piece[k] = pat(ents->size - left + k);
			assert_int_equal(archive_write_data(a, piece, n),
			    (la_ssize_t)n);
		}
		for (left = ents->type == 'z' ? ents->size : 0; left > 0;
		    left -= n) {
			n = left > sizeof(zeros) ? sizeof(zeros) : left;
			assert_int_equal(archive_write_data(a, zeros, n),
			    (la_ssize_t)n);
		}
		archive_entry_free(e);
		free(name);
		free(arg);
	}
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* ${len} bytes of ${p}, then ${zeros} zeros, as one zstd stream into ${m}. */
static void
zwrap(struct pt_mem *m, const void *p, size_t len, size_t zeros)
{
	static const char z[65536];
	struct archive *a;
	struct archive_entry *e;
	size_t n;

	assert_non_null(a = archive_write_new());
	assert_int_equal(archive_write_set_format_raw(a), ARCHIVE_OK);
	assert_int_equal(archive_write_add_filter_zstd(a), ARCHIVE_OK);
	assert_int_equal(archive_write_set_bytes_in_last_block(a, 1), 0);
	assert_int_equal(archive_write_open(a, m, NULL, mem_write, NULL),
	    ARCHIVE_OK);
	assert_non_null(e = archive_entry_new());
	archive_entry_set_pathname(e, "raw");
	archive_entry_set_filetype(e, AE_IFREG);
	assert_true(archive_write_header(a, e) >= ARCHIVE_WARN);
	assert_int_equal(archive_write_data(a, p, len), (la_ssize_t)len);
	for (; zeros > 0; zeros -= n) {
		n = zeros > sizeof(z) ? sizeof(z) : zeros;
		assert_int_equal(archive_write_data(a, z, n), (la_ssize_t)n);
	}
	archive_entry_free(e);
	assert_int_equal(archive_write_close(a), ARCHIVE_OK);
	archive_write_free(a);
}

/* A sandbox: ${base}/root to extract into, ${base}/outside a sentinel. */
struct sandbox {
	char *base;
	char *root;
	char *outside;
	char *snap;	/* of outside, before */
};

static void
sandbox_new(struct sandbox *sb)
{
	char *p;

	sb->base = scratch_new("pack");
	sb->root = pt_join(sb->base, "root");
	sb->outside = pt_join(sb->base, "outside");
	assert_int_equal(mkdir(sb->root, 0700), 0);
	assert_int_equal(mkdir(sb->outside, 0700), 0);
	p = pt_join(sb->outside, "sentinel");
	pt_mkfile(p, "keep\n", 5, 0600, 1500000000, 0);
	free(p);
	sb->snap = pt_snapshot(sb->outside);
}

/* Nothing changed outside the root, and no "escape" anywhere. */
static void
sandbox_check_free(struct sandbox *sb)
{
	char *snap = pt_snapshot(sb->outside);

	assert_string_equal(snap, sb->snap);
	assert_int_equal(pt_find_name(sb->base, "escape"), 0);
	assert_int_equal(pt_find_name(sb->outside, "escape"), 0);
	assert_int_equal(access("/tmp/escape", F_OK), -1);
	assert_int_equal(access("/escape", F_OK), -1);
	scratch_rm(sb->base);
	free(snap);
	free(sb->snap);
	free(sb->outside);
	free(sb->root);
	free(sb->base);
}

static const struct {
	const char *what;
	struct ent ents[4];
	const char *named;	/* the log must name this entry */
	int zstd;
	uint64_t max;		/* 0: no cap */
} hostile[] = {
	{ "dot-dot", { { 'f', "../escape", "x", 0 } }, "../escape", 0, 0 },
	{ "absolute", { { 'f', "@/outside/escape", "x", 0 } },
	    "/outside/escape", 0, 0 },
	{ "inner dot-dot", { { 'f', "a/../../escape", "x", 0 } },
	    "a/../../escape", 0, 0 },
	{ "dot-dot dir", { { 'd', "..", NULL, 0 } }, "..", 0, 0 },
	{ "through symlink", { { 'l', "link", "@/outside", 0 },
	    { 'f', "link/escape", "x", 0 } }, "link/escape", 0, 0 },
	{ "symlink chain", { { 'l', "l1", "l2", 0 },
	    { 'l', "l2", "@/outside", 0 }, { 'f', "l1/escape", "x", 0 } },
	    "l1/escape", 0, 0 },
	{ "symlink up", { { 'l', "up", "..", 0 },
	    { 'f', "up/outside/escape", "x", 0 } }, "up/outside/escape", 0,
	    0 },
	{ "hard link absolute", { { 'h', "escape", "/etc/passwd", 0 } },
	    "/etc/passwd", 0, 0 },
	{ "hard link dot-dot", { { 'h', "escape", "../outside/sentinel",
	    0 } }, "../outside/sentinel", 0, 0 },
	{ "hard link absent", { { 'h', "escape", "nothere", 0 } },
	    "nothere", 0, 0 },
	{ "hard link to symlink", { { 'l', "s", "@/outside/sentinel", 0 },
	    { 'h', "escape", "s", 0 } }, "escape", 0, 0 },
	{ "hard link via symlink", { { 'l', "d", "@/outside", 0 },
	    { 'h', "escape", "d/sentinel", 0 } }, "d/sentinel", 0, 0 },
	{ "hard link replaced", { { 'f', "t", "x", 0 },
	    { 'l', "t", "@/outside/sentinel", 0 }, { 'h', "escape", "t", 0 } },
	    "escape", 0, 0 },
	/* Create-first (unpack_write.c): what is in the way is a link. */
	{ "dir then symlink", { { 'd', "d", NULL, 0 },
	    { 'l', "d", "@/outside", 0 }, { 'f', "d/escape", "x", 0 } },
	    "d/escape", 0, 0 },
	{ "dir then symlink, hard link", { { 'd', "d", NULL, 0 },
	    { 'l', "d", "@/outside", 0 }, { 'h', "escape", "d/sentinel",
	    0 } }, "d/sentinel", 0, 0 },
	{ "symlink over file, then through", { { 'f', "d", "x", 0 },
	    { 'l', "d", "@/outside", 0 }, { 'f', "d/escape", "x", 0 } },
	    "d/escape", 1, 0 },
	{ "char device", { { 'c', "escape", NULL, 0 } }, "escape", 0, 0 },
	{ "block device", { { 'b', "escape", NULL, 0 } }, "escape", 0, 0 },
	{ "FIFO", { { 'p', "escape", NULL, 0 } }, "escape", 0, 0 },
	{ "bomb", { { 'z', "escape", NULL, 100 << 20 } }, "escape", 1,
	    1 << 20 },
	{ "bomb of files", { { 'z', "f1", NULL, 600 << 10 },
	    { 'z', "f2", NULL, 600 << 10 } }, "f2", 1, 1 << 20 },
};

static void
test_hostile(void **state)
{
	size_t i;
	int mode;

	(void)state;
	for (i = 0; i < sizeof(hostile) / sizeof(hostile[0]); i++) {
		struct pt_mem m = { .chunk = 4096 };
		struct unpack_stats us;
		struct sandbox sb;
		uint64_t max;

		print_message("%s\n", hostile[i].what);
		sandbox_new(&sb);
		build(&m, sb.base, hostile[i].ents, hostile[i].zstd);
		max = hostile[i].max ? hostile[i].max : UINT64_MAX;
		if (hostile[i].zstd)
			assert_true(m.len < 64 * 1024);
		/* 0: verify (writes nothing), 1: extract */
		for (mode = 0; mode < 2; mode++) {
			m.pos = 0;
			m.ended = 0;
			log_reset();
			logbuf[0] = '\0';
			assert_int_equal(unpack_run(mode ? sb.root : NULL,
			    pt_mem_src, &m, max, NULL, NULL, &us), -1);
			assert_int_equal(log_class(), EX_DATAERR);
			assert_non_null(strstr(logbuf, hostile[i].named));
		}
		sandbox_check_free(&sb);
		pt_mem_free(&m);
	}
}

/* Symlinks already in the root are replaced or refused, never followed. */
static void
test_preexisting_symlinks(void **state)
{
	static const struct ent replace[] = {
		{ 'f', "x", "new\n", 0 },	/* x -> outside/sentinel */
		{ 'd', "d", NULL, 0 },		/* d -> outside: replaced */
		{ 'f', "d/f", "in\n", 0 },	/* so this lands in root/d */
		{ 0, NULL, NULL, 0 },
	};
	static const struct ent through[] = {
		{ 'f', "e/escape", "x", 0 },	/* e -> outside */
		{ 0, NULL, NULL, 0 },
	};
	struct pt_mem m = { .chunk = 0 };
	struct unpack_stats us;
	struct sandbox sb;
	struct stat st;
	char *p, *q;

	(void)state;
	sandbox_new(&sb);
	p = pt_join(sb.root, "x");
	q = pt_join(sb.outside, "sentinel");
	assert_int_equal(symlink(q, p), 0);
	free(q);
	free(p);
	p = pt_join(sb.root, "d");
	assert_int_equal(symlink(sb.outside, p), 0);
	free(p);
	p = pt_join(sb.root, "e");
	assert_int_equal(symlink(sb.outside, p), 0);
	free(p);

	build(&m, sb.base, replace, 0);
	assert_int_equal(unpack_run(sb.root, pt_mem_src, &m, UINT64_MAX,
	    NULL, NULL, &us), 0);
	p = pt_join(sb.root, "x");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_size, 4);
	free(p);
	p = pt_join(sb.root, "d/f");
	assert_int_equal(lstat(p, &st), 0);
	free(p);
	p = pt_join(sb.root, "d");
	assert_int_equal(lstat(p, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	free(p);
	pt_mem_free(&m);

	build(&m, sb.base, through, 0);
	log_reset();
	assert_int_equal(unpack_run(sb.root, pt_mem_src, &m, UINT64_MAX,
	    NULL, NULL, &us), -1);
	assert_int_equal(log_class(), EX_DATAERR);
	assert_non_null(strstr(logbuf, "e/escape"));
	pt_mem_free(&m);
	sandbox_check_free(&sb);
}

static ssize_t
failing_src(void *cookie, const void **buf)
{

	(void)cookie;
	(void)buf;
	return (-1);
}

/*
 * Corrupt input fails as data errors; a failing source fails without a
 * second message; the source is drained to its end after the tar trailer
 * (so that layers below check their own end) and never read past it.
 */
static void
test_corrupt_and_drain(void **state)
{
	static const struct ent ents[] = {
		{ 'd', "dir", NULL, 0 },
		{ 'z', "dir/file", NULL, 300000 },
		{ 0, NULL, NULL, 0 },
	};
	struct pt_mem m = { .chunk = 512 }, cut;
	struct unpack_stats us;
	struct sandbox sb;
	int zstd;

	(void)state;
	sandbox_new(&sb);
	for (zstd = 0; zstd < 2; zstd++) {
		build(&m, sb.base, ents, zstd);
		/* Truncated: a data error. */
		cut = m;
		cut.len = m.len / 2;
		log_reset();
		assert_int_equal(unpack_run(NULL, pt_mem_src, &cut,
		    UINT64_MAX, NULL, NULL, &us), -1);
		assert_int_equal(log_class(), EX_DATAERR);
		/* Trailing bytes after the tar trailer: read, ignored. */
		if (!zstd)
			pt_mem_out(&m, "trailing junk", 13);
		assert_int_equal(unpack_run(NULL, pt_mem_src, &m, UINT64_MAX,
		    NULL, NULL, &us), 0);
		assert_int_equal(m.pos, m.len);
		assert_int_equal(m.srccalls_after_end, 0);
		assert_int_equal(us.bytes, 300000);
		assert_int_equal(us.files, 1);
		pt_mem_free(&m);
		m.chunk = 512;
	}
	/*
	 * What a zstd stream holds after the tar trailer is decompressed
	 * too: it counts against the bytes announced (a bomb there).
	 */
	build(&m, sb.base, ents, 0);
	for (zstd = 0; zstd < 2; zstd++) {
		struct pt_mem zm = { .chunk = 4096 };

		zwrap(&zm, m.p, m.len, zstd ? 8 << 20 : 0);
		log_reset();
		assert_int_equal(unpack_run(NULL, pt_mem_src, &zm, m.len, NULL,
		    NULL, &us), zstd ? -1 : 0);
		if (zstd)
			assert_int_equal(log_class(), EX_DATAERR);
		pt_mem_free(&zm);
	}
	pt_mem_free(&m);
	m.chunk = 512;
	/* Garbage */
	pt_mem_out(&m, "this is not an archive at all", 29);
	log_reset();
	assert_int_equal(unpack_run(sb.root, pt_mem_src, &m, UINT64_MAX,
	    NULL, NULL, &us), -1);
	assert_int_equal(log_class(), EX_DATAERR);
	pt_mem_free(&m);
	/* The source logs its own failure: unpack adds nothing. */
	log_reset();
	logbuf[0] = '\0';
	assert_int_equal(unpack_run(sb.root, failing_src, NULL, UINT64_MAX,
	    NULL, NULL, &us), -1);
	assert_int_equal(log_class(), 0);
	assert_string_equal(logbuf, "");
	/* A root that is not a directory cannot be written. */
	log_reset();
	assert_int_equal(unpack_run("/nonexistent/root", pt_mem_src, &m,
	    UINT64_MAX, NULL, NULL, &us), -1);
	assert_int_equal(log_class(), EX_CANTCREAT);
	sandbox_check_free(&sb);
}

/*
 * File contents come back exact whatever the block boundaries of the
 * stream, and whole blocks of zeros (aligned on the file's own offsets)
 * become holes; a zstd stream cut short, or failing in its source midway,
 * fails (decompression runs on a thread of its own).
 */
static void
test_contents_and_holes(void **state)
{
	static const struct ent ents[] = {
		{ 'd', "d", NULL, 0 },
		{ 's', "d/s", NULL, 3 * 4096 * 40 + 123 },
		{ 'f', "d/t", "tail\n", 0 },
		{ 'z', "d/z", NULL, 50000 },
		{ 0, NULL, NULL, 0 },
	};
	struct pt_mem m = { .chunk = 1000 }, cut;
	struct unpack_stats us;
	struct sandbox sb;
	struct stat st;
	unsigned char *got;
	char *path;
	size_t i, size = ents[1].size;
	int zstd, fd;

	(void)state;
	for (zstd = 0; zstd < 2; zstd++) {
		sandbox_new(&sb);
		build(&m, sb.base, ents, zstd);
		log_reset();
		assert_int_equal(unpack_run(sb.root, pt_mem_src, &m,
		    UINT64_MAX, NULL, NULL, &us), 0);
		assert_int_equal(us.files, 3);
		/* All a hole: the size is set, nothing written. */
		path = pt_join(sb.root, "d/z");
		assert_int_equal(stat(path, &st), 0);
		assert_int_equal(st.st_size, 50000);
		free(path);
		path = pt_join(sb.root, "d/s");
		assert_true((fd = open(path, O_RDONLY)) != -1);
		assert_int_equal(fstat(fd, &st), 0);
		assert_int_equal((size_t)st.st_size, size);
		/* A third of the blocks, and a bit, hold data. */
		assert_true((size_t)st.st_blocks * 512 < size / 2);
		assert_non_null(got = malloc(size));
		assert_int_equal(read(fd, got, size), (ssize_t)size);
		for (i = 0; i < size; i++)
			if (got[i] != pat(i))
				fail_msg("byte %zu: %d, not %d", i, got[i],
				    pat(i));
		close(fd);
		free(got);
		free(path);
		if (zstd) {
			/* Cut inside the frame, at any point: a data error. */
			for (i = 1; i < 8; i++) {
				cut = m;
				cut.pos = 0;
				cut.len = m.len * i / 8;
				log_reset();
				assert_int_equal(unpack_run(NULL, pt_mem_src,
				    &cut, UINT64_MAX, NULL, NULL, &us), -1);
				assert_int_equal(log_class(), EX_DATAERR);
			}
		}
		pt_mem_free(&m);
		m.chunk = 1000;
		sandbox_check_free(&sb);
	}
}

/* ${path} under ${root} holds exactly ${want}. */
static void
assert_content(const char *root, const char *path, const char *want)
{
	char *p = pt_join(root, path), got[64];
	ssize_t n;
	int fd;

	assert_true((fd = open(p, O_RDONLY)) != -1);
	assert_true((n = read(fd, got, sizeof(got) - 1)) >= 0);
	got[n] = '\0';
	assert_string_equal(got, want);
	close(fd);
	free(p);
}

/*
 * Small files are made on worker threads (unpack_files.c), behind the
 * extraction: queued after a few MiB of other files, a name given twice
 * still ends with its last copy, a file turned directory is a directory,
 * and a hard link finds the file queued just before it.
 */
static void
test_order(void **state)
{
	enum { NFILL = 40 };
	static char big[100000 + 1];
	static const struct ent tail[] = {
		{ 'f', "a", "one", 0 },
		{ 'f', "a", "two", 0 },
		{ 'f', "x", "file", 0 },
		{ 'd', "x", NULL, 0 },
		{ 'f', "x/y", "in", 0 },
		{ 'f', "h", "data", 0 },
		{ 'h', "hl", "h", 0 },
		{ 0, NULL, NULL, 0 },
	};
	struct ent ents[NFILL + sizeof(tail) / sizeof(tail[0])];
	char names[NFILL][16];
	struct pt_mem m = { .chunk = 65536 };
	struct unpack_stats us;
	struct sandbox sb;
	struct stat st, sl;
	char *p;
	size_t i;

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	for (i = 0; i < NFILL; i++) {
		assert_true(snprintf(names[i], sizeof(names[i]), "fill%02zu",
		    i) < (int)sizeof(names[i]));
		ents[i] = (struct ent){ 'f', names[i], big, 0 };
	}
	memcpy(&ents[NFILL], tail, sizeof(tail));
	sandbox_new(&sb);
	build(&m, sb.base, ents, 0);
	log_reset();
	assert_int_equal(unpack_run(sb.root, pt_mem_src, &m, UINT64_MAX,
	    NULL, NULL, &us), 0);
	assert_int_equal(us.files, NFILL + 6);
	assert_content(sb.root, "a", "two");
	assert_content(sb.root, "x/y", "in");
	assert_content(sb.root, "hl", "data");
	p = pt_join(sb.root, "h");
	assert_int_equal(stat(p, &st), 0);
	free(p);
	p = pt_join(sb.root, "hl");
	assert_int_equal(stat(p, &sl), 0);
	free(p);
	assert_true(st.st_ino == sl.st_ino && st.st_nlink == 2);
	p = pt_join(sb.root, "fill39");
	assert_int_equal(stat(p, &st), 0);
	assert_int_equal(st.st_size, (off_t)sizeof(big) - 1);
	free(p);
	pt_mem_free(&m);
	sandbox_check_free(&sb);
}

/*
 * One file under names that differ only in "./" and empty components ends
 * with its last copy, however busy the workers are when each comes.
 */
static void
test_same_file(void **state)
{
	enum { NFILL = 40, NDUP = 50 };
	static char big[100000 + 1];
	struct ent ents[NFILL + 2 * NDUP + 1];
	char names[NFILL + 2 * NDUP][16];
	struct pt_mem m = { .chunk = 65536 };
	struct unpack_stats us;
	struct sandbox sb;
	size_t i, k = 0;

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	for (i = 0; i < NFILL; i++, k++) {
		assert_true(snprintf(names[k], sizeof(names[k]), "fill%02zu",
		    i) < (int)sizeof(names[k]));
		ents[k] = (struct ent){ 'f', names[k], big, 0 };
	}
	for (i = 0; i < NDUP; i++, k += 2) {
		assert_true(snprintf(names[k], sizeof(names[k]), "dup%02zu",
		    i) < (int)sizeof(names[k]));
		assert_true(snprintf(names[k + 1], sizeof(names[k + 1]),
		    i % 2 ? ".//dup%02zu" : "./dup%02zu", i) <
		    (int)sizeof(names[k + 1]));
		ents[k] = (struct ent){ 'f', names[k], "first", 0 };
		ents[k + 1] = (struct ent){ 'f', names[k + 1], "last", 0 };
	}
	ents[k] = (struct ent){ 0, NULL, NULL, 0 };
	sandbox_new(&sb);
	build(&m, sb.base, ents, 0);
	log_reset();
	assert_int_equal(unpack_run(sb.root, pt_mem_src, &m, UINT64_MAX,
	    NULL, NULL, &us), 0);
	for (i = 0; i < NDUP; i++)
		assert_content(sb.root, names[NFILL + 2 * i], "last");
	pt_mem_free(&m);
	sandbox_check_free(&sb);
}

/* Extracting ${ents} fails with EX_CANTCREAT, the message naming ${name}. */
static void
fails_naming(const struct ent *ents, const char *name)
{
	struct pt_mem m = { .chunk = 65536 };
	struct unpack_stats us;
	struct sandbox sb;

	sandbox_new(&sb);
	build(&m, sb.base, ents, 0);
	log_reset();
	logbuf[0] = '\0';
	assert_int_equal(unpack_run(sb.root, pt_mem_src, &m, UINT64_MAX,
	    NULL, NULL, &us), -1);
	assert_int_equal(log_class(), EX_CANTCREAT);
	assert_non_null(strstr(logbuf, name));
	pt_mem_free(&m);
	sandbox_check_free(&sb);
}

/* A file a worker cannot make fails the extraction, naming the entry. */
static void
test_worker_failure(void **state)
{
	char name[300 + 1];
	struct ent ents[] = {
		{ 'f', "before", "x", 0 },
		{ 'f', name, "x", 0 },
		{ 'f', "after", "x", 0 },
		{ 0, NULL, NULL, 0 },
	};

	(void)state;
	/* Longer than a name may be (NAME_MAX): the create fails. */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = '\0';
	fails_naming(ents, name);
	assert_non_null(strstr(logbuf, strerror(ENAMETOOLONG)));
}

/*
 * Of two files the workers cannot make, the one first in the archive is
 * the failure returned, even when the other worker, idle, failed first on
 * the later one.
 */
static void
test_first_failure(void **state)
{
	enum { NFILL = 40 };
	static char big[100000 + 1];
	char first[300 + 1], later[300 + 1], names[NFILL][16];
	struct ent ents[NFILL + 3];
	size_t i, k;
	int c;

	(void)state;
	memset(big, 'q', sizeof(big) - 1);
	/* Names longer than NAME_MAX: their creates fail. */
	memset(first, 'n', sizeof(first) - 1);
	first[sizeof(first) - 1] = '\0';
	later[sizeof(later) - 1] = '\0';
	for (c = 'a'; c <= 'z'; c++) {
		memset(later, c, sizeof(later) - 1);
		if (unpack_files_worker(later) != unpack_files_worker(first))
			break;
	}
	assert_true(c <= 'z');
	/* The first one's worker is busy with these; the other is idle. */
	for (i = k = 0; k < NFILL; i++) {
		assert_true(snprintf(names[k], sizeof(names[k]), "fill%03zu",
		    i) < (int)sizeof(names[k]));
		if (unpack_files_worker(names[k]) == unpack_files_worker(first)) {
			ents[k] = (struct ent){ 'f', names[k], big, 0 };
			k++;
		}
	}
	ents[k++] = (struct ent){ 'f', first, "x", 0 };
	ents[k++] = (struct ent){ 'f', later, "x", 0 };
	ents[k] = (struct ent){ 0, NULL, NULL, 0 };
	fails_naming(ents, first);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hostile),
		cmocka_unit_test(test_preexisting_symlinks),
		cmocka_unit_test(test_corrupt_and_drain),
		cmocka_unit_test(test_contents_and_holes),
		cmocka_unit_test(test_order),
		cmocka_unit_test(test_same_file),
		cmocka_unit_test(test_worker_failure),
		cmocka_unit_test(test_first_failure),
	};

	log_init("test_unpack", 0, 0);
	log_capture(logbuf, sizeof(logbuf));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
