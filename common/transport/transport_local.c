/*
 * The local directory store (file:///path or /path): the same semantics as
 * the FTP store (temporary name, rename into place), plus fsync of the file
 * and of its directory so that a crash never shows a half-written file
 * under its final name.  The parts of a backup are put deferred: each
 * file's write-back is started as soon as it is written (sync_file_range),
 * and one syncfs() before the manifest makes them all durable, in place of
 * two fsyncs per part; a part is only ever read through a manifest.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sysexits.h>
#include <unistd.h>

#include "conf/conf.h"
#include "util/dirsync.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

#define IOBUF	(64 * 1024)

struct local {
	char *base;		/* the store directory, no trailing '/' */
	int syncfd;		/* the store directory, once a put is deferred */
};

/* The absolute file name of store path ${path} ("" is the base). */
static char *
abspath(struct transport *t, const char *path)
{
	struct local *l = t->impl;
	size_t blen = strlen(l->base), len = blen + strlen(path) + 2;
	char *s;

	if ((s = malloc(len)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		return (NULL);
	}
	snprintf(s, len, "%s%s%s", l->base,
	    path[0] != '\0' && l->base[blen - 1] != '/' ? "/" : "", path);
	return (s);
}

/* Record errno ${e} of ${what} on ${file} with its failure class. */
static void
syserr(struct transport *t, const char *file, const char *what, int e)
{
	int cls = EX_IOERR;

	switch (e) {
	case ENOSPC:
	case EDQUOT:
		transport_seterr(t, EX_IOERR, 0,
		    "%s: %s: store out of space: %s", file, what, strerror(e));
		return;
	case EACCES:
	case EPERM:
	case EROFS:
		cls = EX_CANTCREAT;
		break;
	}
	transport_seterr(t, cls, 0, "%s: %s: %s", file, what, strerror(e));
	t->err.missing = (e == ENOENT || e == ENOTDIR);
}

/* fsync the directory holding ${file}, so a rename or create is durable. */
static int
syncdir(struct transport *t, const char *file)
{

	if (dirsync_parent(file)) {
		syserr(t, file, "fsync of its directory", errno);
		return (-1);
	}
	return (0);
}

static int
local_connect(struct transport *t)
{
	struct local *l = t->impl;
	struct stat st;

	if (stat(l->base, &st) == -1 || !S_ISDIR(st.st_mode)) {
		transport_seterr(t, EX_UNAVAILABLE, 0,
		    "%s: store directory missing or not a directory "
		    "(not mounted?)", l->base);
		return (-1);
	}
	return (0);
}

static int
local_mkdir(struct transport *t, const char *path)
{
	char *file, *p, c;
	struct stat st;
	int rc = -1;

	/* The store directory itself must exist: never create a mount point. */
	if (local_connect(t))
		return (-1);
	if ((file = abspath(t, path)) == NULL)
		return (-1);
	for (p = file + strlen(file) - strlen(path);; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		c = *p;
		*p = '\0';
		if (mkdir(file, 0777) == -1 && (errno != EEXIST ||
		    stat(file, &st) == -1 || !S_ISDIR(st.st_mode))) {
			syserr(t, file, "mkdir", errno == EEXIST ? ENOTDIR :
			    errno);
			goto out;
		}
		*p = c;
		if (c == '\0')
			break;
	}
	rc = syncdir(t, file);
out:
	free(file);
	return (rc);
}

/*
 * Open the store directory for local_sync() before the first deferred put:
 * syncfs() reports the write-back errors that happened since its fd was
 * opened, whoever else syncs meanwhile.
 */
static int
syncfd_open(struct transport *t)
{
	struct local *l = t->impl;

	if (l->syncfd != -1)
		return (0);
	if ((l->syncfd = open(l->base, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) ==
	    -1) {
		syserr(t, l->base, "open", errno);
		return (-1);
	}
	return (0);
}

/* One syncfs() for every deferred put: data, inodes and names. */
static int
local_sync(struct transport *t, const char *dir)
{
	struct local *l = t->impl;

	(void)dir;
	if (syncfd_open(t))
		return (-1);
	if (syncfs(l->syncfd) == -1) {
		syserr(t, l->base, "syncfs", errno);
		return (-1);
	}
	return (0);
}

static int
local_put(struct transport *t, const char *tmp, const char *path,
    transport_src_fn *src, void *cookie, uint64_t *pulled)
{
	char *ftmp = NULL, *fpath = NULL;
	uint8_t *buf = NULL;
	ssize_t r, w;
	size_t off;
	int fd = -1;

	if ((ftmp = abspath(t, tmp)) == NULL || (fpath = abspath(t, path)) ==
	    NULL)
		goto err;
	if (t->deferred && syncfd_open(t))
		goto err;
	if ((buf = malloc(IOBUF)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		goto err;
	}
	if ((fd = open(ftmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0666)) == -1) {
		syserr(t, ftmp, "create", errno);
		goto err;
	}
	while ((r = src(cookie, buf, IOBUF)) != 0) {
		if (r < 0) {
			transport_seterr(t, EX_IOERR, 0, "%s: source failed",
			    fpath);
			t->err.quiet = 1;
			goto err;
		}
		*pulled += (uint64_t)r;
		for (off = 0; off < (size_t)r; off += (size_t)w) {
			if ((w = write(fd, buf + off, (size_t)r - off)) == -1) {
				if (errno == EINTR) {
					w = 0;
					continue;
				}
				syserr(t, ftmp, "write", errno);
				goto err;
			}
		}
	}
	if (t->deferred) {
		/*
		 * Write-back now, while the next part is made; errors are
		 * reported by the syncfs() of local_sync().
		 */
		(void)sync_file_range(fd, 0, 0, SYNC_FILE_RANGE_WRITE);
	} else if (fsync(fd) == -1) {
		syserr(t, ftmp, "fsync", errno);
		goto err;
	}
	if (close(fd) == -1) {
		fd = -1;
		syserr(t, ftmp, "close", errno);
		goto err;
	}
	fd = -1;
	if (rename(ftmp, fpath) == -1) {
		syserr(t, fpath, "rename", errno);
		goto err;
	}
	if (!t->deferred && syncdir(t, fpath))
		goto err;
	free(buf);
	free(ftmp);
	free(fpath);
	return (0);

err:
	if (fd != -1) {
		close(fd);
		(void)unlink(ftmp);
	}
	free(buf);
	free(ftmp);
	free(fpath);
	return (-1);
}

static int
local_get(struct transport *t, const char *path, transport_sink_fn *sink,
    void *cookie, uint64_t *handed)
{
	uint8_t *buf = NULL;
	char *file;
	ssize_t r;
	int fd = -1, rc = -1;

	if ((file = abspath(t, path)) == NULL)
		return (-1);
	if ((buf = malloc(IOBUF)) == NULL) {
		transport_seterr(t, EX_OSERR, 0, "%s: out of memory", t->desc);
		goto out;
	}
	if ((fd = open(file, O_RDONLY | O_CLOEXEC)) == -1) {
		if (errno == ENOENT)
			transport_seterr(t, EX_NOINPUT, 0, "%s: no such file",
			    file);
		else
			syserr(t, file, "open", errno);
		goto out;
	}
	for (;;) {
		if ((r = read(fd, buf, IOBUF)) == -1) {
			if (errno == EINTR)
				continue;
			syserr(t, file, "read", errno);
			goto out;
		}
		if (r == 0)
			break;
		if (sink(cookie, buf, (size_t)r)) {
			transport_seterr(t, EX_IOERR, 0, "%s: sink failed",
			    file);
			t->err.quiet = 1;
			goto out;
		}
		*handed += (uint64_t)r;
	}
	rc = 0;
out:
	if (fd != -1)
		close(fd);
	free(buf);
	free(file);
	return (rc);
}

static int
local_list(struct transport *t, const char *dir,
    struct transport_entry **entries, size_t *n)
{
	struct dirent *de;
	struct stat st;
	size_t cap = 0;
	char *file;
	DIR *d;
	int rc = -1;

	if ((file = abspath(t, dir)) == NULL)
		return (-1);
	if ((d = opendir(file)) == NULL) {
		/*
		 * Missing under the store directory: empty.  The store
		 * directory itself is never created by us; its absence (a
		 * mount that is not mounted) is no empty store.
		 */
		if (errno != ENOENT)
			syserr(t, file, "list", errno);
		else if (local_connect(t) == 0)
			rc = 1;
		free(file);
		return (rc);
	}
	while ((errno = 0, de = readdir(d)) != NULL) {
		if (strcmp(de->d_name, ".") == 0 ||
		    strcmp(de->d_name, "..") == 0)
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW) ==
		    -1) {
			if (errno == ENOENT)	/* removed meanwhile */
				continue;
			syserr(t, file, "stat", errno);
			goto out;
		}
		if (transport_entry_add(entries, n, &cap, de->d_name,
		    strlen(de->d_name), S_ISDIR(st.st_mode),
		    S_ISREG(st.st_mode) ? (uint64_t)st.st_size : 0)) {
			transport_seterr(t, EX_OSERR, 0, "%s: out of memory",
			    file);
			goto out;
		}
	}
	if (errno != 0) {
		syserr(t, file, "list", errno);
		goto out;
	}
	rc = 0;
out:
	if (rc == -1) {
		transport_entries_free(*entries, *n);
		*entries = NULL;
		*n = 0;
	}
	closedir(d);
	free(file);
	return (rc);
}

static int
local_rename(struct transport *t, const char *from, const char *to)
{
	char *ffrom = NULL, *fto = NULL;
	int rc = -1;

	if ((ffrom = abspath(t, from)) == NULL || (fto = abspath(t, to)) ==
	    NULL)
		goto out;
	if (rename(ffrom, fto) == -1) {
		syserr(t, ffrom, "rename", errno);
		goto out;
	}
	rc = syncdir(t, fto);
	if (rc == 0 && strrchr(from, '/') != strrchr(to, '/'))
		rc = syncdir(t, ffrom);
out:
	free(ffrom);
	free(fto);
	return (rc);
}

static int
local_remove(struct transport *t, const char *path, int isdir)
{
	char *file;
	int rc = -1;

	if ((file = abspath(t, path)) == NULL)
		return (-1);
	if ((isdir ? rmdir(file) : unlink(file)) == -1) {
		if (errno == ENOENT)
			rc = 0;
		else
			syserr(t, file, isdir ? "rmdir" : "delete", errno);
	} else
		rc = syncdir(t, file);
	free(file);
	return (rc);
}

static int
local_delete(struct transport *t, const char *path)
{

	return (local_remove(t, path, 0));
}

static int
local_rmdir(struct transport *t, const char *path)
{

	return (local_remove(t, path, 1));
}

static int
local_size(struct transport *t, const char *path, uint64_t *size)
{
	struct stat st;
	char *file;
	int rc = -1;

	if ((file = abspath(t, path)) == NULL)
		return (-1);
	if (stat(file, &st) == -1) {
		if (errno == ENOENT)
			transport_seterr(t, EX_NOINPUT, 0, "%s: no such file",
			    file);
		else
			syserr(t, file, "stat", errno);
	} else if (!S_ISREG(st.st_mode))
		transport_seterr(t, EX_IOERR, 0, "%s: not a file", file);
	else {
		*size = (uint64_t)st.st_size;
		rc = 0;
	}
	free(file);
	return (rc);
}

static enum transport_tls
local_tls(struct transport *t)
{

	(void)t;
	return (TRANSPORT_TLS_NA);
}

static int
local_free_space(struct transport *t, const char *dir, uint64_t *bytes)
{
	struct statvfs sv;
	char *file;
	int rc = -1;

	if ((file = abspath(t, dir)) == NULL)
		return (-1);
	if (statvfs(file, &sv) == -1)
		syserr(t, file, "statvfs", errno);
	else {
		*bytes = (uint64_t)sv.f_bavail * (uint64_t)sv.f_frsize;
		rc = 1;
	}
	free(file);
	return (rc);
}

static void
local_close(struct transport *t)
{
	struct local *l = t->impl;

	if (l == NULL)
		return;
	if (l->syncfd != -1)
		close(l->syncfd);
	free(l->base);
	free(l);
}

static const struct transport_ops local_ops = {
	.connect = local_connect,
	.mkdir = local_mkdir,
	.put = local_put,
	.get = local_get,
	.list = local_list,
	.rename = local_rename,
	.delete = local_delete,
	.rmdir = local_rmdir,
	.size = local_size,
	.tls = local_tls,
	.free_space = local_free_space,
	.close = local_close,
	.sync = local_sync,
};

int
transport_local_open(struct transport *t, const struct conf *c)
{
	const char *path = conf_local_path(c);
	struct local *l;
	char url[512];
	size_t len;

	transport_url_shown(c->server_url, url, sizeof(url));

	if (path == NULL || path[0] != '/') {
		log_fail(EX_CONFIG, "%s: server url %s: a local store needs an "
		    "absolute path (file:///path or /path)", c->path, url);
		return (-1);
	}
	if ((l = calloc(1, sizeof(*l))) == NULL || (l->base = strdup(path)) ==
	    NULL) {
		free(l);
		log_fail(EX_OSERR, "%s: out of memory", url);
		return (-1);
	}
	l->syncfd = -1;
	/* "/" stays "/"; "/srv/backup/" becomes "/srv/backup". */
	for (len = strlen(l->base); len > 1 && l->base[len - 1] == '/';)
		l->base[--len] = '\0';
	if ((t->desc = strdup(l->base)) == NULL) {
		free(l->base);
		free(l);
		log_fail(EX_OSERR, "%s: out of memory", url);
		return (-1);
	}
	t->ops = &local_ops;
	t->impl = l;
	return (0);
}
