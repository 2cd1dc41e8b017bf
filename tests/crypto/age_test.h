#ifndef AGE_TEST_H_
#define AGE_TEST_H_

/* Helpers shared by the age stream tests (tests/crypto/age_test.c). */
#include <stddef.h>
#include <stdint.h>

#include "crypto/age.h"
#include "crypto/age_internal.h"

#define CHUNK	AGE_CHUNK_LEN
#define SEALED	(AGE_CHUNK_LEN + AGE_TAG_LEN)
#define NKEYS	4

/* A growing output buffer; its callback can be made to fail. */
struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
	int fail_after;		/* callback fails once len passes this; <0 never */
};

/* Test keys made by age_test_setup(); other_* opens nothing. */
extern uint8_t sks[NKEYS][AGE_KEY_LEN], pks[NKEYS][AGE_KEY_LEN];
extern uint8_t other_sk[AGE_KEY_LEN], other_pk[AGE_KEY_LEN];

/* age_out_fn appending to the struct buf ${cookie}. */
int buf_out(void *, const void *, size_t);
struct buf buf_new(void);
/* ${len} bytes of a fixed pattern (malloc'd). */
uint8_t *pattern(size_t);
/* Encrypt to ${npk} keys with extra stanza text (then a fixed file key),
 * writing ${step} bytes at a time. */
struct buf encrypt_ex(const uint8_t (*)[AGE_KEY_LEN], size_t, const char *,
    const uint8_t *, size_t, size_t);
/* Encrypt to pks[0] in one write. */
struct buf encrypt(const uint8_t *, size_t);
/* Decrypt ${step} bytes at a time with ${nsk} keys into ${out}. */
enum age_err decrypt_ex(const uint8_t (*)[AGE_KEY_LEN], size_t,
    const uint8_t *, size_t, size_t, struct buf *);
/* Decrypt with sks[0] in one write. */
enum age_err decrypt(const uint8_t *, size_t, struct buf *);
/* The length of the header of the age file ${ct} (up to the MAC line LF). */
size_t header_len(const struct buf *);
/* cmocka group setup: make the keys. */
int age_test_setup(void **);

#endif /* !AGE_TEST_H_ */
