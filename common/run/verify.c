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
#include "run/select.h"
#include "store/store.h"
#include "run/verify.h"

int
verify_backup(struct transport *t, const char *site, enum category cat,
    uint64_t id, const struct minisign_pub *pubs, size_t npub,
    const uint8_t (*sks)[AGE_KEY_LEN], size_t nsk, struct verify_result *res)
{
	struct store *st;
	struct selection *sel = NULL;
	struct unpack_stats us;
	char which[24];
	size_t n = 0, i;

	memset(res, 0, sizeof(*res));
	snprintf(which, sizeof(which), "%" PRIu64, id);
	if ((st = store_new(t, site, pubs, npub, 1)) == NULL)
		goto err0;
	/* The backup just written: no rollback to check against. */
	if (select_backups(st, which, 0, &cat, 1, NULL, &sel, &n))
		goto err1;
	/* Everything a restore checks, with nothing written. */
	if (restore_stream(t, sel[0].m, sks, nsk, NULL, NULL, &us))
		goto err2;
	/* In a chain, the file list the next backup builds on, too. */
	if (sel[0].m->has_filelist) {
		struct filelist *fl;

		if ((fl = chain_list_fetch(t, sel[0].m, sks, nsk)) == NULL)
			goto err2;
		filelist_free(fl);
	}
	res->nparts = sel[0].m->nparts;
	for (i = 0; i < sel[0].m->nparts; i++)
		res->stored += sel[0].m->parts[i].size;
	res->plain = us.archive_bytes;

	/* Success! */
	select_free(sel, n);
	store_free(st);
	return (0);

err2:
	select_free(sel, n);
err1:
	store_free(st);
err0:
	/* Failure! */
	return (-1);
}
