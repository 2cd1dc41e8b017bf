#ifndef BACKUP_H_
#define BACKUP_H_

#include <stddef.h>
#include <stdint.h>

#include "conf/category.h"
#include "crypto/age.h"
#include "run/pipeline.h"

/*
 * One category's nightly job, in order: choose the id (one more than any
 * id on the server, unfinished ones included, and than the local
 * high-water mark), stream the backup (pipeline.h), then record it: the
 * local state, the server's history.log, the local history and syslog;
 * then, with verify_after_upload, download and verify it; then retention.
 * Nothing is deleted after a failure.  The caller holds the run lock and
 * has claimed the site directory (store_claim()).
 */

struct conf;
struct keys;
struct recipients;
struct store;

struct backup_ctx {
	const struct conf *c;
	const struct keys *k;
	struct store *st;		/* the site directory */
	const struct recipients *r;	/* the stream's recipients */
	/* The caller's log_capture() buffer: why a run failed, for the
	   failure's history line and syslog; may be NULL. */
	const char *why;
	/* Bytes uploaded, now and then; UINT64_MAX once the stream ended. */
	void (*progress)(void *, uint64_t);	/* may be NULL */
	void *progress_cookie;
};

struct backup_report {
	const char *category;		/* category_name() of the category */
	uint64_t id;
	struct pipeline_result res;
	const char *kind;		/* "full" or "incremental" */
	uint64_t base_id;		/* incremental: the backup before */
	char why_full[256];		/* a chain's full backup: why */
	int verified;			/* verify_after_upload passed */
	size_t expired;			/* backups deleted by retention */
};

/**
 * backup_category(ctx, cat, description, rep):
 * Back up the category ${cat} with ${description}
 * (NULL: none), filling ${rep} as far as the run got.  Return 0, or -1
 * after logging; the failure is also in the local history and syslog.
 */
int backup_category(const struct backup_ctx *, enum category, const char *,
    struct backup_report *);

#endif /* !BACKUP_H_ */
