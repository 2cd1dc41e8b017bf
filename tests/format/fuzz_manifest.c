/*
 * libFuzzer target: the manifest parser and the minisign signature and
 * public key parsers, on untrusted bytes from the server.  Oracle besides
 * the sanitizers: a manifest the parser accepts must format back to the
 * very same bytes (one encoding per manifest).
 *
 * Input: a manifest, optionally followed by a NUL byte and a signature file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "util/log.h"
#include "format/manifest.h"
#include "crypto/minisign.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct minisign_pub pub;	/* the docs/FORMAT.md vector key */
	static int init;
	const char *text = (const char *)data, *sig = NULL, *nul;
	struct minisign_pub p;
	struct manifest *m;
	size_t len = size, siglen = 0, flen;
	char *again, *tc;

	if (!init) {
		static const char key[] =
		    "RWQBI0VniavN79damAGCsQq31Uv+08lkBzoO4XLz2qYjJa8CGmj3B1Ea";
		log_init("fuzz_manifest", 1, 0);
		if (minisign_pub_parse("key", key, strlen(key), &pub))
			abort();
		init = 1;
	}
	if ((nul = memchr(text, '\0', size)) != NULL) {
		len = (size_t)(nul - text);
		sig = nul + 1;
		siglen = size - len - 1;
	}

	if ((m = manifest_parse("fuzz", text, len)) != NULL) {
		if ((again = manifest_format(m, &flen)) == NULL ||
		    flen != len || memcmp(again, text, len) != 0)
			abort();
		free(again);
		manifest_free(m);
	}
	(void)minisign_pub_parse("fuzz", text, size, &p);
	if (sig != NULL) {
		if (minisign_verify(&pub, 1, text, len, sig, siglen, &tc,
		    NULL) == 0)
			free(tc);
		manifest_free(manifest_verify(&pub, 1, "fuzz", text, len, sig,
		    siglen));
	}
	log_reset();
	return (0);
}
