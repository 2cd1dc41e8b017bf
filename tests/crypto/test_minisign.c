/* Tests of common/crypto/minisign.c: signatures, key files, strict base64. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include "../lib/fmtvec.h"
#include "util/log.h"
#include "crypto/minisign.h"
#include "../lib/scratch.h"
#include "../lib/unit.h"

static void
test_keyid_hex(void **state)
{
	uint8_t id[MINISIGN_KEYID_LEN];
	char hex[17];

	(void)state;
	fmtvec_hex("keyid", id, sizeof(id));
	minisign_keyid_hex(id, hex);
	assert_string_equal(hex, "EFCDAB8967452301");
	memset(id, 0, sizeof(id));
	id[0] = 0x0f;
	minisign_keyid_hex(id, hex);
	assert_string_equal(hex, "000000000000000F");
}

/* RFC 8032 section 7.1 TEST 1: OpenSSL derives the standard public key. */
static void
test_rfc8032_public(void **state)
{
	struct minisign_sec sec;
	uint8_t pk[MINISIGN_PK_LEN];

	(void)state;
	fmtvec_hex("signing-seed", sec.seed, sizeof(sec.seed));
	fmtvec_hex("signing-pk", pk, sizeof(pk));
	assert_int_equal(minisign_sec_derive(&sec), 0);
	assert_memory_equal(sec.pk, pk, sizeof(pk));
}

static const struct {
	const char *b64;
	size_t len;
	int ok;
} b64cases[] = {
	{ "AAEC", 3, 1 },
	{ "AAE=", 2, 1 },
	{ "AA==", 1, 1 },
	{ "AAF=", 2, 0 },		/* non-zero trailing bits */
	{ "AB==", 1, 0 },		/* non-zero trailing bits */
	{ "AAE", 2, 0 },		/* no padding */
	{ " AAE=", 2, 0 },		/* whitespace */
	{ "AAE=\n", 2, 0 },
	{ "AA=C", 3, 0 },		/* padding inside */
	{ "AAEC", 2, 0 },		/* wrong length */
	{ "AA-_", 3, 0 },		/* URL alphabet */
	{ "", 0, 0 },
};

static void
test_b64_strict(void **state)
{
	uint8_t out[8];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(b64cases) / sizeof(b64cases[0]); i++) {
		int rc = minisign_b64_decode(b64cases[i].b64,
		    strlen(b64cases[i].b64), out, b64cases[i].len);
		if ((rc == 0) != b64cases[i].ok)
			fail_msg("case %zu \"%s\": rc %d", i, b64cases[i].b64, rc);
	}
}

static struct minisign_sec sec, sec2;
static struct minisign_pub pubs[3];
static const char msg[] = "the message to sign\n";

static int
setup(void **state)
{

	(void)state;
	if (minisign_generate(&sec) || minisign_generate(&sec2))
		return (-1);
	/* pubs: an unrelated key, the signer, and a key with the signer's id
	 * but another public key (key id collision or substitution). */
	minisign_sec_public(&sec2, &pubs[0]);
	minisign_sec_public(&sec, &pubs[1]);
	minisign_sec_public(&sec2, &pubs[2]);
	memcpy(pubs[2].keyid, sec.keyid, MINISIGN_KEYID_LEN);
	return (0);
}

static char *
sign(const char *trusted, size_t *len)
{
	char *sig;

	assert_int_equal(minisign_sign(&sec, msg, strlen(msg), "untrusted",
	    trusted, &sig, len), 0);
	return (sig);
}

static void
test_roundtrip(void **state)
{
	char *sig, *tc = NULL;
	size_t len, which = 99;

	(void)state;
	sig = sign("hello world", &len);
	assert_int_equal(strlen(sig), len);
	assert_true(strncmp(sig, "untrusted comment: untrusted\nRU", 31) == 0);
	assert_int_equal(minisign_verify(pubs, 2, msg, strlen(msg), sig, len,
	    &tc, &which), 0);
	assert_string_equal(tc, "hello world");
	assert_int_equal(which, 1);
	free(tc);
	/* An empty trusted comment and message are fine. */
	free(sig);
	assert_int_equal(minisign_sign(&sec, "", 0, "", "", &sig, &len), 0);
	assert_int_equal(minisign_verify(&pubs[1], 1, "", 0, sig, len, NULL,
	    NULL), 0);
	free(sig);
	/* Comments must be one line. */
	unit_capture();
	assert_int_equal(minisign_sign(&sec, msg, 1, "a\nb", "", &sig, &len),
	    -1);
	assert_int_equal(minisign_sign(&sec, msg, 1, "", "a\rb", &sig, &len),
	    -1);
}

/* Rewrite the base64 line ${line} (2 or 4) of ${sig} with byte ${off}
 * of the decoded data xor ${x}. */
static char *
mutate_b64(const char *sig, int line, size_t off, uint8_t x)
{
	const char *l = sig, *e;
	uint8_t raw[74];
	size_t n = line == 2 ? 74 : 64;
	char b64[128], *out;
	int i;

	for (i = 1; i < line; i++)
		l = strchr(l, '\n') + 1;
	e = strchr(l, '\n');
	assert_int_equal(minisign_b64_decode(l, (size_t)(e - l), raw, n), 0);
	raw[off] ^= x;
	assert_int_not_equal(minisign_b64_encode(raw, n, b64, sizeof(b64)), 0);
	out = malloc(strlen(sig) + 1);
	memcpy(out, sig, (size_t)(l - sig));
	memcpy(out + (l - sig), b64, strlen(b64));
	memcpy(out + (l - sig) + strlen(b64), e, strlen(e) + 1);
	return (out);
}

static void
test_negatives(void **state)
{
	char *sig, *bad, m2[sizeof(msg)];
	size_t len, i;

	(void)state;
	sig = sign("site=a id=1", &len);

	/* A flipped message byte. */
	memcpy(m2, msg, sizeof(msg));
	m2[3] ^= 1;
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, m2, strlen(m2), sig, len,
	    NULL, NULL), -1);
	unit_failed(EX_DATAERR, "does not verify");

	/* A flipped signature byte, global signature byte, algorithm. */
	bad = mutate_b64(sig, 2, 30, 0x40);
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "does not verify");
	free(bad);
	bad = mutate_b64(sig, 4, 5, 0x01);
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "trusted comment signature");
	free(bad);
	bad = mutate_b64(sig, 2, 1, 'D' ^ 'd');		/* "ED" -> "Ed" */
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "legacy");
	free(bad);

	/* A modified trusted comment. */
	bad = unit_replace(sig, "id=1", "id=2");
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "trusted comment signature");
	free(bad);

	/* A key not pinned; the wrong key under the right id. */
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[0], 1, msg, strlen(msg), sig,
	    len, NULL, NULL), -1);
	unit_failed(EX_DATAERR, "not a trusted key");
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[2], 1, msg, strlen(msg), sig,
	    len, NULL, NULL), -1);
	unit_failed(EX_DATAERR, "does not verify");
	/* ...but the right key among them still verifies. */
	assert_int_equal(minisign_verify(pubs, 3, msg, strlen(msg), sig, len,
	    NULL, NULL), 0);

	/* Every truncation fails. */
	for (i = 0; i < len; i++) {
		unit_capture();
		assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg),
		    sig, i, NULL, NULL), -1);
		assert_int_equal(log_class(), EX_DATAERR);
	}

	/* Form: CR LF, trailing data, base64 not canonical, no comment. */
	bad = unit_replace(sig, "\n", "\r\n");
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "CR");
	free(bad);
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), sig,
	    len + 1, NULL, NULL), -1);
	free(sig);
	sig = sign("x", &len);
	bad = unit_replace(sig, "\ntrusted", " \ntrusted");
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "line 2");
	free(bad);
	bad = unit_replace(sig, "untrusted comment: ", "untrusted: ");
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	unit_failed(EX_DATAERR, "line 1");
	free(bad);
	bad = unit_replace(sig, "trusted comment: x", "trusted comment:x");
	unit_capture();
	assert_int_equal(minisign_verify(&pubs[1], 1, msg, strlen(msg), bad,
	    strlen(bad), NULL, NULL), -1);
	free(bad);
	free(sig);
}

static void
test_pub(void **state)
{
	struct minisign_pub p;
	char *text, line[64], *t2, *dir;

	(void)state;
	text = minisign_pub_format(&pubs[1], "minisign public key X");
	assert_non_null(text);
	assert_int_equal(minisign_pub_parse("t", text, strlen(text), &p), 0);
	assert_memory_equal(&p, &pubs[1], sizeof(p));
	/* The bare key line, with or without LF; trailing lines ignored. */
	assert_int_equal(minisign_pub_encode(&pubs[1], line, sizeof(line)), 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(minisign_pub_parse("t", line, strlen(line), &p), 0);
	assert_memory_equal(&p, &pubs[1], sizeof(p));
	t2 = unit_replace(text, "\n", "\r\n");
	assert_int_equal(minisign_pub_parse("t", t2, strlen(t2), &p), 0);
	free(t2);
	t2 = malloc(strlen(text) + 80);
	snprintf(t2, strlen(text) + 80, "%sage1xyz\n", text);
	assert_int_equal(minisign_pub_parse("t", t2, strlen(t2), &p), 0);
	free(t2);
	/* The vector file. */
	free(text);
	text = fmtvec_get("site.key.pub", NULL);
	assert_int_equal(minisign_pub_parse("t", text, strlen(text), &p), 0);
	minisign_keyid_hex(p.keyid, line);
	assert_string_equal(line, "EFCDAB8967452301");
	/* Not a key: a signature line, junk, a missing key line. */
	unit_capture();
	assert_int_equal(minisign_pub_parse("k.pub", "RUQBI0VniavN79damAGCsQq31"
	    "Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea\n", 57, &p), -1);
	unit_failed(EX_DATAERR, "k.pub: line 1");
	unit_capture();
	assert_int_equal(minisign_pub_parse("k.pub", "untrusted comment: x\n",
	    21, &p), -1);
	unit_failed(EX_DATAERR, "k.pub: line 2");
	unit_capture();
	assert_int_equal(minisign_pub_parse("k.pub", "untrusted comment: x", 20,
	    &p), -1);
	unit_failed(EX_DATAERR, "k.pub: line 1");
	unit_capture();
	assert_int_equal(minisign_pub_load("/nonexistent/k.pub", &p), -1);
	assert_int_equal(log_class(), EX_NOINPUT);
	/* A FIFO in place of a trusted key is refused, not waited on; the
	 * alarm fails a hang. */
	dir = scratch_new("minisign");
	t2 = malloc(strlen(dir) + 8);
	snprintf(t2, strlen(dir) + 8, "%s/k.pub", dir);
	assert_int_equal(mkfifo(t2, 0600), 0);
	unit_capture();
	alarm(10);
	assert_int_equal(minisign_pub_load(t2, &p), -1);
	alarm(0);
	unit_failed(EX_DATAERR, "not a regular file");
	assert_int_equal(scratch_end(&dir), 0);
	free(t2);
	free(text);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keyid_hex),
		cmocka_unit_test(test_rfc8032_public),
		cmocka_unit_test(test_b64_strict),
		cmocka_unit_test(test_roundtrip),
		cmocka_unit_test(test_negatives),
		cmocka_unit_test(test_pub),
	};

	log_init("test_minisign", 0, 0);
	return (cmocka_run_group_tests(tests, setup, NULL));
}
