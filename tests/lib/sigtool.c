/*
 * sigtool: the library's minisign and manifest code on files, for the
 * interoperability tests against the stock minisign program.
 *
 *   sigtool sign KEYFILE FILE SIGFILE [TRUSTED-COMMENT]
 *   sigtool verify PUBFILE FILE SIGFILE
 *   sigtool manifest-sign KEYFILE MANIFEST SIGFILE
 *   sigtool manifest-verify PUBFILE MANIFEST SIGFILE
 *
 * KEYFILE is a sitevault secret key file, PUBFILE a minisign public key
 * file (minisign's, or sitevault's FILE.pub).  Exit 0 on success, else the
 * class of the failure (65 for a signature that does not verify).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "crypto/keys.h"
#include "util/log.h"
#include "format/manifest.h"
#include "crypto/minisign.h"

static char *
slurp(const char *path, size_t *len)
{
	FILE *f;
	char *buf;
	size_t n;

	if ((f = fopen(path, "rb")) == NULL) {
		perror(path);
		exit(EX_NOINPUT);
	}
	if ((buf = malloc(MANIFEST_MAX + 2)) == NULL)
		exit(EX_OSERR);
	n = fread(buf, 1, MANIFEST_MAX + 1, f);
	if (ferror(f))
		exit(EX_IOERR);
	fclose(f);
	buf[n] = '\0';
	*len = n;
	return (buf);
}

static void
spit(const char *path, const char *buf, size_t len)
{
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(EX_CANTCREAT);
	}
}

static int
do_sign(int argc, char *argv[], const char *msg, size_t len)
{
	struct manifest *m = NULL;
	struct keys *k;
	char *sig = NULL;
	size_t siglen;
	int rc = -1;

	if ((k = keys_load(argv[2])) == NULL)
		return (-1);
	if (argv[1][0] == 's')
		rc = minisign_sign(&k->sign, msg, len, "signature from sigtool",
		    argc > 5 ? argv[5] : "sigtool", &sig, &siglen);
	else if ((m = manifest_parse(argv[3], msg, len)) != NULL)
		rc = manifest_sign(&k->sign, m, msg, len, &sig, &siglen);
	if (rc == 0)
		spit(argv[4], sig, siglen);
	manifest_free(m);
	keys_free(k);
	free(sig);
	return (rc);
}

static int
do_verify(char *argv[], const char *msg, size_t len)
{
	struct minisign_pub pub;
	struct manifest *m;
	char *sig, *tc;
	size_t siglen;
	int rc = -1;

	if (minisign_pub_load(argv[2], &pub))
		return (-1);
	sig = slurp(argv[4], &siglen);
	if (argv[1][0] == 'v') {
		if (minisign_verify_named(argv[4], &pub, 1, msg, len, sig,
		    siglen, &tc, NULL) == 0) {
			printf("trusted comment: %s\n", tc);
			free(tc);
			rc = 0;
		}
	} else if ((m = manifest_verify(&pub, 1, argv[3], msg, len, sig,
	    siglen)) != NULL) {
		printf("manifest %s %s %llu verified\n", m->site, m->category,
		    (unsigned long long)m->id);
		manifest_free(m);
		rc = 0;
	}
	free(sig);
	return (rc);
}

int
main(int argc, char *argv[])
{
	char *msg;
	size_t len;
	int rc;

	log_init("sigtool", 0, 0);
	if (argc < 5) {
		fprintf(stderr, "usage: sigtool sign|verify|manifest-sign|"
		    "manifest-verify KEY FILE SIGFILE [TRUSTED]\n");
		return (EX_USAGE);
	}
	msg = slurp(argv[3], &len);
	if (strcmp(argv[1], "sign") == 0 ||
	    strcmp(argv[1], "manifest-sign") == 0)
		rc = do_sign(argc, argv, msg, len);
	else if (strcmp(argv[1], "verify") == 0 ||
	    strcmp(argv[1], "manifest-verify") == 0)
		rc = do_verify(argv, msg, len);
	else {
		fprintf(stderr, "sigtool: unknown command %s\n", argv[1]);
		free(msg);
		return (EX_USAGE);
	}
	free(msg);
	if (rc != 0)
		return (log_class() != 0 ? log_class() : EX_SOFTWARE);
	return (0);
}
