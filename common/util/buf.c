#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "util/buf.h"

void
buf_init(struct buf *b, size_t max)
{

	b->p = NULL;
	b->len = b->cap = 0;
	b->max = max;
}

/* Make room for ${need} bytes and the NUL after them. */
static int
grow(struct buf *b, size_t need)
{
	uint8_t *np;
	size_t ncap;

	if (need < b->cap)
		return (0);
	for (ncap = b->cap ? b->cap : 256; ncap <= need;) {
		/* Do not overshoot the limit: doubling alone would stop at
		 * half of it. */
		if (ncap > b->max / 2) {
			ncap = b->max + 1;
			break;
		}
		ncap *= 2;
	}
	/* Not realloc: it could leave an unwiped copy of the old bytes. */
	if ((np = malloc(ncap)) == NULL) {
		errno = ENOMEM;
		return (-1);
	}
	if (b->p != NULL) {
		memcpy(np, b->p, b->len);
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	np[b->len] = '\0';
	b->p = np;
	b->cap = ncap;
	return (0);
}

int
buf_append(struct buf *b, const void *data, size_t len)
{

	if (len > b->max - b->len) {
		errno = EFBIG;
		return (-1);
	}
	if (grow(b, b->len + len))
		return (-1);
	if (len > 0)
		memcpy(b->p + b->len, data, len);
	b->len += len;
	b->p[b->len] = '\0';
	return (0);
}

int
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (grow(b, b->len))
		return (-1);
	va_start(ap, fmt);
	n = vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
	va_end(ap);
	if (n < 0)
		return (-1);
	if ((size_t)n > b->max - b->len) {
		b->p[b->len] = '\0';
		errno = EFBIG;
		return (-1);
	}
	if ((size_t)n >= b->cap - b->len) {
		if (grow(b, b->len + (size_t)n)) {
			b->p[b->len] = '\0';
			return (-1);
		}
		va_start(ap, fmt);
		n = vsnprintf((char *)b->p + b->len, b->cap - b->len, fmt, ap);
		va_end(ap);
		if (n < 0)
			return (-1);
	}
	b->len += (size_t)n;
	return (0);
}

void
buf_clear(struct buf *b)
{

	if (b->p != NULL) {
		OPENSSL_cleanse(b->p, b->cap);
		b->p[0] = '\0';
	}
	b->len = 0;
}

uint8_t *
buf_take(struct buf *b)
{
	uint8_t *p;

	if (b->p == NULL && grow(b, 0))
		return (NULL);
	p = b->p;
	buf_init(b, b->max);
	return (p);
}

void
buf_free(struct buf *b)
{

	if (b == NULL)
		return;
	if (b->p != NULL) {
		OPENSSL_cleanse(b->p, b->cap);
		free(b->p);
	}
	buf_init(b, b->max);
}
