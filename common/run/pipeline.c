#include "config.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/sha.h>
#include <openssl/evp.h>

#include "crypto/age.h"
#include "conf/conf.h"
#include "conf/conf_value.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "util/path.h"
#include "format/filelist.h"
#include "format/manifest.h"
#include "archive/pack.h"
#include "run/chain.h"
#include "run/pipeline.h"
#include "run/pipeline_internal.h"
#include "store/store.h"
#include "transport/transport.h"

/*
 * pack output (reading thread): encrypt the compressed bytes at once.
 * Encryption is cheap beside compression, which runs on zstd's own
 * threads meanwhile (archive/zstream.h): a thread of its own would only
 * cost one more copy of the data.
 */
static int
from_pack(void *cookie, const void *buf, size_t len)
{
	struct pipe *p = cookie;

	if (age_writer_write(p->w, buf, len))
		return (-1);
	if (p->job->progress != NULL)
		p->job->progress(p->job->progress_cookie,
		    __atomic_load_n(&p->stored, __ATOMIC_RELAXED));
	return (0);
}

/* age output (reading thread): cut the encrypted stream into parts. */
static int
to_parts(void *cookie, const void *buf, size_t len)
{
	struct pipe *p = cookie;

	return (pipeline_queue_write(p, &p->parts, buf, len));
}

/* Upload one part; record its size and hash. */
static int
upload_part(struct pipe *p, const uint8_t *buf, size_t len)
{
	struct manifest_part *np;
	uint64_t t0, t1;
	char path[PATH_BUF];

	/* Beyond part.999999, `cat part.*` would no longer be in order. */
	if (p->nparts >= PIPELINE_MAX_PARTS) {
		log_fail(EX_CONFIG, "%s: more than %d parts: raise [backup] "
		    "part_size", p->dir, PIPELINE_MAX_PARTS);
		return (-1);
	}
	if ((np = reallocarray(p->mparts, p->nparts + 1, sizeof(*np))) ==
	    NULL) {
		log_fail(EX_OSERR, "%s: out of memory", p->dir);
		return (-1);
	}
	p->mparts = np;
	np[p->nparts].size = len;
	t0 = pipeline_now_ns(CLOCK_MONOTONIC);
	if (EVP_Digest(buf, len, np[p->nparts].sha256, NULL, EVP_sha256(),
	    NULL) != 1) {
		log_fail(EX_SOFTWARE, "%s: SHA-256 failed", p->dir);
		return (-1);
	}
	t1 = pipeline_now_ns(CLOCK_MONOTONIC);
	if (path_fmt(path, "%s/part.%06zu", p->dir, p->nparts) ||
	    transport_put_deferred(p->job->t, path, buf, len))
		return (-1);
	p->t_hash += t1 - t0;
	p->t_put += pipeline_now_ns(CLOCK_MONOTONIC) - t1;
	p->nparts++;
	return (0);
}

/* The upload thread: parts out to the server, in order. */
static void *
uploader(void *cookie)
{
	struct pipe *p = cookie;
	uint8_t *buf;
	size_t len;

	while (pipeline_queue_get_ready(p, &p->parts, &buf, &len) == 1) {
		if (upload_part(p, buf, len)) {
			pipeline_fail(p);
			break;
		}
		__atomic_store_n(&p->stored, p->stored + len, __ATOMIC_RELAXED);
		pipeline_queue_put_free(p, &p->parts, buf);
	}
	p->cpu_up = pipeline_now_ns(CLOCK_THREAD_CPUTIME_ID);
	log_take(&p->up_fail);
	return (NULL);
}

/*
 * pack's scan (pack.h): record every object in the new file list; in an
 * incremental backup store only what is new or changed since the base's
 * list, judged from lstat() alone (docs/FORMAT.md, "The file list").
 */
static int
scan(void *cookie, const char *name, const struct stat *st)
{
	struct pipe *p = cookie;
	const struct filelist_entry *e;

	if (st == NULL) {
		filelist_forget(p->cur, name);
		return (0);
	}
	if (filelist_add(p->cur, name, st))
		return (-1);
	if (!p->job->incremental)
		return (1);
	/* The walk meets most objects in the list's order (pack_tree.c). */
	if ((e = filelist_find_near(p->job->prev, name, &p->hint)) != NULL &&
	    filelist_unchanged(e, st)) {
		p->unchanged++;
		return (0);
	}
	return (1);
}

/* The reading side (calling thread): every path through pack. */
static int
produce(struct pipe *p, struct pack_stats *st)
{
	const struct pipeline_job *job = p->job;
	struct pack *pk;
	size_t i;

	if ((pk = pack_new(job->c->backup_compression,
	    job->c->backup_compression_level, from_pack, p)) == NULL)
		goto err0;
	if (job->with_list) {
		if ((p->cur = filelist_new()) == NULL)
			goto err1;
		pack_set_scan(pk, scan, p);
	}
	for (i = 0; job->paths[i] != NULL; i++)
		if (pack_add_tree(pk, job->paths[i], job->c->backup_exclude))
			goto err1;
	if (pack_finish(pk, st) || age_writer_finish(p->w) ||
	    pipeline_queue_close(p, &p->parts))
		goto err1;

	/* Success! */
	pack_free(pk);
	return (0);

err1:
	pack_free(pk);
err0:
	/* Failure! */
	return (-1);
}

/* The base's list is no longer needed once the scan is over. */
static void
release_prev(struct pipe *p)
{

	if (!p->prev_freed)
		filelist_free(p->job->prev);
	p->prev_freed = 1;
}

/* Seal and upload the file list (before the manifest that names it). */
static int
put_list(struct pipe *p, struct pipeline_result *res)
{
	const struct pipeline_job *job = p->job;
	uint8_t *sealed;
	size_t slen;
	char path[PATH_BUF];
	int rc = -1;

	res->objects = p->cur->n;
	res->unchanged = p->unchanged;
	/* The list goes to the caller, for the local state. */
	res->list = p->cur;
	p->cur = NULL;
	if (chain_list_seal(job->c, job->pks, job->npk, res->list, &sealed,
	    &slen))
		return (-1);
	if (path_join(path, p->dir, "filelist") == 0 &&
	    transport_put_buf(job->t, path, sealed, slen) == 0 &&
	    EVP_Digest(sealed, slen, p->list_sha256, NULL, EVP_sha256(),
	    NULL) == 1) {
		p->list_size = slen;
		p->stored += slen;
		rc = 0;
	}
	free(sealed);
	return (rc);
}

/*
 * Sign and upload the manifest of the finished stream: the signature
 * first, the manifest last.  Set ${sha} to the manifest text's SHA-256.
 */
static int
publish(struct pipe *p, const struct pack_stats *st, uint8_t sha[SHA256_DIGEST_LENGTH])
{
	const struct pipeline_job *job = p->job;
	const struct conf *c = job->c;
	struct manifest m;
	char comp[CONF_COMPRESSION_STRMAX], agent[64], path[PATH_BUF];
	char *text, *sig;
	size_t len, siglen;

	memset(&m, 0, sizeof(m));
	conf_value_compression_format(c->backup_compression,
	    c->backup_compression_level, comp);
	snprintf(agent, sizeof(agent), "sitevault %s", PACKAGE_VERSION);
	/* The manifest only reads these; its fields are not const. */
	m.site = (char *)(uintptr_t)job->site;
	m.category = (char *)(uintptr_t)job->category;
	m.id = job->id;
	m.time = job->time;
	m.agent = agent;
	memcpy(m.keyid, job->k->sign.keyid, sizeof(m.keyid));
	m.recipients = (char **)(uintptr_t)job->recipients;
	m.nrecipients = job->npk;
	m.compression = comp;
	m.description = (char *)(uintptr_t)(job->description != NULL ?
	    job->description : "");
	m.parts = p->mparts;
	m.nparts = p->nparts;
	m.files = st->files;
	m.bytes = st->bytes;
	m.archive_bytes = st->archive_bytes;
	m.has_prev = job->has_prev;
	memcpy(m.prev_sha256, job->prev_sha256, SHA256_DIGEST_LENGTH);
	m.has_base = job->incremental;
	m.base_id = job->base_id;
	memcpy(m.base_sha256, job->base_sha256, SHA256_DIGEST_LENGTH);
	m.has_filelist = job->with_list;
	m.filelist_size = p->list_size;
	memcpy(m.filelist_sha256, p->list_sha256, SHA256_DIGEST_LENGTH);

	if ((text = manifest_format(&m, &len)) == NULL)
		goto err0;
	if (manifest_sign(&job->k->sign, &m, text, len, &sig, &siglen))
		goto err1;
	if (path_join(path, p->dir, "manifest.sig") ||
	    transport_put_deferred(job->t, path, sig, siglen))
		goto err2;
	/* Every part and the signature on disk before the manifest names them. */
	if (transport_sync(job->t, p->dir))
		goto err2;
	/* This rename makes the backup visible. */
	if (path_join(path, p->dir, "manifest") ||
	    transport_put_buf(job->t, path, text, len))
		goto err2;
	if (EVP_Digest(text, len, sha, NULL, EVP_sha256(), NULL) != 1) {
		log_fail(EX_SOFTWARE, "%s: SHA-256 failed (OpenSSL)", path);
		goto err2;
	}

	/* Success! */
	free(sig);
	free(text);
	return (0);

err2:
	free(sig);
err1:
	free(text);
err0:
	/* Failure! */
	return (-1);
}

/* Seconds, for the counters. */
static double
secs(uint64_t ns)
{

	return ((double)ns / 1e9);
}

/*
 * With -v: where the time went.  The reading thread waits for the upload
 * when the store is slower than compression, the upload thread for parts
 * when compression is the slower; the zstd workers are the process's CPU
 * time less both threads'.
 */
static void
counters(const struct pipe *p, uint64_t wall, uint64_t cpu, uint64_t cpu_rd)
{
	uint64_t zw = cpu > cpu_rd + p->cpu_up ? cpu - cpu_rd - p->cpu_up : 0;

	log_debug("%s: %.2f s, %.2f s CPU: reading, tar and encryption %.2f s "
	    "CPU, waited %.2f s for the upload; zstd workers %.2f s CPU; "
	    "upload %.2f s CPU (SHA-256 %.2f s, store %.2f s), waited %.2f s "
	    "for parts", p->dir, secs(wall), secs(cpu), secs(cpu_rd),
	    secs(p->parts.waited_free), secs(zw), secs(p->cpu_up),
	    secs(p->t_hash), secs(p->t_put), secs(p->parts.waited_ready));
}

int
pipeline_run(const struct pipeline_job *job, struct pipeline_result *res)
{
	struct pipe p;
	pthread_t up;
	uint64_t wall = pipeline_now_ns(CLOCK_MONOTONIC);
	uint64_t cpu = pipeline_now_ns(CLOCK_PROCESS_CPUTIME_ID);
	uint64_t cpu_rd = pipeline_now_ns(CLOCK_THREAD_CPUTIME_ID);
	int prc;

	memset(&p, 0, sizeof(p));
	memset(res, 0, sizeof(*res));
	p.job = job;
	p.parts.size = (size_t)job->c->backup_part_size;
	/* A third part only when it fits the budget; two keep the overlap. */
	p.parts.depth = p.parts.size > 0 && PIPELINE_PART_BUDGET /
	    p.parts.size >= PIPELINE_BUFFERS ? PIPELINE_BUFFERS : 2;
	if (store_backup_dir(p.dir, job->site, job->category, job->id))
		goto err0;
	if (p.parts.size == 0 || p.parts.size != job->c->backup_part_size) {
		log_fail(EX_CONFIG, "%s: part_size %" PRIu64 " is not usable",
		    job->c->path, job->c->backup_part_size);
		goto err0;
	}
	if (transport_mkdir(job->t, p.dir))
		goto err0;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	/* The age header goes out at once: start it before the threads. */
	if ((p.w = age_writer_new(job->pks, job->npk, to_parts, &p)) == NULL)
		goto err1;
	if ((prc = pthread_create(&up, NULL, uploader, &p)) != 0) {
		log_fail(EX_OSERR, "%s: cannot start a thread: %s", p.dir,
		    strerror(prc));
		goto err2;
	}
	if (produce(&p, &res->st))
		pipeline_fail(&p);
	pthread_join(up, NULL);
	log_adopt(&p.up_fail);
	release_prev(&p);
	/* Every part is uploaded, unless a failure (logged) stopped us. */
	if (p.failed)
		goto err2;
	if (job->with_list && put_list(&p, res))
		goto err2;
	if (publish(&p, &res->st, res->sha256))
		goto err2;
	res->stored = p.stored;
	res->nparts = p.nparts;
	counters(&p, pipeline_now_ns(CLOCK_MONOTONIC) - wall,
	    pipeline_now_ns(CLOCK_PROCESS_CPUTIME_ID) - cpu,
	    pipeline_now_ns(CLOCK_THREAD_CPUTIME_ID) - cpu_rd);

	/* Success! */
	release_prev(&p);
	filelist_free(p.cur);
	age_writer_free(p.w);
	pipeline_queue_free(&p.parts);
	free(p.mparts);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return (0);

err2:
	pipeline_result_free(res);
	age_writer_free(p.w);
err1:
	filelist_free(p.cur);
	pipeline_queue_free(&p.parts);
	free(p.mparts);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
err0:
	release_prev(&p);
	/* Failure! */
	return (-1);
}

void
pipeline_result_free(struct pipeline_result *res)
{

	filelist_free(res->list);
	res->list = NULL;
}
