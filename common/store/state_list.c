/* The state directory's file list of the newest chain backup of each site
 * and category, kept so that the next incremental need not fetch it. */
#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "util/dirsync.h"
#include "util/log.h"
#include "format/manifest_fields.h"
#include "store/state.h"

#define LIST_HEADER	"# sitevault file list: "
#define LIST_MAX	(UINT64_C(512) << 20)	/* FILELIST_MAX */

static char *
list_path(const char *dir, const char *site, const char *category)
{
	char *path;

	if (asprintf(&path, "%s/files.%s.%s", dir, site, category) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		return (NULL);
	}
	return (path);
}

struct state_list_w {
	char *path, *tmp;
	char *dir;
	FILE *f;
};

struct state_list_w *
state_list_open(const char *dir, const char *site, const char *category,
    uint64_t id, const uint8_t sha256[SHA256_DIGEST_LENGTH])
{
	struct state_list_w *w;
	char hex[65];
	int fd;

	if ((w = calloc(1, sizeof(*w))) == NULL ||
	    (w->dir = strdup(dir)) == NULL ||
	    asprintf(&w->tmp, "%s/.files.%ld", dir, (long)getpid()) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		if (w != NULL)
			w->tmp = NULL;
		goto err;
	}
	if ((w->path = list_path(dir, site, category)) == NULL)
		goto err;
	if ((fd = open(w->tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 || (w->f = fdopen(fd, "w")) == NULL) {
		log_fail(EX_CANTCREAT, "%s: %s", w->tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		goto err;
	}
	if (state_own(fd, w->tmp, dir))
		goto err;
	manifest_fields_hex_format(sha256, SHA256_DIGEST_LENGTH, hex);
	if (fprintf(w->f, LIST_HEADER "%s %s %" PRIu64 " %s\n", site,
	    category, id, hex) < 0) {
		log_fail(EX_IOERR, "%s: %s", w->tmp, strerror(errno));
		goto err;
	}
	return (w);

err:
	state_list_free(w);
	return (NULL);
}

int
state_list_write(void *cookie, const void *buf, size_t len)
{
	struct state_list_w *w = cookie;

	if (fwrite(buf, 1, len, w->f) != len) {
		log_fail(EX_IOERR, "%s: %s", w->tmp, strerror(errno));
		return (-1);
	}
	return (0);
}

int
state_list_commit(struct state_list_w *w)
{
	int rc;

	if (fflush(w->f) != 0 || fsync(fileno(w->f)) != 0) {
		log_fail(EX_IOERR, "%s: %s", w->tmp, strerror(errno));
		goto err;
	}
	rc = fclose(w->f);
	w->f = NULL;
	if (rc != 0 || rename(w->tmp, w->path) == -1) {
		log_fail(EX_IOERR, "%s: %s", w->path, strerror(errno));
		goto err;
	}
	free(w->tmp);
	w->tmp = NULL;
	if (dirsync_dir(w->dir)) {
		log_fail(EX_IOERR, "%s: fsync: %s", w->dir, strerror(errno));
		goto err;
	}
	state_list_free(w);
	return (0);

err:
	state_list_free(w);
	return (-1);
}

void
state_list_free(struct state_list_w *w)
{

	if (w == NULL)
		return;
	if (w->f != NULL)
		fclose(w->f);
	/* Not committed: the list before stays. */
	if (w->tmp != NULL)
		(void)unlink(w->tmp);
	free(w->tmp);
	free(w->path);
	free(w->dir);
	free(w);
}

int
state_list_put(const char *dir, const char *site, const char *category,
    uint64_t id, const uint8_t sha256[SHA256_DIGEST_LENGTH], const char *text,
    size_t len)
{
	struct state_list_w *w;

	if ((w = state_list_open(dir, site, category, id, sha256)) == NULL)
		return (-1);
	if (state_list_write(w, text, len)) {
		state_list_free(w);
		return (-1);
	}
	return (state_list_commit(w));
}

/* Parse "SITE CATEGORY ID HEX\n" after the header's prefix. */
static int
list_header(const char *s, const char *site, const char *category,
    uint64_t *id, uint8_t sha256[SHA256_DIGEST_LENGTH], size_t *hlen)
{
	const char *nl = strchr(s, '\n'), *p = s + strlen(LIST_HEADER);
	size_t sl = strlen(site), cl = strlen(category);
	const char *sp;

	if (nl == NULL || strncmp(s, LIST_HEADER, strlen(LIST_HEADER)) != 0 ||
	    strncmp(p, site, sl) != 0 || p[sl] != ' ' ||
	    strncmp(p + sl + 1, category, cl) != 0 || p[sl + 1 + cl] != ' ')
		return (-1);
	p += sl + cl + 2;
	if ((sp = memchr(p, ' ', (size_t)(nl - p))) == NULL ||
	    manifest_fields_u64_parse(p, (size_t)(sp - p), id) ||
	    manifest_fields_hex_parse(sp + 1, (size_t)(nl - sp - 1), sha256,
	    SHA256_DIGEST_LENGTH, 0))
		return (-1);
	*hlen = (size_t)(nl + 1 - s);
	return (0);
}

int
state_list_get(const char *dir, const char *site, const char *category,
    uint64_t *id, uint8_t sha256[SHA256_DIGEST_LENGTH], char **text,
    size_t *len)
{
	struct stat sb;
	char *path, *buf = NULL;
	size_t hlen, n;
	FILE *f;
	int fd, rc = -1;

	*text = NULL;
	*len = 0;
	if ((path = list_path(dir, site, category)) == NULL)
		return (-1);
	/* O_NONBLOCK: a FIFO planted here must not hang the run. */
	if ((fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1 || (f = fdopen(fd, "r")) == NULL) {
		if (errno == ENOENT)
			rc = 0;
		else
			log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		if (fd != -1)
			close(fd);
		goto out0;
	}
	if (fstat(fileno(f), &sb)) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		goto out1;
	}
	if (!S_ISREG(sb.st_mode) || (uint64_t)sb.st_size > LIST_MAX) {
		log_fail(EX_IOERR, "%s: not a regular file, or too large",
		    path);
		goto out1;
	}
	if ((buf = malloc((size_t)sb.st_size + 1)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", path);
		goto out1;
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	if (ferror(f)) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		goto out1;
	}
	buf[n] = '\0';
	rc = 0;
	if (list_header(buf, site, category, id, sha256, &hlen)) {
		log_warn("%s: the first line does not name a backup; ignored",
		    path);
		goto out1;
	}
	memmove(buf, buf + hlen, n - hlen + 1);
	*text = buf;
	*len = n - hlen;
	buf = NULL;
out1:
	free(buf);
	fclose(f);
out0:
	free(path);
	return (rc);
}

void
state_list_drop(const char *dir, const char *site, const char *category)
{
	char *path;

	if ((path = list_path(dir, site, category)) != NULL)
		(void)unlink(path);
	free(path);
}
