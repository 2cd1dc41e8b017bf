/* Tests of common/format/manifest.c against the vectors of docs/FORMAT.md. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <cmocka.h>

#include <openssl/sha.h>

#include "crypto/age.h"
#include "../lib/fmtvec.h"
#include "../lib/unit.h"
#include "util/log.h"
#include "format/manifest.h"

static char *vec;		/* the manifest vector */
static size_t veclen;
static struct minisign_sec vsec;	/* the vector key */
static struct minisign_pub vpub;

static int
setup(void **state)
{

	(void)state;
	vec = fmtvec_get("manifest", &veclen);
	fmtvec_hex("signing-seed", vsec.seed, sizeof(vsec.seed));
	fmtvec_hex("keyid", vsec.keyid, sizeof(vsec.keyid));
	if (minisign_sec_derive(&vsec))
		return (-1);
	minisign_sec_public(&vsec, &vpub);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	free(vec);
	return (0);
}

static void
test_vector_parse(void **state)
{
	struct manifest *m;
	uint8_t sha[32], want[32];
	char *text;
	size_t len;

	(void)state;
	m = manifest_parse("manifest", vec, veclen);
	assert_non_null(m);
	assert_string_equal(m->site, "branch-01");
	assert_string_equal(m->category, "Configuration");
	assert_int_equal(m->id, 7);
	assert_int_equal(m->time, 1795453200);	/* 2026-11-23T17:00:00Z */
	assert_string_equal(m->agent, "sitevault 0.1.0");
	assert_memory_equal(m->keyid, vsec.keyid, MINISIGN_KEYID_LEN);
	assert_int_equal(m->nrecipients, 2);
	assert_string_equal(m->recipients[1], "age1m60dkltm0hqmf56mv8pweep4xul"
	    "cxs7gtduxwnddl3lpgmug9d8s0dmj33");
	assert_string_equal(m->compression, "zstd:3");
	assert_string_equal(m->description,
	    "before the upgrade to 3.1 \xe2\x80\x94 tested");
	assert_int_equal(m->files, 42);
	assert_int_equal(m->bytes, 1234567);
	assert_int_equal(m->archive_bytes, 1300480);
	assert_true(m->has_prev);
	assert_int_equal(m->prev_sha256[0], 0xa5);
	assert_int_equal(m->nparts, 2);
	assert_int_equal(m->parts[0].size, 16777216);
	assert_int_equal(m->parts[1].size, 421);
	assert_int_equal(m->parts[1].sha256[31], 0x7d);
	/* One encoding: formatting gives the same bytes back. */
	text = manifest_format(m, &len);
	assert_non_null(text);
	assert_int_equal(len, veclen);
	assert_memory_equal(text, vec, len);
	fmtvec_hex("manifest.sha256", want, sizeof(want));
	SHA256((const unsigned char *)text, len, sha);
	assert_memory_equal(sha, want, sizeof(sha));
	free(text);
	manifest_free(m);
}

static void
test_vector_sign(void **state)
{
	struct manifest *m;
	char *sig, *want;
	size_t siglen, wantlen;

	(void)state;
	want = fmtvec_get("manifest.sig", &wantlen);
	m = manifest_parse("manifest", vec, veclen);
	assert_non_null(m);
	assert_int_equal(manifest_sign(&vsec, m, vec, veclen, &sig, &siglen), 0);
	assert_int_equal(siglen, wantlen);
	assert_memory_equal(sig, want, wantlen);
	manifest_free(m);
	m = manifest_verify(&vpub, 1, "manifest", vec, veclen, want, wantlen);
	assert_non_null(m);
	assert_int_equal(m->id, 7);
	manifest_free(m);
	free(sig);
	free(want);
}

/* Malformed variants of the vector: the line the error must name. */
static const struct {
	const char *from, *to;
	unsigned int line;
} malformed[] = {
	{ "sitevault-manifest 1\n", "sitevault-manifest 2\n", 1 },
	{ "sitevault-manifest 1\n", "\nsitevault-manifest 1\n", 1 },
	{ "sitevault-manifest 1\n", "sitevault-manifest  1\n", 1 },
	{ "site branch-01", "site  branch-01", 2 },
	{ "site branch-01", "site branch/01", 2 },
	{ "site branch-01", "site ..", 2 },
	{ "site branch-01", "site ", 2 },
	{ "site branch-01", "site branch-01 ", 2 },
	{ "site branch-01", "Site branch-01", 2 },
	{ "category Configuration", "category configuration", 3 },
	{ "category Configuration", "category Config", 3 },
	{ "id 7\n", "id 07\n", 4 },
	{ "id 7\n", "id 0\n", 4 },
	{ "id 7\n", "id +7\n", 4 },
	{ "id 7\n", "id 7\r\n", 4 },
	{ "id 7\n", "id 18446744073709551616\n", 4 },
	{ "id 7\n", "id\t7\n", 4 },
	{ "T17:00:00Z", "T17:00:00+00:00", 5 },
	{ "T17:00:00Z", "T17:00:60Z", 5 },
	{ "T17:00:00Z", "T24:00:00Z", 5 },
	{ "T17:00:00Z", "t17:00:00Z", 5 },
	{ "T17:00:00Z", "T17:00:00.5Z", 5 },
	{ "2026-11-23", "2026-11-31", 5 },
	{ "2026-11-23", "2026-02-29", 5 },
	{ "2026-11-23", "1969-12-31", 5 },
	{ "2026-11-23", "2026-1-23", 5 },
	{ "agent sitevault 0.1.0", "agent sitevault\t0.1.0", 6 },
	{ "agent sitevault 0.1.0", "agent ", 6 },
	{ "signer EFCDAB8967452301", "signer efcdab8967452301", 7 },
	{ "signer EFCDAB8967452301", "signer EFCDAB896745230", 7 },
	{ "signer EFCDAB8967452301", "signer EFCDAB89674523010", 7 },
	{ "recipient age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q",
	  "recipient AGE1S5S0QZVFXZN4GAYT0HWTG0HHTGXM7WSDYCUP4A8T5J5CA25MFE4QT4HS7Q", 8 },
	{ "ca25mfe4qt4hs7q\n", "ca25mfe4qt4hs7p\n", 8 },	/* checksum */
	{ "recipient age1m60dkltm0hqmf56mv8pweep4xulcxs7gtduxwnddl3lpgmug9d8s0dmj33",
	  "recipient age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q", 9 },
	{ "recipient age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q\n"
	  "recipient age1m60dkltm0hqmf56mv8pweep4xulcxs7gtduxwnddl3lpgmug9d8s0dmj33\n",
	  "", 8 },
	{ "compression zstd:3", "compression zstd:03", 10 },
	{ "compression zstd:3", "compression zstd:23", 10 },
	{ "compression zstd:3", "compression gzip:0", 10 },
	{ "compression zstd:3", "compression xz:3", 10 },
	{ "compression zstd:3", "compression zstd", 10 },
	{ "compression zstd:3", "compression ZSTD:3", 10 },
	{ "description before", "description \tbefore", 11 },
	{ "description before", "description\tbefore", 11 },
	{ "\xe2\x80\x94", "\xe2\x80", 11 },		/* truncated UTF-8 */
	{ "\xe2\x80\x94", "\xc0\xaf", 11 },		/* overlong */
	{ "\xe2\x80\x94", "\xc2\x85", 11 },		/* C1 control NEL */
	{ "\xe2\x80\x94", "\xed\xa0\x80", 11 },		/* surrogate */
	{ "\xe2\x80\x94", "\x7f", 11 },			/* DEL */
	{ "\xe2\x80\x94", "\xf4\x90\x80\x80", 11 },	/* above U+10FFFF */
	{ "description before the upgrade to 3.1 \xe2\x80\x94 tested\n", "", 11 },
	{ "files 42", "files 042", 12 },
	{ "files 42", "files 4 2", 12 },
	{ "files 42\nbytes 1234567", "bytes 1234567\nfiles 42", 12 },
	{ "bytes 1234567", "bytes -1", 13 },
	{ "archive-bytes", "archive_bytes", 14 },
	{ "previous a5b0fb1b", "previous A5B0FB1B", 15 },
	{ "previous a5b0fb1b9c77ab58699314ba1aca7cbdbb1c9657c7a22282e2ea728149b1dde5",
	  "previous None", 15 },
	{ "b1dde5\n", "b1dde\n", 15 },
	{ "part 000000", "part 0", 16 },
	{ "part 000000", "part 000001", 16 },
	{ "part 000000 16777216", "part 000000 016777216", 16 },
	{ "part 000000 16777216", "part 000000  16777216", 16 },
	{ "part 000000 16777216 4c2f", "part 000000 16777216 4C2F", 16 },
	{ "part 000001", "part 000002", 17 },
	{ "part 000001 421", "part 000001 0", 17 },
	{ "c87d\nend", "c87d \nend", 17 },
	{ "part 000000 16777216 4c2f8737a26014cf620c9595597c1c25687d29957510e2419d2f15009363c06d\n"
	  "part 000001 421 a9881fe7de31e405b0115e0c60418fd3179011795bfba04a53c1749cc444c87d\n",
	  "", 16 },
	{ "end\n", "end", 18 },
	{ "end\n", "end \n", 18 },
	{ "end\n", "extra x\nend\n", 18 },
	{ "end\n", "end\n\n", 19 },
	{ "end\n", "end\nend\n", 19 },
	{ "end\n", "", 18 },
};

static void
test_malformed(void **state)
{
	struct manifest *m;
	char *text, want[64];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		text = unit_replace(vec, malformed[i].from, malformed[i].to);
		unit_capture();
		m = manifest_parse("manifest", text, strlen(text));
		if (m != NULL)
			fail_msg("case %zu (%s -> %s): accepted", i, malformed[i].from,
			    malformed[i].to);
		snprintf(want, sizeof(want), "manifest: line %u:", malformed[i].line);
		if (strstr(unit_log(), want) == NULL)
			fail_msg("case %zu: \"%s\" does not name line %u", i,
			    unit_log(), malformed[i].line);
		assert_int_equal(log_class(), EX_DATAERR);
		free(text);
	}
	/* A NUL byte, which string replacement cannot show. */
	text = malloc(veclen);
	memcpy(text, vec, veclen);
	text[strstr(vec, "sitevault 0.1.0") - vec + 9] = '\0';
	unit_capture();
	assert_null(manifest_parse("manifest", text, veclen));
	unit_failed(EX_DATAERR, "manifest: line 6:");
	free(text);
	/* Truncated anywhere. */
	for (i = 0; i < veclen; i++) {
		unit_capture();
		assert_null(manifest_parse("manifest", vec, i));
		assert_int_equal(log_class(), EX_DATAERR);
	}
}

static void
test_valid_edges(void **state)
{
	static const char *const ok[][2] = {
		{ "2026-11-23T17:00:00Z", "2024-02-29T23:59:59Z" },
		{ "2026-11-23T17:00:00Z", "1970-01-01T00:00:00Z" },
		{ "2026-11-23T17:00:00Z", "9999-12-31T23:59:59Z" },
		{ "description before the upgrade to 3.1 \xe2\x80\x94 tested",
		  "description " },
		{ "description before", "description  before\\x" },
		{ "compression zstd:3", "compression none" },
		{ "compression zstd:3", "compression gzip:9" },
		{ "compression zstd:3", "compression zstd:22" },
		{ "previous a5b0fb1b9c77ab58699314ba1aca7cbdbb1c9657c7a22282e2ea7"
		  "28149b1dde5", "previous none" },
		{ "files 42", "files 0" },
		{ "id 7\n", "id 18446744073709551615\n" },
	};
	struct manifest *m;
	char *text, *again;
	size_t i, len;

	(void)state;
	for (i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		text = unit_replace(vec, ok[i][0], ok[i][1]);
		assert_non_null(text);
		if ((m = manifest_parse("manifest", text, strlen(text))) == NULL)
			fail_msg("case %zu: refused", i);
		again = manifest_format(m, &len);
		assert_non_null(again);
		assert_string_equal(again, text);
		free(again);
		manifest_free(m);
		free(text);
	}
}

static void
test_format_refuses(void **state)
{
	struct manifest *m;
	char *save, *text;
	size_t len, n;

	(void)state;
	m = manifest_parse("manifest", vec, veclen);
	assert_non_null(m);
	save = m->description;
	m->description = (char *)(uintptr_t)"two\nlines";
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "description");
	assert_false(manifest_description_ok("a\tb"));
	assert_true(manifest_description_ok("caf\xc3\xa9"));
	m->description = save;
	save = m->site;
	m->site = (char *)(uintptr_t)"a/b";
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "site");
	m->site = save;
	n = m->nrecipients;
	m->nrecipients = 0;
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "recipient");
	m->nrecipients = n;
	m->parts[1].size = 0;
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "part");
	m->parts[1].size = 421;
	m->time = -1;
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "time");
	m->time = 1795453200;
	/* manifest_sign signs only the canonical text, by the named signer. */
	text = NULL;
	m->id = 8;
	unit_capture();
	assert_int_equal(manifest_sign(&vsec, m, vec, veclen, &text, &len), -1);
	m->id = 7;
	m->keyid[0] ^= 1;
	unit_capture();
	assert_int_equal(manifest_sign(&vsec, m, vec, veclen, &text, &len), -1);
	manifest_free(m);
}

static void
test_verify_negatives(void **state)
{
	struct minisign_sec other;
	struct minisign_pub opub, both[2];
	char *sig, *text, *bad;
	size_t siglen;

	(void)state;
	sig = fmtvec_get("manifest.sig", &siglen);
	assert_int_equal(minisign_generate(&other), 0);
	minisign_sec_public(&other, &opub);

	/* A flipped manifest byte. */
	text = unit_replace(vec, "files 42", "files 43");
	unit_capture();
	assert_null(manifest_verify(&vpub, 1, "Data_7/manifest", text,
	    strlen(text), sig, siglen));
	unit_failed(EX_DATAERR, "Data_7/manifest.sig: signature by key "
	    "EFCDAB8967452301 does not verify");
	free(text);

	/* Signed by a key that is not pinned. */
	unit_capture();
	assert_null(manifest_verify(&opub, 1, "m", vec, veclen, sig, siglen));
	unit_failed(EX_DATAERR, "not a trusted key");

	/* A modified trusted comment. */
	bad = unit_replace(sig, "id=7", "id=8");
	unit_capture();
	assert_null(manifest_verify(&vpub, 1, "m", vec, veclen, bad,
	    strlen(bad)));
	unit_failed(EX_DATAERR, "trusted comment signature");
	free(bad);
	/* A genuine signature whose trusted comment names another backup. */
	assert_int_equal(minisign_sign(&vsec, vec, veclen, "x", "sitevault "
	    "site=branch-01 category=Configuration id=8 time=2026-11-23T17:00:00Z",
	    &bad, &siglen), 0);
	unit_capture();
	assert_null(manifest_verify(&vpub, 1, "m", vec, veclen, bad, siglen));
	unit_failed(EX_DATAERR, "does not match the manifest");
	free(bad);
	/* A trusted key signing a manifest that names another signer. */
	assert_int_equal(minisign_sign(&other, vec, veclen, "x", "sitevault "
	    "site=branch-01 category=Configuration id=7 time=2026-11-23T17:00:00Z",
	    &bad, &siglen), 0);
	both[0] = vpub;
	both[1] = opub;
	unit_capture();
	assert_null(manifest_verify(both, 2, "m", vec, veclen, bad, siglen));
	unit_failed(EX_DATAERR, "not by the signer the manifest names");
	free(bad);
	/* A genuine signature over a non-canonical text. */
	text = unit_replace(vec, "id 7\n", "id 07\n");
	assert_int_equal(minisign_sign(&vsec, text, strlen(text), "x",
	    "sitevault site=branch-01 category=Configuration id=7 "
	    "time=2026-11-23T17:00:00Z", &bad, &siglen), 0);
	unit_capture();
	assert_null(manifest_verify(&vpub, 1, "m", text, strlen(text), bad,
	    siglen));
	unit_failed(EX_DATAERR, "m: line 4:");
	free(bad);
	free(text);
	/* Truncated signature file. */
	unit_capture();
	siglen = strlen(sig);
	assert_null(manifest_verify(&vpub, 1, "m", vec, veclen, sig,
	    siglen - 1));
	unit_failed(EX_DATAERR, "truncated");
	free(sig);
}

#define VEC_RECIPIENTS \
	"recipient age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q\n" \
	"recipient age1m60dkltm0hqmf56mv8pweep4xulcxs7gtduxwnddl3lpgmug9d8s0dmj33\n"

/* At most MANIFEST_RECIPIENTS_MAX recipients, in the parser and formatter. */
static void
test_recipient_limit(void **state)
{
	struct manifest *m;
	char *text, *big, r[AGE_RECIPIENT_STRMAX], line[160];
	uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN];
	size_t i, cap = veclen + 80 * (MANIFEST_RECIPIENTS_MAX + 1), len;
	size_t cut = 0;

	(void)state;
	big = calloc(1, cap);
	for (i = 0; i < MANIFEST_RECIPIENTS_MAX + 1; i++) {
		assert_int_equal(age_keygen(sk), 0);
		assert_int_equal(age_public(sk, pk), 0);
		assert_int_equal(age_recipient_encode(pk, r, sizeof(r)), 0);
		snprintf(line, sizeof(line), "recipient %s\n", r);
		cut = strlen(big);
		memcpy(big + strlen(big), line, strlen(line) + 1);
	}
	text = unit_replace(vec, VEC_RECIPIENTS, big);
	unit_capture();
	assert_null(manifest_parse("manifest", text, strlen(text)));
	unit_failed(EX_DATAERR, "manifest: line 264: more than 256 recipients");
	free(text);
	/* 256 are fine. */
	big[cut] = '\0';
	text = unit_replace(vec, VEC_RECIPIENTS, big);
	m = manifest_parse("manifest", text, strlen(text));
	assert_non_null(m);
	assert_int_equal(m->nrecipients, MANIFEST_RECIPIENTS_MAX);
	free(m->recipients[--m->nrecipients]);
	m->recipients[m->nrecipients++] = strdup(m->recipients[0]);
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "duplicate");
	manifest_free(m);
	free(text);
	free(big);
}

/*
 * A manifest up to MANIFEST_MAX bytes formats as it parses: the formatter's
 * buffer growth must not stop at half the limit (a Data backup of many
 * parts would fail after its upload).
 */
static void
test_format_size_limit(void **state)
{
	struct manifest *m, *m2;
	struct manifest_part *parts;
	char *text;
	size_t len, i, n;

	(void)state;
	m = manifest_parse("manifest", vec, veclen);
	assert_non_null(m);
	/* About 85 bytes a part line: 10000 parts are 850 KB < 1 MiB. */
	n = 10000;
	assert_non_null(parts = calloc(n, sizeof(*parts)));
	for (i = 0; i < n; i++) {
		parts[i].size = 16777216;
		memset(parts[i].sha256, (int)(i & 0xff), 32);
	}
	free(m->parts);
	m->parts = parts;
	m->nparts = n;
	unit_capture();
	text = manifest_format(m, &len);
	if (text == NULL)
		fail_msg("format refused %zu parts: %s", n, unit_log());
	assert_true(len > MANIFEST_MAX / 2 && len <= MANIFEST_MAX);
	assert_non_null(m2 = manifest_parse("manifest", text, len));
	assert_int_equal(m2->nparts, n);
	manifest_free(m2);
	free(text);
	/* Past the limit it is refused, as the parser would refuse it. */
	n = 13000;
	assert_non_null(parts = realloc(m->parts, n * sizeof(*parts)));
	for (i = m->nparts; i < n; i++) {
		parts[i].size = 16777216;
		memset(parts[i].sha256, 1, 32);
	}
	m->parts = parts;
	m->nparts = n;
	unit_capture();
	assert_null(manifest_format(m, &len));
	unit_failed(EX_DATAERR, "larger than");
	manifest_free(m);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector_parse),
		cmocka_unit_test(test_vector_sign),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_valid_edges),
		cmocka_unit_test(test_format_refuses),
		cmocka_unit_test(test_verify_negatives),
		cmocka_unit_test(test_recipient_limit),
		cmocka_unit_test(test_format_size_limit),
	};

	log_init("test_manifest", 0, 0);
	return (cmocka_run_group_tests(tests, setup, teardown));
}
