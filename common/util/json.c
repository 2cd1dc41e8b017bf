/* JSON output: see json.h. */
#include <inttypes.h>
#include <stddef.h>
#include <stdint.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "util/json.h"

/* Length of the valid UTF-8 sequence at ${s} (${len} bytes left), or 0. */
static size_t
utf8_len(const unsigned char *s, size_t len)
{
	unsigned char lo = 0x80, hi = 0xbf;
	size_t n, i;

	if (s[0] < 0x80)
		return (1);
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4;
	else
		return (0);
	/* Refuse overlong forms, surrogates and code points past U+10FFFF. */
	if (s[0] == 0xe0)
		lo = 0xa0;
	else if (s[0] == 0xed)
		hi = 0x9f;
	else if (s[0] == 0xf0)
		lo = 0x90;
	else if (s[0] == 0xf4)
		hi = 0x8f;
	if (len < n || s[1] < lo || s[1] > hi)
		return (0);
	for (i = 2; i < n; i++)
		if (s[i] < 0x80 || s[i] > 0xbf)
			return (0);
	return (n);
}

void
json_put_stringn(FILE *f, const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n;

	putc('"', f);
	while (i < len) {
		switch (s[i]) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		default:
			if (s[i] < 0x20 || s[i] == 0x7f) {
				fprintf(f, "\\u%04x", s[i]);
			} else if ((n = utf8_len(s + i, len - i)) == 0) {
				fputs("\\ufffd", f);
			} else {
				fwrite(s + i, 1, n, f);
				i += n;
				continue;
			}
			break;
		}
		i++;
	}
	putc('"', f);
}

void
json_put_string(FILE *f, const char *s)
{

	if (s == NULL)
		fputs("null", f);
	else
		json_put_stringn(f, s, strlen(s));
}

/* Start a member: the comma before it, and its key. */
static void
member(struct json *j, const char *key)
{
	int d = (j->depth < JSON_DEPTH) ? j->depth : JSON_DEPTH - 1;

	if (j->n[d]++ > 0)
		putc(',', j->f);
	if (key != NULL) {
		json_put_string(j->f, key);
		putc(':', j->f);
	}
}

static void
open_level(struct json *j, const char *key, int ch)
{

	member(j, key);
	putc(ch, j->f);
	j->depth++;
	if (j->depth < JSON_DEPTH) {
		j->n[j->depth] = 0;
		j->close[j->depth] = (ch == '{') ? '}' : ']';
	}
}

static void
close_level(struct json *j)
{

	if (j->depth <= 0)
		return;
	putc(j->depth < JSON_DEPTH ? j->close[j->depth] : '}', j->f);
	j->depth--;
}

void
json_begin(struct json *j, FILE *f)
{

	j->f = f;
	j->depth = 0;
	j->n[0] = 0;
	putc('{', f);
}

void
json_object(struct json *j, const char *key)
{

	open_level(j, key, '{');
}

void
json_object_end(struct json *j)
{

	close_level(j);
}

void
json_array(struct json *j, const char *key)
{

	open_level(j, key, '[');
}

void
json_array_end(struct json *j)
{

	close_level(j);
}

void
json_string(struct json *j, const char *key, const char *s)
{

	member(j, key);
	json_put_string(j->f, s);
}

void
json_uint(struct json *j, const char *key, uint64_t v)
{

	member(j, key);
	fprintf(j->f, "%" PRIu64, v);
}

void
json_fixed(struct json *j, const char *key, double v, int digits)
{

	member(j, key);
	if (isfinite(v))
		fprintf(j->f, "%.*f", digits, v);
	else
		fputs("null", j->f);
}

void
json_int(struct json *j, const char *key, int64_t v)
{

	member(j, key);
	fprintf(j->f, "%" PRId64, v);
}

void
json_bool(struct json *j, const char *key, int v)
{

	member(j, key);
	fputs(v ? "true" : "false", j->f);
}

void
json_null(struct json *j, const char *key)
{

	member(j, key);
	fputs("null", j->f);
}

int
json_end(struct json *j)
{

	while (j->depth > 0)
		close_level(j);
	fputs("}\n", j->f);
	if (fflush(j->f) != 0 || ferror(j->f))
		return (-1);
	return (0);
}
