/*
 * wavgen: a deterministic voicemail-like data set for bench/backup-bench.sh.
 *
 *   wavgen DIR TOTAL_BYTES [SEED]
 *
 * writes DIR/spool/<mailbox>/msgNNNN.wav (8 kHz, 16-bit, mono PCM, 10-120 s
 * of "speech": voiced syllables of harmonics and noise under an envelope,
 * separated by pauses of low background noise) until TOTAL_BYTES of audio,
 * and DIR/config/ with 300 small text files.  The same arguments always
 * give the same bytes (xorshift64* generator, no libc randomness).
 */
#include <errno.h>
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define RATE	8000
#ifndef M_PI
#define M_PI	3.14159265358979323846
#endif

static uint64_t rng_state;

static uint64_t
rng(void)
{

	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return (rng_state * UINT64_C(2685821657736338717));
}

/* Uniform in [0, 1). */
static double
unif(void)
{

	return ((double)(rng() >> 11) / 9007199254740992.0);
}

static void
le16(uint8_t *p, uint16_t v)
{

	p[0] = v & 0xff;
	p[1] = v >> 8;
}

static void
le32(uint8_t *p, uint32_t v)
{

	le16(p, v & 0xffff);
	le16(p + 2, v >> 16);
}

static int
mkdirp(const char *path)
{
	char buf[4096], *s;

	snprintf(buf, sizeof(buf), "%s", path);
	for (s = buf + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(buf, 0755) == -1 && errno != EEXIST)
			return (-1);
		*s = '/';
	}
	return (mkdir(buf, 0755) == -1 && errno != EEXIST ? -1 : 0);
}

/* One message of ${secs} seconds into ${path}. */
static int
wav(const char *path, unsigned secs)
{
	uint32_t n = secs * RATE, i = 0, seg, j;
	uint8_t hdr[44];
	int16_t *pcm;
	double pitch, ph, amp, noise, lp = 0, v;
	FILE *f;
	int k;

	if ((pcm = malloc((size_t)n * 2)) == NULL)
		return (-1);
	while (i < n) {
		/* A pause: background hiss. */
		seg = (uint32_t)(RATE * (0.05 + 0.35 * unif()));
		for (j = 0; j < seg && i < n; j++, i++)
			pcm[i] = (int16_t)((unif() - 0.5) * 24);
		/* A syllable: a few harmonics plus breath, under a hump. */
		seg = (uint32_t)(RATE * (0.10 + 0.20 * unif()));
		pitch = 90 + 160 * unif();
		amp = 2000 + 9000 * unif();
		noise = 0.15 + 0.3 * unif();
		ph = 0;
		for (j = 0; j < seg && i < n; j++, i++) {
			double env = sin(M_PI * j / seg);

			ph += 2 * M_PI * pitch / RATE;
			v = 0;
			for (k = 1; k <= 4; k++)
				v += sin(k * ph) / k;
			lp = 0.7 * lp + 0.3 * (unif() - 0.5);
			v = amp * env * (0.6 * v + noise * 4 * lp);
			pcm[i] = (int16_t)(v > 32767 ? 32767 : v < -32768 ?
			    -32768 : v);
		}
	}
	memcpy(hdr, "RIFF", 4);
	le32(hdr + 4, 36 + n * 2);
	memcpy(hdr + 8, "WAVEfmt ", 8);
	le32(hdr + 16, 16);
	le16(hdr + 20, 1);		/* PCM */
	le16(hdr + 22, 1);		/* mono */
	le32(hdr + 24, RATE);
	le32(hdr + 28, RATE * 2);
	le16(hdr + 32, 2);
	le16(hdr + 34, 16);
	memcpy(hdr + 36, "data", 4);
	le32(hdr + 40, n * 2);
	for (i = 0; i < n; i++) {
		/* Little-endian samples whatever the host. */
		uint16_t s = (uint16_t)pcm[i];

		le16((uint8_t *)&pcm[i], s);
	}
	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(hdr, 1, sizeof(hdr), f) != sizeof(hdr) ||
	    fwrite(pcm, 2, n, f) != n || fclose(f) != 0) {
		free(pcm);
		return (-1);
	}
	free(pcm);
	return (0);
}

int
main(int argc, char *argv[])
{
	char path[4096];
	unsigned long long total, done = 0;
	unsigned secs, msg = 0, i;
	FILE *f;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: wavgen DIR TOTAL_BYTES [SEED]\n");
		return (64);
	}
	total = strtoull(argv[2], NULL, 10);
	rng_state = argc == 4 ? strtoull(argv[3], NULL, 10) : 20240501;
	if (rng_state == 0)
		rng_state = 1;
	for (i = 0; i < 300; i++) {
		snprintf(path, sizeof(path), "%s/config/users/%u", argv[1],
		    i / 50);
		if (mkdirp(path))
			goto fail;
		snprintf(path, sizeof(path), "%s/config/users/%u/%u.conf",
		    argv[1], i / 50, 1000 + i);
		if ((f = fopen(path, "w")) == NULL)
			goto fail;
		fprintf(f, "[mailbox %u]\nname = User %u\nlanguage = %s\n"
		    "greeting = %s\npin_hash = %016llx\nquota = %u\n",
		    1000 + i, i, i % 3 ? "en" : "fr", i % 2 ? "standard" :
		    "alternate", (unsigned long long)rng(), 60 + i % 7 * 30);
		if (fclose(f) != 0)
			goto fail;
	}
	while (done < total) {
		secs = 10 + (unsigned)(rng() % 111);
		if ((unsigned long long)secs * RATE * 2 > total - done)
			secs = (unsigned)((total - done) / (RATE * 2)) + 1;
		snprintf(path, sizeof(path), "%s/spool/%u", argv[1],
		    2000 + msg % 97);
		if (mkdirp(path))
			goto fail;
		snprintf(path, sizeof(path), "%s/spool/%u/msg%05u.wav",
		    argv[1], 2000 + msg % 97, msg);
		if (wav(path, secs))
			goto fail;
		done += 44 + (unsigned long long)secs * RATE * 2;
		msg++;
	}
	printf("%u messages, %llu bytes of audio, 300 config files\n", msg,
	    done);
	return (0);
fail:
	fprintf(stderr, "wavgen: %s: %s\n", path, strerror(errno));
	return (1);
}
