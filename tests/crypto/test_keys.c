/* Tests of common/crypto/keys.c: key files, permissions, no overwrite. */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>
#include <cmocka.h>

#include "../lib/fmtvec.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "../lib/scratch.h"
#include "../lib/unit.h"

static char *dir;
static struct keys vkey;		/* the vector key of docs/FORMAT.md */

static const char *
path(const char *name)
{
	static char buf[2][512];
	static int i;

	i = !i;
	snprintf(buf[i], sizeof(buf[i]), "%s/%s", dir, name);
	return (buf[i]);
}

static void
writefile(const char *name, const char *text, size_t len, mode_t mode)
{
	int fd;

	unlink(path(name));
	fd = open(path(name), O_WRONLY | O_CREAT | O_EXCL, mode);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, len), (ssize_t)len);
	assert_int_equal(fchmod(fd, mode), 0);
	close(fd);
}

static char *
readfile(const char *name, size_t *len)
{
	static char buf[8192];
	ssize_t n;
	int fd;

	fd = open(path(name), O_RDONLY);
	assert_true(fd >= 0);
	n = read(fd, buf, sizeof(buf) - 1);
	assert_true(n >= 0);
	close(fd);
	buf[n] = '\0';
	if (len != NULL)
		*len = (size_t)n;
	return (buf);
}

/* Remove every file of the scratch directory. */
static int
clean(void **state)
{

	(void)state;
	return (scratch_clear(dir));
}

static int
nfiles(void)
{
	struct dirent *de;
	DIR *d;
	int n = 0;

	assert_non_null(d = opendir(dir));
	while ((de = readdir(d)) != NULL)
		n += de->d_name[0] != '.';
	closedir(d);
	return (n);
}

static int
setup(void **state)
{

	(void)state;
	dir = scratch_new("keys");
	fmtvec_hex("age-secret", vkey.age_sk, AGE_KEY_LEN);
	fmtvec_hex("signing-seed", vkey.sign.seed, MINISIGN_SEED_LEN);
	fmtvec_hex("keyid", vkey.sign.keyid, MINISIGN_KEYID_LEN);
	if (age_public(vkey.age_sk, vkey.age_pk) ||
	    minisign_sec_derive(&vkey.sign))
		return (-1);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	return (scratch_end(&dir));
}

/* The "# created:" line is the only one that depends on the time. */
static char *
drop_created(const char *s)
{
	const char *p = strstr(s, "# created: ");
	const char *e = p != NULL ? strchr(p, '\n') : NULL;
	char *out;

	assert_non_null(e);
	out = malloc(strlen(s) + 1);
	memcpy(out, s, (size_t)(p - s));
	memcpy(out + (p - s), e + 1, strlen(e + 1) + 1);
	return (out);
}

static void
test_vector(void **state)
{
	struct keys *k;
	struct keys_pub pub;
	struct stat st;
	char *want, *a, *b;

	(void)state;
	/* keys_write writes the files of docs/FORMAT.md. */
	assert_int_equal(keys_write(&vkey, path("site.key")), 0);
	assert_int_equal(nfiles(), 2);
	want = fmtvec_get("site.key.pub", NULL);
	assert_string_equal(readfile("site.key.pub", NULL), want);
	free(want);
	want = fmtvec_get("site.key", NULL);
	a = drop_created(want);
	b = drop_created(readfile("site.key", NULL));
	assert_string_equal(a, b);
	free(a);
	free(b);
	assert_int_equal(lstat(path("site.key"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0600);

	/* And reads them back, or the document's own text. */
	assert_non_null(k = keys_load(path("site.key")));
	assert_memory_equal(k, &vkey, sizeof(vkey));
	keys_free(k);
	writefile("doc.key", want, strlen(want), 0600);
	assert_non_null(k = keys_load(path("doc.key")));
	assert_memory_equal(k, &vkey, sizeof(vkey));
	keys_free(k);
	free(want);
	assert_int_equal(keys_pub_load(path("site.key.pub"), &pub), 0);
	assert_memory_equal(pub.age_pk, vkey.age_pk, AGE_KEY_LEN);
	assert_memory_equal(pub.sign.pk, vkey.sign.pk, MINISIGN_PK_LEN);
	assert_memory_equal(pub.sign.keyid, vkey.sign.keyid, MINISIGN_KEYID_LEN);
	clean(state);
}

static void
test_generate(void **state)
{
	struct keys *k, *l;
	struct keys_pub p1, p2;
	uint8_t (*sks)[AGE_KEY_LEN] = NULL;
	size_t nsk = 0;

	(void)state;
	assert_non_null(k = keys_generate());
	assert_int_equal(keys_write(k, path("k")), 0);
	assert_non_null(l = keys_load(path("k")));
	assert_memory_equal(k, l, sizeof(*k));
	keys_public(k, &p1);
	assert_int_equal(keys_pub_load(path("k.pub"), &p2), 0);
	assert_memory_equal(&p1, &p2, sizeof(p1));
	/* The key file is an age identity file too. */
	assert_int_equal(keys_identity_file_load(path("k"), &sks, &nsk), 0);
	assert_int_equal(nsk, 1);
	assert_memory_equal(sks[0], k->age_sk, AGE_KEY_LEN);
	free(sks);
	keys_free(l);
	keys_free(k);
	keys_free(NULL);
	clean(state);
}

static void
test_no_overwrite(void **state)
{
	char *before;

	(void)state;
	/* An existing key file stays as it was. */
	writefile("k", "precious\n", 9, 0600);
	unit_capture();
	assert_int_equal(keys_write(&vkey, path("k")), -1);
	unit_failed(EX_CANTCREAT, "already exists");
	assert_string_equal(readfile("k", NULL), "precious\n");
	assert_int_equal(nfiles(), 1);
	clean(state);
	/* An existing FILE.pub: nothing is created. */
	writefile("k.pub", "precious\n", 9, 0644);
	unit_capture();
	assert_int_equal(keys_write(&vkey, path("k")), -1);
	unit_failed(EX_CANTCREAT, "k.pub: already exists");
	assert_int_equal(nfiles(), 1);
	clean(state);
	/* A symlink, even dangling, is not followed. */
	assert_int_equal(symlink("/nonexistent/target", path("k")), 0);
	unit_capture();
	assert_int_equal(keys_write(&vkey, path("k")), -1);
	unit_failed(EX_CANTCREAT, "already exists");
	assert_int_equal(nfiles(), 1);
	clean(state);
	/* A missing directory: nothing left anywhere. */
	unit_capture();
	assert_int_equal(keys_write(&vkey, path("nodir/k")), -1);
	assert_int_equal(log_class(), EX_CANTCREAT);
	assert_int_equal(nfiles(), 0);
	/* A second keygen on the same name. */
	assert_int_equal(keys_write(&vkey, path("k")), 0);
	before = strdup(readfile("k", NULL));
	unit_capture();
	assert_int_equal(keys_write(&vkey, path("k")), -1);
	unit_failed(EX_CANTCREAT, "already exists");
	assert_string_equal(readfile("k", NULL), before);
	assert_int_equal(nfiles(), 2);
	free(before);
	clean(state);
}

static void
test_permissions(void **state)
{
	static const mode_t bad[] = { 0644, 0640, 0604, 0620, 0602, 0660 };
	struct keys *k;
	size_t i;

	(void)state;
	assert_int_equal(keys_write(&vkey, path("k")), 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(chmod(path("k"), bad[i]), 0);
		unit_capture();
		assert_null(keys_load(path("k")));
		unit_failed(EX_NOPERM, "unsafe key file");
	}
	assert_int_equal(chmod(path("k"), 0400), 0);
	assert_non_null(k = keys_load(path("k")));
	keys_free(k);
	assert_int_equal(chmod(path("k"), 0600), 0);
	if (geteuid() == 0) {
		/* Owned by another user: refused even if root can read it. */
		assert_int_equal(chown(path("k"), 65534, 65534), 0);
		unit_capture();
		assert_null(keys_load(path("k")));
		unit_failed(EX_NOPERM, "owned by uid 65534");
	} else {
		fprintf(stderr, "(not root: skipping the other-owner case)\n");
	}
	unit_capture();
	assert_null(keys_load(path("missing")));
	assert_int_equal(log_class(), EX_NOINPUT);
	unit_capture();
	assert_null(keys_load(dir));
	assert_int_equal(log_class(), EX_DATAERR);
	/* A FIFO in place of the key is refused at once, not waited on
	 * (the nightly job would hang); the alarm fails a hang. */
	assert_int_equal(mkfifo(path("fifo"), 0600), 0);
	unit_capture();
	alarm(10);
	assert_null(keys_load(path("fifo")));
	alarm(0);
	unit_failed(EX_DATAERR, "not a regular file");
	unlink(path("fifo"));
	clean(state);
}

#define SIGNLINE "# sitevault-signing-key: RWQBI0VniavN751hsZ3v/VpguoRK9JLsLMREScVpezJpGXA7rAMcrn9g11qYAYKxCrfVS/7TyWQHOg7hcvPapiMlrwIaaPcHURo=\n"
#define IDLINE "AGE-SECRET-KEY-1WURK6ZNNRZJH60QKC9E9RVNXGH05CTU8A0QFJ243WLA628DE9S4QRFH26J\n"

/* Variants of the vector key file, and what the error must say. */
static const struct {
	const char *from, *to, *msg;
} malformed[] = {
	{ SIGNLINE, "", "no signing key" },
	{ IDLINE, "", "no age identity" },
	{ IDLINE, IDLINE SIGNLINE, "line 8: a second signing key" },
	{ IDLINE, IDLINE IDLINE, "line 8: a second age identity" },
	{ "ScVpez", "ScVpeZ", "line 6: invalid or corrupt signing key" },
	{ "RWQBI0Vn", "RWUBI0Vn", "line 6: invalid or corrupt signing key" },
	{ "Ro=\n", "Ro\n", "line 6: invalid or corrupt signing key" },
	{ "FH26J\n", "FH26K\n", "line 7: invalid age identity" },
	{ IDLINE, " " IDLINE, "line 7: neither a comment nor" },
	{ IDLINE, IDLINE "hello\n", "line 8: neither a comment nor" },
	{ "AGE-SECRET-KEY-1", "AGE-PLUGIN-FOO-1", "line 7: neither" },
};

static void
test_malformed(void **state)
{
	struct keys *k;
	char *vec, *text, *big;
	size_t i;

	(void)state;
	vec = fmtvec_get("site.key", NULL);
	for (i = 0; i < sizeof(malformed) / sizeof(malformed[0]); i++) {
		text = unit_replace(vec, malformed[i].from, malformed[i].to);
		writefile("k", text, strlen(text), 0600);
		unit_capture();
		if ((k = keys_load(path("k"))) != NULL)
			fail_msg("case %zu: accepted", i);
		unit_failed(EX_DATAERR, malformed[i].msg);
		free(text);
	}
	/* CR LF line ends and missing final LF are read as age reads them. */
	text = unit_replace(vec, "\n" IDLINE, "\r\n" IDLINE);
	text[strlen(text) - 1] = '\0';
	writefile("k", text, strlen(text), 0600);
	assert_non_null(k = keys_load(path("k")));
	assert_memory_equal(k, &vkey, sizeof(vkey));
	keys_free(k);
	free(text);
	/* Too large to be a key file. */
	big = malloc(6000);
	memset(big, '#', 6000);
	big[5999] = '\n';
	writefile("k", big, 6000, 0600);
	unit_capture();
	assert_null(keys_load(path("k")));
	unit_failed(EX_DATAERR, "larger than");
	free(big);
	free(vec);
	clean(state);
}

static void
test_identity_file(void **state)
{
	/* As age-keygen writes them (the second key is from age-keygen). */
	static const char two[] = "# created: 2026-01-01T00:00:00Z\n"
	    "# public key: age1...\n" IDLINE "\n"
	    "# public key: age1k2qzf93pn5krz3uf3kpghvazt09548zutn7v55du27emhtv79"
	    "y4quytamq\n"
	    "AGE-SECRET-KEY-1Q0S6FXZY90VNQXG9PTQYY57CFWAZ7SNKYD25LU96SK6JH9VHZXUS"
	    "ALXWMM\n";
	uint8_t (*sks)[AGE_KEY_LEN] = NULL, pk[AGE_KEY_LEN];
	size_t nsk = 0;
	char rcpt[AGE_RECIPIENT_STRMAX];

	(void)state;
	writefile("id", two, strlen(two), 0644);
	assert_int_equal(keys_identity_file_load(path("id"), &sks, &nsk), 0);
	assert_int_equal(nsk, 2);
	assert_int_equal(age_public(sks[1], pk), 0);
	assert_int_equal(age_recipient_encode(pk, rcpt, sizeof(rcpt)), 0);
	assert_string_equal(rcpt, "age1k2qzf93pn5krz3uf3kpghvazt09548zutn7v55du27"
	    "emhtv79y4quytamq");
	assert_memory_equal(sks[0], vkey.age_sk, AGE_KEY_LEN);
	/* Appends to what is there. */
	writefile("id", IDLINE, strlen(IDLINE), 0600);
	assert_int_equal(keys_identity_file_load(path("id"), &sks, &nsk), 0);
	assert_memory_equal(sks[nsk - 1], vkey.age_sk, AGE_KEY_LEN);
	free(sks);
	sks = NULL;
	nsk = 0;
	/* A plugin identity, a public key, an empty file. */
	writefile("id", "# x\nAGE-PLUGIN-YUBIKEY-1QQQ\n", 27, 0600);
	unit_capture();
	assert_int_equal(keys_identity_file_load(path("id"), &sks, &nsk), -1);
	unit_failed(EX_DATAERR, "line 2: not an age X25519 identity");
	writefile("id", "age1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt"
	    "4hs7q\n", 63, 0600);
	unit_capture();
	assert_int_equal(keys_identity_file_load(path("id"), &sks, &nsk), -1);
	unit_failed(EX_DATAERR, "line 1");
	writefile("id", "# nothing\n", 10, 0600);
	unit_capture();
	assert_int_equal(keys_identity_file_load(path("id"), &sks, &nsk), -1);
	unit_failed(EX_DATAERR, "no age identity");
	free(sks);
	clean(state);
}

static void
test_pub_malformed(void **state)
{
	static const struct {
		const char *from, *to, *msg;
	} cases[] = {
		{ "untrusted comment: ", "comment: ", "line 1" },
		{ "\nage1", "\n", "line 3: invalid age recipient" },
		{ "\nage1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25mfe4qt4hs7q\n",
		  "\n", "no age recipient" },
		{ "hs7q\n", "hs7q\nage1s5s0qzvfxzn4gayt0hwtg0hhtgxm7wsdycup4a8t5j5ca25"
		  "mfe4qt4hs7q\n", "line 4: unexpected line" },
		{ "RWQBI0Vn", "RUQBI0Vn", "line 2: not a minisign" },
	};
	struct keys_pub pub;
	char *vec, *text;
	size_t i;

	(void)state;
	vec = fmtvec_get("site.key.pub", NULL);
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		text = unit_replace(vec, cases[i].from, cases[i].to);
		writefile("k.pub", text, strlen(text), 0644);
		unit_capture();
		if (keys_pub_load(path("k.pub"), &pub) == 0)
			fail_msg("case %zu: accepted", i);
		unit_failed(EX_DATAERR, cases[i].msg);
		free(text);
	}
	/* Comment and empty lines after the key are fine. */
	text = unit_replace(vec, "\nage1", "\n\n# the age recipient:\nage1");
	writefile("k.pub", text, strlen(text), 0644);
	assert_int_equal(keys_pub_load(path("k.pub"), &pub), 0);
	assert_memory_equal(pub.age_pk, vkey.age_pk, AGE_KEY_LEN);
	free(text);
	free(vec);
	clean(state);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_generate),
		cmocka_unit_test(test_no_overwrite),
		cmocka_unit_test(test_permissions),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_identity_file),
		cmocka_unit_test(test_pub_malformed),
	};

	log_init("test_keys", 0, 0);
	return (cmocka_run_group_tests(tests, setup, teardown));
}
