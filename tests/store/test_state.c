/* Unit tests: local state, local history and the run lock. */
#include <sys/stat.h>
#include <sys/wait.h>

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

#include "store/lock.h"
#include "util/log.h"
#include "store/state.h"

#include "../lib/scratch.h"

static char *dir;

static int
setup(void **state)
{

	(void)state;
	dir = scratch_new("state");
	log_init("test", 1, 0);
	return (0);
}

static int
teardown(void **state)
{

	(void)state;
	return (scratch_end(&dir));
}

static void
write_file(const char *name, const char *text)
{
	char path[512];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	assert_non_null(f = fopen(path, "w"));
	fputs(text, f);
	fclose(f);
}

static void
test_state_roundtrip(void **state)
{
	struct state_cat sc;
	uint8_t a[32], b[32];
	char path[512];
	struct stat sb;

	(void)state;
	memset(a, 0xab, sizeof(a));
	memset(b, 0x01, sizeof(b));
	assert_int_equal(state_get(dir, "s1", "Data", &sc), 0);
	assert_true(sc.id == 0);
	assert_int_equal(state_set(dir, "s1", "Data", 7, a), 0);
	assert_int_equal(state_set(dir, "s1", "Configuration", 3, b), 0);
	assert_int_equal(state_set(dir, "s2", "Data", 100, b), 0);
	assert_int_equal(state_get(dir, "s1", "Data", &sc), 0);
	assert_true(sc.id == 7);
	assert_memory_equal(sc.sha256, a, 32);
	assert_int_equal(state_get(dir, "s1", "Configuration", &sc), 0);
	assert_true(sc.id == 3);
	assert_memory_equal(sc.sha256, b, 32);
	/* The high-water mark never goes down. */
	assert_int_equal(state_set(dir, "s1", "Data", 5, b), 0);
	assert_int_equal(state_get(dir, "s1", "Data", &sc), 0);
	assert_true(sc.id == 7);
	assert_memory_equal(sc.sha256, a, 32);
	assert_int_equal(state_set(dir, "s1", "Data", 8, b), 0);
	assert_int_equal(state_get(dir, "s1", "Data", &sc), 0);
	assert_true(sc.id == 8);
	assert_int_equal(state_get(dir, "s2", "Data", &sc), 0);
	assert_true(sc.id == 100);
	/* Private, and no temporary left behind. */
	snprintf(path, sizeof(path), "%s/state", dir);
	assert_int_equal(stat(path, &sb), 0);
	assert_int_equal(sb.st_mode & 077, 0);
	snprintf(path, sizeof(path), "%s/.state.%ld", dir, (long)getpid());
	assert_int_equal(access(path, F_OK), -1);
}

static const char *const bad_states[] = {
	"s1 Data 7\n",
	"s1 Data 07 " "0000000000000000000000000000000000000000000000000000000000000000\n",
	"s1 Data 7 " "000000000000000000000000000000000000000000000000000000000000000\n",
	"s1 Data 7 " "000000000000000000000000000000000000000000000000000000000000000G\n",
	"s1 Data 7 " "00000000000000000000000000000000000000000000000000000000000000AA\n",
	"s1  Data 7 " "0000000000000000000000000000000000000000000000000000000000000000\n",
	"s1 Data 7 " "0000000000000000000000000000000000000000000000000000000000000000 x\n",
	"s1 Data 99999999999999999999 " "0000000000000000000000000000000000000000000000000000000000000000\n",
};

static void
test_state_malformed(void **state)
{
	struct state_cat sc;
	char msg[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad_states) / sizeof(bad_states[0]); i++) {
		write_file("state", bad_states[i]);
		log_reset();
		log_capture(msg, sizeof(msg));
		assert_int_equal(state_get(dir, "s1", "Data", &sc), -1);
		assert_int_equal(log_class(), EX_DATAERR);
		assert_non_null(strstr(msg, "line 1"));
		log_capture(NULL, 0);
	}
	write_file("state", "# comment\n\ns1 Data 12 "
	    "00000000000000000000000000000000000000000000000000000000000000ff\n");
	assert_int_equal(state_get(dir, "s1", "Data", &sc), 0);
	assert_true(sc.id == 12 && sc.sha256[31] == 0xff);
}

/* The file list kept for the next incremental backup (state.h). */
static void
test_list(void **state)
{
	uint8_t sha[32], got[32];
	struct state_cat sc;
	struct state_list_w *w;
	uint64_t id;
	char *text;
	size_t len;

	(void)state;
	memset(sha, 0xab, sizeof(sha));
	assert_int_equal(state_list_get(dir, "b1", "Data", &id, got, &text,
	    &len), 0);
	assert_null(text);
	assert_int_equal(state_list_put(dir, "b1", "Data", 7, sha,
	    "sitevault-files 1\n", 18), 0);
	assert_int_equal(state_list_get(dir, "b1", "Data", &id, got, &text,
	    &len), 0);
	assert_non_null(text);
	assert_int_equal(id, 7);
	assert_memory_equal(got, sha, 32);
	assert_int_equal(len, 18);
	assert_string_equal(text, "sitevault-files 1\n");
	free(text);
	/* Written piece by piece; abandoned, the list before stays. */
	assert_non_null(w = state_list_open(dir, "b1", "Data", 8, sha));
	assert_int_equal(state_list_write(w, "sitevault-", 10), 0);
	state_list_free(w);
	assert_int_equal(state_list_get(dir, "b1", "Data", &id, got, &text,
	    &len), 0);
	assert_int_equal(id, 7);
	assert_string_equal(text, "sitevault-files 1\n");
	free(text);
	assert_non_null(w = state_list_open(dir, "b1", "Data", 8, sha));
	assert_int_equal(state_list_write(w, "sitevault-", 10), 0);
	assert_int_equal(state_list_write(w, "files 1\nf", 9), 0);
	assert_int_equal(state_list_commit(w), 0);
	assert_int_equal(state_list_get(dir, "b1", "Data", &id, got, &text,
	    &len), 0);
	assert_int_equal(id, 8);
	assert_int_equal(len, 19);
	assert_string_equal(text, "sitevault-files 1\nf");
	state_list_free(NULL);
	free(text);
	/* Another site's or category's list is not this one. */
	assert_int_equal(state_list_get(dir, "b1", "Configuration", &id, got,
	    &text, &len), 0);
	assert_null(text);
	/* A header that does not parse is no list (a warning). */
	write_file("files.b1.Data", "# sitevault file list: b2 Data 7 ab\n");
	assert_int_equal(state_list_get(dir, "b1", "Data", &id, got, &text,
	    &len), 0);
	assert_null(text);
	/* The state file itself keeps its format: lists live beside it. */
	assert_int_equal(state_set(dir, "b1", "Data", 7, sha), 0);
	assert_int_equal(state_get(dir, "b1", "Data", &sc), 0);
	assert_int_equal(sc.id, 7);
	state_list_drop(dir, "b1", "Data");
	assert_int_equal(state_list_get(dir, "b1", "Data", &id, got, &text,
	    &len), 0);
	assert_null(text);
}

static void
test_history_append(void **state)
{
	char path[512], buf[128];
	FILE *f;
	size_t n;

	(void)state;
	assert_int_equal(state_history_append(dir, "one"), 0);
	assert_int_equal(state_history_append(dir, "two\tfields"), 0);
	snprintf(path, sizeof(path), "%s/history.log", dir);
	assert_non_null(f = fopen(path, "r"));
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	assert_string_equal(buf, "one\ntwo\tfields\n");
}

static void
test_dir_make(void **state)
{
	char path[512];
	struct stat sb;

	(void)state;
	snprintf(path, sizeof(path), "%s/a/b/c", dir);
	assert_int_equal(state_dir_make(path), 0);
	assert_int_equal(stat(path, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	assert_int_equal(state_dir_make(path), 0);
	write_file("file", "x");
	snprintf(path, sizeof(path), "%s/file", dir);
	log_reset();
	assert_int_equal(state_dir_make(path), -1);
	assert_int_equal(log_class(), EX_CANTCREAT);
}

static void
test_lock(void **state)
{
	struct lock *l;
	char msg[512], want[64], sub[512];
	int p2c[2], c2p[2], status;
	pid_t pid;
	char c;

	(void)state;
	snprintf(sub, sizeof(sub), "%s/statedir", dir);
	assert_int_equal(pipe(p2c), 0);
	assert_int_equal(pipe(c2p), 0);
	if ((pid = fork()) == 0) {
		/* The child holds the lock until told to go. */
		l = lock_acquire(sub);
		c = l != NULL ? 'y' : 'n';
		/* The parent fails the test if the byte does not come. */
		if (write(c2p[1], &c, 1) != 1 || read(p2c[0], &c, 1) != 1)
			c = 'n';
		lock_release(l);
		_exit(c == 'n');
	}
	assert_true(pid > 0);
	assert_int_equal(read(c2p[0], &c, 1), 1);
	assert_int_equal(c, 'y');
	log_reset();
	log_capture(msg, sizeof(msg));
	assert_null(lock_acquire(sub));
	log_capture(NULL, 0);
	assert_int_equal(log_class(), EX_TEMPFAIL);
	snprintf(want, sizeof(want), "pid %ld", (long)pid);
	assert_non_null(strstr(msg, want));
	/* Released when the holder goes, however it goes. */
	assert_int_equal(write(p2c[1], "x", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	log_reset();
	assert_non_null(l = lock_acquire(sub));
	lock_release(l);
	lock_release(NULL);
	close(p2c[0]);
	close(p2c[1]);
	close(c2p[0]);
	close(c2p[1]);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_state_roundtrip, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_state_malformed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_list, setup, teardown),
		cmocka_unit_test_setup_teardown(test_history_append, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_dir_make, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lock, setup, teardown),
	};

	return (cmocka_run_group_tests(tests, NULL, NULL));
}
