/* The file list of a chain backup: see filelist.h and docs/FORMAT.md. */
#include <sys/stat.h>

#include <assert.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/buf.h"
#include "util/log.h"
#include "format/filelist.h"
#include "format/filelist_internal.h"

/* Paths are packed into chunks of this size (a longer path gets its own). */
#define CHUNK	(64 * 1024)

struct filelist_chunk {
	struct filelist_chunk *next;	/* older */
	size_t used, cap;
	char p[];
};

/* Formatted text is handed out in pieces of this size. */
#define PIECE	(64 * 1024)

struct filelist *
filelist_new(void)
{
	struct filelist *fl;

	if ((fl = calloc(1, sizeof(*fl))) == NULL)
		log_fail(EX_OSERR, "file list: out of memory");
	else
		fl->sorted = 1;
	return (fl);
}

/* See filelist_internal.h. */
char *
filelist_room(struct filelist *fl, size_t max)
{
	struct filelist_chunk *c = fl->paths;
	size_t cap = max + 1 > CHUNK ? max + 1 : CHUNK;

	if (c != NULL && c->cap - c->used > max)
		return (c->p + c->used);
	if ((c = malloc(sizeof(*c) + cap)) == NULL)
		return (NULL);
	c->next = fl->paths;
	c->used = 0;
	c->cap = cap;
	fl->paths = c;
	return (c->p);
}

/* See filelist_internal.h. */
struct filelist_entry *
filelist_append(struct filelist *fl, const char *path, size_t plen)
{
	struct filelist_entry *e;
	char *dst;

	if (fl->n == fl->cap) {
		size_t cap = fl->cap ? fl->cap * 2 : 256;

		if ((e = reallocarray(fl->e, cap, sizeof(*e))) == NULL)
			goto nomem;
		fl->e = e;
		fl->cap = cap;
	}
	if ((dst = filelist_room(fl, plen)) == NULL)
		goto nomem;
	if (dst != path)
		memmove(dst, path, plen);
	dst[plen] = '\0';
	fl->paths->used += plen + 1;
	e = &fl->e[fl->n];
	memset(e, 0, sizeof(*e));
	e->path = dst;
	if (fl->n > 0 && strcmp(fl->e[fl->n - 1].path, e->path) >= 0)
		fl->sorted = 0;
	fl->n++;
	return (e);

nomem:
	log_fail(EX_OSERR, "file list: out of memory");
	return (NULL);
}

int
filelist_add(struct filelist *fl, const char *path, const struct stat *st)
{
	struct filelist_entry *e;
	char type;

	if (S_ISREG(st->st_mode))
		type = 'f';
	else if (S_ISDIR(st->st_mode))
		type = 'd';
	else if (S_ISLNK(st->st_mode))
		type = 'l';
	else {
		log_fail(EX_SOFTWARE, "%s: file list: not a file, directory "
		    "or symlink", path);
		return (-1);
	}
	if ((e = filelist_append(fl, path, strlen(path))) == NULL)
		return (-1);
	e->type = type;
	e->mode = (unsigned int)st->st_mode & 07777;
	/* Directories' sizes vary by filesystem and say nothing here. */
	e->size = type == 'd' ? 0 : (uint64_t)st->st_size;
	e->mtime = (int64_t)st->st_mtim.tv_sec;
	e->mtime_ns = (uint32_t)st->st_mtim.tv_nsec;
	e->ctime = (int64_t)st->st_ctim.tv_sec;
	e->ctime_ns = (uint32_t)st->st_ctim.tv_nsec;
	e->ino = (uint64_t)st->st_ino;
	return (0);
}

void
filelist_forget(struct filelist *fl, const char *path)
{
	const struct filelist_entry *e;

	if (fl->n == 0 || strcmp((e = &fl->e[fl->n - 1])->path, path) != 0)
		return;
	/* The last entry's path is the last one packed (filelist_append()). */
	assert(fl->paths != NULL && e->path + strlen(e->path) + 1 ==
	    fl->paths->p + fl->paths->used);
	fl->paths->used -= strlen(e->path) + 1;
	fl->n--;
}

static int
cmp_entry(const void *a, const void *b)
{

	return (strcmp(((const struct filelist_entry *)a)->path,
	    ((const struct filelist_entry *)b)->path));
}

int
filelist_sort(struct filelist *fl)
{
	size_t i;

	if (!fl->sorted)
		qsort(fl->e, fl->n, sizeof(*fl->e), cmp_entry);
	for (i = 1; i < fl->n; i++)
		if (strcmp(fl->e[i - 1].path, fl->e[i].path) == 0) {
			log_fail(EX_SOFTWARE, "/%s: file list: the path occurs "
			    "twice (overlapping backup paths?)", fl->e[i].path);
			return (-1);
		}
	fl->sorted = 1;
	return (0);
}

const struct filelist_entry *
filelist_find(const struct filelist *fl, const char *path)
{
	struct filelist_entry key;

	assert(fl->sorted);
	if (fl->n == 0)
		return (NULL);
	key.path = path;
	return (bsearch(&key, fl->e, fl->n, sizeof(*fl->e), cmp_entry));
}

const struct filelist_entry *
filelist_find_near(const struct filelist *fl, const char *path,
    size_t *hint)
{
	const struct filelist_entry *e;

	if (*hint < fl->n && strcmp(fl->e[*hint].path, path) == 0)
		e = &fl->e[*hint];
	else if ((e = filelist_find(fl, path)) == NULL)
		return (NULL);
	*hint = (size_t)(e - fl->e) + 1;
	return (e);
}

int
filelist_merge(const struct filelist *a, const struct filelist *b,
    int (*fn)(void *, const struct filelist_entry *,
    const struct filelist_entry *), void *cookie)
{
	size_t i = 0, j = 0;
	int c, r;

	assert(a->sorted && b->sorted);
	while (i < a->n || j < b->n) {
		if (i == a->n)
			c = 1;
		else if (j == b->n)
			c = -1;
		else
			c = strcmp(a->e[i].path, b->e[j].path);
		if ((r = fn(cookie, c <= 0 ? &a->e[i] : NULL,
		    c >= 0 ? &b->e[j] : NULL)) != 0)
			return (r);
		i += c <= 0;
		j += c >= 0;
	}
	return (0);
}

int
filelist_unchanged(const struct filelist_entry *e, const struct stat *st)
{
	char type = S_ISREG(st->st_mode) ? 'f' : S_ISDIR(st->st_mode) ? 'd' :
	    S_ISLNK(st->st_mode) ? 'l' : '?';

	return (e->type == type && e->mode == ((unsigned int)st->st_mode &
	    07777) && (type == 'd' || e->size == (uint64_t)st->st_size) &&
	    e->mtime == (int64_t)st->st_mtim.tv_sec &&
	    (long)e->mtime_ns == st->st_mtim.tv_nsec &&
	    e->ctime == (int64_t)st->st_ctim.tv_sec &&
	    (long)e->ctime_ns == st->st_ctim.tv_nsec &&
	    e->ino == (uint64_t)st->st_ino);
}

/* ---- formatting ---- */

/* The text being handed out by filelist_write(). */
struct piece {
	char *p;
	size_t len;
	uint64_t total;			/* bytes handed out or held */
	int (*out)(void *, const void *, size_t);
	void *cookie;
	int outfail;			/* ${out} failed (and logged) */
};

/* Hand out what ${w} holds. */
static int
piece_flush(struct piece *w)
{

	if (w->len > 0 && w->out(w->cookie, w->p, w->len)) {
		w->outfail = 1;
		return (-1);
	}
	w->len = 0;
	return (0);
}

/* Append ${len} (at most PIECE) bytes, flushing first if they do not fit. */
static int
piece_put(struct piece *w, const void *s, size_t len)
{

	assert(len <= PIECE);
	if ((w->total += len) > FILELIST_MAX) {
		errno = EFBIG;
		return (-1);
	}
	if (PIECE - w->len < len && piece_flush(w))
		return (-1);
	memcpy(w->p + w->len, s, len);
	w->len += len;
	return (0);
}

/* Append ${path} escaped (docs/FORMAT.md 4.1) and a LF. */
static int
put_path(struct piece *w, const char *path)
{
	static const char hex[] = "0123456789abcdef";
	const unsigned char *s, *run;
	char esc[4] = { '\\', 'x', 0, 0 };
	size_t n;

	for (run = s = (const unsigned char *)path; ; s++) {
		if (*s != '\0' && !(*s < 0x20 || *s == 0x7f || *s == '\\') &&
		    s - run < PIECE)
			continue;
		if ((n = (size_t)(s - run)) > 0 && piece_put(w, run, n))
			return (-1);
		run = s;
		if (*s == '\0')
			break;
		if (*s < 0x20 || *s == 0x7f || *s == '\\') {
			esc[2] = hex[*s >> 4];
			esc[3] = hex[*s & 15];
			if (piece_put(w, esc, sizeof(esc)))
				return (-1);
			run = s + 1;
		}
	}
	return (piece_put(w, "\n", 1));
}

/* ${v} in decimal at ${p}; the end.  (printf is most of the cost here.) */
static char *
put_u64(char *p, uint64_t v)
{
	char tmp[20];
	size_t n = 0;

	do
		tmp[n++] = (char)('0' + v % 10);
	while ((v /= 10) != 0);
	while (n > 0)
		*p++ = tmp[--n];
	return (p);
}

/* "SEC.NNNNNNNNN" at ${p}, a space after; the end. */
static char *
put_time(char *p, int64_t sec, uint32_t ns)
{
	int i;

	if (sec < 0) {
		*p++ = '-';
		p = put_u64(p, (uint64_t)-(sec + 1) + 1);
	} else
		p = put_u64(p, (uint64_t)sec);
	*p++ = '.';
	for (i = 8; i >= 0; i--, ns /= 10)
		p[i] = (char)('0' + ns % 10);
	p[9] = ' ';
	return (p + 10);
}

/* One entry's line. */
static int
put_line(struct piece *w, const struct filelist_entry *e)
{
	char head[128], *p = head;
	int i;

	/* TYPE MODE SIZE MTIME CTIME INODE, each with a space after. */
	*p++ = e->type;
	*p++ = ' ';
	for (i = 3; i >= 0; i--)
		p[3 - i] = (char)('0' + ((e->mode >> (3 * i)) & 7));
	p[4] = ' ';
	p = put_u64(p + 5, e->size);
	*p++ = ' ';
	p = put_time(p, e->mtime, e->mtime_ns);
	p = put_time(p, e->ctime, e->ctime_ns);
	p = put_u64(p, e->ino);
	*p++ = ' ';
	assert((size_t)(p - head) <= sizeof(head));
	return (piece_put(w, head, (size_t)(p - head)) || put_path(w, e->path));
}

int
filelist_write(struct filelist *fl, int (*out)(void *, const void *, size_t),
    void *cookie)
{
	struct piece w = { NULL, 0, 0, out, cookie, 0 };
	size_t i;

	if (filelist_sort(fl))
		return (-1);
	if ((w.p = malloc(PIECE)) == NULL) {
		log_fail(EX_OSERR, "file list: out of memory");
		return (-1);
	}
	if (piece_put(&w, FILELIST_MAGIC, strlen(FILELIST_MAGIC)))
		goto err;
	for (i = 0; i < fl->n; i++)
		if (put_line(&w, &fl->e[i]))
			goto err;
	if (piece_flush(&w))
		goto err;

	/* Success! */
	free(w.p);
	return (0);

err:
	if (!w.outfail)
		log_fail(EX_SOFTWARE, "file list: larger than its limit");
	free(w.p);
	/* Failure! */
	return (-1);
}

/* filelist_format()'s output: into a struct buf. */
static int
format_out(void *cookie, const void *p, size_t len)
{

	if (buf_append(cookie, p, len)) {
		log_fail(EX_OSERR, "file list: out of memory");
		return (-1);
	}
	return (0);
}

char *
filelist_format(struct filelist *fl, size_t *len)
{
	struct buf b = BUF_INIT((size_t)FILELIST_MAX);
	char *text;

	if (filelist_write(fl, format_out, &b))
		goto err;
	*len = b.len;
	if ((text = (char *)buf_take(&b)) == NULL) {
		log_fail(EX_OSERR, "file list: out of memory");
		goto err;
	}
	return (text);

err:
	buf_free(&b);
	return (NULL);
}

void
filelist_free(struct filelist *fl)
{
	struct filelist_chunk *c, *next;

	if (fl == NULL)
		return;
	for (c = fl->paths; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	free(fl->e);
	free(fl);
}
