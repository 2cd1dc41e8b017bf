#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/evp.h>

#include "run/fetch.h"
#include "util/log.h"
#include "format/manifest.h"
#include "run/restore.h"
#include "store/store.h"
#include "transport/transport.h"
#include "archive/unpack.h"

int
restore_stream(struct transport *t, const struct manifest *m,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk, const char *root,
    const struct restore_hooks *h, struct unpack_stats *st)
{
	static const struct restore_hooks none;
	struct fetch *f;
	char dir[PATH_BUF];

	memset(st, 0, sizeof(*st));
	if (store_backup_dir(dir, m->site, m->category, m->id))
		goto err0;
	if (h == NULL)
		h = &none;
	if ((f = fetch_new(t, dir, m, sks, nsk, h->progress, h->cookie)) ==
	    NULL)
		goto err0;
	if (unpack_run(root, fetch_read, f, m->archive_bytes, h->each,
	    h->cookie, st))
		goto err1;
	/* Every part and the end of the age stream must verify, too. */
	if (fetch_drain(f))
		goto err1;
	if (st->files != m->files || st->bytes != m->bytes) {
		log_fail(EX_DATAERR, "%s: archive holds %llu files, %llu bytes; "
		    "the signed manifest says %llu files, %llu bytes", dir,
		    (unsigned long long)st->files,
		    (unsigned long long)st->bytes,
		    (unsigned long long)m->files,
		    (unsigned long long)m->bytes);
		goto err1;
	}

	/* Success! */
	fetch_free(f);
	return (0);

err1:
	fetch_free(f);
err0:
	/* Failure! */
	return (-1);
}
