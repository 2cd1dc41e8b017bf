/* The tree walk of pack_add_tree(): each object below a configured path,
 * reached from its parent's fd, excluded, scanned, or handed to pack.c. */
#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <locale.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/pack.h"
#include "archive/pack_internal.h"

/* The absolute path of the object being walked, grown as we descend. */
struct pathbuf {
	char *s;
	size_t len;
	size_t cap;
};

static int pack_walk(struct pack *, struct pathbuf *, int);

static int
pathbuf_push(struct pathbuf *pb, const char *name)
{
	size_t n = strlen(name);
	char *s;

	if (pb->len + n + 2 > pb->cap) {
		size_t cap = (pb->len + n + 2) * 2;

		if ((s = realloc(pb->s, cap)) == NULL) {
			log_fail(EX_OSERR, "pack: out of memory");
			return (-1);
		}
		pb->s = s;
		pb->cap = cap;
	}
	pb->s[pb->len++] = '/';
	memcpy(pb->s + pb->len, name, n + 1);
	pb->len += n;
	return (0);
}

/*
 * Add ${name} in ${dirfd}, the object at ${pb} that lstat described as
 * ${lst}, recursing into directories; ${top}: the configured path, which
 * is followed if it is a symlink.
 */
static int
pack_one(struct pack *p, struct pathbuf *pb, int dirfd, const char *name,
    const struct stat *lst, int top)
{
	struct stat st;
	int fd, r, store = 1;
	uint64_t warned = p->st.warnings;

	/* Ask the scan first, so that an unchanged file is never opened. */
	if (p->scan != NULL && pb->len > 0 && (S_ISREG(lst->st_mode) ||
	    S_ISDIR(lst->st_mode) || S_ISLNK(lst->st_mode)) &&
	    (store = p->scan(p->scan_cookie, pb->s + 1, lst)) < 0)
		return (-1);
	switch (lst->st_mode & S_IFMT) {
	case S_IFREG:
		if (!store)
			return (0);
		break;
	case S_IFDIR:
		break;
	case S_IFLNK:
		if (!store)
			return (0);
		r = pack_symlink(p, dirfd, name, pb->s, lst);
		if (r == 0 && p->st.warnings != warned && p->scan != NULL)
			r = p->scan(p->scan_cookie, pb->s + 1, NULL);
		return (r < 0 ? -1 : 0);
	case S_IFSOCK:
		pack_warn(p, pb->s, "socket skipped");
		return (0);
	default:
		pack_warn(p, pb->s, "FIFO or device node skipped");
		return (0);
	}
	if ((fd = pack_open(p, dirfd, name, pb->s, lst,
	    S_ISDIR(lst->st_mode) ? O_DIRECTORY : 0, top, &st)) < 0) {
		/* Vanished: what the scan recorded is not in the tree. */
		if (fd == -2 && p->scan != NULL && pb->len > 0 &&
		    p->scan(p->scan_cookie, pb->s + 1, NULL) < 0)
			return (-1);
		return (fd == -2 ? 0 : -1);
	}
	if (S_ISREG(st.st_mode)) {
		r = pack_file(p, pb->s, fd, &st);
		close(fd);
		return (r);
	}
	/* The whole-filesystem root "/" has no entry of its own. */
	if (store && pb->len > 0 &&
	    pack_header(p, pack_entry(p, pb->s, &st), pb->s)) {
		close(fd);
		return (-1);
	}
	return (pack_walk(p, pb, fd));
}

static int
pack_excluded(struct pack *p, const char *path, const char *base)
{
	char *const *g;

	if (p->exclude == NULL)
		return (0);
	for (g = p->exclude; *g != NULL; g++)
		if (fnmatch(*g, base, 0) == 0 || fnmatch(*g, path, 0) == 0)
			return (1);
	return (0);
}

static int
pack_dots(const struct dirent *de)
{

	return (strcmp(de->d_name, ".") != 0 && strcmp(de->d_name, "..") != 0);
}

/*
 * Add everything below the directory open as ${fd} at ${pb}.  Children are
 * reached relative to ${fd} (openat and friends), so a parent swapped for
 * a symlink meanwhile is never followed.  ${fd} is closed.
 */
static int
pack_walk(struct pack *p, struct pathbuf *pb, int fd)
{
	struct dirent **names = NULL;
	size_t len = pb->len;
	struct stat st;
	int i, n, rc = -1;

	/* "." of ${fd}: the very directory checked by pack_open(). */
	if ((n = scandirat(fd, ".", &names, pack_dots, alphasort)) < 0) {
		if (pack_open_error(p, pb->s, "read directory") > 0)
			rc = 0;
		n = 0;
		goto out;
	}
	for (i = 0; i < n; i++) {
		pb->len = len;
		pb->s[len] = '\0';
		if (pathbuf_push(pb, names[i]->d_name))
			goto out;
		if (pack_excluded(p, pb->s, names[i]->d_name)) {
			log_debug("%s: excluded", pb->s);
			continue;
		}
		if (fstatat(fd, names[i]->d_name, &st, AT_SYMLINK_NOFOLLOW)) {
			if (pack_open_error(p, pb->s, "stat") < 0)
				goto out;
			continue;
		}
		if (pack_one(p, pb, fd, names[i]->d_name, &st, 0))
			goto out;
	}
	rc = 0;

out:
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	close(fd);
	pb->len = len;
	pb->s[len] = '\0';
	return (rc);
}

/* Copy ${path} to ${pb} without repeated or trailing '/'; refuse . and .. */
static int
pack_normalize(struct pathbuf *pb, const char *path)
{
	const char *s, *c;
	char name[NAME_MAX + 1];

	if (path[0] != '/') {
		log_fail(EX_CONFIG, "%s: backup path is not absolute", path);
		return (-1);
	}
	if (pathbuf_push(pb, ""))
		return (-1);
	pb->len = 0;
	pb->s[0] = '\0';
	for (s = path; *s != '\0'; s = c) {
		for (; *s == '/'; s++)
			;
		for (c = s; *c != '\0' && *c != '/'; c++)
			;
		if (c == s)
			break;
		if ((size_t)(c - s) > NAME_MAX) {
			log_fail(EX_CONFIG, "%s: name too long", path);
			return (-1);
		}
		memcpy(name, s, (size_t)(c - s));
		name[c - s] = '\0';
		if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) {
			log_fail(EX_CONFIG, "%s: backup path contains '.' or "
			    "'..'", path);
			return (-1);
		}
		if (pathbuf_push(pb, name))
			return (-1);
	}
	return (0);
}

int
pack_add_tree(struct pack *p, const char *path, char *const *exclude)
{
	struct pathbuf pb = { NULL, 0, 0 };
	locale_t old = uselocale(p->loc);
	struct stat st;
	int rc = -1;

	if (p->dead || p->closed) {
		log_fail(EX_SOFTWARE, "%s: pack is closed or failed", path);
		goto out;
	}
	if (pack_normalize(&pb, path))
		goto out;
	/* Follow the configured path itself if it is a symlink. */
	if (stat(pb.len ? pb.s : "/", &st)) {
		log_fail(errno == ENOENT || errno == EACCES || errno == ENOTDIR
		    ? EX_NOINPUT : EX_IOERR, "%s: %s", path, strerror(errno));
		goto out;
	}
	p->exclude = exclude;
	rc = pack_one(p, &pb, AT_FDCWD, pb.len ? pb.s : "/", &st, 1);
	p->exclude = NULL;

out:
	/* After a failure the archive is unusable: the backup is abandoned. */
	if (rc)
		p->dead = 1;
	free(pb.s);
	uselocale(old);
	return (rc);
}
