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

#include "keys.h"
#include "log.h"
#include "manifest.h"
#include "minisign.h"

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
fail(void)
{

	return (log_class() != 0 ? log_class() : EX_SOFTWARE);
}

int
main(int argc, char *argv[])
{
	struct minisign_pub pub;
	struct manifest *m;
	struct keys *k;
	char *msg, *sig, *tc;
	size_t len, siglen;

	log_init("sigtool", 0, 0);
	if (argc < 5) {
		fprintf(stderr, "usage: sigtool sign|verify|manifest-sign|"
		    "manifest-verify KEY FILE SIGFILE [TRUSTED]\n");
		return (EX_USAGE);
	}
	msg = slurp(argv[3], &len);
	if (strcmp(argv[1], "sign") == 0 || strcmp(argv[1],
	    "manifest-sign") == 0) {
		if ((k = keys_load(argv[2])) == NULL)
			return (fail());
		if (argv[1][0] == 's') {
			if (minisign_sign(&k->sign, msg, len,
			    "signature from sigtool", argc > 5 ? argv[5] :
			    "sigtool", &sig, &siglen))
				return (fail());
		} else {
			if ((m = manifest_parse(argv[3], msg, len)) == NULL ||
			    manifest_sign(&k->sign, m, msg, len, &sig, &siglen))
				return (fail());
			manifest_free(m);
		}
		spit(argv[4], sig, siglen);
		keys_free(k);
		free(sig);
	} else if (strcmp(argv[1], "verify") == 0 ||
	    strcmp(argv[1], "manifest-verify") == 0) {
		if (minisign_pub_load(argv[2], &pub))
			return (fail());
		sig = slurp(argv[4], &siglen);
		if (argv[1][0] == 'v') {
			if (minisign_verify_named(argv[4], &pub, 1, msg, len,
			    sig, siglen, &tc, NULL))
				return (fail());
			printf("trusted comment: %s\n", tc);
			free(tc);
		} else {
			if ((m = manifest_verify(&pub, 1, argv[3], msg, len, sig,
			    siglen)) == NULL)
				return (fail());
			printf("manifest %s %s %llu verified\n", m->site,
			    m->category, (unsigned long long)m->id);
			manifest_free(m);
		}
		free(sig);
	} else {
		fprintf(stderr, "sigtool: unknown command %s\n", argv[1]);
		return (EX_USAGE);
	}
	free(msg);
	return (0);
}
