/* Test vectors from docs/FORMAT.md: see fmtvec.h. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fmtvec.h"

static char *
slurp(const char *path)
{
	FILE *f;
	char *buf;
	long n;

	if ((f = fopen(path, "rb")) == NULL || fseek(f, 0, SEEK_END) != 0 ||
	    (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0 ||
	    (buf = malloc((size_t)n + 1)) == NULL ||
	    fread(buf, 1, (size_t)n, f) != (size_t)n) {
		fprintf(stderr, "fmtvec: cannot read %s\n", path);
		abort();
	}
	fclose(f);
	buf[n] = '\0';
	return (buf);
}

char *
fmtvec_get(const char *name, size_t *len)
{
	const char *top = getenv("top_srcdir");
	char path[4096], marker[256], *doc, *p, *e, *out;

	snprintf(path, sizeof(path), "%s/docs/FORMAT.md",
	    top != NULL ? top : ".");
	doc = slurp(path);
	snprintf(marker, sizeof(marker), "<!-- vector:%s -->\n```\n", name);
	if ((p = strstr(doc, marker)) == NULL ||
	    (e = strstr(p + strlen(marker), "\n```\n")) == NULL) {
		fprintf(stderr, "fmtvec: no vector %s in %s\n", name, path);
		abort();
	}
	p += strlen(marker);
	if ((out = malloc((size_t)(e - p) + 2)) == NULL)
		abort();
	memcpy(out, p, (size_t)(e - p));
	out[e - p] = '\n';
	out[e - p + 1] = '\0';
	if (len != NULL)
		*len = (size_t)(e - p) + 1;
	free(doc);
	return (out);
}

void
fmtvec_hex(const char *name, uint8_t *out, size_t n)
{
	char *s = fmtvec_get(name, NULL);
	unsigned int v;
	size_t i;

	if (strlen(s) != 2 * n + 1) {
		fprintf(stderr, "fmtvec: %s is not %zu hex bytes\n", name, n);
		abort();
	}
	for (i = 0; i < n; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			abort();
		out[i] = (uint8_t)v;
	}
	free(s);
}
