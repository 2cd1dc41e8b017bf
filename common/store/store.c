#include "config.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <openssl/evp.h>

#include "conf/category.h"
#include "util/b64.h"
#include "util/log.h"
#include "format/manifest.h"
#include "store/mcache.h"
#include "store/store.h"
#include "transport/transport.h"

#define SITE_MAX	4096		/* the SITE marker is two short lines */

struct store {
	struct transport *t;
	char *site;
	const struct minisign_pub *pubs;
	size_t npub;
	int own;
	struct mcache *mc;	/* NULL: download every manifest */
};

struct store *
store_new(struct transport *t, const char *site,
    const struct minisign_pub *pubs, size_t npub, int own)
{
	struct store *st;

	if ((st = calloc(1, sizeof(*st))) == NULL ||
	    (st->site = strdup(site)) == NULL) {
		free(st);
		log_fail(EX_OSERR, "store: out of memory");
		return (NULL);
	}
	st->t = t;
	st->pubs = pubs;
	st->npub = npub;
	st->own = own;
	return (st);
}

void
store_set_cache(struct store *st, struct mcache *mc)
{

	st->mc = mc;
}

const char *
store_site(const struct store *st)
{

	return (st->site);
}

struct transport *
store_transport(const struct store *st)
{

	return (st->t);
}

void
store_free(struct store *st)
{

	if (st == NULL)
		return;
	free(st->site);
	free(st);
}

/*
 * Whose a SITE marker ${text} says it is, for a message: "site NAME with
 * key HEX", or the text made printable if it is not a marker.
 */
static void
describe_marker(const char *text, char *out, size_t outlen)
{
	char name[65], hex[17];
	size_t i;

	if (sscanf(text, "site %64[A-Za-z0-9._-]\nkeyid %16[0-9A-F]\n", name,
	    hex) == 2) {
		snprintf(out, outlen, "site %s with key %s", name, hex);
		return;
	}
	snprintf(out, outlen, "\"%.60s\"", text);
	for (i = 0; out[i] != '\0'; i++)
		if ((unsigned char)out[i] < 0x20 || (unsigned char)out[i] > 0x7e)
			out[i] = ' ';
}

int
store_claim(struct store *st, const uint8_t keyid[MINISIGN_KEYID_LEN],
    int create)
{
	char path[512], want[256], hex[2 * MINISIGN_KEYID_LEN + 1];
	uint8_t *have = NULL;
	size_t len;
	int e;

	snprintf(path, sizeof(path), "%s/SITE", st->site);
	minisign_keyid_hex(keyid, hex);
	snprintf(want, sizeof(want), "site %s\nkeyid %s\n", st->site, hex);
	/*
	 * Creating the directory first changes nothing where a marker
	 * exists, and lets the check below list it even on a new server
	 * whose base directory is missing too.
	 */
	if (create && transport_mkdir(st->t, st->site))
		goto err0;
	if ((e = transport_exists(st->t, path)) == -1)
		goto err0;
	if (e == 2) {
		log_fail(EX_CONFIG, "%s: is a directory, not a site marker",
		    path);
		goto err0;
	}
	if (e == 0 && !create)
		goto done;
	if (e == 0) {
		/* First use of this directory: claim it. */
		if (transport_put_buf(st->t, path, want, strlen(want)))
			goto err0;
		goto done;
	}
	if (transport_get_buf(st->t, path, SITE_MAX, &have, &len))
		goto err0;
	if (len != strlen(want) || memcmp(have, want, len) != 0) {
		char who[256], w[1024];

		describe_marker((char *)have, who, sizeof(who));
		log_fail(EX_CONFIG, "%s: this directory belongs to %s, not "
		    "to site %s with key %s: another site or key uses it; "
		    "check [site] name (if this site's key was replaced, "
		    "remove the marker)", transport_where(st->t, path, w,
		    sizeof(w)), who, st->site, hex);
		goto err1;
	}
done:
	/* Success! */
	free(have);
	return (0);

err1:
	free(have);
err0:
	/* Failure! */
	return (-1);
}

/*
 * Parse a directory name "<Category>_<id>": set ${*cat} and ${*id} and
 * return 0, or return -1 if the name is not one of ours.
 */
static int
parse_dirname(const char *name, const char **cat, uint64_t *id)
{
	const char *p;
	char *end;
	size_t i, l;

	for (i = 0; i < CATEGORY_N; i++) {
		l = strlen(category_name(i));
		if (strncmp(name, category_name(i), l) != 0 || name[l] != '_')
			continue;
		p = name + l + 1;
		/* Decimal, 1 to STORE_ID_MAX, no leading zero, no sign. */
		if (p[0] < '1' || p[0] > '9' || strlen(p) > 12 ||
		    strspn(p, "0123456789") != strlen(p))
			return (-1);
		errno = 0;
		*id = strtoull(p, &end, 10);
		if (errno != 0 || *end != '\0' || *id > STORE_ID_MAX)
			return (-1);
		*cat = category_name(i);
		return (0);
	}
	return (-1);
}

/* The key id a minisign signature text names; -1 if it is malformed. */
static int
sig_keyid(const char *sig, size_t len, uint8_t keyid[MINISIGN_KEYID_LEN])
{
	const char *l2, *e2;
	uint8_t raw[128];
	size_t n;

	if ((l2 = memchr(sig, '\n', len)) == NULL)
		return (-1);
	l2++;
	if ((e2 = memchr(l2, '\n', len - (size_t)(l2 - sig))) == NULL)
		return (-1);
	/* Only the key id is needed here; the signature is checked later. */
	if (b64_decode(l2, (size_t)(e2 - l2), B64_PAD | B64_ANYBITS, raw,
	    sizeof(raw), &n) || n < 2 + MINISIGN_KEYID_LEN || raw[0] != 'E')
		return (-1);
	memcpy(keyid, raw + 2, MINISIGN_KEYID_LEN);
	return (0);
}

/*
 * Download the manifest and signature of ${b}'s directory ${dir}
 * (${slen}: (uint64_t)-1 if the listing shows no signature, which is then
 * NULL).  Return 0 or -1.
 */
static int
get_manifest(struct store *st, const char *dir, uint8_t **text, size_t *tlen,
    uint64_t slen, uint8_t **sig, size_t *siglen)
{
	char path[1024];

	*sig = NULL;
	*siglen = 0;
	snprintf(path, sizeof(path), "%s/manifest", dir);
	if (transport_get_buf(st->t, path, MANIFEST_MAX, text, tlen))
		return (-1);
	if (slen == (uint64_t)-1)
		return (0);
	snprintf(path, sizeof(path), "%s/manifest.sig", dir);
	if (transport_get_buf(st->t, path, MANIFEST_SIG_MAX, sig, siglen)) {
		free(*text);
		*text = NULL;
		return (-1);
	}
	return (0);
}

/*
 * Check the manifest ${text} and signature ${sig} (NULL: none) of ${b} in
 * ${dir}: set its status, and its manifest when it verifies; remember a
 * signed manifest in the cache unless it came from there (${cached}).  A
 * bad manifest is a finding about that one backup, not a failure of the
 * run: its message is printed, and the failure class is forgotten unless
 * one was recorded before.  Frees ${text} and ${sig}.
 */
static void
judge_manifest(struct store *st, const char *dir, struct store_backup *b,
    uint8_t *text, size_t tlen, uint8_t *sig, size_t slen_got, int cached)
{
	char path[1024], spath[1024], hex[2 * MINISIGN_KEYID_LEN + 1];
	uint8_t keyid[MINISIGN_KEYID_LEN];
	size_t i;
	int cls = log_class(), known = 0;

	snprintf(path, sizeof(path), "%s/manifest", dir);
	snprintf(spath, sizeof(spath), "%s/manifest.sig", dir);
	b->status = STORE_BADSIG;
	if (sig == NULL) {
		log_warn("%s: manifest without signature", spath);
		goto done;
	}
	if (sig_keyid((char *)sig, slen_got, keyid) != 0) {
		log_warn("%s: not a minisign signature: signature bad", spath);
		goto done;
	}
	memcpy(b->signer, keyid, sizeof(keyid));
	b->has_signer = 1;
	for (i = 0; i < st->npub; i++)
		if (memcmp(st->pubs[i].keyid, keyid, sizeof(keyid)) == 0)
			known = 1;
	if (!known && !st->own) {
		/* Another site's backup: show it, but do not vouch for it. */
		b->status = STORE_UNVERIFIED;
		b->m = manifest_parse(path, (char *)text, tlen);
	} else if (!known) {
		minisign_keyid_hex(keyid, hex);
		log_warn("%s: signed by key %s, which is not pinned: "
		    "signature bad", path, hex);
	} else if ((b->m = manifest_verify(st->pubs, st->npub, path,
	    (char *)text, tlen, (char *)sig, slen_got)) == NULL) {
		/* manifest_verify() said why; the status says the rest. */
	} else if (strcmp(b->m->site, st->site) != 0 ||
	    strcmp(b->m->category, b->category) != 0 || b->m->id != b->id) {
		/* Validly signed, but moved here from elsewhere: spliced. */
		log_warn("%s: names site %s, %s_%" PRIu64 ": signature bad "
		    "for this place", path, b->m->site, b->m->category,
		    b->m->id);
		manifest_free(b->m);
		b->m = NULL;
	} else {
		b->status = STORE_COMPLETE;
	}
	if (b->m != NULL) {
		EVP_Digest(text, tlen, b->sha256, NULL, EVP_sha256(), NULL);
		b->size = 0;
		for (i = 0; i < b->m->nparts; i++)
			b->size += b->m->parts[i].size;
		b->size += b->m->filelist_size;
		b->has_base = b->m->has_base;
		b->base_id = b->m->base_id;
		memcpy(b->base_sha256, b->m->base_sha256,
		    SHA256_DIGEST_LENGTH);
		/* Checked again on every use: the cache vouches for nothing. */
		if (!cached)
			mcache_put(st->mc, st->site, b->category, b->id, text,
			    tlen, sig, slen_got);
	}
	/* Findings about one backup must not decide the run's exit code. */
	if (cls == 0)
		log_reset();
done:
	free(sig);
	free(text);
}

/*
 * Fetch and check the manifest of ${b} in ${dir} (${slen}: the size of
 * manifest.sig in the listing, (uint64_t)-1 if it has none).  Return -1
 * only for a transport failure.
 */
static int
check_manifest(struct store *st, const char *dir, uint64_t slen,
    struct store_backup *b)
{
	uint8_t *text = NULL, *sig = NULL;
	size_t tlen, slen_got;

	if (get_manifest(st, dir, &text, &tlen, slen, &sig, &slen_got))
		return (-1);
	judge_manifest(st, dir, b, text, tlen, sig, slen_got, 0);
	return (0);
}

/*
 * A manifest is immutable once signed, and the first file deleted when a
 * backup goes: one in the cache needs no listing of its directory (on FTP,
 * a data connection per backup), only the size of the manifest still
 * there (SIZE, on the control connection).  Return 1 if ${b} was judged
 * from the cache, 0 to list and download as usual.
 */
static int
cached_manifest(struct store *st, const char *dir, struct store_backup *b)
{
	char path[1024];
	uint8_t *text, *sig;
	size_t tlen, siglen;
	uint64_t size;
	int cls = log_class(), rc;

	if (!mcache_get(st->mc, st->site, b->category, b->id, 0, 0, &text,
	    &tlen, &sig, &siglen))
		return (0);
	snprintf(path, sizeof(path), "%s/manifest", dir);
	/* Gone or changed is no failure here: the listing will say what. */
	log_mute(1);
	rc = transport_size(st->t, path, &size);
	log_mute(0);
	if (cls == 0)
		log_reset();
	if (rc != 0 || size != tlen) {
		free(text);
		free(sig);
		return (0);
	}
	judge_manifest(st, dir, b, text, tlen, sig, siglen, 1);
	return (1);
}

/* Fill ${b} from the listing of its directory, then its manifest. */
static int
scan_one(struct store *st, const char *name, struct store_backup *b)
{
	struct transport_entry *e;
	char dir[512];
	uint64_t slen = (uint64_t)-1;
	size_t n, i;
	int has_manifest = 0;

	snprintf(dir, sizeof(dir), "%s/%s", st->site, name);
	if (cached_manifest(st, dir, b))
		return (0);
	if (transport_list(st->t, dir, &e, &n) == -1)
		return (-1);
	for (i = 0; i < n; i++) {
		if (e[i].is_dir)
			continue;
		b->size += e[i].size;
		if (strcmp(e[i].name, "manifest") == 0)
			has_manifest = 1;
		if (strcmp(e[i].name, "manifest.sig") == 0)
			slen = e[i].size;
	}
	transport_entries_free(e, n);
	if (!has_manifest) {
		b->status = STORE_UNFINISHED;
		return (0);
	}
	return (check_manifest(st, dir, slen, b));
}

/* A name that starts like a backup directory but is not one ("Data_007",
 * an id above STORE_ID_MAX): not ours, left alone, but worth a word. */
static void
looks_ours(const struct store *st, const char *name)
{
	size_t i, l;

	for (i = 0; i < CATEGORY_N; i++) {
		l = strlen(category_name(i));
		if (strncmp(name, category_name(i), l) == 0 && name[l] == '_') {
			log_warn("%s/%s: not a backup name (ids run from 1 to "
			    "%" PRIu64 " without leading zeros): ignored",
			    st->site, name, STORE_ID_MAX);
			return;
		}
	}
}

static int
backup_cmp(const void *a, const void *b)
{
	const struct store_backup *x = a, *y = b;
	int c;

	/* Categories are static strings, ordered as in enum category. */
	if ((c = strcmp(x->category, y->category)) != 0)
		return (c);
	return (x->id < y->id ? -1 : x->id > y->id);
}

/* Forget cached manifests of backup directories the listing ${e} lacks. */
static void
prune_cache(struct store *st, const struct transport_entry *e, size_t n)
{
	const char **names;
	const char *cat;
	uint64_t id;
	size_t i, k = 0;

	if ((names = calloc(n + 1, sizeof(*names))) == NULL)
		return;
	for (i = 0; i < n; i++)
		if (e[i].is_dir && parse_dirname(e[i].name, &cat, &id) == 0)
			names[k++] = e[i].name;
	mcache_prune(st->mc, st->site, names, k);
	free(names);
}

int
store_scan(struct store *st, const char *category, struct store_backup **out,
    size_t *nout)
{
	struct transport_entry *e = NULL;
	struct store_backup *b = NULL, *nb;
	size_t n = 0, nb_used = 0, i;
	const char *cat;
	uint64_t id;
	int r;

	*out = NULL;
	*nout = 0;
	if ((r = transport_list(st->t, st->site, &e, &n)) == -1)
		goto err0;
	for (i = 0; i < n; i++) {
		if (parse_dirname(e[i].name, &cat, &id)) {
			looks_ours(st, e[i].name);
			continue;
		}
		if (!e[i].is_dir || (category != NULL &&
		    strcmp(cat, category) != 0))
			continue;
		if ((nb = reallocarray(b, nb_used + 1, sizeof(*b))) == NULL) {
			log_fail(EX_OSERR, "store: out of memory");
			goto err1;
		}
		b = nb;
		memset(&b[nb_used], 0, sizeof(*b));
		b[nb_used].category = cat;
		b[nb_used].id = id;
		nb_used++;
		if (scan_one(st, e[i].name, &b[nb_used - 1]))
			goto err1;
	}
	if (nb_used > 0)
		qsort(b, nb_used, sizeof(*b), backup_cmp);
	if (st->mc != NULL && category == NULL)
		prune_cache(st, e, n);

	/* Success! */
	transport_entries_free(e, n);
	*out = b;
	*nout = nb_used;
	return (0);

err1:
	store_backups_free(b, nb_used);
	transport_entries_free(e, n);
err0:
	/* Failure! */
	return (-1);
}

void
store_backups_free(struct store_backup *b, size_t n)
{
	size_t i;

	if (b == NULL)
		return;
	for (i = 0; i < n; i++)
		manifest_free(b[i].m);
	free(b);
}

uint64_t
store_next_id(const struct store_backup *b, size_t n, const char *category,
    uint64_t high)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(b[i].category, category) == 0 && b[i].id > high)
			high = b[i].id;
	if (high >= STORE_ID_MAX) {
		log_fail(EX_DATAERR, "%s: no id left: %s_%" PRIu64 " exists or "
		    "was issued, and ids stop at %" PRIu64, category, category,
		    high, STORE_ID_MAX);
		return (0);
	}
	return (high + 1);
}

const struct store_backup *
store_newest(const struct store_backup *b, size_t n, const char *category)
{
	const struct store_backup *best = NULL;
	size_t i;

	for (i = 0; i < n; i++)
		if (b[i].status == STORE_COMPLETE &&
		    strcmp(b[i].category, category) == 0 &&
		    (best == NULL || b[i].id > best->id))
			best = &b[i];
	return (best);
}

