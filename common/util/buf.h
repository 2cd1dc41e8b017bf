#ifndef BUF_H_
#define BUF_H_

#include <stddef.h>
#include <stdint.h>

#include "util/log.h"

/*
 * A growable byte buffer with a hard size limit, for replies, listings and
 * texts read or built in memory.  The bytes are always followed by a NUL
 * (not counted in ${len}), so a text can be used as a C string.  Growing
 * copies into a new allocation and wipes the old one, and buf_free() wipes
 * too: a buffer may hold a key or a password.
 */
struct buf {
	uint8_t *p;		/* the bytes, NULL while empty */
	size_t len;		/* bytes held */
	size_t cap;		/* bytes allocated */
	size_t max;		/* limit on ${len} */
};

/* An empty buffer holding at most ${max} bytes. */
#define BUF_INIT(max)	{ NULL, 0, 0, (max) }

/**
 * buf_init(b, max):
 * Make ${b} an empty buffer holding at most ${max} bytes.
 */
void buf_init(struct buf *, size_t);

/**
 * buf_append(b, data, len):
 * Append ${len} bytes of ${data}.  Return 0, or -1 with errno EFBIG if the
 * buffer would pass its limit, ENOMEM if out of memory; ${b} is unchanged
 * then.  Logs nothing: the caller knows what the bytes are.
 */
int buf_append(struct buf *, const void *, size_t);

/**
 * buf_printf(b, fmt, ...):
 * Append the formatted text.  Return 0, or -1 as buf_append().
 */
int buf_printf(struct buf *, const char *, ...) LOG_PRINTF(2, 3);

/**
 * buf_clear(b):
 * Wipe the bytes held and make ${b} empty, keeping its allocation.
 */
void buf_clear(struct buf *);

/**
 * buf_take(b):
 * Return the bytes (NUL-terminated, malloc'd; never NULL for an empty
 * buffer unless out of memory) and leave ${b} empty.  The caller frees.
 */
uint8_t *buf_take(struct buf *);

/**
 * buf_free(b):
 * Wipe and free the bytes of ${b} and make it empty; its limit stays.
 * Does nothing if ${b} is NULL.
 */
void buf_free(struct buf *);

#endif /* !BUF_H_ */
