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

#include "log.h"
#include "unpack.h"

/*
 * Every entry is checked here before libarchive sees it (the same checks
 * in verify mode, so that verify fails where restore would): no absolute
 * name, no ".." component, only files, directories, symlinks and hard
 * links to a regular file extracted earlier in this run; no path through
 * a symlink on disk; the uncompressed size stays within max_bytes.
 * libarchive's SECURE_SYMLINKS and SECURE_NODOTDOT stay on as a second
 * line.  Names are prefixed with the realpath() of the root (libarchive
 * would judge every component of a symlinked root), so libarchive's
 * SECURE_NOABSOLUTEPATHS cannot be used: the check above replaces it.
 */

/* A set of names (the regular files extracted so far), for hard links. */
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
	struct archive *a;	/* reader */
	struct archive *w;	/* disk writer, NULL when verifying */
	char *root;		/* realpath of the root, or NULL */
	char *path;		/* scratch: root/name */
	size_t pathcap;
	struct nameset files;
	uint64_t max;
	locale_t loc;		/* C.UTF-8 for libarchive calls, or 0 */
	struct unpack_stats st;
};

static size_t
ns_hash(const char *s)
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
	for (pp = &ns->tab[ns_hash(s) & (ns->size - 1)]; *pp != NULL;
	    pp = &(*pp)->next)
		if (strcmp((*pp)->s, s) == 0)
			return (pp);
	return (pp);
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
				n->next = tab[ns_hash(n->s) & (size - 1)];
				tab[ns_hash(n->s) & (size - 1)] = n;
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

/* Return why ${name} is not a safe relative name, or NULL if it is. */
static const char *
unpack_badname(const char *name)
{
	const char *s, *c;

	if (name == NULL || name[0] == '\0')
		return ("empty name");
	if (name[0] == '/')
		return ("absolute path refused");
	for (s = name; *s != '\0'; s = *c ? c + 1 : c) {
		for (c = s; *c != '\0' && *c != '/'; c++)
			;
		if (c - s == 2 && s[0] == '.' && s[1] == '.')
			return ("'..' in path refused");
	}
	return (NULL);
}

/* Set u->path to root/name. */
static int
unpack_join(struct unpack *u, const char *name)
{
	size_t rl = strlen(u->root), nl = strlen(name);
	char *s;

	if (rl + nl + 2 > u->pathcap) {
		if ((s = realloc(u->path, (rl + nl + 2) * 2)) == NULL) {
			log_fail(EX_OSERR, "unpack: out of memory");
			return (-1);
		}
		u->path = s;
		u->pathcap = (rl + nl + 2) * 2;
	}
	memcpy(u->path, u->root, rl);
	u->path[rl] = '/';
	memcpy(u->path + rl + 1, name, nl + 1);
	return (0);
}

/*
 * Check that no directory on the way to ${name} under the root is a
 * symlink (nothing is ever written through one; a symlink as the last
 * component is replaced, not followed).  If ${st} is not NULL, also lstat
 * the last component into it (st_mode 0 if absent).  Return 0, or -1
 * after logging.
 */
static int
unpack_nothrough(struct unpack *u, const char *entry, const char *name,
    struct stat *st)
{
	size_t rl = strlen(u->root);
	struct stat sb;
	char *c;

	if (unpack_join(u, name))
		return (-1);
	for (c = u->path + rl + 1; (c = strchr(c, '/')) != NULL; c++) {
		*c = '\0';
		if (lstat(u->path, &sb)) {
			*c = '/';
			if (errno == ENOENT)
				break;
			log_fail(EX_IOERR, "%s: %s", u->path, strerror(errno));
			return (-1);
		}
		if (S_ISLNK(sb.st_mode)) {
			log_fail(EX_DATAERR, "archive entry %s: path goes "
			    "through the symlink %s: refused", entry,
			    u->path + rl + 1);
			*c = '/';
			return (-1);
		}
		*c = '/';
	}
	if (st != NULL && lstat(u->path, st))
		st->st_mode = 0;
	return (0);
}

/* Check the entry ${e} named ${name}; Return 0, or -1 after logging. */
static int
unpack_check(struct unpack *u, struct archive_entry *e, const char *name)
{
	const char *why, *link = archive_entry_hardlink(e);
	struct stat st;

	if ((why = unpack_badname(name)) != NULL)
		goto bad;
	/* Tar hard-link entries carry no file type of their own. */
	switch (link != NULL ? AE_IFREG : archive_entry_filetype(e)) {
	case AE_IFREG:
	case AE_IFDIR:
	case AE_IFLNK:
		break;
	case AE_IFCHR:
	case AE_IFBLK:
		why = "device node refused";
		goto bad;
	case AE_IFIFO:
		why = "FIFO refused";
		goto bad;
	case AE_IFSOCK:
		why = "socket refused";
		goto bad;
	default:
		why = "unknown file type refused";
		goto bad;
	}
	if (link != NULL) {
		if (archive_entry_filetype(e) != 0 &&
		    archive_entry_filetype(e) != AE_IFREG) {
			why = "hard link of a non-file refused";
			goto bad;
		}
		if ((why = unpack_badname(link)) != NULL) {
			log_fail(EX_DATAERR, "archive entry %s: hard link "
			    "target %s: %s", name, link, why);
			return (-1);
		}
		if (ns_find(&u->files, link) == NULL ||
		    *ns_find(&u->files, link) == NULL) {
			log_fail(EX_DATAERR, "archive entry %s: hard link "
			    "target %s is not a file extracted before it: "
			    "refused", name, link);
			return (-1);
		}
		if (u->root != NULL) {
			if (unpack_nothrough(u, name, link, &st))
				return (-1);
			if (!S_ISREG(st.st_mode)) {
				log_fail(EX_DATAERR, "archive entry %s: hard "
				    "link target %s is not a regular file",
				    name, link);
				return (-1);
			}
		}
	}
	if (archive_entry_size_is_set(e) && archive_entry_size(e) < 0) {
		why = "negative size";
		goto bad;
	}
	if ((uint64_t)archive_filter_bytes(u->a, 0) > u->max ||
	    (uint64_t)archive_entry_size(e) > u->max -
	    (uint64_t)archive_filter_bytes(u->a, 0)) {
		log_fail(EX_DATAERR, "archive entry %s: archive larger than "
		    "the %llu bytes announced: refused", name,
		    (unsigned long long)u->max);
		return (-1);
	}
	if (u->root != NULL && unpack_nothrough(u, name, name, NULL))
		return (-1);
	return (0);

bad:
	log_fail(EX_DATAERR, "archive entry %s: %s", name, why);
	return (-1);
}

/* Extract (or only read) the current entry ${e}. */
static int
unpack_entry(struct unpack *u, struct archive_entry *e, const char *name)
{
	const void *buf;
	size_t len;
	la_int64_t off;
	const char *link = archive_entry_hardlink(e);
	int r, isfile = link != NULL || archive_entry_filetype(e) == AE_IFREG;

	if (u->w != NULL) {
		/* unpack_check() left the checked root/link in u->path. */
		if (link != NULL) {
			if (unpack_join(u, link))
				return (-1);
			archive_entry_copy_hardlink(e, u->path);
		}
		if (unpack_join(u, name))
			return (-1);
		archive_entry_copy_pathname(e, u->path);
		r = archive_write_header(u->w, e);
		if (r == ARCHIVE_WARN)
			log_warn("%s: %s", u->path, archive_error_string(u->w));
		else if (r != ARCHIVE_OK) {
			unpack_afail(u, u->w, EX_CANTCREAT, name);
			return (-1);
		}
	}
	for (;;) {
		r = archive_read_data_block(u->a, &buf, &len, &off);
		if (r == ARCHIVE_EOF)
			break;
		if (r != ARCHIVE_OK) {
			unpack_afail(u, u->a, EX_DATAERR, name);
			return (-1);
		}
		if ((uint64_t)archive_filter_bytes(u->a, 0) > u->max) {
			log_fail(EX_DATAERR, "archive entry %s: archive larger "
			    "than the %llu bytes announced: refused", name,
			    (unsigned long long)u->max);
			return (-1);
		}
		u->st.bytes += len;
		if (u->w != NULL && archive_write_data_block(u->w, buf, len,
		    off) != ARCHIVE_OK) {
			unpack_afail(u, u->w, EX_IOERR, name);
			return (-1);
		}
	}
	if (u->w != NULL && (r = archive_write_finish_entry(u->w)) !=
	    ARCHIVE_OK) {
		if (r != ARCHIVE_WARN) {
			unpack_afail(u, u->w, EX_IOERR, name);
			return (-1);
		}
		log_warn("%s: %s", u->path, archive_error_string(u->w));
	}
	/* Only regular files extracted in this run may be hard-linked to. */
	if (isfile) {
		u->st.files++;
		if (ns_add(&u->files, name)) {
			log_fail(EX_OSERR, "unpack: out of memory");
			return (-1);
		}
	} else
		ns_del(&u->files, name);
	return (0);
}

static int
unpack_open(struct unpack *u, const char *root)
{
	int flags = ARCHIVE_EXTRACT_TIME | ARCHIVE_EXTRACT_PERM |
	    ARCHIVE_EXTRACT_SECURE_SYMLINKS | ARCHIVE_EXTRACT_SECURE_NODOTDOT;
	struct stat st;

	if ((u->a = archive_read_new()) == NULL)
		goto enomem;
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
	if (root == NULL)
		return (0);
	if ((u->root = realpath(root, NULL)) == NULL || stat(u->root, &st)) {
		log_fail(EX_CANTCREAT, "%s: %s", root, strerror(errno));
		return (-1);
	}
	if (!S_ISDIR(st.st_mode)) {
		log_fail(EX_CANTCREAT, "%s: not a directory", root);
		return (-1);
	}
	/* A realpath of "/" would make names "//x": drop the slash. */
	if (strcmp(u->root, "/") == 0)
		u->root[0] = '\0';
	if (geteuid() == 0)
		flags |= ARCHIVE_EXTRACT_OWNER;
	if ((u->w = archive_write_disk_new()) == NULL)
		goto enomem;
	if (archive_write_disk_set_options(u->w, flags) != ARCHIVE_OK ||
	    archive_write_disk_set_standard_lookup(u->w) != ARCHIVE_OK) {
		log_fail(EX_SOFTWARE, "unpack: %s", archive_error_string(u->w));
		return (-1);
	}
	return (0);

enomem:
	log_fail(EX_OSERR, "unpack: out of memory");
	return (-1);
}

int
unpack_run(const char *root, unpack_src_fn *src, void *cookie,
    uint64_t max_bytes, unpack_entry_fn *each, void *each_cookie,
    struct unpack_stats *st)
{
	struct unpack u;
	struct archive_entry *e;
	const void *junk;
	char *name = NULL, *nn;
	const char *last = "(start of archive)";
	locale_t old;
	ssize_t n;
	int r, rc = -1;

	memset(&u, 0, sizeof(u));
	/* As in pack.c: names are UTF-8 whatever the process locale. */
	u.loc = newlocale(LC_CTYPE_MASK, "C.UTF-8", (locale_t)0);
	old = uselocale(u.loc);
	u.src = src;
	u.cookie = cookie;
	u.max = max_bytes;
	if (unpack_open(&u, root))
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
		if (name != NULL)
			last = name;
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
	/* The end-of-archive blocks count too. */
	if ((u.st.archive_bytes = (uint64_t)archive_filter_bytes(u.a, 0)) >
	    u.max) {
		log_fail(EX_DATAERR, "archive end after %s: archive larger "
		    "than the %llu bytes announced: refused",
		    name != NULL ? name : last,
		    (unsigned long long)u.max);
		goto out;
	}
	if (u.w != NULL && archive_write_close(u.w) != ARCHIVE_OK) {
		/* Deferred directory modes and times are applied here. */
		unpack_afail(&u, u.w, EX_IOERR, "(directory fixups)");
		goto out;
	}
	/*
	 * Read the source to its end even past the tar trailer, so that the
	 * layers below (age's last-chunk flag, part hashes) check it all.
	 */
	while (!u.srceof) {
		if ((n = src(cookie, &junk)) < 0)
			goto out;
		if (n == 0)
			u.srceof = 1;
	}
	*st = u.st;
	rc = 0;

out:
	free(name);
	if (u.w != NULL)
		archive_write_free(u.w);
	if (u.a != NULL)
		archive_read_free(u.a);
	ns_free(&u.files);
	free(u.root);
	free(u.path);
	uselocale(old);
	if (u.loc != (locale_t)0)
		freelocale(u.loc);
	return (rc);
}
