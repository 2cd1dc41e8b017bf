/* Unit tests of common/crypto/age.c and common/util/bech32.c: keys and Bech32. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "crypto/age.h"
#include "crypto/age_internal.h"
#include "util/bech32.h"

/* Pairs made by `age-keygen` and checked with `age-keygen -y` (age 1.1.1). */
static const struct {
	const char *identity;
	const char *recipient;
} keypairs[] = {
	{ "AGE-SECRET-KEY-1LXGVQ6LFYXEQU2QYF70FZ6FEGNFLADDFT6LWT0CMUG3KMSWA24RSPGSJST",
	  "age176qa5hd82zc6mlprx4kythv8mjx2eluzvmr48ujlgjg8uu75dsrssyjfpe" },
	{ "AGE-SECRET-KEY-1CLG5EKEX3MSMFQ4GEFFTXP0U8JMQ47M6FJP0UZA32D0S0RYJRX6QK5XLNM",
	  "age1r9gw0m4phawm4fuuskrwnu8hs4v43lpsm28cgsstvxal0pv6zp8qajrvy9" },
	{ "AGE-SECRET-KEY-1F7HCAG7842X0DG4QT7QXJQNXT0USMQ8SM04HKLZFK4EDQHRYUMASHN4JCZ",
	  "age1udyrqrm32gsae8xl300qltvqp0xjjhysdpl6yq3dvwk4ll86z5wqaz9zhq" },
	/* The identity of the C2SP CCTV age vectors. */
	{ "AGE-SECRET-KEY-1EGTZVFFV20835NWYV6270LXYVK2VKNX2MMDKWYKLMGR48UAWX40Q2P2LM0",
	  NULL },
};

static void
test_keypairs(void **state)
{
	uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN], pk2[AGE_KEY_LEN];
	char s[AGE_IDENTITY_STRMAX];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(keypairs) / sizeof(keypairs[0]); i++) {
		assert_int_equal(age_identity_decode(keypairs[i].identity, sk),
		    0);
		assert_int_equal(age_identity_encode(sk, s, sizeof(s)), 0);
		assert_string_equal(s, keypairs[i].identity);
		assert_int_equal(age_public(sk, pk), 0);
		assert_int_equal(age_recipient_encode(pk, s, sizeof(s)), 0);
		if (keypairs[i].recipient == NULL)
			continue;
		assert_string_equal(s, keypairs[i].recipient);
		assert_int_equal(age_recipient_decode(keypairs[i].recipient,
		    pk2), 0);
		assert_memory_equal(pk, pk2, AGE_KEY_LEN);
	}
}

static void
test_keygen(void **state)
{
	uint8_t sk[AGE_KEY_LEN], sk2[AGE_KEY_LEN], pk[AGE_KEY_LEN];
	char id[AGE_IDENTITY_STRMAX], rc[AGE_RECIPIENT_STRMAX];

	(void)state;
	assert_int_equal(age_keygen(sk), 0);
	assert_int_equal(age_keygen(sk2), 0);
	assert_memory_not_equal(sk, sk2, AGE_KEY_LEN);
	assert_int_equal(age_identity_encode(sk, id, sizeof(id)), 0);
	assert_int_equal(strncmp(id, "AGE-SECRET-KEY-1", 16), 0);
	assert_int_equal(strlen(id), 74);
	assert_int_equal(age_identity_decode(id, sk2), 0);
	assert_memory_equal(sk, sk2, AGE_KEY_LEN);
	assert_int_equal(age_public(sk, pk), 0);
	assert_int_equal(age_recipient_encode(pk, rc, sizeof(rc)), 0);
	assert_int_equal(strncmp(rc, "age1", 4), 0);
	assert_int_equal(strlen(rc), 62);
	/* Too small a buffer fails instead of truncating. */
	assert_int_equal(age_identity_encode(sk, id, 74), -1);
	assert_int_equal(age_recipient_encode(pk, rc, 62), -1);
	assert_int_equal(age_recipient_encode(pk, rc, 63), 0);
}

/* Strings that are not keys of the expected kind. */
static const struct {
	const char *s;
	int identity;		/* try as identity (1) or recipient (0) */
} badkeys[] = {
	/* lower-case identity: age takes only upper case */
	{ "age-secret-key-1lxgvq6lfyxequ2qyf70fz6fegnfladdft6lwt0cmug3kmswa24rspgsjst", 1 },
	/* mixed case */
	{ "AGE-SECRET-KEY-1LXGVQ6LFYXEQU2QYF70FZ6FEGNFLADDFT6LWT0CMUG3KMSWA24RSPGSJSt", 1 },
	/* checksum: last character changed */
	{ "AGE-SECRET-KEY-1LXGVQ6LFYXEQU2QYF70FZ6FEGNFLADDFT6LWT0CMUG3KMSWA24RSPGSJSA", 1 },
	/* a recipient is not an identity, and the reverse */
	{ "age176qa5hd82zc6mlprx4kythv8mjx2eluzvmr48ujlgjg8uu75dsrssyjfpe", 1 },
	{ "AGE-SECRET-KEY-1LXGVQ6LFYXEQU2QYF70FZ6FEGNFLADDFT6LWT0CMUG3KMSWA24RSPGSJST", 0 },
	/* upper-case recipient */
	{ "AGE176QA5HD82ZC6MLPRX4KYTHV8MJX2ELUZVMR48UJLGJG8UU75DSRSSYJFPE", 0 },
	/* checksum */
	{ "age176qa5hd82zc6mlprx4kythv8mjx2eluzvmr48ujlgjg8uu75dsrssyjfpq", 0 },
	/* a character outside the Bech32 set ('b') */
	{ "age1b6qa5hd82zc6mlprx4kythv8mjx2eluzvmr48ujlgjg8uu75dsrssyjfpe", 0 },
	{ "", 0 }, { "", 1 }, { "age1", 0 },
};

static void
test_badkeys(void **state)
{
	uint8_t k[AGE_KEY_LEN];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(badkeys) / sizeof(badkeys[0]); i++) {
		rc = badkeys[i].identity ? age_identity_decode(badkeys[i].s, k) :
		    age_recipient_decode(badkeys[i].s, k);
		if (rc != -1)
			fail_msg("accepted bad key #%zu: %s", i, badkeys[i].s);
	}
}

/* Valid Bech32 with the right prefix but not 32 bytes of key. */
static void
test_badkey_length(void **state)
{
	uint8_t data[AGE_KEY_LEN + 1] = { 0 }, k[AGE_KEY_LEN];
	char s[AGE_IDENTITY_STRMAX];

	(void)state;
	assert_int_equal(bech32_encode("age", data, 31, 0, s, sizeof(s)), 0);
	assert_int_equal(age_recipient_decode(s, k), -1);
	assert_int_equal(bech32_encode("age", data, 33, 0, s, sizeof(s)), 0);
	assert_int_equal(age_recipient_decode(s, k), -1);
	assert_int_equal(bech32_encode("age", data, 32, 0, s, sizeof(s)), 0);
	assert_int_equal(age_recipient_decode(s, k), 0);
	assert_int_equal(bech32_encode("AGE-SECRET-KEY-", data, 31, 1, s,
	    sizeof(s)), 0);
	assert_int_equal(age_identity_decode(s, k), -1);
}

/* BIP-173 test vectors; data as decoded bytes where it is whole bytes. */
static const struct {
	const char *s;
	int valid;
	const char *hrp;
	size_t len;		/* bytes of data */
} bip173[] = {
	{ "A12UEL5L", 1, "A", 0 },
	{ "a12uel5l", 1, "a", 0 },
	{ "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio1tt5tgs",
	  1, "an83characterlonghumanreadablepartthatcontainsthenumber1andtheexcludedcharactersbio", 0 },
	{ "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw", 1, "abcdef", 20 },
	{ "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w", 1,
	  "split", 30 },
	{ "?1ezyfcl", 1, "?", 0 },
	{ "\x20" "1nwldj5", 0, NULL, 0 },	/* hrp character out of range */
	{ "\x7f" "1axkwrx", 0, NULL, 0 },
	{ "pzry9x0s0muk", 0, NULL, 0 },		/* no separator */
	{ "1pzry9x0s0muk", 0, NULL, 0 },	/* empty hrp */
	{ "x1b4n0q5v", 0, NULL, 0 },		/* invalid data character */
	{ "li1dgmt3", 0, NULL, 0 },		/* checksum too short */
	{ "de1lg7wt\xff", 0, NULL, 0 },		/* invalid character */
	{ "A1G7SGD8", 0, NULL, 0 },		/* checksum of upper-case hrp */
	{ "10a06t8", 0, NULL, 0 },		/* empty hrp */
	{ "1qzzfhee", 0, NULL, 0 },		/* empty hrp */
};

static void
test_bip173(void **state)
{
	char hrp[100], enc[200];
	uint8_t data[64];
	size_t i, len;
	int rc;

	(void)state;
	for (i = 0; i < sizeof(bip173) / sizeof(bip173[0]); i++) {
		len = sizeof(data);
		rc = bech32_decode(bip173[i].s, hrp, sizeof(hrp), data, &len);
		if (!bip173[i].valid) {
			if (rc != -1)
				fail_msg("accepted #%zu", i);
			continue;
		}
		if (rc != 0)
			fail_msg("rejected #%zu: %s", i, bip173[i].s);
		assert_string_equal(hrp, bip173[i].hrp);
		assert_int_equal(len, bip173[i].len);
		/* Encoding gives the string back, in its case. */
		assert_int_equal(bech32_encode(hrp, data, len,
		    bip173[i].s[0] >= 'A' && bip173[i].s[0] <= 'Z', enc,
		    sizeof(enc)), 0);
		assert_string_equal(enc, bip173[i].s);
	}
	/* The data must fit the caller's buffer. */
	len = 19;
	assert_int_equal(bech32_decode(bip173[3].s, hrp, sizeof(hrp), data,
	    &len), -1);
	/* So must the hrp. */
	len = sizeof(data);
	assert_int_equal(bech32_decode(bip173[3].s, hrp, 6, data, &len), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_keypairs),
		cmocka_unit_test(test_keygen),
		cmocka_unit_test(test_badkeys),
		cmocka_unit_test(test_badkey_length),
		cmocka_unit_test(test_bip173),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
