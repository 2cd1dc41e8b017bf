#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>


#include "age.h"
#include "conf.h"
#include "keys.h"
#include "log.h"
#include "manifest.h"
#include "pack.h"
#include "pipeline.h"
#include "transport.h"

struct ready {
	uint8_t *buf;
	size_t len;
};

/* The state shared by the reading thread and the upload thread. */
struct pipe {
	const struct pipeline_job *job;
	size_t part_size;
	char dir[256];			/* <site>/<Category>_<id> */

	pthread_mutex_t mu;
	pthread_cond_t cv;		/* any change below */
	uint8_t *bufs[PIPELINE_BUFFERS];	/* allocated on demand */
	size_t nalloc;
	uint8_t *freebufs[PIPELINE_BUFFERS];
	size_t nfree;
	struct ready ready[PIPELINE_BUFFERS];	/* ring of full parts */
	size_t rhead, rcount;
	int eof;			/* reader: no more parts will come */
	int failed;			/* either side: stop now */
	uint64_t stored;		/* bytes uploaded (atomic reads) */

	/* Reading thread only. */
	uint8_t *cur;
	size_t curlen;
	size_t nqueued;

	/* Upload thread only, until joined. */
	struct manifest_part *parts;
	size_t nparts;
};

static void
pipe_fail(struct pipe *p)
{

	pthread_mutex_lock(&p->mu);
	p->failed = 1;
	pthread_cond_broadcast(&p->cv);
	pthread_mutex_unlock(&p->mu);
}

/* A buffer to fill: a free one, a new one, or wait.  NULL after a failure. */
static uint8_t *
get_buf(struct pipe *p)
{
	uint8_t *b = NULL;

	pthread_mutex_lock(&p->mu);
	while (!p->failed && p->nfree == 0 && p->nalloc == PIPELINE_BUFFERS)
		pthread_cond_wait(&p->cv, &p->mu);
	if (p->failed)
		goto out;
	if (p->nfree > 0) {
		b = p->freebufs[--p->nfree];
	} else if ((b = malloc(p->part_size)) != NULL) {
		p->bufs[p->nalloc++] = b;
	} else {
		log_fail(EX_OSERR, "%s: out of memory for a part of %zu bytes",
		    p->dir, p->part_size);
		p->failed = 1;
		pthread_cond_broadcast(&p->cv);
	}
out:
	pthread_mutex_unlock(&p->mu);
	return (b);
}

/* Hand the part being filled to the upload thread. */
static int
queue_part(struct pipe *p)
{
	int rc = -1;

	pthread_mutex_lock(&p->mu);
	if (p->failed)
		goto out;
	if (p->nqueued >= PIPELINE_MAX_PARTS) {
		log_fail(EX_SOFTWARE, "%s: more than %d parts: raise "
		    "[backup] part_size", p->dir, PIPELINE_MAX_PARTS);
		p->failed = 1;
		pthread_cond_broadcast(&p->cv);
		goto out;
	}
	/* A buffer is either free, being filled, queued or uploading. */
	p->ready[(p->rhead + p->rcount) % PIPELINE_BUFFERS].buf = p->cur;
	p->ready[(p->rhead + p->rcount) % PIPELINE_BUFFERS].len = p->curlen;
	p->rcount++;
	p->nqueued++;
	p->cur = NULL;
	p->curlen = 0;
	pthread_cond_broadcast(&p->cv);
	rc = 0;
out:
	pthread_mutex_unlock(&p->mu);
	return (rc);
}

/* age output: cut the encrypted stream into parts. */
static int
emit(void *cookie, const void *buf, size_t len)
{
	struct pipe *p = cookie;
	const uint8_t *s = buf;
	size_t n;

	while (len > 0) {
		if (p->cur == NULL && (p->cur = get_buf(p)) == NULL)
			return (-1);
		n = p->part_size - p->curlen;
		if (n > len)
			n = len;
		memcpy(p->cur + p->curlen, s, n);
		p->curlen += n;
		s += n;
		len -= n;
		if (p->curlen == p->part_size && queue_part(p))
			return (-1);
	}
	if (p->job->progress != NULL)
		p->job->progress(p->job->progress_cookie,
		    __atomic_load_n(&p->stored, __ATOMIC_RELAXED));
	return (0);
}

/* pack output: encrypt. */
static int
to_age(void *cookie, const void *buf, size_t len)
{

	return (age_writer_write(cookie, buf, len));
}

/* Upload one part; record its size and hash. */
static int
upload_part(struct pipe *p, const uint8_t *buf, size_t len)
{
	struct manifest_part *np;
	char path[320];

	if ((np = reallocarray(p->parts, p->nparts + 1, sizeof(*np))) ==
	    NULL) {
		log_fail(EX_OSERR, "%s: out of memory", p->dir);
		return (-1);
	}
	p->parts = np;
	np[p->nparts].size = len;
	if (EVP_Digest(buf, len, np[p->nparts].sha256, NULL, EVP_sha256(),
	    NULL) != 1) {
		log_fail(EX_SOFTWARE, "%s: SHA-256 failed", p->dir);
		return (-1);
	}
	snprintf(path, sizeof(path), "%s/part.%06zu", p->dir, p->nparts);
	if (transport_put_buf(p->job->t, path, buf, len))
		return (-1);
	p->nparts++;
	return (0);
}

static void *
uploader(void *cookie)
{
	struct pipe *p = cookie;
	struct ready r;

	for (;;) {
		pthread_mutex_lock(&p->mu);
		while (p->rcount == 0 && !p->eof && !p->failed)
			pthread_cond_wait(&p->cv, &p->mu);
		if (p->failed || p->rcount == 0) {
			pthread_mutex_unlock(&p->mu);
			break;
		}
		r = p->ready[p->rhead];
		p->rhead = (p->rhead + 1) % PIPELINE_BUFFERS;
		p->rcount--;
		pthread_mutex_unlock(&p->mu);

		if (upload_part(p, r.buf, r.len)) {
			pipe_fail(p);
			break;
		}

		pthread_mutex_lock(&p->mu);
		__atomic_store_n(&p->stored, p->stored + r.len,
		    __ATOMIC_RELAXED);
		p->freebufs[p->nfree++] = r.buf;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
	}
	return (NULL);
}

/* The reading side: everything through pack and age into parts. */
static int
produce(struct pipe *p, struct pack_stats *st)
{
	const struct pipeline_job *job = p->job;
	struct age_writer *w;
	struct pack *pk;
	size_t i;

	if ((w = age_writer_new(job->pks, job->npk, emit, p)) == NULL)
		goto err0;
	if ((pk = pack_new(job->c->backup_compression,
	    job->c->backup_compression_level, to_age, w)) == NULL)
		goto err1;
	for (i = 0; job->paths[i] != NULL; i++)
		if (pack_add_tree(pk, job->paths[i], job->c->backup_exclude))
			goto err2;
	if (pack_finish(pk, st) || age_writer_finish(w))
		goto err2;
	/* The last, short part (age always writes a header: never empty). */
	if (p->curlen > 0 && queue_part(p))
		goto err2;

	/* Success! */
	pack_free(pk);
	age_writer_free(w);
	return (0);

err2:
	pack_free(pk);
err1:
	age_writer_free(w);
err0:
	/* Failure! */
	return (-1);
}

/*
 * Sign and upload the manifest of the finished stream: the signature
 * first, the manifest last.  Set ${sha} to the manifest text's SHA-256.
 */
static int
publish(struct pipe *p, const struct pack_stats *st, uint8_t sha[32])
{
	const struct pipeline_job *job = p->job;
	const struct conf *c = job->c;
	struct manifest m;
	char comp[16], agent[64], path[320], *text, *sig;
	size_t len, siglen;

	memset(&m, 0, sizeof(m));
	switch (c->backup_compression) {
	case CONF_COMP_NONE:
		snprintf(comp, sizeof(comp), "none");
		break;
	case CONF_COMP_GZIP:
		snprintf(comp, sizeof(comp), "gzip:%d",
		    c->backup_compression_level);
		break;
	default:
		snprintf(comp, sizeof(comp), "zstd:%d",
		    c->backup_compression_level);
		break;
	}
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
	m.parts = p->parts;
	m.nparts = p->nparts;
	m.files = st->files;
	m.bytes = st->bytes;
	m.archive_bytes = st->archive_bytes;
	m.has_prev = job->has_prev;
	memcpy(m.prev_sha256, job->prev_sha256, 32);

	if ((text = manifest_format(&m, &len)) == NULL)
		goto err0;
	if (manifest_sign(&job->k->sign, &m, text, len, &sig, &siglen))
		goto err1;
	snprintf(path, sizeof(path), "%s/manifest.sig", p->dir);
	if (transport_put_buf(job->t, path, sig, siglen))
		goto err2;
	/* This rename makes the backup visible. */
	snprintf(path, sizeof(path), "%s/manifest", p->dir);
	if (transport_put_buf(job->t, path, text, len))
		goto err2;
	EVP_Digest(text, len, sha, NULL, EVP_sha256(), NULL);

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

int
pipeline_run(const struct pipeline_job *job, struct pipeline_result *res)
{
	struct pipe p;
	pthread_t tid;
	size_t i;
	int prc;

	memset(&p, 0, sizeof(p));
	memset(res, 0, sizeof(*res));
	p.job = job;
	p.part_size = (size_t)job->c->backup_part_size;
	snprintf(p.dir, sizeof(p.dir), "%s/%s_%" PRIu64, job->site,
	    job->category, job->id);
	if (p.part_size == 0 || p.part_size != job->c->backup_part_size) {
		log_fail(EX_CONFIG, "%s: part_size %" PRIu64 " is not usable",
		    job->c->path, job->c->backup_part_size);
		goto err0;
	}
	if (transport_mkdir(job->t, p.dir))
		goto err0;
	pthread_mutex_init(&p.mu, NULL);
	pthread_cond_init(&p.cv, NULL);
	if ((prc = pthread_create(&tid, NULL, uploader, &p)) != 0) {
		log_fail(EX_OSERR, "%s: cannot start the upload thread: %s",
		    p.dir, strerror(prc));
		goto err1;
	}
	if (produce(&p, &res->st)) {
		pipe_fail(&p);
	} else {
		pthread_mutex_lock(&p.mu);
		p.eof = 1;
		pthread_cond_broadcast(&p.cv);
		pthread_mutex_unlock(&p.mu);
	}
	pthread_join(tid, NULL);
	/* Parts all uploaded, or a failure (already logged) stopped us. */
	if (p.failed || p.nparts != p.nqueued)
		goto err1;
	if (publish(&p, &res->st, res->sha256))
		goto err1;
	res->stored = __atomic_load_n(&p.stored, __ATOMIC_RELAXED);
	res->nparts = p.nparts;

	/* Success! */
	for (i = 0; i < p.nalloc; i++)
		free(p.bufs[i]);
	free(p.parts);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
	return (0);

err1:
	for (i = 0; i < p.nalloc; i++)
		free(p.bufs[i]);
	free(p.parts);
	pthread_cond_destroy(&p.cv);
	pthread_mutex_destroy(&p.mu);
err0:
	/* Failure! */
	return (-1);
}

/* Add recipient ${s} unless it is there already. */
static int
add_recipient(const char *s, const uint8_t pk[AGE_KEY_LEN],
    uint8_t (**pks)[AGE_KEY_LEN], char ***strs, size_t *n)
{
	uint8_t (*np)[AGE_KEY_LEN];
	char **ns;
	size_t i;

	for (i = 0; i < *n; i++)
		if (memcmp((*pks)[i], pk, AGE_KEY_LEN) == 0)
			return (0);
	if ((np = reallocarray(*pks, *n + 1, sizeof(*np))) == NULL)
		goto oom;
	*pks = np;
	if ((ns = reallocarray(*strs, *n + 1, sizeof(*ns))) == NULL)
		goto oom;
	*strs = ns;
	if ((ns[*n] = strdup(s)) == NULL)
		goto oom;
	memcpy(np[*n], pk, AGE_KEY_LEN);
	(*n)++;
	return (0);
oom:
	log_fail(EX_OSERR, "recipients: out of memory");
	return (-1);
}

/* Add every recipient of the file ${path}, one a line. */
static int
add_file(const char *path, uint8_t (**pks)[AGE_KEY_LEN], char ***strs,
    size_t *n)
{
	uint8_t pk[AGE_KEY_LEN];
	char *line = NULL, *s, *e;
	size_t cap = 0;
	unsigned long lineno = 0;
	FILE *f;
	int rc = -1;

	if ((f = fopen(path, "re")) == NULL) {
		log_fail(EX_CONFIG, "%s: cannot read recipients file: %s", path,
		    strerror(errno));
		return (-1);
	}
	while (getline(&line, &cap, f) != -1) {
		lineno++;
		for (s = line; *s == ' ' || *s == '\t'; s++)
			;
		for (e = s + strlen(s); e > s && (e[-1] == '\n' ||
		    e[-1] == '\r' || e[-1] == ' ' || e[-1] == '\t'); e--)
			;
		*e = '\0';
		if (*s == '\0' || *s == '#')
			continue;
		if (age_recipient_decode(s, pk)) {
			log_fail(EX_CONFIG, "%s: line %lu: not an age X25519 "
			    "recipient (age1...)", path, lineno);
			goto out;
		}
		if (add_recipient(s, pk, pks, strs, n))
			goto out;
	}
	if (ferror(f)) {
		log_fail(EX_CONFIG, "%s: %s", path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	free(line);
	fclose(f);
	return (rc);
}

int
pipeline_recipients(const uint8_t site_pk[AGE_KEY_LEN], char *const *list,
    uint8_t (**pks)[AGE_KEY_LEN], char ***strs, size_t *n)
{
	char s[AGE_RECIPIENT_STRMAX];
	uint8_t pk[AGE_KEY_LEN];
	size_t i;

	*pks = NULL;
	*strs = NULL;
	*n = 0;
	if (age_recipient_encode(site_pk, s, sizeof(s))) {
		log_fail(EX_SOFTWARE, "site key: cannot encode its recipient");
		goto err0;
	}
	if (add_recipient(s, site_pk, pks, strs, n))
		goto err0;
	for (i = 0; list[i] != NULL; i++) {
		if (strncmp(list[i], "age1", 4) != 0) {
			if (add_file(list[i], pks, strs, n))
				goto err0;
			continue;
		}
		if (age_recipient_decode(list[i], pk)) {
			log_fail(EX_CONFIG, "[keys] recipients: %s: not a valid "
			    "age X25519 recipient", list[i]);
			goto err0;
		}
		if (add_recipient(list[i], pk, pks, strs, n))
			goto err0;
	}

	/* Success! */
	return (0);

err0:
	/* Failure! */
	pipeline_recipients_free(*pks, *strs, *n);
	*pks = NULL;
	*strs = NULL;
	*n = 0;
	return (-1);
}

void
pipeline_recipients_free(uint8_t (*pks)[AGE_KEY_LEN], char **strs, size_t n)
{
	size_t i;

	free(pks);
	if (strs == NULL)
		return;
	for (i = 0; i < n; i++)
		free(strs[i]);
	free(strs);
}
