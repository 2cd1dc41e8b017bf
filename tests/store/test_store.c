/*
 * Unit tests: the server layout (common/store/store.c, store_ops.c) on the local
 * directory store: the SITE marker, scanning and statuses, ids, the
 * retention plan, deletion and the history log.
 */
#include <sys/stat.h>

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <cmocka.h>

#include "conf/conf.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "format/manifest.h"
#include "store/store.h"
#include "transport/transport.h"

#include "../lib/scratch.h"

static char *dir;
static struct conf *conf;
static struct transport *tr;
static struct keys *key;
static struct minisign_pub pub;
static struct store *st;

static void
put(const char *rel, const char *text, size_t len)
{
	char path[512], cmd[600];
	FILE *f;

	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s/%s')\"", dir, rel);
	assert_int_equal(system(cmd), 0);
	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	assert_non_null(f = fopen(path, "w"));
	assert_int_equal(fwrite(text, 1, len, f), len);
	fclose(f);
}

static char *
get(const char *rel)
{
	static char buf[4096];
	char path[512];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	if ((f = fopen(path, "r")) == NULL)
		return (NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (buf);
}

static int
exists(const char *rel)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, rel);
	return (access(path, F_OK) == 0);
}

/* A signed backup <site>/<cat>_<id> with one part; ${tamper}: break it. */
static void
make_backup(const char *site, const char *cat, uint64_t id, int tamper)
{
	static char r0[] =
	    "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";
	static char *recips[] = { r0 };
	static char agent[] = "sitevault test", comp[] = "zstd:3",
	    desc[] = "unit";
	struct manifest_part part = { 5, { 0 } };
	struct manifest m;
	char rel[256], *text, *sig;
	size_t len, siglen;

	memset(&m, 0, sizeof(m));
	m.site = (char *)(uintptr_t)site;
	m.category = (char *)(uintptr_t)cat;
	m.id = id;
	m.time = 1700000000;
	m.agent = agent;
	memcpy(m.keyid, key->sign.keyid, sizeof(m.keyid));
	m.recipients = recips;
	m.nrecipients = 1;
	m.compression = comp;
	m.description = desc;
	m.parts = &part;
	m.nparts = 1;
	assert_non_null(text = manifest_format(&m, &len));
	assert_int_equal(manifest_sign(&key->sign, &m, text, len, &sig,
	    &siglen), 0);
	if (tamper)
		text[len - 5] ^= 1;
	snprintf(rel, sizeof(rel), "%s/%s_%ju/manifest", site, cat,
	    (uintmax_t)id);
	put(rel, text, len);
	snprintf(rel, sizeof(rel), "%s/%s_%ju/manifest.sig", site, cat,
	    (uintmax_t)id);
	put(rel, sig, siglen);
	snprintf(rel, sizeof(rel), "%s/%s_%ju/part.000000", site, cat,
	    (uintmax_t)id);
	put(rel, "hello", 5);
	free(sig);
	free(text);
}

static int
setup(void **state)
{
	char text[512];

	(void)state;
	log_init("test", 1, 0);
	dir = scratch_new("store");
	snprintf(text, sizeof(text), "[site]\nname = s1\n[server]\nurl = %s\n",
	    dir);
	if ((conf = conf_parse("test.conf", text, strlen(text))) == NULL ||
	    (tr = transport_open(conf, NULL)) == NULL ||
	    (key = keys_generate()) == NULL)
		return (-1);
	minisign_sec_public(&key->sign, &pub);
	if ((st = store_new(tr, "s1", &pub, 1, 1)) == NULL)
		return (-1);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	store_free(st);
	transport_close(tr);
	keys_free(key);
	conf_free(conf);
	return (scratch_end(&dir));
}

static void
test_claim(void **state)
{
	char want[128], hex[17], *have;

	(void)state;
	/* Checking only: nothing is created. */
	assert_int_equal(store_claim(st, key->sign.keyid, 0), 0);
	assert_false(exists("s1"));
	assert_int_equal(store_claim(st, key->sign.keyid, 1), 0);
	minisign_keyid_hex(key->sign.keyid, hex);
	snprintf(want, sizeof(want), "site s1\nkeyid %s\n", hex);
	assert_non_null(have = get("s1/SITE"));
	assert_string_equal(have, want);
	assert_int_equal(store_claim(st, key->sign.keyid, 1), 0);
	/* Another site's marker, or another key: refused, unchanged. */
	snprintf(want, sizeof(want), "site s2\nkeyid 0011223344556677\n");
	put("s1/SITE", want, strlen(want));
	log_reset();
	assert_int_equal(store_claim(st, key->sign.keyid, 1), -1);
	assert_int_equal(log_class(), EX_CONFIG);
	assert_string_equal(get("s1/SITE"), want);
	snprintf(want, sizeof(want), "site s1\nkeyid 0011223344556677\n");
	put("s1/SITE", want, strlen(want));
	log_reset();
	assert_int_equal(store_claim(st, key->sign.keyid, 0), -1);
	assert_int_equal(log_class(), EX_CONFIG);
}

static void
test_scan(void **state)
{
	struct store_backup *b;
	char from[512], to[512];
	size_t n;

	(void)state;
	make_backup("s1", "Data", 1, 0);
	make_backup("s1", "Data", 10, 0);
	make_backup("s1", "Configuration", 3, 1);	/* tampered */
	make_backup("s1", "Data", 4, 0);
	/* Signed for another place: spliced in. */
	make_backup("s1", "Data", 5, 0);
	snprintf(from, sizeof(from), "%s/s1/Data_5", dir);
	snprintf(to, sizeof(to), "%s/s1/Data_6", dir);
	assert_int_equal(rename(from, to), 0);
	put("s1/Data_2/part.000000", "x", 1);		/* unfinished */
	put("s1/Data_02/part.000000", "x", 1);		/* not ours */
	put("s1/Data_x/part.000000", "x", 1);
	put("s1/Config_7/part.000000", "x", 1);
	put("s1/Data_3", "a file, not a backup", 20);
	put("s1/Data_7/manifest", "x", 1);		/* garbage signature */
	put("s1/Data_7/manifest.sig", "junk\nmore junk\n", 15);
	put("s1/Data_8/manifest", "x", 1);		/* no signature */
	log_reset();
	assert_int_equal(store_scan(st, NULL, &b, &n), 0);
	/* Findings about single backups are not failures of the run. */
	assert_int_equal(log_class(), 0);
	assert_int_equal(n, 8);
	assert_string_equal(b[0].category, "Configuration");
	assert_true(b[0].id == 3 && b[0].status == STORE_BADSIG);
	assert_true(b[1].id == 1 && b[1].status == STORE_COMPLETE);
	assert_non_null(b[1].m);
	assert_true(b[1].size == 5);
	assert_true(b[2].id == 2 && b[2].status == STORE_UNFINISHED);
	assert_true(b[3].id == 4 && b[3].status == STORE_COMPLETE);
	assert_true(b[4].id == 6 && b[4].status == STORE_BADSIG);
	assert_true(b[5].id == 7 && b[5].status == STORE_BADSIG);
	assert_true(b[6].id == 8 && b[6].status == STORE_BADSIG);
	assert_null(b[6].m);
	assert_true(b[7].id == 10 && b[7].status == STORE_COMPLETE);
	assert_true(store_next_id(b, n, "Data", 0) == 11);
	assert_true(store_next_id(b, n, "Data", 20) == 21);
	assert_true(store_next_id(b, n, "Configuration", 0) == 4);
	assert_true(store_newest(b, n, "Data")->id == 10);
	assert_null(store_newest(b, n, "Configuration"));
	store_backups_free(b, n);
	assert_int_equal(store_scan(st, "Configuration", &b, &n), 0);
	assert_int_equal(n, 1);
	store_backups_free(b, n);
	/* A missing site directory is an empty list. */
	store_free(st);
	assert_non_null(st = store_new(tr, "nobody", &pub, 1, 0));
	assert_int_equal(store_scan(st, NULL, &b, &n), 0);
	assert_int_equal(n, 0);
	assert_null(b);
}

/* One row: the backups of a category, retain, unfinished, what is marked. */
static const struct {
	const char *have;	/* per id from 1: c complete, u unfinished, b bad,
				   i complete and incremental on the id before */
	unsigned int retain;
	int unfinished;
	const char *doomed;	/* per id: x marked, . kept */
} plans[] = {
	{ "ccc", 2, 0, "x.." },
	{ "ccc", 3, 0, "..." },
	{ "ccc", 1, 0, "xx." },
	{ "ccc", 0, 0, "xx." },		/* never the newest complete */
	{ "cucuc", 2, 0, "x...." },
	{ "cucuc", 2, 1, "xx.x." },
	{ "ccbcu", 1, 1, "xx..x" },	/* bad ones need a person */
	{ "cccu", 1, 0, "xx.." },	/* an unfinished newest: kept */
	{ "uuu", 1, 1, "xxx" },
	{ "bbb", 1, 1, "..." },
	{ "", 1, 1, "" },
	/* Chains: what a kept backup builds on stays. */
	{ "ciicii", 2, 0, "xxx..." },
	{ "ciicii", 3, 0, "xxx..." },
	{ "ciicii", 4, 0, "......" },
	{ "ciicii", 1, 1, "xxx..." },
	{ "ciiciic", 1, 0, "xxxxxx." },
	{ "ciib", 1, 1, "...." },
	/* A broken chain is not counted, and stays while newer than the
	   kept ones; the newest complete backup always stays. */
	{ "cicui", 1, 0, "xx..." },
	{ "cicuic", 2, 0, "xx...." },
	{ "cicuicc", 2, 0, "xxx.x.." },
	{ "ii", 1, 0, ".." },
};

static void
test_plan(void **state)
{
	struct store_backup b[16];
	size_t i, j, n, marked, want;

	(void)state;
	for (i = 0; i < sizeof(plans) / sizeof(plans[0]); i++) {
		memset(b, 0, sizeof(b));
		n = strlen(plans[i].have);
		/* Configuration backups interleave: they must not count. */
		for (j = 0; j < n; j++) {
			b[j].category = "Data";
			b[j].id = j + 1;
			b[j].status = plans[i].have[j] == 'c' ||
			    plans[i].have[j] == 'i' ? STORE_COMPLETE :
			    plans[i].have[j] == 'u' ? STORE_UNFINISHED :
			    STORE_BADSIG;
			b[j].has_base = plans[i].have[j] == 'i';
			b[j].base_id = j;	/* the id before; 0: none */
		}
		marked = store_plan(b, n, "Data", plans[i].retain,
		    plans[i].unfinished);
		for (j = want = 0; j < n; j++) {
			assert_int_equal(b[j].doomed, plans[i].doomed[j] == 'x');
			want += plans[i].doomed[j] == 'x';
		}
		assert_int_equal(marked, want);
		assert_int_equal(store_plan(b, n, "Configuration", 0, 1), 0);
	}
}

static void
test_delete_and_history(void **state)
{
	struct store_backup *b;
	char *text;
	size_t n, len;

	(void)state;
	make_backup("s1", "Data", 1, 0);
	make_backup("s1", "Data", 2, 0);
	make_backup("s1", "Data", 3, 0);
	put("s1/Data_4/part.000000", "x", 1);
	put("s1/Data_4/.part.000001.tmp", "x", 1);
	assert_int_equal(store_scan(st, "Data", &b, &n), 0);
	assert_int_equal(n, 4);
	assert_int_equal(store_plan(b, n, "Data", 2, 1), 2);
	assert_int_equal(store_remove(st, b, n, "retention", 86400, NULL), 0);
	assert_true(b[0].removed && !b[1].removed && !b[2].removed &&
	    b[3].removed);
	store_backups_free(b, n);
	assert_false(exists("s1/Data_1"));
	assert_false(exists("s1/Data_4"));
	assert_true(exists("s1/Data_2/manifest"));
	assert_true(exists("s1/Data_3/part.000000"));
	assert_int_equal(store_history_get(st, &text, &len), 0);
	assert_string_equal(text,
	    "1970-01-02T00:00:00Z\tdelete\tData\t1\tok\t5\tretention\n"
	    "1970-01-02T00:00:00Z\tdelete\tData\t4\tok\t2\tunfinished\n");
	free(text);
	/* A log cut short by hand still gets whole lines appended. */
	put("s1/history.log", "partial", 7);
	assert_int_equal(store_history_append(st, "a\nb\n"), 0);
	assert_string_equal(get("s1/history.log"), "partial\na\nb\n");
	/* A single deletion: everything goes, the directory too. */
	assert_int_equal(store_delete(st, "Data", 3), 0);
	assert_false(exists("s1/Data_3"));
	assert_int_equal(store_delete(st, "Data", 3), 0);
}

static void
test_sites(void **state)
{
	char **names;
	size_t n;

	(void)state;
	put("s1/SITE", "site s1\nkeyid 0011223344556677\n", 31);
	put("s2/Data_1/part.000000", "x", 1);
	put("junk/file", "x", 1);
	put(".hidden/SITE", "x", 1);
	put("file", "x", 1);
	assert_int_equal(store_sites(tr, &names, &n), 0);
	assert_int_equal(n, 2);
	assert_string_equal(names[0], "s1");
	assert_string_equal(names[1], "s2");
	store_sites_free(names, n);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_claim, setup, teardown),
		cmocka_unit_test_setup_teardown(test_scan, setup, teardown),
		cmocka_unit_test(test_plan),
		cmocka_unit_test_setup_teardown(test_delete_and_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sites, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
