#include "config.h"

#include <assert.h>
#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/sha.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "crypto/age.h"
#include "run/fetch.h"
#include "util/log.h"
#include "format/manifest.h"
#include "transport/transport.h"

/* Ciphertext fed to the age reader per step. */
#define FEED	65536
/* Plaintext between the decryption thread and the reader, and per read. */
#define RING	(1024 * 1024)
#define OUT	(256 * 1024)
/*
 * Part buffers: one being downloaded while the other is decrypted, reused
 * from part to part, so that memory stays at two parts.
 */
#define NBUF	2

struct fetch_part {
	uint8_t *buf;
	size_t len;
	size_t idx;
};

struct fetch {
	struct transport *t;
	char *dir;
	const struct manifest *m;
	struct age_reader *age;
	fetch_progress_fn *progress;
	void *pcookie;
	uint64_t total;

	/*
	 * Between the threads: the part buffers (${bufsize} bytes, the
	 * largest part), each free, being downloaded, verified and waiting
	 * (at most one: ${ready}), or being decrypted.
	 */
	pthread_t thr;
	int thr_started;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	size_t bufsize;
	uint8_t *bufs[NBUF];
	uint8_t *freebufs[NBUF];
	size_t nfree;
	struct fetch_part ready;
	int have_ready;
	int dl_done;		/* the download thread has finished */
	int dl_failed;		/* ... after a failure it logged */
	int stop;		/* consumer asks the thread to stop */
	uint64_t verified;	/* ciphertext bytes verified */

	/*
	 * Decryption thread -> reader: verified plaintext in a ring buffer,
	 * so that decryption overlaps decompression and extraction.
	 */
	pthread_t dthr;
	int dthr_started;
	uint8_t *ring;
	size_t rhead, rlen;	/* oldest byte, bytes held */
	int dec_done;		/* the decryption thread has finished */
	int dec_failed;		/* ... after a failure it logged */
	/* What each worker logged, and whether the reader took it over. */
	struct log_failure dl_fail, dec_fail;
	int dl_adopted, dec_adopted;

	/* Decryption thread only. */
	struct fetch_part cur;

	/* Reader only, under ${mtx}: ring bytes handed out, not yet consumed. */
	size_t lent;
};

static int
sha256(const uint8_t *buf, size_t len, uint8_t out[SHA256_DIGEST_LENGTH])
{
	unsigned int olen = SHA256_DIGEST_LENGTH;

	if (EVP_Digest(buf, len, out, &olen, EVP_sha256(), NULL) != 1) {
		log_fail(EX_SOFTWARE, "SHA-256 failed");
		return (-1);
	}
	return (0);
}

/*
 * Download part ${i} into ${buf} (${f->bufsize} bytes), check its size and
 * hash against the manifest.
 */
static int
fetch_one(struct fetch *f, size_t i, uint8_t *buf, struct fetch_part *p)
{
	const struct manifest_part *mp = &f->m->parts[i];
	char path[1024];
	uint8_t h[SHA256_DIGEST_LENGTH];
	size_t len;

	if (snprintf(path, sizeof(path), "%s/part.%06zu", f->dir, i) >=
	    (int)sizeof(path)) {
		log_fail(EX_SOFTWARE, "%s: path too long", f->dir);
		goto err0;
	}
	/* The signed size, not the server's: a cut transfer is retried. */
	len = (size_t)mp->size;
	if (transport_get_into(f->t, path, len, buf))
		goto err0;
	if (sha256(buf, len, h))
		goto err1;
	if (CRYPTO_memcmp(h, mp->sha256, SHA256_DIGEST_LENGTH) != 0) {
		log_fail(EX_DATAERR, "%s: SHA-256 does not match the signed "
		    "manifest (part modified, swapped or from another backup)",
		    path);
		goto err1;
	}
	p->buf = buf;
	p->len = len;
	p->idx = i;
	return (0);

err1:
err0:
	return (-1);
}

/* Give the part buffer ${buf} back to the download thread. */
static void
fetch_release(struct fetch *f, uint8_t *buf)
{

	pthread_mutex_lock(&f->mtx);
	assert(f->nfree < NBUF);
	f->freebufs[f->nfree++] = buf;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mtx);
}

static void *
fetch_thread(void *cookie)
{
	struct fetch *f = cookie;
	struct fetch_part p;
	uint8_t *buf;
	size_t i;
	int failed = 0;

	for (i = 0; i < f->m->nparts; i++) {
		pthread_mutex_lock(&f->mtx);
		while ((f->have_ready || f->nfree == 0) && !f->stop)
			pthread_cond_wait(&f->cv, &f->mtx);
		if (f->stop) {
			pthread_mutex_unlock(&f->mtx);
			break;
		}
		buf = f->freebufs[--f->nfree];
		pthread_mutex_unlock(&f->mtx);

		if (fetch_one(f, i, buf, &p)) {
			fetch_release(f, buf);
			failed = 1;
			break;
		}

		pthread_mutex_lock(&f->mtx);
		f->ready = p;
		f->have_ready = 1;
		f->verified += p.len;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mtx);
		if (f->progress != NULL)
			f->progress(f->pcookie, f->verified, f->total);
	}

	log_take(&f->dl_fail);
	pthread_mutex_lock(&f->mtx);
	f->dl_done = 1;
	f->dl_failed = failed;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mtx);
	return (NULL);
}

/*
 * Age reader output (decryption thread): verified plaintext into the ring,
 * waiting while it is full; -1 once the reader has gone away.
 */
static int
fetch_out(void *cookie, const void *buf, size_t len)
{
	struct fetch *f = cookie;
	const uint8_t *p = buf;
	size_t n, tail;

	pthread_mutex_lock(&f->mtx);
	while (len > 0) {
		while (f->rlen == RING && !f->stop)
			pthread_cond_wait(&f->cv, &f->mtx);
		if (f->stop) {
			pthread_mutex_unlock(&f->mtx);
			return (-1);
		}
		tail = (f->rhead + f->rlen) % RING;
		n = RING - f->rlen;
		if (n > RING - tail)
			n = RING - tail;
		if (n > len)
			n = len;
		memcpy(f->ring + tail, p, n);
		f->rlen += n;
		p += n;
		len -= n;
		pthread_cond_broadcast(&f->cv);
	}
	pthread_mutex_unlock(&f->mtx);
	return (0);
}

/*
 * Before downloading anything: every part the signed manifest lists must be
 * in the listing of the backup's directory (a deleted part is a failed
 * verification, not a missing backup).  One listing, not one per part.
 */
static int
fetch_precheck(struct transport *t, const char *dir, const struct manifest *m)
{
	struct transport_entry *e = NULL;
	size_t n = 0, i, j;
	char name[32];
	int rc = -1;

	if (transport_list(t, dir, &e, &n) < 0)
		return (-1);
	for (i = 0; i < m->nparts; i++) {
		snprintf(name, sizeof(name), "part.%06zu", i);
		for (j = 0; j < n; j++)
			if (!e[j].is_dir && strcmp(e[j].name, name) == 0)
				break;
		if (j == n) {
			log_fail(EX_DATAERR, "%s/%s: missing (the signed "
			    "manifest lists %zu parts)", dir, name, m->nparts);
			goto done;
		}
	}
	rc = 0;
done:
	transport_entries_free(e, n);
	return (rc);
}

static void *fetch_decrypt(void *);

struct fetch *
fetch_new(struct transport *t, const char *dir, const struct manifest *m,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk,
    fetch_progress_fn *progress, void *pcookie)
{
	struct fetch *f;
	size_t i;

	if (fetch_precheck(t, dir, m))
		return (NULL);
	if ((f = calloc(1, sizeof(*f))) == NULL)
		goto err0;
	f->t = t;
	f->m = m;
	f->progress = progress;
	f->pcookie = pcookie;
	for (i = 0; i < m->nparts; i++) {
		f->total += m->parts[i].size;
		if (m->parts[i].size > f->bufsize)
			f->bufsize = (size_t)m->parts[i].size;
	}
	if ((f->dir = strdup(dir)) == NULL || (f->ring = malloc(RING)) == NULL)
		goto err2;
	for (i = 0; i < NBUF; i++) {
		/* Not touched until used: a small backup costs little. */
		if ((f->bufs[i] = malloc(f->bufsize + 1)) == NULL)
			goto err2;
		f->freebufs[f->nfree++] = f->bufs[i];
	}
	if ((f->age = age_reader_new(sks, nsk, fetch_out, f)) == NULL)
		goto err2;
	if (pthread_mutex_init(&f->mtx, NULL))
		goto err3;
	if (pthread_cond_init(&f->cv, NULL))
		goto err4;
	if (pthread_create(&f->thr, NULL, fetch_thread, f))
		goto err5;
	f->thr_started = 1;
	if (pthread_create(&f->dthr, NULL, fetch_decrypt, f)) {
		fetch_free(f);
		goto err0;
	}
	f->dthr_started = 1;

	/* Success! */
	return (f);

err5:
	pthread_cond_destroy(&f->cv);
err4:
	pthread_mutex_destroy(&f->mtx);
err3:
	age_reader_free(f->age);
err2:
	for (i = 0; i < NBUF; i++)
		free(f->bufs[i]);
	free(f->ring);
	free(f->dir);
	free(f);
err0:
	log_fail(EX_OSERR, "cannot start reading %s: %s", dir, strerror(errno));
	return (NULL);
}

/* Wait for the next verified part; return 1 if one, 0 at the end, -1. */
static int
fetch_next_part(struct fetch *f)
{
	int rc;

	pthread_mutex_lock(&f->mtx);
	while (!f->have_ready && !f->dl_done && !f->stop)
		pthread_cond_wait(&f->cv, &f->mtx);
	if (f->have_ready) {
		f->cur = f->ready;
		f->have_ready = 0;
		pthread_cond_broadcast(&f->cv);
		rc = 1;
	} else
		rc = f->dl_failed ? -1 : 0;
	pthread_mutex_unlock(&f->mtx);
	return (rc);
}

static void
fetch_age_failed(struct fetch *f)
{
	enum age_err e = age_reader_error(f->age);

	if (e == AGE_E_OUTPUT || e == AGE_E_INTERNAL) {
		log_fail(EX_SOFTWARE, "%s: decrypting: %s", f->dir,
		    age_strerror(e));
		return;
	}
	log_fail(EX_DATAERR, "%s: part.%06zu: decryption failed at chunk "
	    "%llu: %s", f->dir, f->cur.idx,
	    (unsigned long long)age_reader_chunk(f->age), age_strerror(e));
}

/* The decryption thread: verified parts through the age reader. */
static void *
fetch_decrypt(void *cookie)
{
	struct fetch *f = cookie;
	size_t off, n;
	int rc, failed = 0;

	for (;;) {
		if ((rc = fetch_next_part(f)) < 0) {
			failed = 1;	/* the download thread said why */
			break;
		}
		if (rc == 0) {
			if (!f->stop && age_reader_finish(f->age)) {
				fetch_age_failed(f);
				failed = 1;
			}
			break;
		}
		for (off = 0; off < f->cur.len; off += n) {
			n = f->cur.len - off < FEED ? f->cur.len - off : FEED;
			if (age_reader_write(f->age, f->cur.buf + off, n))
				break;
		}
		fetch_release(f, f->cur.buf);
		f->cur.buf = NULL;
		if (off < f->cur.len) {
			if (!f->stop)
				fetch_age_failed(f);
			failed = 1;
			break;
		}
	}

	log_take(&f->dec_fail);
	pthread_mutex_lock(&f->mtx);
	f->dec_done = 1;
	f->dec_failed = failed;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mtx);
	return (NULL);
}

/*
 * Take over what a worker thread logged once it is done (under f->mtx, or
 * after the join): it handed its failure before it said so.
 */
static void
adopt(struct fetch *f)
{

	if (f->dl_done && !f->dl_adopted) {
		log_adopt(&f->dl_fail);
		f->dl_adopted = 1;
	}
	if (f->dec_done && !f->dec_adopted) {
		log_adopt(&f->dec_fail);
		f->dec_adopted = 1;
	}
}

ssize_t
fetch_read(void *cookie, const void **buf)
{
	struct fetch *f = cookie;
	size_t n;
	ssize_t rc;

	pthread_mutex_lock(&f->mtx);
	/* What the last call handed out is consumed now: room for more. */
	if (f->lent > 0) {
		f->rhead = (f->rhead + f->lent) % RING;
		f->rlen -= f->lent;
		f->lent = 0;
		pthread_cond_broadcast(&f->cv);
	}
	while (f->rlen == 0 && !f->dec_done)
		pthread_cond_wait(&f->cv, &f->mtx);
	if (f->rlen == 0) {
		rc = f->dec_failed ? -1 : 0;
		/* The workers' failures are now the reader's. */
		if (rc != 0)
			adopt(f);
		pthread_mutex_unlock(&f->mtx);
		return (rc);
	}
	/* Handed out in place, up to the end of the ring: no copy. */
	n = f->rlen < OUT ? f->rlen : OUT;
	if (n > RING - f->rhead)
		n = RING - f->rhead;
	f->lent = n;
	pthread_mutex_unlock(&f->mtx);
	*buf = f->ring + f->rhead;
	return ((ssize_t)n);
}

int
fetch_drain(struct fetch *f)
{
	const void *buf;
	ssize_t n;

	while ((n = fetch_read(f, &buf)) > 0)
		continue;
	return (n < 0 ? -1 : 0);
}

void
fetch_free(struct fetch *f)
{
	size_t i;

	if (f == NULL)
		return;
	pthread_mutex_lock(&f->mtx);
	f->stop = 1;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mtx);
	if (f->dthr_started)
		pthread_join(f->dthr, NULL);
	if (f->thr_started)
		pthread_join(f->thr, NULL);
	adopt(f);
	for (i = 0; i < NBUF; i++)
		free(f->bufs[i]);
	/* Plaintext of voicemail and configuration: wiped, not just freed. */
	OPENSSL_cleanse(f->ring, RING);
	free(f->ring);
	age_reader_free(f->age);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mtx);
	free(f->dir);
	free(f);
}
