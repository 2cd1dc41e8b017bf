/*
 * Unit tests of the age payload (common/crypto/age_stream.c): round trips at the
 * chunk boundaries and with odd feeds, 1..N recipients, and every way a
 * stream must be rejected, each with its specific error and without
 * releasing plaintext of a chunk that did not verify.
 */
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

static void
test_roundtrip(void **state)
{
	static const size_t sizes[] = {
		0, 1, 100, CHUNK - 1, CHUNK, CHUNK + 1, 2 * CHUNK,
		3 * CHUNK + 5
	};
	static const size_t steps[] = { 1, 3, 4096, CHUNK, CHUNK + 17,
	    SIZE_MAX };
	struct buf ct, out;
	uint8_t *pt;
	size_t i, k, s, nchunks;

	(void)state;
	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		pt = pattern(sizes[i]);
		for (s = 0; s < sizeof(steps) / sizeof(steps[0]); s++) {
			/* Byte by byte only where it stays quick. */
			if (steps[s] == 1 && sizes[i] > 2 * CHUNK)
				continue;
			ct = encrypt_ex((const uint8_t (*)[AGE_KEY_LEN])pks, 1,
			    NULL, pt, sizes[i], steps[s]);
			nchunks = sizes[i] == 0 ? 1 :
			    (sizes[i] + CHUNK - 1) / CHUNK;
			assert_int_equal(ct.len, header_len(&ct) +
			    AGE_NONCE_LEN + sizes[i] + nchunks * AGE_TAG_LEN);
			for (k = 0; k < sizeof(steps) / sizeof(steps[0]); k++) {
				if (steps[k] == 1 && sizes[i] > 2 * CHUNK)
					continue;
				out = buf_new();
				assert_int_equal(decrypt_ex(
				    (const uint8_t (*)[AGE_KEY_LEN])sks, 1,
				    ct.p, ct.len, steps[k], &out), AGE_OK);
				assert_int_equal(out.len, sizes[i]);
				if (sizes[i] > 0)
					assert_memory_equal(out.p, pt,
					    sizes[i]);
				free(out.p);
			}
			free(ct.p);
		}
		free(pt);
	}
}

/* 1..N recipients: every identity opens the file, alone or among others. */
static void
test_recipients(void **state)
{
	struct buf ct, out;
	uint8_t *pt = pattern(2 * CHUNK + 3), ids[2][AGE_KEY_LEN];
	size_t n, i;

	(void)state;
	for (n = 1; n <= NKEYS; n++) {
		ct = encrypt_ex((const uint8_t (*)[AGE_KEY_LEN])pks, n, NULL,
		    pt, 2 * CHUNK + 3, 1000);
		for (i = 0; i < NKEYS; i++) {
			out = buf_new();
			assert_int_equal(decrypt_ex(
			    (const uint8_t (*)[AGE_KEY_LEN])&sks[i], 1, ct.p,
			    ct.len, 5000, &out),
			    i < n ? AGE_OK : AGE_E_NOMATCH);
			assert_int_equal(out.len, i < n ? 2 * CHUNK + 3 : 0);
			free(out.p);
			/* A wrong identity beside the right one is fine. */
			memcpy(ids[0], other_sk, AGE_KEY_LEN);
			memcpy(ids[1], sks[i], AGE_KEY_LEN);
			out = buf_new();
			assert_int_equal(decrypt_ex(
			    (const uint8_t (*)[AGE_KEY_LEN])ids, 2, ct.p,
			    ct.len, ct.len, &out),
			    i < n ? AGE_OK : AGE_E_NOMATCH);
			free(out.p);
		}
		free(ct.p);
	}
	free(pt);
}

static void
test_wrong_key(void **state)
{
	uint8_t *pt = pattern(10);
	struct buf ct = encrypt(pt, 10), out = buf_new();

	(void)state;
	assert_int_equal(decrypt_ex((const uint8_t (*)[AGE_KEY_LEN])&other_sk,
	    1, ct.p, ct.len, ct.len, &out), AGE_E_NOMATCH);
	assert_int_equal(decrypt_ex(NULL, 0, ct.p, ct.len, ct.len, &out),
	    AGE_E_NOMATCH);
	assert_int_equal(out.len, 0);
	free(ct.p);
	free(pt);
}

/* Header changes: each must give its own error, and no plaintext. */
struct chunks {
	struct buf ct;
	uint8_t *pt;
	size_t ptlen;
	size_t start;		/* header + nonce */
	const uint8_t *c[3];
	size_t clen[3];
};

static void
chunks_make(struct chunks *k, size_t ptlen)
{
	size_t i, off;

	k->ptlen = ptlen;
	k->pt = pattern(ptlen);
	k->ct = encrypt(k->pt, ptlen);
	k->start = header_len(&k->ct) + AGE_NONCE_LEN;
	for (i = 0, off = k->start; i < 3; i++) {
		k->c[i] = k->ct.p + off;
		k->clen[i] = k->ct.len - off < SEALED ? k->ct.len - off : SEALED;
		off += k->clen[i];
	}
	assert_int_equal(off, k->ct.len);
}

/* Decrypt the header and the chunks ${order} (-1 ends) of ${k}. */
static enum age_err
chunks_decrypt(const struct chunks *k, const int *order, struct buf *out)
{
	struct buf in = buf_new();
	enum age_err e;

	buf_out(&in, k->ct.p, k->start);
	for (; *order >= 0; order++)
		buf_out(&in, k->c[*order], k->clen[*order]);
	e = decrypt(in.p, in.len, out);
	free(in.p);
	return (e);
}

static void
test_chunk_tamper(void **state)
{
	static const struct {
		int order[6];
		enum age_err err;
		size_t released;	/* chunks whose plaintext came out */
	} cases[] = {
		{ { 0, 1, 2, -1 }, AGE_OK, 3 },
		{ { 1, 0, 2, -1 }, AGE_E_PAYLOAD, 0 },		/* reordered */
		{ { 0, 2, 1, -1 }, AGE_E_PAYLOAD, 1 },
		{ { 0, 0, 1, 2, -1 }, AGE_E_PAYLOAD, 1 },	/* duplicated */
		{ { 0, 1, 1, 2, -1 }, AGE_E_PAYLOAD, 2 },
		{ { 0, 1, 2, 2, -1 }, AGE_E_PAYLOAD, 2 },
		{ { 0, 2, -1 }, AGE_E_PAYLOAD, 1 },		/* dropped */
		{ { 1, 2, -1 }, AGE_E_PAYLOAD, 0 },
		{ { 0, 1, -1 }, AGE_E_TRUNCATED, 2 },		/* no last */
		{ { 0, -1 }, AGE_E_TRUNCATED, 1 },
		{ { -1 }, AGE_E_TRUNCATED, 0 },
		{ { 2, -1 }, AGE_E_PAYLOAD, 0 },
	};
	struct chunks k;
	struct buf out;
	size_t i, n;

	(void)state;
	chunks_make(&k, 2 * CHUNK + 1000);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = buf_new();
		assert_int_equal(chunks_decrypt(&k, cases[i].order, &out),
		    cases[i].err);
		/* Only verified chunks, in order, from the start. */
		n = cases[i].released * CHUNK;
		if (n > k.ptlen)
			n = k.ptlen;
		assert_int_equal(out.len, n);
		if (n > 0)
			assert_memory_equal(out.p, k.pt, n);
		free(out.p);
	}
	free(k.ct.p);
	free(k.pt);
}

/* A flipped bit in any chunk: that chunk and later ones stay private. */
static void
test_chunk_flip(void **state)
{
	struct chunks k;
	struct buf out;
	size_t i, at[] = { 0, 100, SEALED - 1 };
	size_t j;
	uint8_t *p;

	(void)state;
	chunks_make(&k, 2 * CHUNK + 1000);
	for (i = 0; i < 3; i++)
		for (j = 0; j < sizeof(at) / sizeof(at[0]); j++) {
			if (at[j] >= k.clen[i])
				continue;
			p = (uint8_t *)(uintptr_t)k.c[i] + at[j];
			*p ^= 0x20;
			out = buf_new();
			assert_int_equal(decrypt(k.ct.p, k.ct.len, &out),
			    AGE_E_PAYLOAD);
			assert_int_equal(out.len, i * CHUNK);
			free(out.p);
			*p ^= 0x20;
		}
	free(k.ct.p);
	free(k.pt);
}

/* Truncation: the error depends on where the stream stops. */
static void
test_truncated(void **state)
{
	struct chunks k;
	struct buf out;
	size_t h, i;
	struct {
		size_t len;
		enum age_err err;
	} cases[9];

	(void)state;
	chunks_make(&k, 2 * CHUNK + 1000);
	h = k.start - AGE_NONCE_LEN;
	i = 0;
	cases[i].len = 0, cases[i++].err = AGE_E_HEADER;
	cases[i].len = 10, cases[i++].err = AGE_E_HEADER;
	cases[i].len = h - 1, cases[i++].err = AGE_E_HEADER;
	cases[i].len = h, cases[i++].err = AGE_E_HEADER;	/* no nonce */
	cases[i].len = h + 8, cases[i++].err = AGE_E_HEADER;
	cases[i].len = k.start, cases[i++].err = AGE_E_TRUNCATED;
	cases[i].len = k.start + SEALED, cases[i++].err = AGE_E_TRUNCATED;
	cases[i].len = k.start + 100, cases[i++].err = AGE_E_PAYLOAD;
	cases[i].len = k.ct.len - 1, cases[i++].err = AGE_E_PAYLOAD;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		out = buf_new();
		assert_int_equal(decrypt_ex((const uint8_t (*)[AGE_KEY_LEN])
		    sks, 1, k.ct.p, cases[i].len, 4000, &out), cases[i].err);
		assert_true(out.len <= 2 * CHUNK);
		free(out.p);
	}
	free(k.ct.p);
	free(k.pt);
}

/* Bytes after the last chunk. */
static void
test_trailing(void **state)
{
	struct buf ct, out;
	uint8_t *pt = pattern(2 * CHUNK), *last;
	struct age_reader *r;

	(void)state;
	/* After a full last chunk: its plaintext is authentic, then error. */
	ct = encrypt(pt, 2 * CHUNK);
	buf_out(&ct, "x", 1);
	out = buf_new();
	assert_int_equal(decrypt(ct.p, ct.len, &out), AGE_E_TRAILING);
	assert_int_equal(out.len, 2 * CHUNK);
	free(out.p);
	/* A whole second copy of the last chunk. */
	last = malloc(SEALED);
	assert_non_null(last);
	memcpy(last, ct.p + ct.len - 1 - SEALED, SEALED);
	buf_out(&ct, last, SEALED);
	free(last);
	out = buf_new();
	assert_int_equal(decrypt(ct.p, ct.len, &out), AGE_E_TRAILING);
	free(out.p);
	free(ct.p);
	/*
	 * After a short last chunk the extra bytes look like part of it: age
	 * has no lengths, so that is a chunk that does not verify.
	 */
	ct = encrypt(pt, 10);
	buf_out(&ct, "x", 1);
	out = buf_new();
	assert_int_equal(decrypt(ct.p, ct.len, &out), AGE_E_PAYLOAD);
	assert_int_equal(out.len, 0);
	free(out.p);
	/* Input fed after the end was signalled. */
	out = buf_new();
	assert_non_null(r = age_reader_new((const uint8_t (*)[AGE_KEY_LEN])sks,
	    1, buf_out, &out));
	assert_int_equal(age_reader_write(r, ct.p, ct.len - 1), 0);
	assert_int_equal(age_reader_finish(r), 0);
	assert_int_equal(age_reader_finish(r), 0);
	assert_int_equal(age_reader_write(r, "x", 0), 0);
	assert_int_equal(age_reader_write(r, "x", 1), -1);
	assert_int_equal(age_reader_error(r), AGE_E_TRAILING);
	age_reader_free(r);
	free(out.p);
	free(ct.p);
	free(pt);
}

/* Curve25519 points of small order: the shared secret is all zero. */
static void
test_output_fails(void **state)
{
	uint8_t *pt = pattern(3 * CHUNK);
	struct buf ct = encrypt(pt, 3 * CHUNK), out = buf_new(), b = buf_new();
	struct age_writer *w;

	(void)state;
	out.fail_after = CHUNK + 5;
	assert_int_equal(decrypt(ct.p, ct.len, &out), AGE_E_OUTPUT);
	assert_int_equal(out.len, CHUNK);
	free(out.p);

	b.fail_after = 10;	/* the header does not fit */
	assert_null(age_writer_new((const uint8_t (*)[AGE_KEY_LEN])pks, 1,
	    buf_out, &b));
	b.fail_after = (int)(header_len(&ct) + AGE_NONCE_LEN + SEALED);
	assert_non_null(w = age_writer_new((const uint8_t (*)[AGE_KEY_LEN])pks,
	    1, buf_out, &b));
	assert_int_equal(age_writer_write(w, pt, 3 * CHUNK), -1);
	assert_int_equal(age_writer_finish(w), -1);
	age_writer_free(w);
	/* Nothing may be written after the last chunk. */
	free(b.p);
	b = buf_new();
	assert_non_null(w = age_writer_new((const uint8_t (*)[AGE_KEY_LEN])pks,
	    1, buf_out, &b));
	assert_int_equal(age_writer_finish(w), 0);
	assert_int_equal(age_writer_write(w, pt, 1), -1);
	age_writer_free(w);
	age_writer_free(NULL);
	age_reader_free(NULL);
	free(b.p);
	free(ct.p);
	free(pt);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_recipients),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_chunk_tamper),
		cmocka_unit_test(test_chunk_flip),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_output_fails),
	};

	return (cmocka_run_group_tests(tests, age_test_setup, NULL));
}
