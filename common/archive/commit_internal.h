#ifndef COMMIT_INTERNAL_H_
#define COMMIT_INTERNAL_H_

#include <stddef.h>

#include "archive/commit.h"

/*
 * Shared by commit.c (the interface), commit_plan.c (the plan) and
 * commit_journal.c (doing it).
 */

/* One step of a commit. */
struct commit_op {
	char type;		/* COMMIT_PUT, COMMIT_AWAY or COMMIT_META */
	char had;		/* PUT: a live entry was there when planned */
	char done;		/* carried out by this process */
	char *live;		/* the live path */
	char *stage;		/* the staged path (PUT, META) or NULL */
	char *repl;		/* where a live entry goes (PUT, AWAY) or NULL */
	char *aside;		/* where it went, if this process moved it */
	char *meta;		/* META: "mode uid gid atime.ns mtime.ns" of
				   the staged directory when planned (moving
				   its entries out changes its times) */
};

#define COMMIT_PUT	'P'	/* stage -> live; a live entry -> repl first */
#define COMMIT_AWAY	'A'	/* live -> repl */
#define COMMIT_META	'M'	/* the staged directory's mode and times */

/* A commit being planned (commit_new() to commit_free()). */
struct commit {
	char *statedir;
	char *stage;
	int flags;			/* COMMIT_* */
	char *const *inc;
	size_t ninc;
	unsigned char *matched;		/* per include: selected something */
	char stamp[32];			/* of the replaced trees' names */
	struct commit_op *ops;
	size_t nops, cap;
	struct commit_tree *trees;		/* one per configured path */
	size_t ntrees;
	struct commit_stats st;
	int fsfd;			/* a live directory, for syncfs */
};

/* One level of the walk: the same entry staged, live, and in the tree. */
struct commit_level {
	char *sys;			/* as configured: what includes match */
	char *stage;
	char *live;
	char *repl;
	size_t tree;			/* index in c->trees */
};

/* A replaced tree: named when planned, reported once something goes there. */
struct commit_tree {
	char *path;
	int used;
};

/**
 * commit_inc_match(c, sys):
 * Return 1 if ${c} has no include patterns or one of them selects ${sys};
 * record which did (commit_unmatched()).
 */
int commit_inc_match(struct commit *, const char *);

/**
 * commit_add_op(c, type, had, l):
 * Append the step ${type} (COMMIT_PUT, COMMIT_AWAY or COMMIT_META) for the
 * level ${l} to ${c}; ${had}: a live entry is there.  Return 0, or -1 after
 * logging.
 */
int commit_add_op(struct commit *, char, char, const struct commit_level *);

/**
 * commit_plan_top(c, sfd, lpfd, base, l, sel):
 * Plan the configured path of ${l} (staged at ${sfd}) into its live place,
 * the entry ${base} of the directory ${lpfd}; ${sel}: selected as a whole.
 * Return 0, or -1 after logging.
 */
int commit_plan_top(struct commit *, int, int, const char *,
    const struct commit_level *, int);

/**
 * commit_op_do(op):
 * Carry out ${op} if it is not already done (looking at the stage and the
 * live entry).  Return 0 or -1 after logging.
 */
int commit_op_do(struct commit_op *);

/**
 * commit_op_undo(op):
 * Undo ${op}, done by this process.  Return 0 or -1 after logging.
 */
int commit_op_undo(struct commit_op *);

/**
 * commit_journal_write(statedir, stage, ops, n):
 * Write the journal of ${ops} atomically and durably.  Return 0 or -1.
 */
int commit_journal_write(const char *, const char *,
    const struct commit_op *, size_t);

/**
 * commit_journal_finish(statedir, stage, fsfd):
 * After every step was done: sync the filesystem of ${fsfd}, remove the
 * staging directory ${stage}, then the journal.  Return 0 or -1 (after an
 * I/O error from the sync, with the stage and the journal kept).
 */
int commit_journal_finish(const char *, const char *, int);

/**
 * commit_journal_remove(statedir):
 * Remove the journal (after a rollback).  Return 0 or -1.
 */
int commit_journal_remove(const char *);

struct stat;

/**
 * commit_match(inc, ninc, matched, sys):
 * Return 1 if one of the ${ninc} include patterns ${inc} selects ${sys}:
 * fnmatch(3) with FNM_PATHNAME | FNM_LEADING_DIR, so that a directory
 * selects all beneath it; set ${matched}[i] for each that does.
 */
int commit_match(char *const *, size_t, unsigned char *, const char *);

/**
 * commit_beneath(inc, ninc, sys):
 * Return 1 if a pattern could select something beneath the directory ${sys}
 * (its leading components match ${sys}'s, and it has more).
 */
int commit_beneath(char *const *, size_t, const char *);

/**
 * commit_unchanged(sfd, lfd, name, ss, ls):
 * Return 1 if the live entry ${name} in ${lfd} (lstat ${ls}) is already
 * what the staged one in ${sfd} (lstat ${ss}) is: same type, mode, size,
 * modification time (and owner as root) and bytes, or the same link target.
 */
int commit_unchanged(int, int, const char *, const struct stat *,
    const struct stat *);

#endif /* !COMMIT_INTERNAL_H_ */
