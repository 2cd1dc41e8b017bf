#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "packtest.h"

char *
pt_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = malloc(n);

	assert_non_null(s);
	snprintf(s, n, "%s/%s", a, b);
	return (s);
}

void
pt_settime(const char *path, time_t sec, long nsec)
{
	struct timespec ts[2];

	ts[0].tv_sec = ts[1].tv_sec = sec;
	ts[0].tv_nsec = ts[1].tv_nsec = nsec;
	assert_int_equal(utimensat(AT_FDCWD, path, ts, AT_SYMLINK_NOFOLLOW), 0);
}

void
pt_mkfile(const char *path, const void *data, size_t len, mode_t mode,
    time_t sec, long nsec)
{
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, data, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	assert_int_equal(close(fd), 0);
	pt_settime(path, sec, nsec);
}

int
pt_mem_out(void *cookie, const void *buf, size_t len)
{
	struct pt_mem *m = cookie;

	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		assert_non_null(m->p = realloc(m->p, m->cap));
	}
	memcpy(m->p + m->len, buf, len);
	m->len += len;
	return (0);
}

ssize_t
pt_mem_src(void *cookie, const void **buf)
{
	struct pt_mem *m = cookie;
	size_t n = m->len - m->pos;

	if (m->ended)
		m->srccalls_after_end++;
	if (m->chunk != 0 && n > m->chunk)
		n = m->chunk;
	*buf = m->p + m->pos;
	m->pos += n;
	if (n == 0)
		m->ended = 1;
	return ((ssize_t)n);
}

void
pt_mem_free(struct pt_mem *m)
{

	free(m->p);
	memset(m, 0, sizeof(*m));
}

void
pt_list_add(void *cookie, const char *name)
{
	char **l = cookie;
	size_t n = *l != NULL ? strlen(*l) : 0;

	assert_non_null(*l = realloc(*l, n + strlen(name) + 2));
	snprintf(*l + n, strlen(name) + 2, "%s\n", name);
}

/* Read a small file whole. */
static char *
slurp(const char *path, size_t *len)
{
	struct stat st;
	char *s;
	int fd;

	assert_true((fd = open(path, O_RDONLY | O_NOFOLLOW)) >= 0);
	assert_int_equal(fstat(fd, &st), 0);
	assert_non_null(s = malloc((size_t)st.st_size + 1));
	assert_int_equal(read(fd, s, (size_t)st.st_size), st.st_size);
	close(fd);
	*len = (size_t)st.st_size;
	return (s);
}

static int
obj_equal(const char *a, const char *b, int symlink_times)
{
	struct stat sa, sb;
	char la[PATH_MAX], lb[PATH_MAX];
	char *ca, *cb;
	size_t na, nb;
	ssize_t n;
	int r = 0;

	assert_int_equal(lstat(a, &sa), 0);
	if (lstat(b, &sb)) {
		print_error("%s: missing\n", b);
		return (-1);
	}
	if ((sa.st_mode & S_IFMT) != (sb.st_mode & S_IFMT) ||
	    (!S_ISLNK(sa.st_mode) && sa.st_mode != sb.st_mode) ||
	    sa.st_uid != sb.st_uid || sa.st_gid != sb.st_gid) {
		print_error("%s: mode/owner %o %d:%d, want %o %d:%d\n", b,
		    sb.st_mode, sb.st_uid, sb.st_gid, sa.st_mode, sa.st_uid,
		    sa.st_gid);
		return (-1);
	}
	if ((!S_ISLNK(sa.st_mode) || symlink_times) &&
	    (sa.st_mtim.tv_sec != sb.st_mtim.tv_sec ||
	    sa.st_mtim.tv_nsec != sb.st_mtim.tv_nsec)) {
		print_error("%s: mtime %lld.%09ld, want %lld.%09ld\n", b,
		    (long long)sb.st_mtim.tv_sec, sb.st_mtim.tv_nsec,
		    (long long)sa.st_mtim.tv_sec, sa.st_mtim.tv_nsec);
		return (-1);
	}
	if (S_ISLNK(sa.st_mode)) {
		assert_true((n = readlink(a, la, sizeof(la) - 1)) >= 0);
		la[n] = '\0';
		assert_true((n = readlink(b, lb, sizeof(lb) - 1)) >= 0);
		lb[n] = '\0';
		if (strcmp(la, lb) != 0) {
			print_error("%s: -> %s, want %s\n", b, lb, la);
			return (-1);
		}
	} else if (S_ISREG(sa.st_mode)) {
		ca = slurp(a, &na);
		cb = slurp(b, &nb);
		if (na != nb || memcmp(ca, cb, na) != 0) {
			print_error("%s: contents differ\n", b);
			r = -1;
		}
		free(ca);
		free(cb);
	}
	return (r);
}

int
pt_tree_equal(const char *a, const char *b, int symlink_times)
{
	struct dirent **la = NULL, **lb = NULL;
	struct stat st;
	char *pa, *pb;
	int na, nb, i, r = 0;

	/* Children first: the directory's own time is checked afterwards. */
	assert_int_equal(lstat(a, &st), 0);
	if (S_ISDIR(st.st_mode)) {
		assert_true((na = scandir(a, &la, NULL, alphasort)) >= 0);
		if ((nb = scandir(b, &lb, NULL, alphasort)) < 0) {
			print_error("%s: cannot read: %s\n", b, strerror(errno));
			r = -1;
			nb = 0;
		} else if (na != nb) {
			print_error("%s: %d entries, want %d\n", b, nb, na);
			r = -1;
		}
		for (i = 0; r == 0 && i < na; i++) {
			if (strcmp(la[i]->d_name, lb[i]->d_name) != 0) {
				print_error("%s: has %s, want %s\n", b,
				    lb[i]->d_name, la[i]->d_name);
				r = -1;
				break;
			}
			if (strcmp(la[i]->d_name, ".") == 0 ||
			    strcmp(la[i]->d_name, "..") == 0)
				continue;
			pa = pt_join(a, la[i]->d_name);
			pb = pt_join(b, lb[i]->d_name);
			r = pt_tree_equal(pa, pb, symlink_times);
			free(pa);
			free(pb);
		}
		for (i = 0; i < na; i++)
			free(la[i]);
		for (i = 0; i < nb; i++)
			free(lb[i]);
		free(la);
		free(lb);
	}
	if (r == 0)
		r = obj_equal(a, b, symlink_times);
	return (r);
}

static char *snap;
static size_t snaplen, snapcut;

static int
snap_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	unsigned long sum = 0;
	unsigned char buf[4096];
	char line[PATH_MAX + 200];
	ssize_t n;
	int fd, len;

	(void)flag;
	(void)ftw;
	if (S_ISREG(st->st_mode) && (fd = open(path, O_RDONLY)) >= 0) {
		while ((n = read(fd, buf, sizeof(buf))) > 0)
			while (n-- > 0)
				sum = sum * 31 + buf[n];
		close(fd);
	}
	len = snprintf(line, sizeof(line), "%s %o %lld %lld.%09ld %lu\n",
	    path + snapcut, st->st_mode, (long long)st->st_size,
	    (long long)st->st_mtim.tv_sec, st->st_mtim.tv_nsec, sum);
	assert_non_null(snap = realloc(snap, snaplen + (size_t)len + 1));
	memcpy(snap + snaplen, line, (size_t)len + 1);
	snaplen += (size_t)len;
	return (0);
}

char *
pt_snapshot(const char *path)
{
	char *r;

	snap = NULL;
	snaplen = 0;
	snapcut = strlen(path);
	assert_int_equal(nftw(path, snap_one, 16, FTW_PHYS), 0);
	r = snap;
	snap = NULL;
	return (r);
}

static const char *find_want;
static int find_count;

static int
find_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{

	(void)st;
	(void)flag;
	if (strcmp(path + ftw->base, find_want) == 0)
		find_count++;
	return (0);
}

int
pt_find_name(const char *path, const char *name)
{

	find_want = name;
	find_count = 0;
	nftw(path, find_one, 16, FTW_PHYS);
	return (find_count);
}
