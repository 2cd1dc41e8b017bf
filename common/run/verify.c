#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "util/log.h"
#include "format/manifest.h"
#include "format/filelist.h"
#include "run/chain.h"
#include "run/restore.h"
#include "store/store.h"
#include "run/verify.h"

int
verify_backup(struct transport *t, const char *site, const char *category,
    uint64_t id, const struct minisign_pub *pubs, size_t npub,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk, struct verify_result *res)
{
	struct store *st;
	struct store_backup *b = NULL, *pick = NULL;
	struct unpack_stats us;
	size_t n = 0, i;

	memset(res, 0, sizeof(*res));
	if ((st = store_new(t, site, pubs, npub, 1)) == NULL)
		goto err0;
	if (store_scan(st, category, &b, &n))
		goto err1;
	for (i = 0; i < n; i++)
		if (b[i].id == id)
			pick = &b[i];
	if (pick == NULL || pick->status != STORE_COMPLETE) {
		log_fail(pick == NULL ? EX_NOINPUT : EX_DATAERR, "%s/%s_%" PRIu64
		    ": %s", site, category, id, pick == NULL ? "not found" :
		    "no valid signed manifest");
		goto err2;
	}
	/* Everything a restore checks, with nothing written. */
	if (restore_stream(t, pick->m, sks, nsk, NULL, NULL, &us))
		goto err2;
	/* In a chain, the file list the next backup builds on, too. */
	if (pick->m->has_filelist) {
		struct filelist *fl;

		if ((fl = chain_list_fetch(t, pick->m, sks, nsk)) == NULL)
			goto err2;
		filelist_free(fl);
	}
	res->nparts = pick->m->nparts;
	res->stored = pick->size;
	res->plain = us.archive_bytes;

	/* Success! */
	store_backups_free(b, n);
	store_free(st);
	return (0);

err2:
	store_backups_free(b, n);
err1:
	store_free(st);
err0:
	/* Failure! */
	return (-1);
}
