#include "config.h"

#include <sys/stat.h>
#include <sys/types.h>
#include <sys/xattr.h>

#include <archive_entry.h>
#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include "util/log.h"
#include "archive/unpack_internal.h"

/*
 * Files from this size on have their write-back started when written;
 * smaller ones are made on the workers of unpack_files.c.
 */
#define WRITEBACK_MIN	(128 * 1024)

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
	off_t written;		/* ... up to this offset */
	mode_t mode;
	uid_t uid;
	gid_t gid;
	struct timespec ts[2];
	int owner;		/* running as root: restore ownership */
	int exact;		/* files can be made with their mode (exact_modes) */
	int moded;		/* ... and the one in ${fd} was */
	gid_t pgid;		/* the group given to a new file in ${pfd}, or -1 */
	char *uname, *gname;	/* the last owner names looked up */
	uid_t uname_uid;	/* ... what they named, if ${ufound} */
	gid_t gname_gid;	/* ... if ${gfound} */
	int ufound, gfound;
	struct dirfix *fix;
	size_t nfix, capfix;
	struct unpack_flush *flush;
	struct unpack_files *files;	/* workers, if ${exact} */
	struct unpack_job *job;	/* the small file being read for them */
};

/*
 * Whether a new file beneath ${rootfd} can be made with its permissions
 * from the start, saving an fchmod per file (a metadata update, a journal
 * entry on ext4: about 5% of a restore of 100,000 small files).  The umask
 * (077, main.c) would narrow them: this thread takes an umask of its own
 * (unshare(CLONE_FS): its umask, cwd and root, copied, no longer shared
 * with the fetch and decompression threads) and clears it only around each
 * create (make()).  A default ACL there would take the umask's place and
 * narrow the mode through its mask: then every file keeps its fchmod.  A
 * file made with its final mode is out of other users' reach while it is
 * written: the stage is private (0700, stage.c) until the commit.
 */
static int
exact_modes(int rootfd)
{

	if (fgetxattr(rootfd, "system.posix_acl_default", NULL, 0) != -1 ||
	    (errno != ENODATA && errno != ENOTSUP))
		return (0);
	return (unshare(CLONE_FS) == 0);
}

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
	w->exact = exact_modes(w->rootfd);
	if ((w->flush = unpack_flush_new(w->rootfd, root)) == NULL ||
	    (w->exact && (w->files = unpack_files_new(w->flush)) == NULL)) {
		unpack_flush_free(w->flush);
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

/*
 * The group a file created in the directory ${dfd} gets: ours, unless the
 * directory is setgid or the filesystem is mounted grpid, when it is the
 * directory's.  Both agree when the directory's group is ours and it is
 * not setgid; otherwise (gid_t)-1, "not known".
 */
static gid_t
new_gid(int dfd)
{
	struct stat sb;

	if (fstat(dfd, &sb) || (sb.st_mode & S_ISGID) ||
	    sb.st_gid != getegid())
		return ((gid_t)-1);
	return (sb.st_gid);
}

/*
 * Whether the entry just made in ${pfd} needs its owner set.  A new file
 * is root's, in the group new_gid() foresaw: where that is already the
 * entry's owner, the fchown would change nothing yet still cost a metadata
 * update (a journal entry on ext4) per file, 7% of a restore of 100,000
 * small root-owned files.
 */
static int
needs_chown(const struct unpack_writer *w)
{

	return (w->owner && (w->uid != 0 || w->pgid == (gid_t)-1 ||
	    w->gid != w->pgid));
}

/* Wait until the files queued are made (unpack_files.c). */
static int
drain(struct unpack_writer *w)
{

	return (w->files != NULL ? unpack_files_drain(w->files) : 0);
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
	/* Queued files are made in ${pfd}, and may be on the way. */
	if (drain(w))
		return (-1);
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
		return (-1);
	}
	w->pgid = new_gid(w->pfd);
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
	/* Entries share a few owners: the last lookup of each is kept. */
	if ((n = archive_entry_uname(e)) != NULL) {
		if (w->uname == NULL || strcmp(w->uname, n) != 0) {
			free(w->uname);
			if ((w->uname = strdup(n)) == NULL)
				w->ufound = 0;
			else if ((w->ufound = (pw = getpwnam(n)) != NULL))
				w->uname_uid = pw->pw_uid;
		}
		if (w->ufound)
			w->uid = w->uname_uid;
	}
	if ((n = archive_entry_gname(e)) != NULL) {
		if (w->gname == NULL || strcmp(w->gname, n) != 0) {
			free(w->gname);
			if ((w->gname = strdup(n)) == NULL)
				w->gfound = 0;
			else if ((w->gfound = (gr = getgrnam(n)) != NULL))
				w->gname_gid = gr->gr_gid;
		}
		if (w->gfound)
			w->gid = w->gname_gid;
	}
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

/*
 * Create ${base} in ${pfd} as an entry of ${type} (a hard link to ${lbase}
 * in ${lfd} if ${lfd} is not -1).  Return 0, or -1 with errno set.
 */
static int
make(struct unpack_writer *w, struct archive_entry *e, int type, int pfd,
    const char *base, int lfd, const char *lbase)
{
	mode_t old = 0;

	if (lfd != -1)
		return (linkat(lfd, lbase, pfd, base, 0));
	switch (type) {
	case AE_IFDIR:
		return (mkdirat(pfd, base, 0700));
	case AE_IFLNK:
		return (symlinkat(archive_entry_symlink(e), pfd, base));
	default:
		/* ${mode} holds no setuid or setgid bit (unpack.c strips them). */
		if ((w->moded = w->exact))
			old = umask(0);
		w->fd = openat(pfd, base, O_WRONLY | O_CREAT | O_EXCL |
		    O_NOFOLLOW | O_CLOEXEC, w->moded ? w->mode : 0600);
		if (w->moded)
			umask(old);
		return (w->fd == -1 ? -1 : 0);
	}
}

/* The directory of the hard link target ${link}, without following links. */
static int
link_dir(struct unpack_writer *w, const char *link, const char **lbase)
{
	const char *slash = strrchr(link, '/');
	char *dir;
	int fd;

	*lbase = slash != NULL ? slash + 1 : link;
	if ((dir = strndup(link, slash != NULL ? (size_t)(slash - link) :
	    0)) == NULL) {
		log_fail(EX_OSERR, "unpack: out of memory");
		return (-1);
	}
	fd = open_rel(w, dir);
	free(dir);
	return (fd);
}

static void
entry_meta(struct unpack_writer *w, struct archive_entry *e, const char *raw)
{

	w->raw = raw;
	w->size = archive_entry_size(e);
	w->written = 0;
	w->mode = archive_entry_perm(e) & 01777;
	w->ts[1].tv_sec = archive_entry_mtime(e);
	w->ts[1].tv_nsec = archive_entry_mtime_nsec(e);
	w->ts[0] = w->ts[1];
	if (archive_entry_atime_is_set(e)) {
		w->ts[0].tv_sec = archive_entry_atime(e);
		w->ts[0].tv_nsec = archive_entry_atime_nsec(e);
	}
	owner_of(w, e);
}

/* Read the small file ${name} for a worker to make. */
static int
defer(struct unpack_writer *w, const char *name, const char *raw)
{
	const char *base;
	struct unpack_job *j;
	int pfd;

	if ((pfd = parent_of(w, name, &base)) == -1 ||
	    (j = unpack_job_new(pfd, name, raw, (size_t)w->size)) == NULL)
		return (-1);
	j->mode = w->mode;
	j->chown = needs_chown(w);
	j->uid = w->uid;
	j->gid = w->gid;
	j->ts[0] = w->ts[0];
	j->ts[1] = w->ts[1];
	w->job = j;
	return (0);
}

int
unpack_writer_begin(struct unpack_writer *w, struct archive_entry *e,
    const char *name, const char *link, const char *raw)
{
	int type = link != NULL ? AE_IFREG : archive_entry_filetype(e);
	const char *base, *lbase = NULL;
	int pfd, lfd = -1, r;

	entry_meta(w, e, raw);
	if (link == NULL && type == AE_IFREG && w->files != NULL &&
	    w->size >= 0 && w->size < WRITEBACK_MIN)
		return (defer(w, name, raw));
	/* Anything else waits for the files queued before it. */
	if (drain(w))
		return (-1);
	if (name[0] == '\0')		/* the root itself */
		return (add_fix(w, ""));
	if ((pfd = parent_of(w, name, &base)) == -1)
		return (-1);
	if (link != NULL && (lfd = link_dir(w, link, &lbase)) == -1)
		return (-1);
	/*
	 * Create first, and make room only if something is in the way: into
	 * a fresh stage nothing ever is, and a lookup per entry is saved.
	 */
	if ((r = make(w, e, type, pfd, base, lfd, lbase)) == -1 &&
	    errno == EEXIST) {
		if ((r = unpack_files_clear(pfd, base, raw,
		    type == AE_IFDIR)) == -1)
			goto done;
		r = r == 1 ? 0 : make(w, e, type, pfd, base, lfd, lbase);
	}
	if (r == -1) {
		if (link != NULL)
			log_fail(EX_CANTCREAT, "archive entry %s: cannot link "
			    "to %s: %s", raw, link, strerror(errno));
		else
			log_fail(EX_CANTCREAT, "archive entry %s: %s", raw,
			    strerror(errno));
		goto done;
	}
	if (type == AE_IFDIR && link == NULL)
		r = add_fix(w, name);
	else if (type == AE_IFLNK && link == NULL) {
		if (needs_chown(w) && fchownat(pfd, base, w->uid, w->gid,
		    AT_SYMLINK_NOFOLLOW)) {
			log_fail(EX_CANTCREAT, "archive entry %s: owner: %s",
			    raw, strerror(errno));
			r = -1;
		} else
			(void)utimensat(pfd, base, w->ts, AT_SYMLINK_NOFOLLOW);
	}
done:
	if (lfd != -1)
		close(lfd);
	return (r);
}

int
unpack_writer_data(struct unpack_writer *w, const void *buf, size_t len,
    off_t off)
{
	struct unpack_job *j = w->job;

	if (j != NULL) {
		/* unpack.c keeps data within the size. */
		assert(off >= 0 && (size_t)off <= j->size &&
		    len <= j->size - (size_t)off);
		memcpy(j->data + off, buf, len);
		return (0);
	}
	if (w->fd == -1)
		return (0);
	if (unpack_files_put(w->fd, buf, len, off, &w->written)) {
		log_fail(EX_IOERR, "archive entry %s: write: %s", w->raw,
		    strerror(errno));
		return (-1);
	}
	return (0);
}

int
unpack_writer_finish(struct unpack_writer *w)
{
	struct unpack_job *j = w->job;
	int fd = w->fd, rc = 0;

	if (j != NULL) {
		w->job = NULL;
		return (unpack_files_submit(w->files, j));
	}
	if (fd == -1)
		return (0);
	w->fd = -1;
	/* A sparse entry's size costs no space, but this disk has a limit. */
	/* A trailing hole, or a file shorter than its header said. */
	if (w->written != w->size && ftruncate(fd, w->size)) {
		log_fail(errno == EFBIG ? EX_DATAERR : EX_IOERR, "archive "
		    "entry %s: size %lld: %s", w->raw, (long long)w->size,
		    strerror(errno));
		rc = -1;
	} else if ((needs_chown(w) && fchown(fd, w->uid, w->gid)) ||
	    (!w->moded && fchmod(fd, w->mode)) || futimens(fd, w->ts)) {
		log_fail(EX_IOERR, "archive entry %s: %s", w->raw,
		    strerror(errno));
		rc = -1;
	}
	/*
	 * Start the write-back of a large file now, so that the one syncfs
	 * before the commit (commit.c) has little left to wait for.
	 */
	if (rc == 0 && w->written >= WRITEBACK_MIN)
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	else if (rc == 0)
		unpack_flush_note(w->flush);
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

	if (drain(w))
		return (-1);
	return (fstatat(w->rootfd, name, &sb, AT_SYMLINK_NOFOLLOW) == 0 &&
	    S_ISREG(sb.st_mode));
}

int
unpack_writer_close(struct unpack_writer *w)
{
	struct dirfix *f;
	size_t i;
	int fd, rc = 0;

	/* Every file is made; the flushes' errors count (unpack_flush.c). */
	if (drain(w))
		return (-1);
	unpack_files_free(w->files);
	w->files = NULL;
	if (unpack_flush_stop(w->flush))
		return (-1);
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
	/* Before the directories its workers write in are closed. */
	unpack_files_free(w->files);
	unpack_job_free(w->job);
	if (w->fd != -1)
		close(w->fd);
	if (w->pfd != -1)
		close(w->pfd);
	unpack_flush_free(w->flush);
	close(w->rootfd);
	for (i = 0; i < w->nfix; i++)
		free(w->fix[i].name);
	free(w->fix);
	free(w->pname);
	free(w->uname);
	free(w->gname);
	free(w);
}
