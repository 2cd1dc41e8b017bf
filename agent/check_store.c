/*
 * sitevault check, the checks of what the store holds and lets this site
 * do there, once the site directory is listed: a test file's round trip,
 * the SITE marker, the neighbours' directories, the free space.
 */
#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "agent.h"
#include "check_internal.h"
#include "conf/conf.h"
#include "format/marker.h"
#include "util/log.h"
#include "util/path.h"
#include "store/store.h"
#include "transport/transport.h"

#define TESTFILE_LEN	(256 * 1024)
#define SITE_MAX	4096

/* Upload, list, download and delete a test file in the site directory. */
void
check_roundtrip(struct check *ck, const struct conf *c, struct transport *t)
{
	uint8_t *data = NULL, *back = NULL, r[4];
	char path[PATH_BUF], *name;
	size_t len;
	int ex;

	if ((data = malloc(TESTFILE_LEN)) == NULL ||
	    RAND_bytes(data, TESTFILE_LEN) != 1 || RAND_bytes(r, 4) != 1) {
		log_fail(EX_OSERR, "out of memory");
		check_failed(ck, "upload", EX_OSERR);
		goto out;
	}
	/* A temporary name, so that prune removes it if we die here. */
	if (path_fmt(path, "%s/check%s%02x%02x%02x%02x", c->site_name,
	    TRANSPORT_TMP_MARK, r[0], r[1], r[2], r[3])) {
		check_failed(ck, "upload", EX_SOFTWARE);
		goto out;
	}
	name = strrchr(path, '/') + 1;
	if (transport_put_buf(t, path, data, TESTFILE_LEN)) {
		check_failed(ck, "upload", EX_CANTCREAT);
		goto out;
	}
	check_result(ck, PASS, "upload", "%s, %d bytes, %s", name, TESTFILE_LEN,
	    conf_is_s3(c) ? "in one PUT (atomic)" : "through a temporary name "
	    "and rename");
	if ((ex = transport_exists(t, path)) != 1) {
		if (ex == 0)
			log_fail(EX_IOERR, "%s: uploaded, but not in the listing",
			    name);
		check_failed(ck, "test file listed", EX_IOERR);
		goto del;
	}
	check_result(ck, PASS, "test file listed", "%s", name);
	if (transport_get_buf(t, path, TESTFILE_LEN, &back, &len)) {
		check_failed(ck, "download", EX_IOERR);
		goto del;
	}
	if (len != TESTFILE_LEN || CRYPTO_memcmp(back, data, len) != 0) {
		log_fail(EX_IOERR, "%s: downloaded %zu bytes that differ from "
		    "what was uploaded", name, len);
		check_failed(ck, "download", EX_IOERR);
		goto del;
	}
	check_result(ck, PASS, "download", "identical bytes");
del:
	if (transport_delete(t, path) || transport_exists(t, path) != 0) {
		if (log_class() == 0)
			log_fail(EX_IOERR, "%s: still listed after delete", name);
		check_failed(ck, "delete", EX_IOERR);
	} else
		check_result(ck, PASS, "delete", "%s removed", name);
out:
	free(back);
	free(data);
}

/* SITE: absent, or its "site" line names this site. */
void
check_site(struct check *ck, const struct conf *c, struct transport *t)
{
	char path[PATH_BUF], w[1024], val[MARKER_NAME_MAX + 1];
	uint8_t *buf = NULL;
	size_t len;
	int ex;

	if (path_join(path, c->site_name, "SITE") ||
	    (ex = transport_exists(t, path)) == -1) {
		check_failed(ck, "SITE marker", EX_TEMPFAIL);
		return;
	}
	if (ex == 0) {
		check_result(ck, PASS, "SITE marker", "not written yet (the "
		    "first backup writes it)");
		return;
	}
	if (transport_get_buf(t, path, SITE_MAX, &buf, &len)) {
		check_failed(ck, "SITE marker", EX_IOERR);
		return;
	}
	if (marker_site((char *)buf, len, val)) {
		if (strcmp(val, c->site_name) == 0) {
			check_result(ck, PASS, "SITE marker", "belongs to "
			    "site %s",
			    c->site_name);
		} else {
			log_fail(EX_CONFIG, "%s: names site \"%s\": "
			    "another site uses this directory",
			    transport_where(t, path, w, sizeof(w)), val);
			check_failed(ck, "SITE marker", EX_CONFIG);
		}
		free(buf);
		return;
	}
	log_fail(EX_CONFIG, "%s: no \"site\" line: not a sitevault site "
	    "directory", transport_where(t, path, w, sizeof(w)));
	check_failed(ck, "SITE marker", EX_CONFIG);
	free(buf);
}

/*
 * One site per account (sitevault(8), check): an account that can
 * write a neighbour's directory lets a compromised site delete that
 * site's backups.  Probed with one temporary file (removed at once, and by
 * that site's prune if we die) in the first other site directory seen.
 */
void
check_neighbours(struct check *ck, const struct conf *c, struct transport *t)
{
	char **names = NULL, path[512];
	const char *other = NULL;
	size_t n = 0, i, others = 0;
	uint8_t r[4];
	int cls = log_class();

	if (store_sites(t, &names, &n)) {
		check_failed(ck, "one site per account", EX_TEMPFAIL);
		return;
	}
	for (i = 0; i < n; i++)
		if (strcmp(names[i], c->site_name) != 0) {
			others++;
			if (other == NULL)
				other = names[i];
		}
	if (other == NULL) {
		check_result(ck, PASS, "one site per account", "no other site "
		    "directory under %s", transport_describe(t));
		goto out;
	}
	if (RAND_bytes(r, 4) != 1 || (size_t)snprintf(path, sizeof(path),
	    "%s/check%s%02x%02x%02x%02x", other, TRANSPORT_TMP_MARK, r[0],
	    r[1], r[2], r[3]) >= sizeof(path) ||
	    transport_put_buf(t, path, "x", 1) != 0) {
		/* Refused: what we wanted to know; not a failure of the run. */
		if (cls == 0)
			log_reset();
		check_result(ck, PASS, "one site per account", "%zu other "
		    "site%s visible (%s, ...) but not writable", others,
		    others == 1 ? "" : "s", other);
		goto out;
	}
	if (transport_delete(t, path))
		log_warn("%s: could not remove the probe file", path);
	if (cls == 0)
		log_reset();
	check_result(ck, WARN, "one site per account", "this account can write "
	    "%zu other site director%s (%s, ...): a compromised site could "
	    "delete its neighbours' backups; %s", others,
	    others == 1 ? "y" : "ies", other, conf_is_s3(c) ? "give each "
	    "site its own access key, allowed only under its own prefix" :
	    conf_is_local(c) ? "give each site its own directory that only "
	    "it can write" : "give each site its own FTP account whose home "
	    "(chroot) is its site directory");
out:
	store_sites_free(names, n);
}

void
check_space(struct check *ck, const struct conf *c, struct transport *t)
{
	uint64_t bytes;
	int rc;

	if ((rc = transport_free_space(t, c->site_name, &bytes)) == -1)
		check_failed(ck, "free space", EX_IOERR);
	else if (rc == 0)
		check_result(ck, WARN, "free space", "not reported by the "
		    "server: watch its disk or quota there (a full server "
		    "fails backups with \"server out of space\")");
	else if (bytes < 2 * c->backup_part_size)
		check_result(ck, WARN, "free space", "%llu MiB left: less than "
		    "two parts", (unsigned long long)(bytes >> 20));
	else
		check_result(ck, PASS, "free space", "%llu MiB available",
		    (unsigned long long)(bytes >> 20));
}
