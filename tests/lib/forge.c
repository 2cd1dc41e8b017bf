/*
 * forge: make a backup by hand, for restore tests.  Takes a tar file the
 * test crafted (hostile entries and all), encrypts it to a site key, splits
 * it into parts, and writes a manifest signed with that key into a local
 * store, exactly as `sitevault backup` would lay it out.  Not installed.
 *
 * usage: forge KEYFILE STOREDIR SITE CATEGORY ID TARFILE PARTSIZE [PREVHEX]
 */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/evp.h>

#include "crypto/age.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "format/manifest.h"

struct mem {
	uint8_t *buf;
	size_t len, cap;
};

static int
mem_out(void *cookie, const void *buf, size_t len)
{
	struct mem *m = cookie;

	if (m->len + len > m->cap) {
		m->cap = (m->len + len) * 2;
		if ((m->buf = realloc(m->buf, m->cap)) == NULL)
			return (-1);
	}
	memcpy(m->buf + m->len, buf, len);
	m->len += len;
	return (0);
}

static void
die(const char *what)
{

	fprintf(stderr, "forge: %s\n", what);
	exit(1);
}

static void
put(const char *path, const void *buf, size_t len)
{
	FILE *f;

	if ((f = fopen(path, "wb")) == NULL ||
	    fwrite(buf, 1, len, f) != len || fclose(f) != 0)
		die(path);
}

/* Count regular files and their bytes as the restore will. */
static void
count(const char *tarfile, uint64_t *files, uint64_t *bytes)
{
	struct archive *a = archive_read_new();
	struct archive_entry *e;

	archive_read_support_format_all(a);
	archive_read_support_filter_all(a);
	if (archive_read_open_filename(a, tarfile, 65536) != ARCHIVE_OK)
		die(archive_error_string(a));
	while (archive_read_next_header(a, &e) == ARCHIVE_OK) {
		if (archive_entry_filetype(e) == AE_IFREG &&
		    archive_entry_hardlink(e) == NULL) {
			(*files)++;
			*bytes += (uint64_t)archive_entry_size(e);
		}
	}
	archive_read_free(a);
}

int
main(int argc, char *argv[])
{
	static char agent[] = "sitevault forge", comp[] = "none";
	static char desc[] = "forged by a test";
	struct keys *k;
	struct manifest m;
	struct mem tar = { 0 }, enc = { 0 };
	struct age_writer *w;
	char dir[4096], path[4200], recip[AGE_RECIPIENT_STRMAX];
	char *recips[1], *text, *sig;
	size_t tlen, slen, psize, i, off;
	unsigned int hl;
	FILE *f;
	uint8_t chunk[65536];
	size_t n;

	if (argc < 8)
		die("usage: forge KEYFILE STOREDIR SITE CATEGORY ID TARFILE "
		    "PARTSIZE [PREVHEX]");
	log_init("forge", 0, 0);
	if ((k = keys_load(argv[1])) == NULL)
		exit(1);
	psize = strtoul(argv[7], NULL, 10);

	if ((f = fopen(argv[6], "rb")) == NULL)
		die(argv[6]);
	while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0)
		mem_out(&tar, chunk, n);
	fclose(f);

	if ((w = age_writer_new((const uint8_t (*)[AGE_KEY_LEN])k->age_pk, 1,
	    mem_out, &enc)) == NULL ||
	    age_writer_write(w, tar.buf, tar.len) || age_writer_finish(w))
		die("age");
	age_writer_free(w);

	memset(&m, 0, sizeof(m));
	m.site = argv[3];
	m.category = argv[4];
	m.id = strtoull(argv[5], NULL, 10);
	m.time = (int64_t)time(NULL);
	m.agent = agent;
	memcpy(m.keyid, k->sign.keyid, sizeof(m.keyid));
	if (age_recipient_encode(k->age_pk, recip, sizeof(recip)))
		die("recipient");
	recips[0] = recip;
	m.recipients = recips;
	m.nrecipients = 1;
	m.compression = comp;
	m.description = desc;
	m.archive_bytes = tar.len;
	count(argv[6], &m.files, &m.bytes);
	if (argc > 8) {
		m.has_prev = 1;
		for (i = 0; i < 32; i++)
			sscanf(argv[8] + 2 * i, "%2hhx", &m.prev_sha256[i]);
	}
	m.nparts = (enc.len + psize - 1) / psize;
	if ((m.parts = calloc(m.nparts, sizeof(*m.parts))) == NULL)
		die("calloc");

	snprintf(dir, sizeof(dir), "%s/%s", argv[2], argv[3]);
	mkdir(dir, 0700);
	snprintf(dir, sizeof(dir), "%s/%s/%s_%s", argv[2], argv[3], argv[4],
	    argv[5]);
	if (mkdir(dir, 0700) && errno != EEXIST)
		die(dir);
	for (i = 0, off = 0; i < m.nparts; i++, off += psize) {
		n = enc.len - off < psize ? enc.len - off : psize;
		m.parts[i].size = n;
		hl = 32;
		EVP_Digest(enc.buf + off, n, m.parts[i].sha256, &hl,
		    EVP_sha256(), NULL);
		snprintf(path, sizeof(path), "%s/part.%06zu", dir, i);
		put(path, enc.buf + off, n);
	}
	if ((text = manifest_format(&m, &tlen)) == NULL ||
	    manifest_sign(&k->sign, &m, text, tlen, &sig, &slen))
		die("manifest");
	snprintf(path, sizeof(path), "%s/manifest.sig", dir);
	put(path, sig, slen);
	snprintf(path, sizeof(path), "%s/manifest", dir);
	put(path, text, tlen);

	free(text);
	free(sig);
	free(m.parts);
	free(tar.buf);
	free(enc.buf);
	keys_free(k);
	return (0);
}
