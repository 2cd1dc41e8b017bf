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

int
state_list_put(const char *dir, const char *site, const char *category,
    uint64_t id, const uint8_t sha256[SHA256_DIGEST_LENGTH], const char *text,
    size_t len)
{
	char hex[65], *path, *tmp = NULL;
	FILE *f = NULL;
	int fd = -1, rc = -1;

	if ((path = list_path(dir, site, category)) == NULL)
		return (-1);
	if (asprintf(&tmp, "%s/.files.%ld", dir, (long)getpid()) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		tmp = NULL;
		goto out;
	}
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 || (f = fdopen(fd, "w")) == NULL) {
		log_fail(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		goto out;
	}
	if (state_own(fd, tmp, dir))
		goto out;
	manifest_fields_hex_format(sha256, SHA256_DIGEST_LENGTH, hex);
	fprintf(f, LIST_HEADER "%s %s %" PRIu64 " %s\n", site, category, id,
	    hex);
	if (fwrite(text, 1, len, f) != len || fflush(f) != 0 ||
	    fsync(fileno(f)) != 0) {
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		goto out;
	}
	rc = fclose(f);
	f = NULL;
	if (rc != 0 || rename(tmp, path) == -1) {
		rc = -1;
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (dirsync_dir(dir)) {
		log_fail(EX_IOERR, "%s: fsync: %s", dir, strerror(errno));
		rc = -1;
	}
out:
	if (f != NULL)
		fclose(f);
	if (rc && tmp != NULL)
		unlink(tmp);
	free(tmp);
	free(path);
	return (rc);
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
