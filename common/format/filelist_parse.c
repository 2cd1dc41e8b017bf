/* Reading the text of a file list: see filelist.h and docs/FORMAT.md. */
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/buf.h"
#include "util/log.h"
#include "format/filelist.h"
#include "format/filelist_internal.h"
#include "format/manifest_fields.h"

struct filelist_parser {
	struct filelist *fl;		/* NULL once failed */
	char *name;
	struct buf part;		/* a line begun in an earlier piece */
	uint64_t total;			/* bytes fed */
	unsigned int line;		/* lines complete */
};

/* The next space-terminated field of [*p, end): its start and length. */
static int
field(const char **p, const char *end, const char **f, size_t *flen)
{
	const char *sp = memchr(*p, ' ', (size_t)(end - *p));

	if (sp == NULL || sp == *p)
		return (-1);
	*f = *p;
	*flen = (size_t)(sp - *p);
	*p = sp + 1;
	return (0);
}

/* "SEC.NNNNNNNNN", SEC minimal and possibly negative. */
static int
parse_time(const char *s, size_t len, int64_t *sec, long *ns)
{
	const char *dot = memchr(s, '.', len);
	uint64_t v, frac;
	size_t i;
	int neg = len > 0 && s[0] == '-';

	if (dot == NULL || (size_t)(s + len - dot) != 10)
		return (-1);
	for (frac = 0, i = 1; i < 10; i++) {
		if (dot[i] < '0' || dot[i] > '9')
			return (-1);
		frac = frac * 10 + (uint64_t)(dot[i] - '0');
	}
	if (manifest_fields_u64_parse(s + neg, (size_t)(dot - s - neg), &v) ||
	    v > INT64_MAX || (neg && v == 0))
		return (-1);
	*sec = neg ? -(int64_t)v : (int64_t)v;
	*ns = (long)frac;
	return (0);
}

/* Is ${p} a relative path of non-empty components other than . and ..? */
static int
path_ok(const char *p)
{
	const char *c, *end;

	for (c = p; ; c = end + 1) {
		if ((end = strchr(c, '/')) == NULL)
			end = c + strlen(c);
		if (end == c || (end - c == 1 && c[0] == '.') ||
		    (end - c == 2 && c[0] == '.' && c[1] == '.'))
			return (0);
		if (*end == '\0')
			return (1);
	}
}

/* Unescape PATH, in place at the end of ${fl}'s paths, into a new entry. */
static int
parse_path(struct filelist *fl, const char *s, size_t len,
    struct filelist_entry **out)
{
	char *raw;
	size_t i, n = 0;
	uint8_t b;

	if (len == 0 || s[0] == '/')
		return (-1);
	if ((raw = filelist_room(fl, len)) == NULL) {
		log_fail(EX_OSERR, "file list: out of memory");
		return (-1);
	}
	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return (-1);
		if (c == '\\') {
			if (len - i < 4 || s[i + 1] != 'x' ||
			    manifest_fields_hex_parse(s + i + 2, 2, &b, 1, 0) ||
			    !(b < 0x20 || b == 0x7f || b == '\\') || b == 0)
				return (-1);
			raw[n++] = (char)b;
			i += 3;
		} else
			raw[n++] = (char)c;
	}
	raw[n] = '\0';
	/* Names the archive could hold: relative, no empty, "." or ".."
	   component, so that nothing built from a list leaves its root. */
	if (!path_ok(raw))
		return (-1);
	return ((*out = filelist_append(fl, raw, n)) != NULL ? 0 : -1);
}

/* One entry line [p, end) without its LF. */
static const char *
parse_line(struct filelist *fl, const char *p, const char *end)
{
	struct filelist_entry *e;
	const char *f[6];
	size_t fl6[6], i;
	unsigned int mode = 0;
	uint64_t size, ino;
	int64_t mt, ct;
	long mns, cns;

	for (i = 0; i < 6; i++)
		if (field(&p, end, &f[i], &fl6[i]))
			return ("expected 7 fields");
	if (fl6[0] != 1 || strchr("fdl", f[0][0]) == NULL)
		return ("type is not f, d or l");
	if (fl6[1] != 4)
		return ("mode is not 4 octal digits");
	for (i = 0; i < 4; i++) {
		if (f[1][i] < '0' || f[1][i] > '7')
			return ("mode is not 4 octal digits");
		mode = mode * 8 + (unsigned int)(f[1][i] - '0');
	}
	if (manifest_fields_u64_parse(f[2], fl6[2], &size) ||
	    (f[0][0] == 'd' && size != 0))
		return ("bad size");
	if (parse_time(f[3], fl6[3], &mt, &mns))
		return ("bad mtime");
	if (parse_time(f[4], fl6[4], &ct, &cns))
		return ("bad ctime");
	if (manifest_fields_u64_parse(f[5], fl6[5], &ino))
		return ("bad inode");
	if (parse_path(fl, p, (size_t)(end - p), &e))
		return ("bad path (empty, absolute, with an empty, . or .. "
		    "component, or not canonically escaped)");
	e->type = f[0][0];
	e->mode = mode;
	e->size = size;
	e->mtime = mt;
	e->mtime_ns = (uint32_t)mns;
	e->ctime = ct;
	e->ctime_ns = (uint32_t)cns;
	e->ino = ino;
	return (NULL);
}

/* One complete line [s, s + len) without its LF, or a failure logged. */
static int
parser_line(struct filelist_parser *ps, const char *s, size_t len)
{
	const char *why = NULL;

	ps->line++;
	if (ps->line == 1) {
		if (len != strlen(FILELIST_MAGIC) - 1 ||
		    memcmp(s, FILELIST_MAGIC, len) != 0)
			why = "expected \"sitevault-files 1\"";
	} else if ((why = parse_line(ps->fl, s, s + len)) == NULL &&
	    !ps->fl->sorted)
		why = "not sorted by path, or a path twice";
	if (why == NULL)
		return (0);
	log_fail(EX_DATAERR, "%s: line %u: %s", ps->name, ps->line, why);
	filelist_free(ps->fl);
	ps->fl = NULL;
	return (-1);
}

struct filelist_parser *
filelist_parser_new(const char *name)
{
	struct filelist_parser *ps;

	if ((ps = calloc(1, sizeof(*ps))) == NULL ||
	    (ps->name = strdup(name)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", name);
		free(ps);
		return (NULL);
	}
	buf_init(&ps->part, (size_t)FILELIST_MAX);
	if ((ps->fl = filelist_new()) == NULL) {
		filelist_parser_free(ps);
		return (NULL);
	}
	return (ps);
}

int
filelist_parser_feed(void *cookie, const void *buf, size_t len)
{
	struct filelist_parser *ps = cookie;
	const char *p = buf, *end = p + len, *nl;

	if (ps->fl == NULL)
		return (-1);
	if ((ps->total += len) > FILELIST_MAX) {
		log_fail(EX_DATAERR, "%s: line %u: too large", ps->name,
		    ps->line + 1);
		filelist_free(ps->fl);
		ps->fl = NULL;
		return (-1);
	}
	for (; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL) {
			/* Cannot pass FILELIST_MAX: checked above. */
			if (buf_append(&ps->part, p, (size_t)(end - p))) {
				log_fail(EX_OSERR, "%s: out of memory",
				    ps->name);
				return (-1);
			}
			break;
		}
		if (ps->part.len == 0) {
			if (parser_line(ps, p, (size_t)(nl - p)))
				return (-1);
			continue;
		}
		if (buf_append(&ps->part, p, (size_t)(nl - p))) {
			log_fail(EX_OSERR, "%s: out of memory", ps->name);
			return (-1);
		}
		if (parser_line(ps, (const char *)ps->part.p, ps->part.len))
			return (-1);
		buf_clear(&ps->part);
	}
	return (0);
}

struct filelist *
filelist_parser_finish(struct filelist_parser *ps)
{
	struct filelist *fl = NULL;

	if (ps->fl == NULL)
		goto out;
	if (ps->line == 0 || ps->part.len > 0) {
		log_fail(EX_DATAERR, "%s: line %u: %s", ps->name, ps->line + 1,
		    ps->line == 0 ? "expected \"sitevault-files 1\"" :
		    "no newline at the end of the line");
		goto out;
	}
	fl = ps->fl;
	ps->fl = NULL;
out:
	filelist_parser_free(ps);
	return (fl);
}

void
filelist_parser_free(struct filelist_parser *ps)
{

	if (ps == NULL)
		return;
	filelist_free(ps->fl);
	buf_free(&ps->part);
	free(ps->name);
	free(ps);
}

struct filelist *
filelist_parse(const char *name, const char *text, size_t len)
{
	struct filelist_parser *ps;

	if ((ps = filelist_parser_new(name)) == NULL)
		return (NULL);
	if (filelist_parser_feed(ps, text, len)) {
		filelist_parser_free(ps);
		return (NULL);
	}
	return (filelist_parser_finish(ps));
}
