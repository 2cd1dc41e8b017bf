/* Helpers shared by the age stream tests: see age_test.h. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "age_test.h"

uint8_t sks[NKEYS][AGE_KEY_LEN], pks[NKEYS][AGE_KEY_LEN];
uint8_t other_sk[AGE_KEY_LEN], other_pk[AGE_KEY_LEN];
static const uint8_t filekey[AGE_FILEKEY_LEN] = "sitevault test!";

int
buf_out(void *cookie, const void *p, size_t len)
{
	struct buf *b = cookie;

	if (b->fail_after >= 0 && b->len + len > (size_t)b->fail_after)
		return (-1);
	if (b->len + len > b->cap) {
		b->cap = (b->len + len) * 2;
		assert_non_null(b->p = realloc(b->p, b->cap));
	}
	memcpy(b->p + b->len, p, len);
	b->len += len;
	return (0);
}

struct buf
buf_new(void)
{
	struct buf b = { NULL, 0, 0, -1 };

	return (b);
}

uint8_t *
pattern(size_t len)
{
	uint8_t *p = malloc(len ? len : 1);
	size_t i;

	assert_non_null(p);
	for (i = 0; i < len; i++)
		p[i] = (uint8_t)(i * 7 + (i >> 16) * 13);
	return (p);
}

/* Encrypt ${len} bytes of ${pt} to ${npk} keys, written ${step} at a time. */
struct buf
encrypt_ex(const uint8_t (*keys)[AGE_KEY_LEN], size_t npk, const char *extra,
    const uint8_t *pt, size_t len, size_t step)
{
	struct buf b = buf_new();
	struct age_writer *w;
	size_t off, n;

	w = extra != NULL ? age_writer_new_filekey(filekey, extra, keys, npk,
	    buf_out, &b) : age_writer_new(keys, npk, buf_out, &b);
	assert_non_null(w);
	for (off = 0; off < len; off += n) {
		n = step < len - off ? step : len - off;
		assert_int_equal(age_writer_write(w, pt + off, n), 0);
	}
	assert_int_equal(age_writer_write(w, pt, 0), 0);
	assert_int_equal(age_writer_finish(w), 0);
	age_writer_free(w);
	return (b);
}

struct buf
encrypt(const uint8_t *pt, size_t len)
{

	return (encrypt_ex((const uint8_t (*)[AGE_KEY_LEN])pks, 1, NULL, pt,
	    len, len ? len : 1));
}

/* Decrypt ${len} bytes ${step} at a time with ${nsk} keys into ${out}. */
enum age_err
decrypt_ex(const uint8_t (*keys)[AGE_KEY_LEN], size_t nsk, const uint8_t *ct,
    size_t len, size_t step, struct buf *out)
{
	struct age_reader *r;
	size_t off, n;
	enum age_err e;
	int rc = 0;

	assert_non_null(r = age_reader_new(keys, nsk, buf_out, out));
	for (off = 0; off < len && rc == 0; off += n) {
		n = step < len - off ? step : len - off;
		rc = age_reader_write(r, ct + off, n);
	}
	if (rc == 0)
		rc = age_reader_finish(r);
	e = age_reader_error(r);
	assert_int_equal(rc, e == AGE_OK ? 0 : -1);
	age_reader_free(r);
	return (e);
}

enum age_err
decrypt(const uint8_t *ct, size_t len, struct buf *out)
{

	return (decrypt_ex((const uint8_t (*)[AGE_KEY_LEN])sks, 1, ct, len,
	    len ? len : 1, out));
}

/* The length of the header of the age file ${ct}: up to the MAC line LF. */
size_t
header_len(const struct buf *ct)
{
	const uint8_t *p = ct->p, *m;

	m = memmem(p, ct->len, "\n--- ", 5);
	assert_non_null(m);
	m = memchr(m + 1, '\n', ct->len - (size_t)(m + 1 - p));
	assert_non_null(m);
	return ((size_t)(m + 1 - p));
}

int
age_test_setup(void **state)
{
	size_t i;

	(void)state;
	for (i = 0; i < NKEYS; i++)
		if (age_keygen(sks[i]) || age_public(sks[i], pks[i]))
			return (-1);
	if (age_keygen(other_sk) || age_public(other_sk, other_pk))
		return (-1);
	return (0);
}

