#ifndef PIPELINE_H_
#define PIPELINE_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#include "crypto/age.h"
#include "archive/pack.h"

/*
 * The streaming backup of one category, in two threads and zstd's:
 *
 *   reading (the caller): paths -> pack (pax tar; zstd compresses on its
 *           own worker threads) -> age writer -> parts of part_size
 *   upload: SHA-256 of each part, transport_put_deferred() to
 *           <site>/<Category>_<id>/part.NNNNNN
 *
 * then, in a chain, the sealed file list (chain.h) to .../filelist;
 * then the signature, transport_sync() of the directory, and the signed
 * manifest: its rename makes the backup visible, and it names only parts
 * already on stable storage.  The source is read once: a part whose upload
 * fails is resent from memory by the transport's retries.  Reading and
 * compressing overlap with uploading, so the slower of the two sets the
 * speed; with -v the time each waited for the other is logged.  Memory,
 * whatever the data size: zstd's jobs (archive/zstream.h) and two or three
 * parts (one being filled, one being uploaded, and one queued when three
 * fit in PIPELINE_PART_BUDGET bytes): 32 MiB of parts at the default
 * part_size of 16 MiB, so that a whole run stays under 64 MiB.
 */

#define PIPELINE_BUFFERS	3		/* parts, at most */
#define PIPELINE_PART_BUDGET	(40 * 1024 * 1024)
#define PIPELINE_MAX_PARTS	1000000		/* part.000000 .. part.999999 */

struct filelist;
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
	uint8_t prev_sha256[SHA256_DIGEST_LENGTH];
	/* Chains (chain.h): a file list, and only changes when incremental. */
	int with_list;
	int incremental;
	uint64_t base_id;
	uint8_t base_sha256[SHA256_DIGEST_LENGTH];
	/* The base's list when incremental: pipeline_run() owns it, and
	   frees it as soon as the scan is over, to keep memory down. */
	struct filelist *prev;
	/* Called from the reading thread now and then; may be NULL. */
	void (*progress)(void *, uint64_t);	/* bytes uploaded so far */
	void *progress_cookie;
};

struct pipeline_result {
	struct pack_stats st;		/* files, bytes, archive bytes */
	uint64_t stored;		/* bytes of all parts */
	size_t nparts;
	uint8_t sha256[SHA256_DIGEST_LENGTH];		/* of the manifest text */
	struct filelist *list;		/* with_list: the tree as scanned */
	uint64_t objects;		/* objects in the file list */
	uint64_t unchanged;		/* of them left out as unchanged */
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
 * pipeline_result_free(res):
 * Free what ${res} holds (the file list).
 */
void pipeline_result_free(struct pipeline_result *);

#endif /* !PIPELINE_H_ */
