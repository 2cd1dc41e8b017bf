/* Compressed in-memory objects: see blob.h. */
#include <archive.h>
#include <archive_entry.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/log.h"
#include "archive/blob.h"

struct growbuf {
	uint8_t *p;
	size_t len, cap;
	int nomem;
};

static la_ssize_t
blob_write_cb(struct archive *a, void *cookie, const void *buf, size_t len)
{
	struct growbuf *g = cookie;
	uint8_t *np;

	(void)a;
	if (g->len + len > g->cap) {
		size_t cap = (g->len + len) * 2;

		if ((np = realloc(g->p, cap)) == NULL) {
			g->nomem = 1;
			return (-1);
		}
		g->p = np;
		g->cap = cap;
	}
	memcpy(g->p + g->len, buf, len);
	g->len += len;
	return ((la_ssize_t)len);
}

int
blob_compress(enum conf_compression comp, int level, const void *in,
    size_t len, uint8_t **out, size_t *outlen)
{
	struct growbuf g = { NULL, 0, 0, 0 };
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	char lv[16];
	int r;

	if (comp == CONF_COMP_NONE) {
		if ((g.p = malloc(len > 0 ? len : 1)) == NULL)
			goto nomem;
		memcpy(g.p, in, len);
		g.len = len;
		goto done;
	}
	if ((a = archive_write_new()) == NULL || (e = archive_entry_new()) ==
	    NULL)
		goto nomem;
	r = comp == CONF_COMP_GZIP ? archive_write_add_filter_gzip(a) :
	    archive_write_add_filter_zstd(a);
	snprintf(lv, sizeof(lv), "%d", level);
	if (r != ARCHIVE_OK || archive_write_set_format_raw(a) != ARCHIVE_OK ||
	    archive_write_set_filter_option(a, NULL, "compression-level", lv) !=
	    ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(a, 1) != ARCHIVE_OK ||
	    archive_write_open(a, &g, NULL, blob_write_cb, NULL) != ARCHIVE_OK)
		goto afail;
	archive_entry_set_filetype(e, AE_IFREG);
	archive_entry_set_size(e, (la_int64_t)len);
	if (archive_write_header(a, e) != ARCHIVE_OK ||
	    (len > 0 && archive_write_data(a, in, len) != (la_ssize_t)len) ||
	    archive_write_close(a) != ARCHIVE_OK)
		goto afail;
	archive_entry_free(e);
	archive_write_free(a);
done:
	*out = g.p;
	*outlen = g.len;
	return (0);

afail:
	if (!g.nomem) {
		log_fail(EX_SOFTWARE, "compress: %s",
		    archive_error_string(a) != NULL ? archive_error_string(a) :
		    "libarchive failed");
		goto err;
	}
nomem:
	log_fail(EX_OSERR, "compress: out of memory");
err:
	archive_entry_free(e);
	if (a != NULL)
		archive_write_free(a);
	free(g.p);
	return (-1);
}

int
blob_decompress(const char *name, enum conf_compression comp, const void *in,
    size_t len, uint64_t max, char **out, size_t *outlen)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	char *buf = NULL, *np;
	size_t used = 0, cap = 0;
	la_ssize_t n;

	if (comp == CONF_COMP_NONE) {
		if (len > max)
			goto toobig;
		if ((buf = malloc(len + 1)) == NULL)
			goto nomem;
		memcpy(buf, in, len);
		used = len;
		goto done;
	}
	if ((a = archive_read_new()) == NULL)
		goto nomem;
	if ((comp == CONF_COMP_GZIP ? archive_read_support_filter_gzip(a) :
	    archive_read_support_filter_zstd(a)) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, in, len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto afail;
	for (;;) {
		if (cap - used < 65536 + 1) {
			cap = cap * 2 + 65536 + 1;
			if ((np = realloc(buf, cap)) == NULL)
				goto nomem;
			buf = np;
		}
		if ((n = archive_read_data(a, buf + used, cap - used - 1)) < 0)
			goto afail;
		if (n == 0)
			break;
		used += (size_t)n;
		if (used > max)
			goto toobig;
	}
	archive_read_free(a);
done:
	buf[used] = '\0';
	*out = buf;
	*outlen = used;
	return (0);

toobig:
	log_fail(EX_DATAERR, "%s: larger than %llu bytes once decompressed",
	    name, (unsigned long long)max);
	goto err;
afail:
	log_fail(EX_DATAERR, "%s: cannot decompress: %s", name,
	    archive_error_string(a) != NULL ? archive_error_string(a) :
	    "libarchive failed");
	goto err;
nomem:
	log_fail(EX_OSERR, "%s: out of memory", name);
err:
	if (a != NULL)
		archive_read_free(a);
	free(buf);
	return (-1);
}
