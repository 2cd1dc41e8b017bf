#ifndef PIPELINE_H_
#define PIPELINE_H_

#include <stddef.h>
#include <stdint.h>

#include "age.h"
#include "pack.h"

/*
 * The streaming backup of one category:
 *
 *   paths -> pack (pax tar + compression) -> age writer -> parts of
 *   part_size -> bounded queue -> upload thread: SHA-256, then
 *   transport_put_buf() to <site>/<Category>_<id>/part.NNNNNN
 *
 * then the manifest, signed, uploaded after its signature: the manifest's
 * rename makes the backup visible.  The source is read once: a part whose
 * upload fails is resent from memory by the transport's retries.  Reading
 * and compressing (the calling thread) overlap with uploading (a second
 * thread).  Memory holds at most PIPELINE_BUFFERS parts: one being filled,
 * one being uploaded, one waiting.
 */

#define PIPELINE_BUFFERS	3
#define PIPELINE_MAX_PARTS	1000000		/* part.000000 .. part.999999 */

struct transport;
struct keys;
struct conf;

struct pipeline_job {
	struct transport *t;
	const struct conf *c;		/* compression, part size, exclude */
	const struct keys *k;		/* signing key */
	const char *site;
	const char *category;		/* "Configuration" or "Data" */
	char *const *paths;		/* NULL-terminated, absolute */
	uint64_t id;
	int64_t time;			/* the manifest's time (UTC seconds) */
	const char *description;	/* NULL or text without controls */
	const uint8_t (*pks)[AGE_KEY_LEN];	/* recipients */
	char *const *recipients;	/* their age1... strings */
	size_t npk;
	int has_prev;			/* previous manifest of the category */
	uint8_t prev_sha256[32];
	/* Called from the reading thread now and then; may be NULL. */
	void (*progress)(void *, uint64_t);	/* bytes uploaded so far */
	void *progress_cookie;
};

struct pipeline_result {
	struct pack_stats st;		/* files, bytes, archive bytes */
	uint64_t stored;		/* bytes of all parts */
	size_t nparts;
	uint8_t sha256[32];		/* of the manifest text */
};

/**
 * pipeline_run(job, res):
 * Archive, encrypt and upload the category of ${job} as backup ${job->id},
 * and fill ${res}.  On any failure nothing visible is left (no manifest:
 * the parts uploaded so far are an unfinished backup) and nothing is
 * deleted.  Return 0, or -1 after logging.
 */
int pipeline_run(const struct pipeline_job *, struct pipeline_result *);

/**
 * pipeline_recipients(site_pk, list, pks, strs, n):
 * The age recipients of a backup: the site key ${site_pk} first, then
 * every entry of the NULL-terminated ${list} ([keys] recipients): an
 * "age1..." string, or a file of them, one a line, '#' comments and empty
 * lines ignored.  Duplicates are dropped.  Sets the malloc'd arrays
 * ${*pks} and ${*strs} of ${*n} entries.  Return 0, or -1 after logging
 * (EX_CONFIG naming the entry, file and line).
 */
int pipeline_recipients(const uint8_t[AGE_KEY_LEN], char *const *,
    uint8_t (**)[AGE_KEY_LEN], char ***, size_t *);

/**
 * pipeline_recipients_free(pks, strs, n):
 * Free what pipeline_recipients() returned.  Does nothing for NULLs.
 */
void pipeline_recipients_free(uint8_t (*)[AGE_KEY_LEN], char **, size_t);

#endif /* !PIPELINE_H_ */
