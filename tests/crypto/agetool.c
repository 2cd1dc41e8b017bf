/*
 * agetool: a small age tool over common/age, for the interoperability
 * tests and the benchmark (not installed).
 *	agetool -k			print a new identity, then its recipient
 *	agetool -e -r age1... [-r ...]	encrypt stdin to stdout
 *	agetool -d -i FILE [-i ...]	decrypt stdin to stdout with the
 *					identities in FILE (age-keygen format)
 * -s prints the peak resident set size on stderr at the end.  On a
 * rejected stream the message names the error: "agetool: <text> (E<n>)".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "crypto/age.h"
#include "util/log.h"

#define MAXKEYS	16
#define BUFLEN	(64 * 1024)

static int
out_fd(void *cookie, const void *buf, size_t len)
{
	const char *p = buf;
	ssize_t n;

	(void)cookie;
	while (len > 0) {
		if ((n = write(STDOUT_FILENO, p, len)) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "agetool: write: %s\n", strerror(errno));
			return (-1);
		}
		p += n;
		len -= (size_t)n;
	}
	return (0);
}

/* Read the identities of the age-keygen file ${path} into ${sks}. */
static int
read_identities(const char *path, uint8_t (*sks)[AGE_KEY_LEN], size_t *n)
{
	char line[512];
	size_t len;
	FILE *f;
	int rc = 0;

	if ((f = fopen(path, "r")) == NULL) {
		fprintf(stderr, "agetool: %s: %s\n", path, strerror(errno));
		return (-1);
	}
	while (rc == 0 && fgets(line, sizeof(line), f) != NULL) {
		len = strcspn(line, "\r\n");
		line[len] = '\0';
		if (len == 0 || line[0] == '#')
			continue;
		if (*n == MAXKEYS || age_identity_decode(line, sks[*n]) != 0) {
			fprintf(stderr, "agetool: %s: bad identity\n", path);
			rc = -1;
		} else
			(*n)++;
	}
	OPENSSL_cleanse(line, sizeof(line));
	fclose(f);
	return (rc);
}

static int
keygen(void)
{
	uint8_t sk[AGE_KEY_LEN], pk[AGE_KEY_LEN];
	char id[AGE_IDENTITY_STRMAX], rc[AGE_RECIPIENT_STRMAX];

	if (age_keygen(sk) || age_public(sk, pk) ||
	    age_identity_encode(sk, id, sizeof(id)) ||
	    age_recipient_encode(pk, rc, sizeof(rc)))
		return (1);
	printf("%s\n%s\n", id, rc);
	OPENSSL_cleanse(sk, sizeof(sk));
	OPENSSL_cleanse(id, sizeof(id));
	return (0);
}

int
main(int argc, char **argv)
{
	static uint8_t buf[BUFLEN];
	uint8_t keys[MAXKEYS][AGE_KEY_LEN];
	size_t nkeys = 0;
	struct age_writer *w = NULL;
	struct age_reader *r = NULL;
	struct rusage ru;
	ssize_t n;
	int c, mode = 0, stats = 0, rc = 1;

	log_init("agetool", 0, 0);
	while ((c = getopt(argc, argv, "kedr:i:s")) != -1) {
		switch (c) {
		case 'k':
		case 'e':
		case 'd':
			mode = c;
			break;
		case 'r':
			if (nkeys == MAXKEYS ||
			    age_recipient_decode(optarg, keys[nkeys++])) {
				fprintf(stderr, "agetool: bad recipient %s\n",
				    optarg);
				return (2);
			}
			break;
		case 'i':
			if (read_identities(optarg, keys, &nkeys))
				return (2);
			break;
		case 's':
			stats = 1;
			break;
		default:
			goto usage;
		}
	}
	if (mode == 'k')
		return (keygen());
	if (mode == 0 || optind != argc)
		goto usage;

	if (mode == 'e' && (w = age_writer_new(
	    (const uint8_t (*)[AGE_KEY_LEN])keys, nkeys, out_fd, NULL)) == NULL)
		goto done;
	if (mode == 'd' && (r = age_reader_new(
	    (const uint8_t (*)[AGE_KEY_LEN])keys, nkeys, out_fd, NULL)) == NULL)
		goto done;
	for (;;) {
		if ((n = read(STDIN_FILENO, buf, sizeof(buf))) < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "agetool: read: %s\n", strerror(errno));
			goto done;
		}
		if (n == 0)
			break;
		if (w != NULL ? age_writer_write(w, buf, (size_t)n) :
		    age_reader_write(r, buf, (size_t)n))
			break;
	}
	if (w != NULL ? age_writer_finish(w) : age_reader_finish(r)) {
		if (r != NULL)
			fprintf(stderr, "agetool: %s (E%d) at chunk %llu\n",
			    age_strerror(age_reader_error(r)),
			    (int)age_reader_error(r),
			    (unsigned long long)age_reader_chunk(r));
		goto done;
	}
	rc = 0;
done:
	age_writer_free(w);
	age_reader_free(r);
	OPENSSL_cleanse(keys, sizeof(keys));
	if (stats && getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(stderr, "agetool: maxrss %ld KiB\n", ru.ru_maxrss);
	return (rc);

usage:
	fprintf(stderr, "usage: agetool -k | -e -r RECIPIENT... | "
	    "-d -i IDENTITYFILE... [-s]\n");
	return (2);
}
