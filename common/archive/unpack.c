#include "config.h"

#include <sys/stat.h>

#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/unpack.h"
#include "archive/unpack_internal.h"

/*
 * Every entry is checked here before libarchive sees it, the same way in
 * verify mode, so that verify fails where restore would: its name must be
 * relative without ".." (it is then made canonical: no ".", no empty
 * component, no trailing '/'); only files, directories, symlinks and hard
 * links to a regular file extracted earlier in this run; no path through
 * a symlink, whether an earlier entry or already on disk; the uncompressed
 * stream stays within max_bytes.  The disk side (unpack_write.c) then
 * creates each entry relative to directory descriptors opened without
 * following symlinks, so nothing is written through one that was already on
 * disk either, and no name is resolved from "/".
 */

/*
 * A set of canonical names: the regular files (hard links may only name
 * one) and the symlinks (no path may go through one) extracted so far.
 * It grows with the number of files: about 100 bytes a file.
 */
struct nameset {
	struct name {
		struct name *next;
		char s[];
	} **tab;
	size_t size;		/* buckets, a power of 2 */
	size_t count;
};

struct unpack {
	unpack_src_fn *src;
	void *cookie;
	int srcfail;		/* ${src} failed and logged */
	int srceof;		/* ${src} returned 0 */
	const void *pend;	/* first bytes read, not yet handed on */
	size_t npend;
	struct unpack_zstd *z;	/* zstd on its own thread, or NULL */
	struct archive *a;	/* reader */
	struct unpack_writer *w;	/* disk writer, NULL when verifying */
	char *name;		/* canonical name of the current entry */
	char *link;		/* and of its hard link target, or NULL */
	struct nameset files;	/* regular files extracted so far */
	struct nameset links;	/* symlinks extracted so far */
	uint64_t max;
	locale_t loc;		/* C.UTF-8 for libarchive calls, or 0 */
	struct unpack_stats st;
};

size_t
unpack_hash(const char *s)
{
	size_t h = 14695981039346656037ULL & SIZE_MAX;

	for (; *s != '\0'; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return (h);
}

static struct name **
ns_find(struct nameset *ns, const char *s)
{
	struct name **pp;

	if (ns->size == 0)
		return (NULL);
	for (pp = &ns->tab[unpack_hash(s) & (ns->size - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (strcmp((*pp)->s, s) == 0)
			return (pp);
	return (pp);
}

static int
ns_has(struct nameset *ns, const char *s)
{
	struct name **pp = ns_find(ns, s);

	return (pp != NULL && *pp != NULL);
}

static int
ns_add(struct nameset *ns, const char *s)
{
	struct name **pp, **tab, *n, *next;
	size_t i, size, len = strlen(s);

	if ((pp = ns_find(ns, s)) != NULL && *pp != NULL)
		return (0);
	if (ns->count >= ns->size) {
		size = ns->size ? ns->size * 2 : 256;
		if ((tab = calloc(size, sizeof(*tab))) == NULL)
			return (-1);
		for (i = 0; i < ns->size; i++)
			for (n = ns->tab[i]; n != NULL; n = next) {
				next = n->next;
				n->next = tab[unpack_hash(n->s) & (size - 1)];
				tab[unpack_hash(n->s) & (size - 1)] = n;
			}
		free(ns->tab);
		ns->tab = tab;
		ns->size = size;
		pp = ns_find(ns, s);
	}
	if ((n = malloc(sizeof(*n) + len + 1)) == NULL)
		return (-1);
	memcpy(n->s, s, len + 1);
	n->next = NULL;
	*pp = n;
	ns->count++;
	return (0);
}

static void
ns_del(struct nameset *ns, const char *s)
{
	struct name **pp, *n;

	if ((pp = ns_find(ns, s)) != NULL && (n = *pp) != NULL) {
		*pp = n->next;
		free(n);
		ns->count--;
	}
}

static void
ns_free(struct nameset *ns)
{
	struct name *n, *next;
	size_t i;

	for (i = 0; i < ns->size; i++)
		for (n = ns->tab[i]; n != NULL; n = next) {
			next = n->next;
			free(n);
		}
	free(ns->tab);
}

static la_ssize_t
unpack_read_cb(struct archive *a, void *cookie, const void **buf)
{
	struct unpack *u = cookie;
	ssize_t n;

	if (u->srceof)
		return (0);
	if (u->pend != NULL) {
		*buf = u->pend;
		u->pend = NULL;
		return ((la_ssize_t)u->npend);
	}
	if ((n = u->src(u->cookie, buf)) < 0) {
		u->srcfail = 1;
		archive_set_error(a, EIO, "source failed");
		return (-1);
	}
	if (n == 0)
		u->srceof = 1;
	return ((la_ssize_t)n);
}

/* Log a libarchive failure of ${a} at ${name}, unless ${src} already did. */
static void
unpack_afail(struct unpack *u, struct archive *a, int cls, const char *name)
{
	const char *e = archive_error_string(a);

	if (u->srcfail)
		return;
	log_fail(cls, "archive entry %s: %s", name,
	    e != NULL ? e : "unknown libarchive error");
}

/*
 * Return the canonical form of the entry name ${raw} (malloc'd), or NULL
 * with ${*why} saying why it is refused (NULL: out of memory).
 */
static char *
unpack_canon(const char *raw, const char **why)
{
	const char *s, *c;
	char *out, *o;

	*why = NULL;
	if (raw[0] == '\0')
		*why = "empty name";
	else if (raw[0] == '/')
		*why = "absolute path refused";
	if (*why != NULL || (o = out = malloc(strlen(raw) + 1)) == NULL)
		return (NULL);
	for (s = raw; *s != '\0'; s = *c != '\0' ? c + 1 : c) {
		for (c = s; *c != '\0' && *c != '/'; c++)
			;
		if (c - s == 2 && s[0] == '.' && s[1] == '.') {
			*why = "'..' in path refused";
			free(out);
			return (NULL);
		}
		if (c == s || (c - s == 1 && s[0] == '.'))
			continue;
		if (o != out)
			*o++ = '/';
		memcpy(o, s, (size_t)(c - s));
		o += c - s;
	}
	*o = '\0';
	return (out);
}

/*
 * Check that no directory on the way to the canonical ${name} is a symlink
 * extracted earlier in this run (one already on disk is refused when the
 * entry is created: unpack_write.c opens no directory through a symlink).
 * Return 0, or -1 after logging naming the entry ${raw}.
 */
static int
unpack_nothrough(struct unpack *u, const char *raw, const char *name)
{
	char *rel, *c;

	if ((rel = strdup(name)) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (-1);
	}
	for (c = rel; (c = strchr(c, '/')) != NULL; *c++ = '/') {
		*c = '\0';
		if (ns_has(&u->links, rel)) {
			log_fail(EX_DATAERR, "archive entry %s: path goes "
			    "through the symlink %s: refused", raw, rel);
			free(rel);
			return (-1);
		}
	}
	free(rel);
	return (0);
}

/*
 * The bytes of the stream the entry ${e} holds: its size, or for a sparse
 * entry (docs/FORMAT.md) the data of its map, which libarchive keeps only
 * where it lies within the size.
 */
static uint64_t
unpack_stored(struct archive_entry *e)
{
	la_int64_t off, len;
	uint64_t n = 0;

	if (archive_entry_sparse_reset(e) == 0)
		return ((uint64_t)archive_entry_size(e));
	while (archive_entry_sparse_next(e, &off, &len) == ARCHIVE_OK)
		n += (uint64_t)len;
	return (n);
}

/*
 * Check the entry ${e} named ${raw}; leave the canonical name (and hard
 * link target) in u->name (u->link).  Return 0, or -1 after logging.
 */
static int
unpack_check(struct unpack *u, struct archive_entry *e, const char *raw)
{
	const char *why, *link = archive_entry_hardlink(e);
	uint64_t pos = (uint64_t)archive_filter_bytes(u->a, 0);
	int type = archive_entry_filetype(e), r;

	free(u->name);
	free(u->link);
	u->link = NULL;
	if ((u->name = unpack_canon(raw, &why)) == NULL)
		goto bad;
	/* Tar hard-link entries carry no file type of their own. */
	if (link != NULL && type != 0 && type != AE_IFREG)
		why = "hard link of a non-file refused";
	else if (type == AE_IFCHR || type == AE_IFBLK)
		why = "device node refused";
	else if (type == AE_IFIFO)
		why = "FIFO refused";
	else if (type == AE_IFSOCK)
		why = "socket refused";
	else if (link == NULL && type != AE_IFREG && type != AE_IFDIR &&
	    type != AE_IFLNK)
		why = "unknown file type refused";
	else if (u->name[0] == '\0' && type != AE_IFDIR)
		why = "names the extraction root itself";
	if (why != NULL)
		goto bad;
	if (link != NULL) {
		if ((u->link = unpack_canon(link, &why)) == NULL)
			goto badlink;
		if (!ns_has(&u->files, u->link)) {
			why = "is not a file extracted before it: refused";
			goto badlink;
		}
		if (unpack_nothrough(u, raw, u->link))
			return (-1);
		if (u->w != NULL && (r = unpack_writer_is_file(u->w,
		    u->link)) != 1) {
			if (r == -1)
				return (-1);
			why = "is no longer a regular file: refused";
			goto badlink;
		}
	}
	if (pos > u->max || unpack_stored(e) > u->max - pos) {
		log_fail(EX_DATAERR, "archive entry %s: archive larger than "
		    "the %llu bytes announced: refused", raw,
		    (unsigned long long)u->max);
		return (-1);
	}
	return (unpack_nothrough(u, raw, u->name));

bad:
	if (why == NULL)
		log_fail(EX_OSERR, "unpack: out of memory");
	else
		log_fail(EX_DATAERR, "archive entry %s: %s", raw, why);
	return (-1);
badlink:
	if (why == NULL)
		log_fail(EX_OSERR, "unpack: out of memory");
	else
		log_fail(EX_DATAERR, "archive entry %s: hard link target %s: "
		    "%s", raw, link, why);
	return (-1);
}

/* Extract (or only read) the current entry ${e}, named ${raw}. */
static int
unpack_entry(struct unpack *u, struct archive_entry *e, const char *raw)
{
	int type = archive_entry_hardlink(e) != NULL ? AE_IFREG :
	    archive_entry_filetype(e);
	la_int64_t off, end = 0, size = archive_entry_size(e);
	const void *buf;
	size_t len;
	int r;

	/* Never setuid or setgid, whoever restores (sitevault(8), RESTORE). */
	if (u->link == NULL && (archive_entry_perm(e) & 06000) != 0) {
		archive_entry_set_perm(e, archive_entry_perm(e) & ~(mode_t)06000);
		u->st.stripped++;
	}
	if (u->w != NULL && unpack_writer_begin(u->w, e, u->name, u->link,
	    raw))
		return (-1);
	for (;;) {
		r = archive_read_data_block(u->a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			unpack_afail(u, u->a, EX_DATAERR, raw);
			return (-1);
		}
		if ((uint64_t)archive_filter_bytes(u->a, 0) > u->max) {
			log_fail(EX_DATAERR, "archive entry %s: archive larger "
			    "than the %llu bytes announced: refused", raw,
			    (unsigned long long)u->max);
			return (-1);
		}
		/* In order and within the size, whatever a sparse map says. */
		if (off < end || off > size || (uint64_t)len >
		    (uint64_t)(size - off)) {
			log_fail(EX_DATAERR, "archive entry %s: data at offset "
			    "%lld overlaps earlier data or lies beyond the "
			    "size %lld (a bad sparse map): refused", raw,
			    (long long)off, (long long)size);
			return (-1);
		}
		end = off + (la_int64_t)len;
		if (u->w != NULL && unpack_writer_data(u->w, buf, len,
		    (off_t)off))
			return (-1);
	}
	if (u->w != NULL && unpack_writer_finish(u->w))
		return (-1);
	/*
	 * What this name now is, for later hard links and paths: one lookup
	 * per set that it may leave (a file staying a file is kept as is).
	 */
	if (type != AE_IFREG)
		ns_del(&u->files, u->name);
	if (type != AE_IFLNK)
		ns_del(&u->links, u->name);
	/* Content bytes: a sparse file's holes count, as pack counts them. */
	if (type == AE_IFREG) {
		u->st.files++;
		if (u->link == NULL)
			u->st.bytes += (uint64_t)size;
	}
	if ((type == AE_IFREG && ns_add(&u->files, u->name)) ||
	    (type == AE_IFLNK && ns_add(&u->links, u->name))) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (-1);
	}
	return (0);
}

static int
unpack_open(struct unpack *u, const char *root)
{

	if ((u->a = archive_read_new()) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (-1);
	}
	/*
	 * Only what pack writes: tar (ustar/pax), plain, gzip or zstd.  No
	 * other decompressor is exposed to the input, and none that would
	 * run an external program.
	 */
	if (archive_read_support_format_tar(u->a) != ARCHIVE_OK ||
	    archive_read_support_filter_gzip(u->a) != ARCHIVE_OK ||
	    archive_read_support_filter_zstd(u->a) != ARCHIVE_OK) {
		log_fail(EX_SOFTWARE, "unpack: libarchive lacks tar, gzip or "
		    "zstd support: %s", archive_error_string(u->a));
		return (-1);
	}
	if (root != NULL && (u->w = unpack_writer_new(root)) == NULL)
		return (-1);
	return (0);
}

/*
 * Look at the first bytes of the source: a zstd stream is decompressed on
 * a thread of its own, anything else goes to libarchive as it is.
 */
static int
unpack_start(struct unpack *u)
{
	static const unsigned char zmagic[4] = { 0x28, 0xb5, 0x2f, 0xfd };
	const void *first;
	ssize_t n;

	if ((n = u->src(u->cookie, &first)) < 0) {
		u->srcfail = 1;
		return (-1);
	}
	if (n == 0) {
		u->srceof = 1;
		return (0);
	}
	if (n < (ssize_t)sizeof(zmagic) ||
	    memcmp(first, zmagic, sizeof(zmagic)) != 0) {
		u->pend = first;
		u->npend = (size_t)n;
		return (0);
	}
	if ((u->z = unpack_zstd_new(u->src, u->cookie, first, (size_t)n)) ==
	    NULL)
		return (-1);
	u->src = unpack_zstd_read;
	u->cookie = u->z;
	return (0);
}

/*
 * After the last entry (named ${last}): the archive's size against the
 * bytes announced, the deferred directory metadata, and the source read to
 * its end.  Return 0 or -1 after logging.
 */
static int
unpack_finish(struct unpack *u, const char *last)
{
	const void *junk;
	uint64_t past = 0;
	ssize_t n;

	/* The end-of-archive blocks count too. */
	if ((u->st.archive_bytes = (uint64_t)archive_filter_bytes(u->a, 0)) >
	    u->max) {
		log_fail(EX_DATAERR, "archive end after %s: archive larger "
		    "than the %llu bytes announced: refused", last,
		    (unsigned long long)u->max);
		return (-1);
	}
	/* Deferred directory modes and times are applied here. */
	if (u->w != NULL && unpack_writer_close(u->w))
		return (-1);
	/*
	 * Read the source to its end even past the tar trailer, so that the
	 * layers below (age's last-chunk flag, part hashes) check it all.
	 */
	while (!u->srceof) {
		if ((n = u->src(u->cookie, &junk)) < 0)
			return (-1);
		if (n == 0)
			u->srceof = 1;
		/* Decompressed on our thread: a bomb after the trailer too. */
		else if (u->z != NULL && (past += (uint64_t)n) > u->max -
		    u->st.archive_bytes) {
			log_fail(EX_DATAERR, "archive end after %s: data after "
			    "the end of the archive, past the %llu bytes "
			    "announced: refused", last,
			    (unsigned long long)u->max);
			return (-1);
		}
	}
	return (0);
}

int
unpack_run(const char *root, unpack_src_fn *src, void *cookie,
    uint64_t max_bytes, unpack_entry_fn *each, void *each_cookie,
    struct unpack_stats *st)
{
	struct unpack u;
	struct archive_entry *e;
	char *name = NULL, *nn;
	const char *last = "(start of archive)";	/* or the raw name */
	locale_t old;
	int r, rc = -1;

	memset(&u, 0, sizeof(u));
	/* As in pack.c: names are UTF-8 whatever the process locale. */
	u.loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	old = uselocale(u.loc);
	u.src = src;
	u.cookie = cookie;
	u.max = max_bytes;
	if (unpack_open(&u, root) || unpack_start(&u))
		goto out;
	if (archive_read_open(u.a, &u, NULL, unpack_read_cb, NULL) !=
	    ARCHIVE_OK) {
		unpack_afail(&u, u.a, EX_DATAERR, last);
		goto out;
	}
	for (;;) {
		r = archive_read_next_header(u.a, &e);
		if (r == ARCHIVE_EOF)
			break;
		if (r == ARCHIVE_WARN)
			log_debug("archive entry after %s: %s", last,
			    archive_error_string(u.a));
		else if (r != ARCHIVE_OK) {
			unpack_afail(&u, u.a, EX_DATAERR, last);
			goto out;
		}
		if (archive_entry_pathname(e) == NULL) {
			log_fail(EX_DATAERR, "archive entry after %s: no "
			    "usable name", last);
			goto out;
		}
		if ((nn = strdup(archive_entry_pathname(e))) == NULL) {
			log_fail(EX_OSERR, "unpack: out of memory");
			goto out;
		}
		free(name);
		last = name = nn;
		if (unpack_check(&u, e, name))
			goto out;
		if (each != NULL)
			each(each_cookie, name);
		if (unpack_entry(&u, e, name))
			goto out;
	}
	if (unpack_finish(&u, last))
		goto out;
	*st = u.st;
	rc = 0;

out:
	free(name);
	unpack_zstd_free(u.z);
	unpack_writer_free(u.w);
	if (u.a != NULL)
		archive_read_free(u.a);
	ns_free(&u.files);
	ns_free(&u.links);
	free(u.name);
	free(u.link);
	uselocale(old);
	if (u.loc != (locale_t)0)
		freelocale(u.loc);
	return (rc);
}
