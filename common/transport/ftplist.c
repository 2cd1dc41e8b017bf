/* FTP listing parsers: see ftplist.h. */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "transport/ftplist.h"
#include "transport/transport_internal.h"

#define MAXTOK	16

struct tok {
	const char *p;
	size_t len;
};

static int
isdigits(const char *p, size_t len)
{
	size_t i;

	if (len == 0)
		return (0);
	for (i = 0; i < len; i++)
		if (!isdigit((unsigned char)p[i]))
			return (0);
	return (1);
}

/* Parse ${len} decimal digits at ${p} into ${*v}; 0 or -1 on overflow. */
static int
getu64(const char *p, size_t len, uint64_t *v)
{
	char buf[32];
	char *end;

	if (!isdigits(p, len) || len >= sizeof(buf))
		return (-1);
	memcpy(buf, p, len);
	buf[len] = '\0';
	errno = 0;
	*v = strtoull(buf, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	return (0);
}

static int
isdots(const char *name, size_t len)
{

	return ((len == 1 && name[0] == '.') ||
	    (len == 2 && name[0] == '.' && name[1] == '.'));
}

static int
setentry(struct transport_entry *e, const char *name, size_t len, int is_dir,
    uint64_t size)
{

	/* A NUL would cut the name short: another file's name. */
	if (len == 0 || isdots(name, len) || memchr(name, '\0', len) != NULL)
		return (0);
	if ((e->name = strndup(name, len)) == NULL)
		return (-1);
	e->is_dir = is_dir;
	e->size = size;
	return (1);
}

/* "type=file;size=6;modify=...; name" (facts in any order and case). */
static int
parse_mlsd(const char *line, size_t len, struct transport_entry *e)
{
	const char *sp, *f, *fend, *eq, *facts_end;
	uint64_t size = 0;
	int is_dir = -1;
	size_t flen;

	if ((sp = memchr(line, ' ', len)) == NULL)
		return (-1);
	facts_end = sp;
	for (f = line; f < facts_end; f = fend + 1) {
		if ((fend = memchr(f, ';', (size_t)(facts_end - f))) == NULL)
			fend = facts_end;
		flen = (size_t)(fend - f);
		if ((eq = memchr(f, '=', flen)) == NULL) {
			if (flen == 0)
				continue;
			return (-1);
		}
		if ((size_t)(eq - f) == 4 && strncasecmp(f, "type", 4) == 0) {
			const char *v = eq + 1;
			size_t vlen = (size_t)(fend - v);

			if ((vlen == 4 && strncasecmp(v, "cdir", 4) == 0) ||
			    (vlen == 4 && strncasecmp(v, "pdir", 4) == 0))
				return (0);
			if (vlen == 3 && strncasecmp(v, "dir", 3) == 0)
				is_dir = 1;
			else	/* file, OS.unix=symlink, OS.unix=slink:... */
				is_dir = 0;
		} else if ((size_t)(eq - f) == 4 &&
		    strncasecmp(f, "size", 4) == 0) {
			if (getu64(eq + 1, (size_t)(fend - eq - 1), &size))
				return (-1);
		}
	}
	if (is_dir == -1)
		return (-1);
	return (setentry(e, sp + 1, len - (size_t)(sp + 1 - line), is_dir,
	    is_dir ? 0 : size));
}

static size_t
tokenize(const char *line, size_t len, struct tok *t, size_t max)
{
	size_t i = 0, n = 0;

	while (n < max) {
		while (i < len && line[i] == ' ')
			i++;
		if (i == len)
			break;
		t[n].p = line + i;
		while (i < len && line[i] != ' ')
			i++;
		t[n].len = (size_t)(line + i - t[n].p);
		n++;
	}
	return (n);
}

static int
ismonth(const struct tok *t)
{
	static const char months[] = "janfebmaraprmayjunjulaugsepoctnovdec";
	size_t i;

	if (t->len != 3)
		return (0);
	for (i = 0; i < 36; i += 3)
		if (strncasecmp(t->p, months + i, 3) == 0)
			return (1);
	return (0);
}

/* "HH:MM" or a year "YYYY". */
static int
istimeoryear(const struct tok *t)
{

	if (t->len == 4 && isdigits(t->p, 4))
		return (1);
	return (t->len == 5 && isdigits(t->p, 2) && t->p[2] == ':' &&
	    isdigits(t->p + 3, 2));
}

/*
 * Unix `ls -l`: "drwxr-xr-x 2 owner group 4096 Nov 23 16:58 name".  The
 * owner and group columns vary (missing, numeric, with spaces in odd
 * servers), so anchor on "size month day time|year" and take the rest of
 * the line after one space as the name.
 */
static int
parse_unix(const char *line, size_t len, struct transport_entry *e)
{
	struct tok t[MAXTOK];
	const char *name, *arrow;
	size_t n, i, namelen;
	uint64_t size;
	int type;

	if ((n = tokenize(line, len, t, MAXTOK)) < 6)
		return (-1);
	type = line[0];
	if (t[0].len < 10 || strchr("-dlbcpsD", type) == NULL)
		return (-1);
	for (i = 2; i + 2 < n; i++) {
		if (ismonth(&t[i]) && isdigits(t[i + 1].p, t[i + 1].len) &&
		    t[i + 1].len <= 2 && istimeoryear(&t[i + 2]) &&
		    getu64(t[i - 1].p, t[i - 1].len, &size) == 0)
			break;
	}
	if (i + 2 >= n)
		return (-1);
	name = t[i + 2].p + t[i + 2].len + 1;
	if (name > line + len)
		return (-1);
	namelen = (size_t)(line + len - name);
	/* A symlink shows "name -> target": keep the name. */
	if (type == 'l') {
		for (arrow = name; arrow + 4 <= name + namelen; arrow++)
			if (memcmp(arrow, " -> ", 4) == 0) {
				namelen = (size_t)(arrow - name);
				break;
			}
	}
	return (setentry(e, name, namelen, type == 'd', type == 'd' ? 0 :
	    size));
}

/* IIS: "11-23-26  05:01PM       <DIR>          name" or a size. */
static int
parse_dos(const char *line, size_t len, struct transport_entry *e)
{
	struct tok t[3];
	const char *name;
	uint64_t size = 0;
	int is_dir;

	if (tokenize(line, len, t, 3) < 3)
		return (-1);
	if (t[0].len < 8 || !isdigit((unsigned char)t[0].p[0]) ||
	    t[0].p[2] != '-' || t[1].len < 5 || t[1].p[2] != ':')
		return (-1);
	if (t[2].len == 5 && memcmp(t[2].p, "<DIR>", 5) == 0)
		is_dir = 1;
	else if (getu64(t[2].p, t[2].len, &size) == 0)
		is_dir = 0;
	else
		return (-1);
	for (name = t[2].p + t[2].len; name < line + len && *name == ' ';)
		name++;
	if (name == line + len)
		return (-1);
	return (setentry(e, name, (size_t)(line + len - name), is_dir, size));
}

int
ftplist_parse_line(enum ftplist_format fmt, const char *line, size_t len,
    struct transport_entry *e)
{
	const char *slash;

	memset(e, 0, sizeof(*e));
	if (len == 0)
		return (0);
	switch (fmt) {
	case FTPLIST_MLSD:
		return (parse_mlsd(line, len, e));
	case FTPLIST_LIST:
		if (len >= 6 && strncmp(line, "total ", 6) == 0 &&
		    isdigits(line + 6, len - 6))
			return (0);
		if (isdigit((unsigned char)line[0]))
			return (parse_dos(line, len, e));
		return (parse_unix(line, len, e));
	case FTPLIST_NLST:
		/* Some servers prefix the directory, or mark directories. */
		if (len > 1 && line[len - 1] == '/')
			len--;
		if ((slash = memrchr(line, '/', len)) != NULL) {
			len -= (size_t)(slash + 1 - line);
			line = slash + 1;
		}
		return (setentry(e, line, len, 0, 0));
	}
	return (-1);
}

struct ftplist_stream {
	enum ftplist_format fmt;
	int bad;			/* a line was refused */
	size_t llen;			/* bytes in line[] */
	struct transport_entry *e;
	size_t n, cap;
	char line[FTPLIST_LINE_MAX];
};

struct ftplist_stream *
ftplist_stream_new(enum ftplist_format fmt)
{
	struct ftplist_stream *s;

	if ((s = calloc(1, sizeof(*s))) == NULL)
		return (NULL);
	s->fmt = fmt;
	return (s);
}

/* The line in ${s->line} is complete: parse it, keep its entry. */
static int
line_done(struct ftplist_stream *s)
{
	struct transport_entry e, *ne;
	size_t len = s->llen, ncap;
	int rc;

	s->llen = 0;
	if (len > 0 && s->line[len - 1] == '\r')
		len--;
	if ((rc = ftplist_parse_line(s->fmt, s->line, len, &e)) != 1)
		return (rc);
	if (s->n == s->cap) {
		ncap = s->cap ? s->cap * 2 : 32;
		if ((ne = reallocarray(s->e, ncap, sizeof(*ne))) == NULL) {
			free(e.name);
			return (-1);
		}
		s->e = ne;
		s->cap = ncap;
	}
	s->e[s->n++] = e;
	return (0);
}

int
ftplist_stream_feed(struct ftplist_stream *s, const char *buf, size_t len)
{
	const char *p = buf, *end = buf + len, *nl;
	size_t chunk;

	while (!s->bad && p < end) {
		nl = memchr(p, '\n', (size_t)(end - p));
		chunk = (size_t)((nl != NULL ? nl : end) - p);
		if (chunk > sizeof(s->line) - s->llen) {
			s->bad = 1;
			break;
		}
		memcpy(s->line + s->llen, p, chunk);
		s->llen += chunk;
		if (nl == NULL)
			break;
		if (line_done(s) == -1)
			s->bad = 1;
		p = nl + 1;
	}
	return (s->bad ? -1 : 0);
}

int
ftplist_stream_end(struct ftplist_stream *s, struct transport_entry **entries,
    size_t *n)
{

	*entries = NULL;
	*n = 0;
	/* The last line may lack its line end. */
	if (!s->bad && s->llen > 0 && line_done(s) == -1)
		s->bad = 1;
	if (s->bad)
		return (-1);
	*entries = s->e;
	*n = s->n;
	s->e = NULL;
	s->n = s->cap = 0;
	return (0);
}

void
ftplist_stream_free(struct ftplist_stream *s)
{

	if (s == NULL)
		return;
	transport_entries_free(s->e, s->n);
	free(s);
}

int
ftplist_parse(enum ftplist_format fmt, const char *text, size_t len,
    struct transport_entry **entries, size_t *n)
{
	struct ftplist_stream *s;
	int rc = -1;

	*entries = NULL;
	*n = 0;
	if ((s = ftplist_stream_new(fmt)) == NULL)
		return (-1);
	if (ftplist_stream_feed(s, text, len) == 0)
		rc = ftplist_stream_end(s, entries, n);
	ftplist_stream_free(s);
	return (rc);
}
