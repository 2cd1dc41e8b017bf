#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "format/manifest.h"
#include "format/manifest_fields.h"
#include "store/mcache.h"
#include "store/state.h"
#include "util/log.h"
#include "util/path.h"
#include "util/readfile.h"

#define MAGIC		"sitevault-mcache 1 "
#define HEADER_MAX	128
#define ENTRY_MAX	(HEADER_MAX + MANIFEST_MAX + MANIFEST_SIG_MAX)

struct mcache {
	int dfd;		/* <state>/manifests, O_DIRECTORY */
	char *path;		/* for messages */
	size_t hits;
};

struct mcache *
mcache_open(const char *state_dir)
{
	struct mcache *mc;
	char path[4096];

	if ((size_t)snprintf(path, sizeof(path), "%s/manifests", state_dir) >=
	    sizeof(path)) {
		log_fail(EX_CONFIG, "%s: state directory name too long",
		    state_dir);
		return (NULL);
	}
	if (state_dir_make(path))
		return (NULL);
	if ((mc = calloc(1, sizeof(*mc))) == NULL ||
	    (mc->path = strdup(path)) == NULL) {
		free(mc);
		log_fail(EX_OSERR, "%s: out of memory", path);
		return (NULL);
	}
	if ((mc->dfd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW |
	    O_CLOEXEC)) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", path, strerror(errno));
		free(mc->path);
		free(mc);
		return (NULL);
	}
	/* Made by root for the service user's state directory: theirs. */
	state_chown(mc->dfd, state_dir);
	return (mc);
}

/* The entry name "<Category>_<id>@<site>"; -1 for a site we do not cache. */
static int
entry_name(const char *site, const char *category, uint64_t id, char *out,
    size_t outlen)
{

	if (!manifest_fields_site_ok(site, strlen(site)))
		return (-1);
	if ((size_t)snprintf(out, outlen, "%s_%" PRIu64 "@%s", category, id,
	    site) >= outlen)
		return (-1);
	return (0);
}

/*
 * Read the entry ${name} (readfile.h); a missing one is a miss.  A bad one
 * is said once and is a miss too: the cache must not decide a run's exit.
 */
static uint8_t *
slurp(const struct mcache *mc, const char *name, size_t *len, size_t *max)
{
	char path[PATH_BUF], *buf;
	struct stat sb;
	int cls = log_class();

	/*
	 * readfile_load() allocates and wipes ${max} bytes: ask for the
	 * entry's size, not the largest possible one (a thousand entries a
	 * run).  One that grew meanwhile is refused: a miss.
	 */
	if (fstatat(mc->dfd, name, &sb, AT_SYMLINK_NOFOLLOW) == -1 ||
	    !S_ISREG(sb.st_mode) || sb.st_size <= 0 || sb.st_size > ENTRY_MAX ||
	    path_join(path, mc->path, name))
		return (NULL);
	*max = (size_t)sb.st_size;
	buf = readfile_load(path, *max, READFILE_MISSING_OK,
	    "manifest cache entry", len);
	if (cls == 0)
		log_reset();
	if (buf != NULL && *len == 0) {
		readfile_free(buf, *max);
		return (NULL);
	}
	return ((uint8_t *)buf);
}

static void
hexof(const uint8_t *text, size_t len, char hex[65])
{
	uint8_t h[32];

	EVP_Digest(text, len, h, NULL, EVP_sha256(), NULL);
	manifest_fields_hex_format(h, sizeof(h), hex);
}

int
mcache_get(struct mcache *mc, const char *site, const char *category,
    uint64_t id, uint64_t mlen, uint64_t slen, uint8_t **text, size_t *tlen,
    uint8_t **sig, size_t *siglen)
{
	char name[256], want[65], have[65];
	unsigned long long ml, sl;
	uint8_t *buf, *nl;
	size_t len, hlen, max;

	if (mc == NULL || entry_name(site, category, id, name, sizeof(name)) ||
	    (buf = slurp(mc, name, &len, &max)) == NULL)
		return (0);
	if ((nl = memchr(buf, '\n', len < HEADER_MAX ? len : HEADER_MAX)) ==
	    NULL)
		goto miss;
	*nl = '\0';
	hlen = (size_t)(nl - buf) + 1;
	if (strncmp((char *)buf, MAGIC, strlen(MAGIC)) != 0 ||
	    sscanf((char *)buf + strlen(MAGIC), "%64[0-9a-f] %llu %llu", want,
	    &ml, &sl) != 3 || ml > MANIFEST_MAX || sl > MANIFEST_SIG_MAX ||
	    ml + sl != len - hlen ||
	    (mlen != 0 && mlen != ml) || (slen != 0 && slen != sl))
		goto miss;
	hexof(buf + hlen + sl, (size_t)ml, have);
	if (CRYPTO_memcmp(want, have, 64) != 0)
		goto miss;
	if ((*sig = malloc((size_t)sl + 1)) == NULL ||
	    (*text = malloc((size_t)ml + 1)) == NULL) {
		free(*sig);
		goto miss;
	}
	memcpy(*sig, buf + hlen, (size_t)sl);
	(*sig)[sl] = '\0';
	*siglen = (size_t)sl;
	memcpy(*text, buf + hlen + sl, (size_t)ml);
	(*text)[ml] = '\0';
	*tlen = (size_t)ml;
	readfile_free((char *)buf, max);
	mc->hits++;
	return (1);

miss:
	log_debug("%s/%s: stale cache entry; downloading", mc->path, name);
	readfile_free((char *)buf, max);
	return (0);
}

/* Write all of ${buf}; -1 on error. */
static int
writeall(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) <= 0)
			return (-1);
		p += w;
		len -= (size_t)w;
	}
	return (0);
}

void
mcache_put(struct mcache *mc, const char *site, const char *category,
    uint64_t id, const uint8_t *text, size_t tlen, const uint8_t *sig,
    size_t siglen)
{
	char name[256], tmp[300], hdr[HEADER_MAX], hex[65];
	int fd, n;

	if (mc == NULL || entry_name(site, category, id, name, sizeof(name)))
		return;
	hexof(text, tlen, hex);
	n = snprintf(hdr, sizeof(hdr), MAGIC "%s %zu %zu\n", hex, tlen, siglen);
	if (n < 0 || (size_t)n >= sizeof(hdr) ||
	    (size_t)snprintf(tmp, sizeof(tmp), ".%s.%ld", name,
	    (long)getpid()) >= sizeof(tmp))
		return;
	/* A temporary name and a rename: a reader sees all of it or none. */
	if ((fd = openat(mc->dfd, tmp, O_WRONLY | O_CREAT | O_TRUNC |
	    O_NOFOLLOW | O_CLOEXEC, 0600)) == -1)
		goto fail;
	if (writeall(fd, hdr, (size_t)n) || writeall(fd, sig, siglen) ||
	    writeall(fd, text, tlen)) {
		close(fd);
		(void)unlinkat(mc->dfd, tmp, 0);
		goto fail;
	}
	state_chown(fd, mc->path);
	close(fd);
	if (renameat(mc->dfd, tmp, mc->dfd, name) == -1) {
		(void)unlinkat(mc->dfd, tmp, 0);
		goto fail;
	}
	return;

fail:
	log_debug("%s/%s: cannot write cache entry: %s", mc->path, name,
	    strerror(errno));
}

void
mcache_prune(struct mcache *mc, const char *site, const char *const *names,
    size_t n)
{
	struct dirent *de;
	const char *at;
	size_t i, l;
	DIR *d;
	int fd;

	if (mc == NULL || (fd = dup(mc->dfd)) == -1)
		return;
	if ((d = fdopendir(fd)) == NULL) {
		close(fd);
		return;
	}
	rewinddir(d);
	while ((de = readdir(d)) != NULL) {
		if ((at = strrchr(de->d_name, '@')) == NULL ||
		    strcmp(at + 1, site) != 0 || de->d_name[0] == '.')
			continue;
		l = (size_t)(at - de->d_name);
		for (i = 0; i < n; i++)
			if (strlen(names[i]) == l &&
			    strncmp(names[i], de->d_name, l) == 0)
				break;
		if (i == n)
			(void)unlinkat(mc->dfd, de->d_name, 0);
	}
	closedir(d);
}

size_t
mcache_hits(const struct mcache *mc)
{

	return (mc != NULL ? mc->hits : 0);
}

void
mcache_free(struct mcache *mc)
{

	if (mc == NULL)
		return;
	close(mc->dfd);
	free(mc->path);
	free(mc);
}
