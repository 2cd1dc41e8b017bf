#include "config.h"

#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/pack.h"
#include "archive/pack_internal.h"
#include "archive/zstream.h"

/*
 * Choices (see pack.h):
 * - Full pax: every entry gets an extended header, so mtimes keep their
 *   nanoseconds (restricted pax drops them).  Names are handed to
 *   libarchive under a thread-local C.UTF-8 locale, so UTF-8 names are
 *   stored as standard pax UTF-8 (the process runs in the C locale, where
 *   libarchive would fall back to "hdrcharset=BINARY", which GNU tar warns
 *   about); names that are not UTF-8 are still stored byte for byte.
 * - Children are reached with openat() and O_NOFOLLOW from their parent's
 *   fd, so a directory swapped for a symlink meanwhile is never followed;
 *   one fd is open per directory level.  Names are sorted per directory,
 *   so archives are deterministic.
 * - zstd is done here (zstream.h), not by libarchive's filter, which can
 *   use every core only with zstd's default jobs of 8 MiB and over 60 MiB
 *   of buffers; gzip stays libarchive's.
 */

#define PACK_BLOCK	65536	/* file read size and output block size */

static la_ssize_t
pack_write_cb(struct archive *a, void *cookie, const void *buf, size_t len)
{
	struct pack *p = cookie;

	(void)a;
	/* After a failure (or from pack_free), the trailer goes nowhere. */
	if (p->dead)
		return ((la_ssize_t)len);
	/* A zstream failure is logged, by ${out} or by zstream. */
	if (p->z != NULL ? zstream_write(p->z, buf, len) :
	    p->out(p->cookie, buf, len)) {
		p->outfail = 1;
		p->dead = 1;
		return (-1);
	}
	return ((la_ssize_t)len);
}

/* Log a libarchive failure about ${what}, unless ${out} already did. */
static void
pack_afail(struct pack *p, const char *what)
{

	if (!p->outfail) {
		const char *e = archive_error_string(p->a);

		log_fail(EX_IOERR, "%s: archive: %s", what,
		    e != NULL ? e : "unknown libarchive error");
	}
	p->dead = 1;
}

static int
pack_new1(struct pack *p, enum conf_compression comp, int level)
{
	char lv[16];
	int r = ARCHIVE_OK;

	if ((p->buf = malloc(PACK_BLOCK)) == NULL ||
	    (p->zero = calloc(1, PACK_BLOCK)) == NULL ||
	    (p->a = archive_write_new()) == NULL ||
	    (p->disk = archive_read_disk_new()) == NULL ||
	    (p->lr = archive_entry_linkresolver_new()) == NULL ||
	    (p->e = archive_entry_new()) == NULL)
		goto enomem;
	archive_read_disk_set_standard_lookup(p->disk);
	if (archive_write_set_format_pax(p->a) != ARCHIVE_OK)
		goto afail;
	archive_entry_linkresolver_set_strategy(p->lr, archive_format(p->a));
	switch (comp) {
	case CONF_COMP_NONE:
		break;
	case CONF_COMP_GZIP:
		r = archive_write_add_filter_gzip(p->a);
		break;
	case CONF_COMP_ZSTD:
		if ((p->z = zstream_new(level, p->out, p->cookie)) == NULL)
			return (-1);
		break;
	default:
		log_fail(EX_SOFTWARE, "pack: unknown compression %d", (int)comp);
		return (-1);
	}
	if (r != ARCHIVE_OK)
		goto afail;
	if (comp == CONF_COMP_GZIP) {
		snprintf(lv, sizeof(lv), "%d", level);
		if (archive_write_set_filter_option(p->a, NULL,
		    "compression-level", lv) != ARCHIVE_OK) {
			log_fail(EX_CONFIG, "compression level %d: %s", level,
			    archive_error_string(p->a));
			return (-1);
		}
	}
	/* Hand out whole 64 KiB blocks as they fill; no padding at the end. */
	if (archive_write_set_bytes_per_block(p->a, PACK_BLOCK) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(p->a, 1) != ARCHIVE_OK ||
	    archive_write_open(p->a, p, NULL, pack_write_cb, NULL) !=
	    ARCHIVE_OK)
		goto afail;
	return (0);

afail:
	pack_afail(p, "pack");
	return (-1);
enomem:
	log_fail(EX_OSERR, "pack: out of memory");
	return (-1);
}

struct pack *
pack_new(enum conf_compression comp, int level,
    int (*out)(void *, const void *, size_t), void *cookie)
{
	struct pack *p;
	locale_t old;
	int r;

	if ((p = calloc(1, sizeof(*p))) == NULL) {
		log_fail(EX_OSERR, "pack: out of memory");
		return (NULL);
	}
	p->out = out;
	p->cookie = cookie;
	/* Absent C.UTF-8: (locale_t)0, and uselocale(0) changes nothing. */
	p->loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	old = uselocale(p->loc);
	r = pack_new1(p, comp, level);
	uselocale(old);
	if (r) {
		pack_free(p);
		return (NULL);
	}
	return (p);
}

/* Return the entry for the object at ${path} (absolute) described by ${st}. */
struct archive_entry *
pack_entry(struct pack *p, const char *path, const struct stat *st)
{
	struct archive_entry *e = archive_entry_clear(p->e);
	const char *name;

	archive_entry_copy_pathname(e, path + 1);
	archive_entry_copy_stat(e, st);
	if (!S_ISREG(st->st_mode))
		archive_entry_set_size(e, 0);
	if ((name = archive_read_disk_uname(p->disk, st->st_uid)) != NULL)
		archive_entry_copy_uname(e, name);
	if ((name = archive_read_disk_gname(p->disk, st->st_gid)) != NULL)
		archive_entry_copy_gname(e, name);
	return (e);
}

int
pack_header(struct pack *p, struct archive_entry *e, const char *path)
{
	int r = archive_write_header(p->a, e);

	if (r == ARCHIVE_WARN)
		log_debug("%s: %s", path, archive_error_string(p->a));
	else if (r != ARCHIVE_OK) {
		pack_afail(p, path);
		return (-1);
	}
	return (0);
}

/* A file changed under us: count it and go on. */
void
pack_warn(struct pack *p, const char *path, const char *why)
{

	log_warn("%s: %s", path, why);
	p->st.warnings++;
}

/* Open errors: vanished or replaced is a warning (1), denied an error. */
int
pack_open_error(struct pack *p, const char *path, const char *what)
{

	if (errno == ENOENT || errno == ELOOP || errno == ENOTDIR) {
		pack_warn(p, path, "vanished or replaced while reading; skipped");
		return (1);
	}
	log_fail(errno == EACCES || errno == EPERM ? EX_NOINPUT : EX_IOERR,
	    "%s: cannot %s: %s", path, what, strerror(errno));
	return (-1);
}

/*
 * Open ${name} in ${dirfd} (the object at ${path}, lstat'ed as ${lst})
 * with ${flags}, not following a symlink unless ${follow}; check that it
 * is still the same object.  Return the fd, -2 if it vanished or changed
 * (warned), or -1 on error (logged).
 */
int
pack_open(struct pack *p, int dirfd, const char *name, const char *path,
    const struct stat *lst, int flags, int follow, struct stat *st)
{
	int fd;

	/* O_NONBLOCK: never hang if the name became a FIFO since lstat. */
	flags |= O_RDONLY | O_NOCTTY | O_NONBLOCK | O_CLOEXEC;
	if ((fd = openat(dirfd, name, flags | (follow ? 0 : O_NOFOLLOW))) ==
	    -1)
		return (pack_open_error(p, path, "open") > 0 ? -2 : -1);
	if (fstat(fd, st)) {
		log_fail(EX_IOERR, "%s: cannot stat: %s", path, strerror(errno));
		close(fd);
		return (-1);
	}
	if ((st->st_mode & S_IFMT) != (lst->st_mode & S_IFMT) ||
	    st->st_ino != lst->st_ino || st->st_dev != lst->st_dev) {
		pack_warn(p, path, "replaced while reading; skipped");
		close(fd);
		return (-2);
	}
	return (fd);
}

/*
 * Sparse files (docs/FORMAT.md): the data regions are found with
 * SEEK_DATA/SEEK_HOLE and only they are read; the entry is stored in the
 * pax sparse format 1.0 that GNU tar and libarchive read.  Holes shorter
 * than PACK_MINHOLE are read as data (restore turns zeros back into holes
 * anyway), and after PACK_MAXREGIONS regions the rest of the file is one
 * region, so the map stays small whatever the file.
 */
#define PACK_MINHOLE	PACK_BLOCK
#define PACK_MAXREGIONS	16384

/*
 * Put the map of the data regions of the file open as ${fd} (described by
 * ${st}) on ${e}.  Return 1 if it has holes worth skipping, 0 to store it
 * whole (no holes, or no SEEK_HOLE here), -1 on error (logged).
 */
static int
pack_map(const char *path, int fd, const struct stat *st,
    struct archive_entry *e)
{
	off_t size = st->st_size, rs = -1, re = 0, d, h;
	int n = 0;

	/* Fully allocated: no hole to find (the test GNU tar makes too). */
	if (size == 0 || (uint64_t)st->st_blocks * 512 >= (uint64_t)size)
		return (0);
	for (h = 0; h < size; re = h) {
		/* ENXIO: no data after ${h}, the rest is a hole. */
		if ((d = lseek(fd, h, SEEK_DATA)) == -1 && errno != ENXIO)
			goto unsupported;
		if (d == -1 || d >= size)
			break;
		if ((h = lseek(fd, d, SEEK_HOLE)) == -1)
			goto unsupported;
		/* A hole too short to skip is read with the data. */
		if (rs != -1 && d - re >= PACK_MINHOLE) {
			archive_entry_sparse_add_entry(e, rs, re - rs);
			n++;
			rs = -1;
		}
		if (rs == -1)
			rs = d < PACK_MINHOLE ? 0 : d;
		/* The last region allowed takes the rest of the file. */
		if (h <= d || h > size || n == PACK_MAXREGIONS - 1)
			h = size;
	}
	if (rs != -1 && size - re < PACK_MINHOLE)
		re = size;		/* too short a hole at the end too */
	if (rs == 0 && re == size)
		return (0);		/* no hole worth it */
	/* An all-hole file: one empty region at its end, as GNU tar does. */
	if (rs == -1)
		rs = re = size;
	archive_entry_sparse_add_entry(e, rs, re - rs);
	n++;
	/* libarchive drops a region it could not allocate: check. */
	if (archive_entry_sparse_count(e) != n) {
		log_fail(EX_OSERR, "%s: sparse map: out of memory", path);
		return (-1);
	}
	return (1);

unsupported:
	/* EINVAL, ENOTSUP...: this filesystem cannot say; read it all. */
	log_debug("%s: no SEEK_HOLE (%s): read whole", path, strerror(errno));
	archive_entry_sparse_clear(e);
	return (0);
}

/*
 * Write the ${len} bytes at ${off} of the file open as ${fd} to the entry;
 * once it shrank (${*shrank}), zeros.  Return 0, or -1 after logging.
 */
static int
pack_data(struct pack *p, const char *path, int fd, off_t off, off_t len,
    int *shrank)
{
	size_t want;
	ssize_t n;

	for (; len > 0; len -= n, off += n) {
		want = len > PACK_BLOCK ? PACK_BLOCK : (size_t)len;
		if (*shrank)
			n = (ssize_t)want;
		else if ((n = pread(fd, p->buf, want, off)) == -1) {
			if (errno == EINTR || errno == EAGAIN) {
				n = 0;
				continue;
			}
			log_fail(EX_IOERR, "%s: read: %s", path,
			    strerror(errno));
			return (-1);
		} else if (n == 0) {
			pack_warn(p, path, "shrank while reading; the rest is "
			    "stored as zeros");
			*shrank = 1;
			memset(p->buf, 0, PACK_BLOCK);
			n = (ssize_t)want;
		}
		if (archive_write_data(p->a, p->buf, (size_t)n) != n) {
			pack_afail(p, path);
			return (-1);
		}
	}
	return (0);
}

/*
 * Pass the ${len} bytes of a hole to the entry: the pax writer drops them
 * (they are in its map) but counts them.  Return 0, or -1 after logging.
 */
static int
pack_hole(struct pack *p, const char *path, off_t len)
{
	size_t want;

	for (; len > 0; len -= (off_t)want) {
		want = len > PACK_BLOCK ? PACK_BLOCK : (size_t)len;
		if (archive_write_data(p->a, p->zero, want) != (ssize_t)want) {
			pack_afail(p, path);
			return (-1);
		}
	}
	return (0);
}

/* Store the regular file open as ${fd}, described by ${st}. */
int
pack_file(struct pack *p, const char *path, int fd, const struct stat *st)
{
	struct archive_entry *e = pack_entry(p, path, st), *spare = NULL;
	struct stat st2;
	la_int64_t off, len;
	off_t pos = 0;
	int shrank = 0, sparse = 0;

	/*
	 * The tar strategy keeps a copy of a first name and turns later
	 * names of the same file into link entries without data; it never
	 * holds an entry back nor returns a spare.
	 */
	archive_entry_linkify(p->lr, &e, &spare);
	if (e != p->e || spare != NULL) {
		log_fail(EX_SOFTWARE, "%s: unexpected hard link resolution",
		    path);
		return (-1);
	}
	if (archive_entry_hardlink(e) == NULL &&
	    (sparse = pack_map(path, fd, st, e)) == -1)
		return (-1);
	if (pack_header(p, e, path))
		return (-1);
	p->st.files++;
	if (archive_entry_hardlink(e) != NULL)
		return (0);

	/* The header announced st_size bytes: write exactly that many. */
	if (sparse) {
		archive_entry_sparse_reset(e);
		while (archive_entry_sparse_next(e, &off, &len) == ARCHIVE_OK) {
			if (pack_hole(p, path, off - pos) ||
			    pack_data(p, path, fd, off, len, &shrank))
				return (-1);
			pos = off + len;
		}
		if (pack_hole(p, path, st->st_size - pos))
			return (-1);
		p->st.sparse++;
	} else if (pack_data(p, path, fd, 0, st->st_size, &shrank))
		return (-1);
	p->st.bytes += (uint64_t)st->st_size;
	if (!shrank && (fstat(fd, &st2) || st2.st_size != st->st_size ||
	    st2.st_mtim.tv_sec != st->st_mtim.tv_sec ||
	    st2.st_mtim.tv_nsec != st->st_mtim.tv_nsec))
		pack_warn(p, path, "changed while reading");
	return (0);
}

int
pack_symlink(struct pack *p, int dirfd, const char *name, const char *path,
    const struct stat *st)
{
	struct archive_entry *e;
	char target[PATH_MAX + 1];
	ssize_t n;

	if ((n = readlinkat(dirfd, name, target, PATH_MAX)) == -1) {
		/* EINVAL: no longer a symlink. */
		if (errno == ENOENT || errno == EINVAL) {
			pack_warn(p, path, "vanished or replaced while "
			    "reading; skipped");
			return (0);
		}
		log_fail(errno == EACCES ? EX_NOINPUT : EX_IOERR,
		    "%s: cannot read symlink: %s", path, strerror(errno));
		return (-1);
	}
	target[n] = '\0';
	e = pack_entry(p, path, st);
	archive_entry_copy_symlink(e, target);
	return (pack_header(p, e, path));
}

void
pack_set_scan(struct pack *p, pack_scan_fn *scan, void *cookie)
{

	p->scan = scan;
	p->scan_cookie = cookie;
}

int
pack_finish(struct pack *p, struct pack_stats *st)
{
	locale_t old = uselocale(p->loc);
	int rc = -1;

	if (p->dead || p->closed)
		log_fail(EX_SOFTWARE, "pack: finish after a failure");
	else if (archive_write_close(p->a) != ARCHIVE_OK)
		pack_afail(p, "pack");
	else if (p->z != NULL && zstream_finish(p->z))
		p->dead = 1;
	else {
		p->closed = 1;
		/* Filter 0 is the first the tar writer feeds: uncompressed. */
		p->st.archive_bytes = (uint64_t)archive_filter_bytes(p->a, 0);
		*st = p->st;
		rc = 0;
	}
	uselocale(old);
	return (rc);
}

void
pack_free(struct pack *p)
{
	locale_t old;

	if (p == NULL)
		return;
	/* archive_write_free() closes: keep that trailer away from ${out}. */
	p->dead = 1;
	old = uselocale(p->loc);
	if (p->a != NULL)
		archive_write_free(p->a);
	if (p->disk != NULL)
		archive_read_free(p->disk);
	uselocale(old);
	zstream_free(p->z);
	archive_entry_linkresolver_free(p->lr);
	archive_entry_free(p->e);
	if (p->loc != (locale_t)0)
		freelocale(p->loc);
	free(p->buf);
	free(p->zero);
	free(p);
}
