/* Unit tests of the S3 XML readers, on documents radosgw and AWS send. */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "transport/s3xml.h"
#include "transport/transport.h"

#define NS "xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\""

static int
list(const char *xml, const char *prefix, struct transport_entry **e,
    size_t *n, int *trunc, char **token)
{
	size_t cap = 0;

	*e = NULL;
	*n = 0;
	return (s3xml_list(xml, strlen(xml), prefix, e, n, &cap, trunc, token));
}

/* A radosgw 16.2 page: files, directories, entities, the token. */
static void
test_list_page(void **state)
{
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<ListBucketResult " NS "><Name>b</Name><Prefix>p/s/</Prefix>"
	    "<MaxKeys>1000</MaxKeys><IsTruncated>true</IsTruncated>"
	    "<Contents><Key>p/s/SITE</Key><Size>42</Size></Contents>"
	    "<Contents><Key>p/s/a &amp; &lt;Key&gt;b</Key><Size>7</Size>"
	    "</Contents>"
	    "<Contents><Key>p/s/</Key><Size>0</Size></Contents>"
	    "<Contents><Key>elsewhere/x</Key><Size>1</Size></Contents>"
	    "<CommonPrefixes><Prefix>p/s/Data_1/</Prefix></CommonPrefixes>"
	    "<NextContinuationToken>tok/en=</NextContinuationToken>"
	    "<KeyCount>4</KeyCount></ListBucketResult>";
	struct transport_entry *e;
	char *token;
	size_t n;
	int trunc;

	(void)state;
	assert_int_equal(list(xml, "p/s/", &e, &n, &trunc, &token), 0);
	assert_int_equal(n, 3);
	assert_string_equal(e[0].name, "SITE");
	assert_int_equal(e[0].size, 42);
	assert_false(e[0].is_dir);
	assert_string_equal(e[1].name, "a & <Key>b");
	assert_string_equal(e[2].name, "Data_1");
	assert_true(e[2].is_dir);
	assert_true(trunc);
	assert_string_equal(token, "tok/en=");
	free(token);
	transport_entries_free(e, n);
}

/* The last page, and an empty listing. */
static void
test_list_last(void **state)
{
	static const char xml[] = "<ListBucketResult " NS "><IsTruncated>"
	    "false</IsTruncated><Contents><Key>x</Key><Size>bad</Size>"
	    "</Contents></ListBucketResult>";
	static const char empty[] = "<ListBucketResult><KeyCount>0</KeyCount>"
	    "</ListBucketResult>";
	struct transport_entry *e;
	char *token;
	size_t n;
	int trunc;

	(void)state;
	assert_int_equal(list(xml, "", &e, &n, &trunc, &token), 0);
	assert_int_equal(n, 1);
	assert_int_equal(e[0].size, 0);
	assert_false(trunc);
	assert_null(token);
	transport_entries_free(e, n);
	assert_int_equal(list(empty, "", &e, &n, &trunc, &token), 0);
	assert_int_equal(n, 0);
	transport_entries_free(e, n);
}

/* Not a listing, broken XML, a truncated page without its token. */
static void
test_list_refused(void **state)
{
	static const char *bad[] = {
		"",
		"<Error><Code>AccessDenied</Code></Error>",
		"<ListBucketResult><Contents><Key>x</Key>",
		"<ListBucketResult><IsTruncated>true</IsTruncated>"
		    "</ListBucketResult>",
		"not xml at all",
	};
	struct transport_entry *e;
	char *token;
	size_t n, i;
	int trunc;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(list(bad[i], "", &e, &n, &trunc, &token), -1);
		transport_entries_free(e, n);
		free(token);
	}
}

/*
 * A hostile gateway: entities are not expanded (no billion laughs), an
 * external entity is never read (no file disclosure).
 */
static void
test_list_hostile(void **state)
{
	static const char xxe[] = "<?xml version=\"1.0\"?>"
	    "<!DOCTYPE r [<!ENTITY x SYSTEM \"file:///etc/hostname\">]>"
	    "<ListBucketResult><Contents><Key>&x;</Key><Size>1</Size>"
	    "</Contents></ListBucketResult>";
	static const char lol[] = "<?xml version=\"1.0\"?><!DOCTYPE r ["
	    "<!ENTITY a \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\">"
	    "<!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\">"
	    "<!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\">"
	    "<!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\">"
	    "<!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\">"
	    "<!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\">"
	    "]><ListBucketResult><Contents><Key>&f;</Key></Contents>"
	    "</ListBucketResult>";
	struct transport_entry *e;
	char *token;
	size_t n, i;
	int trunc;

	(void)state;
	if (list(xxe, "", &e, &n, &trunc, &token) == 0) {
		for (i = 0; i < n; i++)
			assert_null(strchr(e[i].name, '\n'));
		transport_entries_free(e, n);
	}
	if (list(lol, "", &e, &n, &trunc, &token) == 0) {
		for (i = 0; i < n; i++)
			assert_true(strlen(e[i].name) < 100000);
		transport_entries_free(e, n);
	}
}

static void
test_error(void **state)
{
	static const char xml[] = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<Error><Code>SignatureDoesNotMatch</Code><Message>bad\nline"
	    "</Message><RequestId>tx0</RequestId></Error>";
	char code[64], msg[64];

	(void)state;
	s3xml_error(xml, strlen(xml), code, sizeof(code), msg, sizeof(msg));
	assert_string_equal(code, "SignatureDoesNotMatch");
	assert_string_equal(msg, "bad?line");
	s3xml_error("<x/>", 4, code, sizeof(code), msg, sizeof(msg));
	assert_string_equal(code, "");
	s3xml_error("", 0, code, 4, msg, 4);
	assert_string_equal(msg, "");
}

static void
test_lock(void **state)
{
	static const char on[] = "<ObjectLockConfiguration " NS ">"
	    "<ObjectLockEnabled>Enabled</ObjectLockEnabled>"
	    "</ObjectLockConfiguration>";
	static const char off[] = "<ObjectLockConfiguration>"
	    "</ObjectLockConfiguration>";

	(void)state;
	assert_int_equal(s3xml_lock_enabled(on, strlen(on)), 1);
	assert_int_equal(s3xml_lock_enabled(off, strlen(off)), 0);
	assert_int_equal(s3xml_lock_enabled("<Error/>", 8), -1);
}

/* GetObjectRetention: the date, or -1 for anything else or no room. */
static void
test_retention(void **state)
{
	const char *doc = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>"
	    "<Retention xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
	    "<Mode>COMPLIANCE</Mode>"
	    "<RetainUntilDate>2026-12-31T23:59:59.000Z</RetainUntilDate>"
	    "</Retention>";
	const char *nodate = "<Retention><Mode>COMPLIANCE</Mode></Retention>";
	char out[64], tiny[8];

	(void)state;
	assert_int_equal(s3xml_retain_until(doc, strlen(doc), out,
	    sizeof(out)), 0);
	assert_string_equal(out, "2026-12-31T23:59:59.000Z");
	assert_int_equal(s3xml_retain_until(doc, strlen(doc), tiny,
	    sizeof(tiny)), -1);
	assert_int_equal(s3xml_retain_until(nodate, strlen(nodate), out,
	    sizeof(out)), -1);
	assert_int_equal(s3xml_retain_until("<Error/>", 8, out,
	    sizeof(out)), -1);
	assert_int_equal(s3xml_retain_until("not xml", 7, out,
	    sizeof(out)), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_list_page),
		cmocka_unit_test(test_list_last),
		cmocka_unit_test(test_list_refused),
		cmocka_unit_test(test_list_hostile),
		cmocka_unit_test(test_error),
		cmocka_unit_test(test_lock),
		cmocka_unit_test(test_retention),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
