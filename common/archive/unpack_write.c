#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>

#include <archive_entry.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/unpack_internal.h"

/* A directory whose mode and times are set at the end. */
struct dirfix {
	char *name;		/* canonical, "" for the root */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
};

struct unpack_writer {
	int rootfd;
	int pfd;		/* the parent directory of the last entry */
	char *pname;		/* ... its canonical name ("" the root) */
	int fd;			/* the regular file being written, or -1 */
	const char *raw;	/* the entry, for messages */
	off_t size;
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
	int owner;		/* running as root: restore ownership */
	struct dirfix *fix;
	size_t nfix, capfix;
};

struct unpack_writer *
unpack_writer_new(const char *root)
{
	struct unpack_writer *w;
	struct stat sb;

	if ((w = calloc(1, sizeof(*w))) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (NULL);
	}
	w->pfd = w->fd = -1;
	w->owner = geteuid() == 0;
	if ((w->rootfd = open(root, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", root, strerror(errno));
		free(w);
		return (NULL);
	}
	/*
	 * Ours, as the staging directory we made is: another user who can
	 * write beside it could have put a directory of theirs in its place.
	 */
	if (fstat(w->rootfd, &sb) || sb.st_uid != geteuid()) {
		log_fail(EX_CANTCREAT, "%s: not owned by this user: refusing "
		    "to extract into it", root);
		close(w->rootfd);
		free(w);
		return (NULL);
	}
	return (w);
}

/*
 * Open the canonical directory ${rel} beneath the root one component at a
 * time with O_NOFOLLOW, creating missing ones (mode 0755, as a tar would).
 */
static int
open_rel(struct unpack_writer *w, const char *rel)
{
	char comp[NAME_MAX + 1];
	const char *s, *e;
	struct stat sb;
	int fd, nfd;

	if ((fd = dup(w->rootfd)) == -1)
		goto fail;
	for (s = rel; *s != '\0'; s = *e != '\0' ? e + 1 : e) {
		for (e = s; *e != '\0' && *e != '/'; e++)
			;
		if ((size_t)(e - s) > NAME_MAX) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		memcpy(comp, s, (size_t)(e - s));
		comp[e - s] = '\0';
		nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
		    O_CLOEXEC);
		if (nfd == -1 && errno == ENOENT && (mkdirat(fd, comp, 0755) ==
		    0 || errno == EEXIST))
			nfd = openat(fd, comp, O_RDONLY | O_DIRECTORY |
			    O_NOFOLLOW | O_CLOEXEC);
		if (nfd == -1) {
			if (fstatat(fd, comp, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
			    S_ISLNK(sb.st_mode)) {
				log_fail(EX_DATAERR, "archive entry %s: path "
				    "goes through the symlink %.*s: refused",
				    w->raw, (int)(e - rel), rel);
				close(fd);
				return (-1);
			}
			goto fail;
		}
		close(fd);
		fd = nfd;
	}
	return (fd);
fail:
	log_fail(EX_CANTCREAT, "archive entry %s: cannot open directory %s: "
	    "%s", w->raw, rel[0] != '\0' ? rel : ".", strerror(errno));
	if (fd != -1)
		close(fd);
	return (-1);
}

/* The parent of ${name} (cached: entries come directory by directory). */
static int
parent_of(struct unpack_writer *w, const char *name, const char **base)
{
	const char *slash = strrchr(name, '/');
	size_t len = slash != NULL ? (size_t)(slash - name) : 0;
	char *p;

	*base = slash != NULL ? slash + 1 : name;
	if (w->pfd != -1 && strlen(w->pname) == len &&
	    memcmp(w->pname, name, len) == 0)
		return (w->pfd);
	if ((p = strndup(name, len)) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (-1);
	}
	if (w->pfd != -1)
		close(w->pfd);
	free(w->pname);
	w->pname = p;
	if ((w->pfd = open_rel(w, p)) == -1) {
		free(w->pname);
		w->pname = NULL;
	}
	return (w->pfd);
}

/* Owner of ${e}: by name where this system knows it, else by number. */
static void
owner_of(struct unpack_writer *w, struct archive_entry *e)
{
	const char *n;
	struct passwd *pw;
	struct group *gr;

	w->uid = (uid_t)archive_entry_uid(e);
	w->gid = (gid_t)archive_entry_gid(e);
	if (!w->owner)
		return;
	if ((n = archive_entry_uname(e)) != NULL && (pw = getpwnam(n)) != NULL)
		w->uid = pw->pw_uid;
	if ((n = archive_entry_gname(e)) != NULL && (gr = getgrnam(n)) != NULL)
		w->gid = gr->gr_gid;
}

static int
add_fix(struct unpack_writer *w, const char *name)
{
	struct dirfix *f;

	if (w->nfix == w->capfix) {
		w->capfix = w->capfix ? w->capfix * 2 : 64;
		if ((f = reallocarray(w->fix, w->capfix, sizeof(*f))) == NULL)
			goto enomem;
		w->fix = f;
	}
	f = &w->fix[w->nfix];
	if ((f->name = strdup(name)) == NULL)
		goto enomem;
	f->mode = w->mode;
	f->uid = w->uid;
	f->gid = w->gid;
	f->ts[0] = w->ts[0];
	f->ts[1] = w->ts[1];
	w->nfix++;
	return (0);
enomem:
	log_fail(EX_OSERR, "unpack: out of memory");
	return (-1);
}

/* Make room at ${base} in ${pfd} for an entry of type ${type}. */
static int
clear(struct unpack_writer *w, int pfd, const char *base, int type)
{
	struct stat sb;

	if (fstatat(pfd, base, &sb, AT_SYMLINK_NOFOLLOW)) {
		if (errno == ENOENT)
			return (0);
		goto fail;
	}
	if (type == AE_IFDIR && S_ISDIR(sb.st_mode))
		return (1);
	if (unlinkat(pfd, base, S_ISDIR(sb.st_mode) ? AT_REMOVEDIR : 0) == 0)
		return (0);
fail:
	log_fail(EX_CANTCREAT, "archive entry %s: cannot replace what is "
	    "there: %s", w->raw, strerror(errno));
	return (-1);
}

int
unpack_writer_begin(struct unpack_writer *w, struct archive_entry *e,
    const char *name, const char *link, const char *raw)
{
	int type = link != NULL ? AE_IFREG : archive_entry_filetype(e);
	const char *base, *lbase;
	int pfd, lfd, r;

	w->raw = raw;
	w->size = archive_entry_size(e);
	w->mode = archive_entry_perm(e) & 01777;
	w->ts[1].tv_sec = archive_entry_mtime(e);
	w->ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	w->ts[0] = w->ts[1];
	if (archive_entry_atime_is_set(e)) {
		w->ts[0].tv_sec = archive_entry_atime(e);
		w->ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	owner_of(w, e);
	if (name[0] == '\0')		/* the root itself */
		return (add_fix(w, ""));
	if ((pfd = parent_of(w, name, &base)) == -1 ||
	    (r = clear(w, pfd, base, type)) == -1)
		return (-1);
	if (link != NULL) {
		/* The target's directory, also without following links. */
		const char *slash = strrchr(link, '/');
		char *dir = strndup(link, slash != NULL ? (size_t)(slash -
		    link) : 0);

		lbase = slash != NULL ? slash + 1 : link;
		if (dir == NULL) {
			log_fail(EX_OSERR, "unpack: out of memory");
			return (-1);
		}
		lfd = open_rel(w, dir);
		free(dir);
		if (lfd == -1)
			return (-1);
		r = linkat(lfd, lbase, pfd, base, 0);
		close(lfd);
		if (r) {
			log_fail(EX_CANTCREAT, "archive entry %s: cannot link "
			    "to %s: %s", raw, link, strerror(errno));
			return (-1);
		}
		return (0);
	}
	switch (type) {
	case AE_IFDIR:
		if (r == 0 && mkdirat(pfd, base, 0700)) {
			log_fail(EX_CANTCREAT, "archive entry %s: %s", raw,
			    strerror(errno));
			return (-1);
		}
		return (add_fix(w, name));
	case AE_IFLNK:
		if (symlinkat(archive_entry_symlink(e), pfd, base)) {
			log_fail(EX_CANTCREAT, "archive entry %s: %s", raw,
			    strerror(errno));
			return (-1);
		}
		if (w->owner && fchownat(pfd, base, w->uid, w->gid,
		    AT_SYMLINK_NOFOLLOW)) {
			log_fail(EX_CANTCREAT, "archive entry %s: owner: %s",
			    raw, strerror(errno));
			return (-1);
		}
		(void)utimensat(pfd, base, w->ts, AT_SYMLINK_NOFOLLOW);
		return (0);
	default:
		if ((w->fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1) {
			log_fail(EX_CANTCREAT, "archive entry %s: %s", raw,
			    strerror(errno));
			return (-1);
		}
		return (0);
	}
}

static int
zeros(const unsigned char *p, size_t n)
{

	while (n > 0 && *p == 0) {
		p++;
		n--;
	}
	return (n == 0);
}

int
unpack_writer_data(struct unpack_writer *w, const void *buf, size_t len,
    off_t off)
{
	const unsigned char *p = buf;
	size_t n;
	ssize_t k;

	if (w->fd == -1)
		return (0);
	/* Runs of zeros, a 4 KiB block at a time, are left as holes. */
	while (len > 0) {
		n = len < 4096 ? len : 4096;
		if (!zeros(p, n)) {
			if ((k = pwrite(w->fd, p, n, off)) < 0) {
				log_fail(EX_IOERR, "archive entry %s: write: "
				    "%s", w->raw, strerror(errno));
				return (-1);
			}
			n = (size_t)k;
		}
		p += n;
		len -= n;
		off += (off_t)n;
	}
	return (0);
}

int
unpack_writer_finish(struct unpack_writer *w)
{
	int fd = w->fd, rc = 0;

	if (fd == -1)
		return (0);
	w->fd = -1;
	/* A sparse entry's size costs no space, but this disk has a limit. */
	if (ftruncate(fd, w->size)) {
		log_fail(errno == EFBIG ? EX_DATAERR : EX_IOERR, "archive "
		    "entry %s: size %lld: %s", w->raw, (long long)w->size,
		    strerror(errno));
		rc = -1;
	} else if ((w->owner && fchown(fd, w->uid, w->gid)) ||
	    fchmod(fd, w->mode) || futimens(fd, w->ts)) {
		log_fail(EX_IOERR, "archive entry %s: %s", w->raw,
		    strerror(errno));
		rc = -1;
	}
	if (close(fd) && rc == 0) {
		log_fail(EX_IOERR, "archive entry %s: close: %s", w->raw,
		    strerror(errno));
		rc = -1;
	}
	return (rc);
}

int
unpack_writer_is_file(struct unpack_writer *w, const char *name)
{
	struct stat sb;

	return (fstatat(w->rootfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode));
}

int
unpack_writer_close(struct unpack_writer *w)
{
	struct dirfix *f;
	size_t i;
	int fd, rc = 0;

	for (i = w->nfix; i-- > 0; ) {
		f = &w->fix[i];
		w->raw = f->name;
		if ((fd = open_rel(w, f->name)) == -1)
			return (-1);
		if ((w->owner && fchown(fd, f->uid, f->gid)) ||
		    fchmod(fd, f->mode) || futimens(fd, f->ts)) {
			log_fail(EX_IOERR, "%s: cannot set mode or times: %s",
			    f->name[0] != '\0' ? f->name : ".",
			    strerror(errno));
			rc = -1;
		}
		close(fd);
	}
	return (rc);
}

void
unpack_writer_free(struct unpack_writer *w)
{
	size_t i;

	if (w == NULL)
		return;
	if (w->fd != -1)
		close(w->fd);
	if (w->pfd != -1)
		close(w->pfd);
	close(w->rootfd);
	for (i = 0; i < w->nfix; i++)
		free(w->fix[i].name);
	free(w->fix);
	free(w->pname);
	free(w);
}
