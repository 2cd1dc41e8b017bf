#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "age.h"
#include "fetch.h"
#include "log.h"
#include "manifest.h"
#include "transport.h"

/* Ciphertext fed to the age reader per step: bounds the plaintext buffer. */
#define FEED	65536

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

	/* Between the threads: one verified part waiting (depth 1 + current). */
	pthread_t thr;
	int thr_started;
	pthread_mutex_t mtx;
	pthread_cond_t cv;
	struct fetch_part ready;
	int have_ready;
	int dl_done;		/* the download thread has finished */
	int dl_failed;		/* ... after a failure it logged */
	int stop;		/* consumer asks the thread to stop */
	uint64_t verified;	/* ciphertext bytes verified */

	/* Consumer side. */
	struct fetch_part cur;
	size_t cur_off;
	size_t nconsumed;	/* parts taken from the queue */
	uint8_t *pt;		/* verified plaintext not yet handed out */
	size_t ptlen, ptcap;
	int pt_handed;		/* pt was handed out by the last fetch_read */
	int ended;		/* age stream finished and verified */
	int failed;
};

static int
sha256(const uint8_t *buf, size_t len, uint8_t out[32])
{
	unsigned int olen = 32;

	if (EVP_Digest(buf, len, out, &olen, EVP_sha256(), NULL) != 1) {
		log_fail(EX_SOFTWARE, "SHA-256 failed");
		return (-1);
	}
	return (0);
}

/* Download part ${i}, check its size and hash against the manifest. */
static int
fetch_one(struct fetch *f, size_t i, struct fetch_part *p)
{
	const struct manifest_part *mp = &f->m->parts[i];
	char path[1024];
	uint8_t h[32];
	uint8_t *buf = NULL;
	size_t len;

	if (snprintf(path, sizeof(path), "%s/part.%06zu", f->dir, i) >=
	    (int)sizeof(path)) {
		log_fail(EX_SOFTWARE, "%s: path too long", f->dir);
		goto err0;
	}
	/* One byte more than signed, so that an oversized part is caught. */
	if (transport_get_buf(f->t, path, (size_t)mp->size + 1, &buf,
	    &len))
		goto err0;
	if (len != mp->size) {
		log_fail(EX_DATAERR, "%s: size %zu bytes, the signed manifest "
		    "says %llu", path, len, (unsigned long long)mp->size);
		goto err1;
	}
	if (sha256(buf, len, h))
		goto err1;
	if (CRYPTO_memcmp(h, mp->sha256, 32) != 0) {
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
	free(buf);
err0:
	return (-1);
}

static void *
fetch_thread(void *cookie)
{
	struct fetch *f = cookie;
	struct fetch_part p;
	size_t i;
	int failed = 0;

	for (i = 0; i < f->m->nparts; i++) {
		pthread_mutex_lock(&f->mtx);
		while (f->have_ready && !f->stop)
			pthread_cond_wait(&f->cv, &f->mtx);
		if (f->stop) {
			pthread_mutex_unlock(&f->mtx);
			break;
		}
		pthread_mutex_unlock(&f->mtx);

		if (fetch_one(f, i, &p)) {
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

	pthread_mutex_lock(&f->mtx);
	f->dl_done = 1;
	f->dl_failed = failed;
	pthread_cond_broadcast(&f->cv);
	pthread_mutex_unlock(&f->mtx);
	return (NULL);
}

/* Age reader output: collect verified plaintext. */
static int
fetch_out(void *cookie, const void *buf, size_t len)
{
	struct fetch *f = cookie;
	uint8_t *np;
	size_t ncap;

	if (f->ptlen + len > f->ptcap) {
		ncap = f->ptcap ? f->ptcap : 2 * FEED;
		while (ncap < f->ptlen + len)
			ncap *= 2;
		if ((np = realloc(f->pt, ncap)) == NULL)
			return (-1);
		f->pt = np;
		f->ptcap = ncap;
	}
	memcpy(f->pt + f->ptlen, buf, len);
	f->ptlen += len;
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
	for (i = 0; i < m->nparts; i++)
		f->total += m->parts[i].size;
	if ((f->dir = strdup(dir)) == NULL)
		goto err1;
	if ((f->age = age_reader_new(sks, nsk, fetch_out, f)) == NULL)
		goto err2;
	if (pthread_mutex_init(&f->mtx, NULL))
		goto err3;
	if (pthread_cond_init(&f->cv, NULL))
		goto err4;
	if (pthread_create(&f->thr, NULL, fetch_thread, f))
		goto err5;
	f->thr_started = 1;

	/* Success! */
	return (f);

err5:
	pthread_cond_destroy(&f->cv);
err4:
	pthread_mutex_destroy(&f->mtx);
err3:
	age_reader_free(f->age);
err2:
	free(f->dir);
err1:
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
	while (!f->have_ready && !f->dl_done)
		pthread_cond_wait(&f->cv, &f->mtx);
	if (f->have_ready) {
		f->cur = f->ready;
		f->have_ready = 0;
		f->cur_off = 0;
		f->nconsumed++;
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

ssize_t
fetch_read(void *cookie, const void **buf)
{
	struct fetch *f = cookie;
	size_t n;
	int rc;

	if (f->failed)
		return (-1);
	if (f->pt_handed) {
		f->ptlen = 0;
		f->pt_handed = 0;
	}
	while (f->ptlen == 0 && !f->ended) {
		if (f->cur.buf != NULL && f->cur_off < f->cur.len) {
			n = f->cur.len - f->cur_off;
			if (n > FEED)
				n = FEED;
			if (age_reader_write(f->age, f->cur.buf + f->cur_off,
			    n)) {
				fetch_age_failed(f);
				goto err;
			}
			f->cur_off += n;
			continue;
		}
		free(f->cur.buf);
		f->cur.buf = NULL;
		if ((rc = fetch_next_part(f)) < 0)
			goto err;
		if (rc == 0) {
			if (age_reader_finish(f->age)) {
				fetch_age_failed(f);
				goto err;
			}
			f->ended = 1;
		}
	}
	if (f->ptlen == 0)
		return (0);
	*buf = f->pt;
	f->pt_handed = 1;
	return ((ssize_t)f->ptlen);

err:
	f->failed = 1;
	return (-1);
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

uint64_t
fetch_bytes(const struct fetch *f)
{

	return (f->verified);
}

void
fetch_free(struct fetch *f)
{

	if (f == NULL)
		return;
	if (f->thr_started) {
		pthread_mutex_lock(&f->mtx);
		f->stop = 1;
		pthread_cond_broadcast(&f->cv);
		pthread_mutex_unlock(&f->mtx);
		pthread_join(f->thr, NULL);
	}
	if (f->have_ready)
		free(f->ready.buf);
	free(f->cur.buf);
	if (f->pt != NULL) {
		OPENSSL_cleanse(f->pt, f->ptcap);
		free(f->pt);
	}
	age_reader_free(f->age);
	pthread_cond_destroy(&f->cv);
	pthread_mutex_destroy(&f->mtx);
	free(f->dir);
	free(f);
}
