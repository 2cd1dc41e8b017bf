/* Compressed in-memory objects: see blob.h. */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include "util/buf.h"
#include "util/log.h"
#include "archive/blob.h"

/* Compressed output is never larger than this (the file list's cap). */
#define BLOB_MAX	((size_t)1 << 30)

struct growbuf {
	struct buf b;
	int nomem;
};

static la_ssize_t
blob_write_cb(struct archive *a, void *cookie, const void *p, size_t len)
{
	struct growbuf *g = cookie;

	(void)a;
	if (buf_append(&g->b, p, len)) {
		g->nomem = 1;
		return (-1);
	}
	return ((la_ssize_t)len);
}

int
blob_compress(enum conf_compression comp, int level, const void *in,
    size_t len, uint8_t **out, size_t *outlen)
{
	struct growbuf g = { BUF_INIT(BLOB_MAX), 0 };
	struct archive *a = NULL;
	struct archive_entry *e = NULL;
	char lv[16];
	int r;

	if (comp == CONF_COMP_NONE) {
		if (buf_append(&g.b, in, len))
			goto nomem;
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
	e = NULL;
	archive_write_free(a);
	a = NULL;
done:
	*outlen = g.b.len;
	if ((*out = buf_take(&g.b)) == NULL)
		goto nomem;
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
	buf_free(&g.b);
	return (-1);
}

int
blob_decompress(const char *name, enum conf_compression comp, const void *in,
    size_t len, uint64_t max, char **out, size_t *outlen)
{
	struct buf b = BUF_INIT(max > BLOB_MAX ? BLOB_MAX : (size_t)max);
	struct archive *a = NULL;
	struct archive_entry *e;
	char chunk[16384];
	la_ssize_t n;

	if (comp == CONF_COMP_NONE) {
		if (buf_append(&b, in, len))
			goto bufail;
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
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) != 0) {
		if (n < 0)
			goto afail;
		if (buf_append(&b, chunk, (size_t)n))
			goto bufail;
	}
	archive_read_free(a);
	a = NULL;
done:
	*outlen = b.len;
	if ((*out = (char *)buf_take(&b)) == NULL)
		goto nomem;
	return (0);

bufail:
	if (errno == EFBIG) {
		log_fail(EX_DATAERR, "%s: larger than %llu bytes once "
		    "decompressed", name, (unsigned long long)max);
		goto err;
	}
	goto nomem;
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
	buf_free(&b);
	return (-1);
}
