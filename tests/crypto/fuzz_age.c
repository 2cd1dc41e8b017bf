/*
 * libFuzzer target for the age reader (common/crypto/age_header.c,
 * common/crypto/age_stream.c): arbitrary bytes, decrypted with a fixed identity,
 * once in one piece and once in small pieces.  Besides the sanitizers it
 * checks that both feeds end the same way and release the same plaintext,
 * and that no more plaintext comes out than went in.  The seeds in
 * tests/corpus/fuzz_age/ are files to this identity's recipient
 * age1p7653x87f4cymsq90ysfpn6tg0saht84mdmrh5e3rn5luyysauaqqvudl2.
 */
#include <stddef.h>
#include <stdint.h>

#include "crypto/age.h"

static const char identity[] =
    "AGE-SECRET-KEY-1ST7JVYXNXQKEXPTW3YR5D5AKGR8FTCMJMJCNALE0PC9DQQSAKEWSJDNAWE";

struct tally {
	size_t len;
	uint32_t sum;	/* a cheap fingerprint of the released bytes */
};

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static int
tally_out(void *cookie, const void *buf, size_t len)
{
	struct tally *t = cookie;
	const uint8_t *p = buf;
	size_t i;

	for (i = 0; i < len; i++)
		t->sum = t->sum * 31 + p[i];
	t->len += len;
	return (0);
}

static enum age_err
run(const uint8_t (*sk)[AGE_KEY_LEN], const uint8_t *data, size_t size,
    size_t step, struct tally *t)
{
	struct age_reader *r;
	size_t off, n;
	enum age_err e;
	int rc = 0;

	if ((r = age_reader_new(sk, 1, tally_out, t)) == NULL)
		__builtin_trap();
	for (off = 0; off < size && rc == 0; off += n) {
		n = size - off < step ? size - off : step;
		rc = age_reader_write(r, data + off, n);
	}
	if (rc == 0)
		rc = age_reader_finish(r);
	e = age_reader_error(r);
	if ((rc == 0) != (e == AGE_OK))
		__builtin_trap();
	age_reader_free(r);
	return (e);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t sk[1][AGE_KEY_LEN];
	static int ready;
	struct tally t1 = { 0, 0 }, t2 = { 0, 0 };
	enum age_err e1, e2;

	if (!ready) {
		if (age_identity_decode(identity, sk[0]))
			__builtin_trap();
		ready = 1;
	}
	e1 = run((const uint8_t (*)[AGE_KEY_LEN])sk, data, size,
	    size ? size : 1, &t1);
	e2 = run((const uint8_t (*)[AGE_KEY_LEN])sk, data, size,
	    1 + size % 61, &t2);
	if (e1 != e2 || t1.len != t2.len || t1.sum != t2.sum || t1.len > size)
		__builtin_trap();
	return (0);
}
