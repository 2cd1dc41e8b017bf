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

struct blob_writer {
	enum conf_compression comp;
	struct archive *a;		/* NULL for none */
	struct archive_entry *e;
	int (*out)(void *, const void *, size_t);
	void *cookie;
	int outfail;			/* ${out} failed (and logged) */
};

static la_ssize_t
blob_write_cb(struct archive *a, void *cookie, const void *p, size_t len)
{
	struct blob_writer *w = cookie;

	(void)a;
	if (w->out(w->cookie, p, len)) {
		w->outfail = 1;
		return (-1);
	}
	return ((la_ssize_t)len);
}

/* Log libarchive's failure, unless ${out} failed and said why. */
static void
blob_afail(struct blob_writer *w)
{

	if (!w->outfail)
		log_fail(EX_SOFTWARE, "compress: %s",
		    archive_error_string(w->a) != NULL ?
		    archive_error_string(w->a) : "libarchive failed");
}

struct blob_writer *
blob_writer_new(enum conf_compression comp, int level,
    int (*out)(void *, const void *, size_t), void *cookie)
{
	struct blob_writer *w;
	char lv[16];
	int r;

	if ((w = calloc(1, sizeof(*w))) == NULL)
		goto nomem;
	w->comp = comp;
	w->out = out;
	w->cookie = cookie;
	if (comp == CONF_COMP_NONE)
		return (w);
	if ((w->a = archive_write_new()) == NULL || (w->e =
	    archive_entry_new()) == NULL)
		goto nomem;
	r = comp == CONF_COMP_GZIP ? archive_write_add_filter_gzip(w->a) :
	    archive_write_add_filter_zstd(w->a);
	snprintf(lv, sizeof(lv), "%d", level);
	/* The raw format passes the data through whatever its length. */
	if (r != ARCHIVE_OK || archive_write_set_format_raw(w->a) !=
	    ARCHIVE_OK || archive_write_set_filter_option(w->a, NULL,
	    "compression-level", lv) != ARCHIVE_OK ||
	    archive_write_set_bytes_in_last_block(w->a, 1) != ARCHIVE_OK ||
	    archive_write_open(w->a, w, NULL, blob_write_cb, NULL) !=
	    ARCHIVE_OK)
		goto afail;
	archive_entry_set_filetype(w->e, AE_IFREG);
	if (archive_write_header(w->a, w->e) != ARCHIVE_OK)
		goto afail;
	return (w);

afail:
	blob_afail(w);
	blob_writer_free(w);
	return (NULL);
nomem:
	log_fail(EX_OSERR, "compress: out of memory");
	blob_writer_free(w);
	return (NULL);
}

int
blob_writer_write(void *cookie, const void *p, size_t len)
{
	struct blob_writer *w = cookie;

	if (w->a == NULL)
		return (len > 0 ? w->out(w->cookie, p, len) : 0);
	if (len > 0 && archive_write_data(w->a, p, len) != (la_ssize_t)len) {
		blob_afail(w);
		return (-1);
	}
	return (0);
}

int
blob_writer_finish(struct blob_writer *w)
{

	if (w->a != NULL && archive_write_close(w->a) != ARCHIVE_OK) {
		blob_afail(w);
		return (-1);
	}
	return (0);
}

void
blob_writer_free(struct blob_writer *w)
{

	if (w == NULL)
		return;
	archive_entry_free(w->e);
	if (w->a != NULL)
		archive_write_free(w->a);
	free(w);
}

/* blob_compress()'s output: into a struct buf. */
static int
blob_buf_out(void *cookie, const void *p, size_t len)
{

	if (buf_append(cookie, p, len)) {
		log_fail(EX_OSERR, "compress: out of memory");
		return (-1);
	}
	return (0);
}

int
blob_compress(enum conf_compression comp, int level, const void *in,
    size_t len, uint8_t **out, size_t *outlen)
{
	struct buf b = BUF_INIT(BLOB_MAX);
	struct blob_writer *w;

	if ((w = blob_writer_new(comp, level, blob_buf_out, &b)) == NULL)
		goto err;
	if (blob_writer_write(w, in, len) || blob_writer_finish(w))
		goto err;
	blob_writer_free(w);
	w = NULL;
	*outlen = b.len;
	if ((*out = buf_take(&b)) == NULL) {
		log_fail(EX_OSERR, "compress: out of memory");
		goto err;
	}
	return (0);

err:
	blob_writer_free(w);
	buf_free(&b);
	return (-1);
}

int
blob_decompress(const char *name, enum conf_compression comp, const void *in,
    size_t len, int (*out)(void *, const void *, size_t), void *cookie)
{
	struct archive *a = NULL;
	struct archive_entry *e;
	char chunk[16384];
	la_ssize_t n;

	if (comp == CONF_COMP_NONE)
		return (len > 0 ? out(cookie, in, len) : 0);
	if ((a = archive_read_new()) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", name);
		return (-1);
	}
	if ((comp == CONF_COMP_GZIP ? archive_read_support_filter_gzip(a) :
	    archive_read_support_filter_zstd(a)) != ARCHIVE_OK ||
	    archive_read_support_format_raw(a) != ARCHIVE_OK ||
	    archive_read_open_memory(a, in, len) != ARCHIVE_OK ||
	    archive_read_next_header(a, &e) != ARCHIVE_OK)
		goto afail;
	while ((n = archive_read_data(a, chunk, sizeof(chunk))) != 0) {
		if (n < 0)
			goto afail;
		if (out(cookie, chunk, (size_t)n))
			goto err;
	}

	/* Success! */
	archive_read_free(a);
	return (0);

afail:
	log_fail(EX_DATAERR, "%s: cannot decompress: %s", name,
	    archive_error_string(a) != NULL ? archive_error_string(a) :
	    "libarchive failed");
err:
	archive_read_free(a);
	/* Failure! */
	return (-1);
}
