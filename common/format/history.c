#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include "format/history.h"
#include "util/buf.h"
#include "util/log.h"

/* The escaped form of byte ${c} into ${out} (at least 5 bytes); its length. */
static size_t
escape_byte(unsigned char c, char *out)
{

	switch (c) {
	case '\\':
		memcpy(out, "\\\\", 2);
		return (2);
	case '\t':
		memcpy(out, "\\t", 2);
		return (2);
	case '\n':
		memcpy(out, "\\n", 2);
		return (2);
	case '\r':
		memcpy(out, "\\r", 2);
		return (2);
	default:
		break;
	}
	if (c < 0x20 || c == 0x7f) {
		snprintf(out, 5, "\\x%02x", c);
		return (4);
	}
	out[0] = (char)c;
	return (1);
}

int
history_format(char *out, size_t outlen, time_t when, const char *op,
    const char *category, uint64_t id, int ok, uint64_t bytes,
    const char *desc)
{
	char ts[32], idtext[24], esc[5];
	struct tm tm;
	size_t len, n;
	const unsigned char *p;
	int r;

	if (gmtime_r(&when, &tm) == NULL ||
	    strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0)
		return (-1);
	if (id == 0)
		snprintf(idtext, sizeof(idtext), "-");
	else
		snprintf(idtext, sizeof(idtext), "%" PRIu64, id);
	r = snprintf(out, outlen, "%s\t%s\t%s\t%s\t%s\t%" PRIu64 "\t", ts, op,
	    category != NULL ? category : "-", idtext, ok ? "ok" : "failed",
	    bytes);
	if (r < 0 || (size_t)r >= outlen)
		return (-1);
	len = (size_t)r;
	for (p = (const unsigned char *)(desc != NULL ? desc : ""); *p != '\0';
	    p++) {
		n = escape_byte(*p, esc);
		/* Cut before an escape or a UTF-8 sequence would not fit. */
		if (len + n >= outlen)
			break;
		memcpy(out + len, esc, n);
		len += n;
	}
	if (*p != '\0') {
		while (len > (size_t)r && ((unsigned char)out[len - 1] & 0xc0)
		    == 0x80)
			len--;
		if (len > (size_t)r && ((unsigned char)out[len - 1] & 0xc0)
		    == 0xc0)
			len--;
	}
	out[len] = '\0';
	return (0);
}

static int
hexval(int c)
{

	if (c >= '0' && c <= '9')
		return (c - '0');
	if (c >= 'a' && c <= 'f')
		return (c - 'a' + 10);
	if (c >= 'A' && c <= 'F')
		return (c - 'A' + 10);
	return (-1);
}

/* Unescape ${in} into ${out} of ${outlen} bytes (cut if longer). */
static void
unescape(const char *in, char *out, size_t outlen)
{
	size_t len = 0;
	int c, hi, lo;

	while (*in != '\0' && len + 1 < outlen) {
		c = (unsigned char)*in++;
		if (c == '\\' && *in != '\0') {
			switch (*in) {
			case '\\':
				c = '\\';
				in++;
				break;
			case 't':
				c = '\t';
				in++;
				break;
			case 'n':
				c = '\n';
				in++;
				break;
			case 'r':
				c = '\r';
				in++;
				break;
			case 'x':
				if ((hi = hexval(in[1])) >= 0 &&
				    (lo = hexval(in[2])) >= 0) {
					c = hi << 4 | lo;
					in += 3;
				}
				break;
			default:
				/* Not an escape we write: keep it as is. */
				break;
			}
		}
		out[len++] = (char)c;
	}
	out[len] = '\0';
}

/* Copy field [${s}, ${e}) into ${out} of ${outlen}; -1 if it does not fit. */
static int
field(const char *s, const char *e, char *out, size_t outlen)
{

	if ((size_t)(e - s) >= outlen)
		return (-1);
	memcpy(out, s, (size_t)(e - s));
	out[e - s] = '\0';
	return (0);
}

int
history_append(struct buf *lines, time_t when, const char *op,
    const char *category, uint64_t id, int ok, uint64_t bytes,
    const char *desc)
{
	char line[HISTORY_LINE_MAX];

	if (history_format(line, sizeof(line), when, op, category, id, ok,
	    bytes, desc)) {
		log_fail(EX_SOFTWARE, "history: the line for %s does not fit",
		    op);
		return (-1);
	}
	if (buf_printf(lines, "%s\n", line)) {
		log_fail(EX_OSERR, "history: %s", strerror(errno));
		return (-1);
	}
	return (0);
}

int
history_parse(const char *line, struct history_entry *e)
{
	const char *f[7], *p;
	char num[24], *end;
	size_t nf = 0;

	memset(e, 0, sizeof(*e));
	f[nf++] = line;
	for (p = line; *p != '\0' && nf < 7; p++)
		if (*p == '\t')
			f[nf++] = p + 1;
	if (nf != 7 || strchr(line, '\n') != NULL)
		return (-1);
	if (field(f[0], f[1] - 1, e->time, sizeof(e->time)) ||
	    field(f[1], f[2] - 1, e->op, sizeof(e->op)) ||
	    field(f[2], f[3] - 1, e->category, sizeof(e->category)) ||
	    field(f[3], f[4] - 1, e->id, sizeof(e->id)) ||
	    field(f[4], f[5] - 1, e->result, sizeof(e->result)) ||
	    field(f[5], f[6] - 1, num, sizeof(num)))
		return (-1);
	if (num[0] < '0' || num[0] > '9')
		return (-1);
	errno = 0;
	e->bytes = strtoull(num, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	unescape(f[6], e->description, sizeof(e->description));
	return (0);
}
