/*
 * commit: merging a staged tree into a live one (kept, replaced, unchanged,
 * --include, --delete), refusing symlinks at or above a configured path, and
 * completing a journalled commit from any point of it.
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <limits.h>
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

#include "util/log.h"
#include "packtest.h"
#include "../lib/scratch.h"
#include "archive/commit.h"
#include "archive/commit_internal.h"

#define NOW	1700000000	/* 2023-11-14T22:13:20Z */

static char logbuf[4096];

/* A scratch tree: base/state, base/stage (holding base/live/p), base/live/p. */
struct tree {
	char *base, *state, *stage, *path, *staged;
};

static char *
fmt(const char *f, ...)
{
	va_list ap;
	char *s;

	va_start(ap, f);
	assert_true(vasprintf(&s, f, ap) > 0);
	va_end(ap);
	return (s);
}

static void
put(const char *dir, const char *name, const char *data, time_t t)
{
	char *p = pt_join(dir, name);

	pt_mkfile(p, data, strlen(data), 0644, t, 0);
	free(p);
}

static char *
get(const char *dir, const char *name)
{
	static char buf[256];
	char *p = pt_join(dir, name);
	FILE *f = fopen(p, "r");
	size_t n;

	free(p);
	if (f == NULL)
		return (NULL);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	fclose(f);
	buf[n] = '\0';
	return (buf);
}

static void
mk(const char *p)
{

	assert_int_equal(mkdir(p, 0755), 0);
}

/*
 * live p: a (old), b (as backed up), k (only live);
 * staged p: a (new), b, sub/c (new).
 */
static void
tree_new(struct tree *t)
{
	char *p;

	t->base = scratch_new("pack");
	t->state = pt_join(t->base, "state");
	t->stage = pt_join(t->base, "stage");
	t->path = fmt("%s/live/p", t->base);
	t->staged = fmt("%s%s", t->stage, t->path);
	mk(t->state);
	p = fmt("%s/live", t->base);
	mk(p);
	free(p);
	mk(t->path);
	p = fmt("mkdir -p '%s%s/live'", t->stage, t->base);
	assert_int_equal(mkdir(t->stage, 0700), 0);
	assert_int_equal(system(p), 0);
	free(p);
	mk(t->staged);
	put(t->path, "a", "old\n", 1000);
	put(t->path, "b", "same\n", 2000);
	put(t->path, "k", "live only\n", 3000);
	put(t->staged, "a", "new\n", 4000);
	put(t->staged, "b", "same\n", 2000);
	p = pt_join(t->staged, "sub");
	mk(p);
	put(p, "c", "c\n", 5000);
	free(p);
}

static void
tree_free(struct tree *t)
{

	scratch_rm(t->base);
	free(t->base);
	free(t->state);
	free(t->stage);
	free(t->path);
	free(t->staged);
}

static void
test_merge(void **state)
{
	const struct commit_stats *st;
	struct commit *c;
	struct tree t;
	char *repl;

	(void)state;
	tree_new(&t);
	assert_non_null(c = commit_new(t.state, t.stage, 0, NULL, 0, NOW));
	assert_int_equal(commit_add(c, t.path, t.path), 0);
	st = commit_stats(c);
	assert_int_equal(st->restored, 2);	/* a, sub/c */
	assert_int_equal(st->replaced, 1);	/* a */
	assert_int_equal(st->kept, 1);		/* k */
	assert_int_equal(st->unchanged, 1);	/* b */
	repl = fmt("%s.replaced-20231114T221320Z", t.path);
	assert_string_equal(commit_replaced(c, 0), repl);
	assert_null(commit_replaced(c, 1));
	assert_int_equal(commit_run(c), 0);
	commit_free(c);
	assert_string_equal(get(t.path, "a"), "new\n");
	assert_string_equal(get(t.path, "k"), "live only\n");
	assert_string_equal(get(t.path, "sub/c"), "c\n");
	assert_string_equal(get(repl, "a"), "old\n");
	assert_null(get(repl, "b"));
	assert_int_equal(access(t.stage, F_OK), -1);
	assert_int_equal(commit_pending(t.state), 0);
	free(repl);
	tree_free(&t);
}

/* A replaced tree someone made between the plan and the commit: refused. */
static void
test_tree_taken(void **state)
{
	struct commit *c;
	struct tree t;
	char *repl;

	(void)state;
	tree_new(&t);
	assert_non_null(c = commit_new(t.state, t.stage, 0, NULL, 0, NOW));
	assert_int_equal(commit_add(c, t.path, t.path), 0);
	repl = fmt("%s.replaced-20231114T221320Z", t.path);
	mk(repl);
	log_reset();
	assert_int_equal(commit_run(c), -1);
	assert_int_equal(log_class(), EX_CANTCREAT);
	commit_free(c);
	assert_string_equal(get(t.path, "a"), "old\n");
	assert_null(get(t.path, "sub/c"));
	assert_int_equal(commit_pending(t.state), 0);
	free(repl);
	tree_free(&t);
}

static void
test_include_delete(void **state)
{
	const struct commit_stats *st;
	struct commit *c;
	struct tree t;
	char *inc[2], *repl;

	(void)state;
	tree_new(&t);
	inc[0] = fmt("%s/sub", t.path);
	inc[1] = fmt("%s/nothere", t.path);
	assert_non_null(c = commit_new(t.state, t.stage, COMMIT_DELETE, inc, 2, NOW));
	assert_int_equal(commit_add(c, t.path, t.path), 0);
	assert_string_equal(commit_unmatched(c), inc[1]);
	st = commit_stats(c);
	assert_int_equal(st->restored, 1);
	assert_int_equal(st->replaced, 0);
	assert_int_equal(commit_run(c), 0);
	commit_free(c);
	assert_string_equal(get(t.path, "a"), "old\n");	/* not selected */
	assert_string_equal(get(t.path, "sub/c"), "c\n");
	free(inc[0]);
	free(inc[1]);
	tree_free(&t);

	/* --delete: what the backup lacks goes to the replaced tree. */
	tree_new(&t);
	assert_non_null(c = commit_new(t.state, t.stage, COMMIT_DELETE, NULL, 0, NOW));
	assert_int_equal(commit_add(c, t.path, t.path), 0);
	assert_int_equal(commit_stats(c)->replaced, 2);	/* a, k */
	assert_int_equal(commit_run(c), 0);
	commit_free(c);
	repl = fmt("%s.replaced-20231114T221320Z", t.path);
	assert_null(get(t.path, "k"));
	assert_string_equal(get(repl, "k"), "live only\n");
	free(repl);
	tree_free(&t);
}

static void
test_symlinks_refused(void **state)
{
	struct commit *c;
	struct tree t;
	char *p, *q;

	(void)state;
	/* In the stage, the configured path's parent is a symlink. */
	tree_new(&t);
	p = fmt("%s%s/live", t.stage, t.base);
	q = fmt("mv '%s' '%s.x' && ln -s '%s' '%s'", p, p, t.base, p);
	assert_int_equal(system(q), 0);
	assert_non_null(c = commit_new(t.state, t.stage, 0, NULL, 0, NOW));
	log_reset();
	assert_int_equal(commit_add(c, t.path, t.path), -1);
	assert_int_equal(log_class(), EX_DATAERR);
	assert_non_null(strstr(logbuf, "symlink"));
	commit_free(c);
	free(p);
	free(q);
	tree_free(&t);

	/* On disk, the configured path's parent is a symlink. */
	tree_new(&t);
	p = fmt("%s/live", t.base);
	q = fmt("mv '%s' '%s.x' && ln -s '%s.x' '%s'", p, p, p, p);
	assert_int_equal(system(q), 0);
	assert_non_null(c = commit_new(t.state, t.stage, 0, NULL, 0, NOW));
	log_reset();
	assert_int_equal(commit_add(c, t.path, t.path), -1);
	assert_int_equal(log_class(), EX_CANTCREAT);
	commit_free(c);
	free(p);
	free(q);
	tree_free(&t);
}

/*
 * A journal whose steps were done up to ${done} (and, if ${half}, the next
 * one's live entry already moved aside): recovery completes it.
 */
static void
recover_from(size_t done, int half)
{
	struct commit_op ops[2];
	struct tree t;
	char *repl, *cmd;
	size_t i;

	tree_new(&t);
	repl = fmt("%s.replaced-x", t.path);
	memset(ops, 0, sizeof(ops));
	ops[0].type = COMMIT_PUT;
	ops[0].had = 1;
	ops[0].live = fmt("%s/a", t.path);
	ops[0].stage = fmt("%s/a", t.staged);
	ops[0].repl = fmt("%s/a", repl);
	ops[1].type = COMMIT_PUT;
	ops[1].live = fmt("%s/sub", t.path);
	ops[1].stage = fmt("%s/sub", t.staged);
	ops[1].repl = fmt("%s/sub", repl);
	assert_int_equal(commit_journal_write(t.state, t.stage, ops, 2), 0);
	assert_int_equal(commit_pending(t.state), 1);
	for (i = 0; i < done; i++)
		assert_int_equal(commit_op_do(&ops[i]), 0);
	if (half && done == 0) {
		cmd = fmt("mkdir -m 700 '%s' && mv '%s' '%s'", repl,
		    ops[0].live, ops[0].repl);
		assert_int_equal(system(cmd), 0);
		free(cmd);
	}
	assert_int_equal(commit_recover(t.state), 0);
	assert_int_equal(commit_pending(t.state), 0);
	assert_string_equal(get(t.path, "a"), "new\n");
	assert_string_equal(get(t.path, "sub/c"), "c\n");
	assert_string_equal(get(t.path, "k"), "live only\n");
	assert_string_equal(get(repl, "a"), "old\n");
	assert_int_equal(access(t.stage, F_OK), -1);
	/* Nothing left to do: a second recovery is a no-op. */
	assert_int_equal(commit_recover(t.state), 0);
	for (i = 0; i < 2; i++) {
		free(ops[i].live);
		free(ops[i].stage);
		free(ops[i].repl);
		free(ops[i].aside);
	}
	free(repl);
	tree_free(&t);
}

static void
test_recover(void **state)
{

	(void)state;
	recover_from(0, 0);
	recover_from(0, 1);
	recover_from(1, 0);
	recover_from(2, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_include_delete),
		cmocka_unit_test(test_tree_taken),
		cmocka_unit_test(test_symlinks_refused),
		cmocka_unit_test(test_recover),
	};

	log_init("test_commit", 0, 0);
	log_capture(logbuf, sizeof(logbuf));
	return (cmocka_run_group_tests(tests, NULL, NULL));
}
