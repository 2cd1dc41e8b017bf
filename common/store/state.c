#include "config.h"

#include <sys/stat.h>

#include <dirent.h>
#include <limits.h>

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
#include "util/readfile.h"
#include "util/safepath.h"
#include "format/manifest_fields.h"
#include "store/state.h"
#include "store/store.h"

#define STATE_MAX	(1024 * 1024)	/* a state file is a few lines */
#define STATE_WHAT	"state directory"

/* As root, every regular file in the state directory ${dir}, open on
 * ${fd} with fstat() ${st}, is one root may trust. */
static int
entries_safe(int fd, const char *dir, const struct stat *st)
{
	struct dirent *de;
	char path[PATH_MAX];
	DIR *d;
	int efd, dfd, rc = 0;

	if ((dfd = dup(fd)) == -1 || (d = fdopendir(dfd)) == NULL) {
		log_fail(EX_IOERR, "%s: %s", dir, strerror(errno));
		if (dfd != -1)
			close(dfd);
		return (-1);
	}
	while (rc == 0 && (de = readdir(d)) != NULL) {
		if (de->d_name[0] == '.' && (de->d_name[1] == '\0' ||
		    (de->d_name[1] == '.' && de->d_name[2] == '\0')))
			continue;
		/* A symbolic link is never followed (O_NOFOLLOW on every
		 * open here): nothing to check. */
		if ((efd = openat(dirfd(d), de->d_name, O_RDONLY | O_NOFOLLOW |
		    O_NONBLOCK | O_NOCTTY | O_CLOEXEC)) == -1)
			continue;
		if (snprintf(path, sizeof(path), "%s/%s", dir, de->d_name) >=
		    (int)sizeof(path))
			path[sizeof(path) - 1] = '\0';
		rc = safepath_entry(efd, path, "file in the state directory",
		    st);
		close(efd);
	}
	closedir(d);
	return (rc);
}

/* As root, the state directory ${dir} is one root may trust (its fstat() in
 * ${st}), with every file in it when ${all}; see util/safepath.h. */
static int
dir_safe(const char *dir, struct stat *st, int all)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) == -1) {
		log_fail(errno == ENOENT ? EX_CANTCREAT : EX_IOERR, "%s: %s",
		    dir, strerror(errno));
		return (-1);
	}
	rc = safepath_dir(fd, dir, STATE_WHAT, st);
	if (rc == 0 && all && geteuid() == 0)
		rc = entries_safe(fd, dir, st);
	close(fd);
	return (rc);
}

int
state_dir_make(const char *dir)
{
	char *p, *s;
	struct stat sb;

	if ((p = strdup(dir)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", dir);
		goto err0;
	}
	/* Each prefix in turn; an existing one is fine. */
	for (s = p + 1; ; s++) {
		if (*s != '/' && *s != '\0')
			continue;
		if (s[-1] != '/') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, 0700) == -1 && errno != EEXIST) {
				log_fail(EX_CANTCREAT, "%s: cannot create "
				    "state directory: %s", p, strerror(errno));
				goto err1;
			}
			*s = c;
		}
		if (*s == '\0')
			break;
	}
	if (stat(dir, &sb) == -1 || !S_ISDIR(sb.st_mode)) {
		log_fail(EX_CANTCREAT, "%s: not a directory", dir);
		goto err1;
	}
	if (dir_safe(dir, &sb, 1))
		goto err1;

	/* Success! */
	free(p);
	return (0);

err1:
	free(p);
err0:
	/* Failure! */
	return (-1);
}

/* Read ${path} in the state directory ${dir} into a NUL-terminated buffer;
 * a missing file is empty. */
static int
slurp(const char *dir, const char *path, char **out)
{
	struct stat sb;

	/* As root, the directory and every file in it (util/safepath.h); a
	 * missing directory holds nothing to trust. */
	if (geteuid() == 0 && access(dir, F_OK) == 0 && dir_safe(dir, &sb, 1))
		return (-1);
	*out = readfile_load(path, STATE_MAX, READFILE_MISSING_OK |
	    READFILE_CLASS(EX_IOERR), "state file", &(size_t){ 0 });
	return (*out == NULL ? -1 : 0);
}

/*
 * Parse the line ${line} "SITE CATEGORY ID HEX" into its fields (modified
 * in place).  Return 0, or -1 if it is malformed.
 */
static int
parse_line(char *line, char **site, char **cat, struct state_cat *sc)
{
	char *f[4], *end;
	size_t nf = 0;
	char *id;

	/* Exactly four fields separated by single spaces. */
	f[nf++] = line;
	for (end = line; *end != '\0'; end++) {
		if (*end != ' ')
			continue;
		if (nf == 4)
			return (-1);
		*end = '\0';
		f[nf++] = end + 1;
	}
	if (nf != 4 || f[0][0] == '\0' || f[1][0] == '\0')
		return (-1);
	*site = f[0];
	*cat = f[1];
	id = f[2];
	if (id[0] < '1' || id[0] > '9' || strlen(id) > 19)
		return (-1);
	errno = 0;
	sc->id = strtoull(id, &end, 10);
	if (errno != 0 || *end != '\0')
		return (-1);
	if (manifest_fields_hex_parse(f[3], strlen(f[3]), sc->sha256, SHA256_DIGEST_LENGTH, 0))
		return (-1);
	return (0);
}

/*
 * Walk the state file text ${text} of ${path}: for each entry call ${fn}.
 * Return 0, or -1 after logging a malformed line.
 */
static int
walk(const char *path, char *text,
    void (*fn)(void *, const char *, const char *, const struct state_cat *),
    void *cookie)
{
	char *line, *next = text, *site, *cat;
	struct state_cat sc;
	unsigned long lineno = 0;

	while ((line = readfile_line(&next)) != NULL) {
		lineno++;
		if (line[0] == '#' || line[0] == '\0')
			continue;
		if (parse_line(line, &site, &cat, &sc)) {
			log_fail(EX_DATAERR, "%s: line %lu: malformed state "
			    "entry", path, lineno);
			return (-1);
		}
		fn(cookie, site, cat, &sc);
	}
	return (0);
}

struct get_ctx {
	const char *site;
	const char *cat;
	struct state_cat *out;
};

static void
get_one(void *cookie, const char *site, const char *cat,
    const struct state_cat *sc)
{
	struct get_ctx *g = cookie;

	if (strcmp(site, g->site) == 0 && strcmp(cat, g->cat) == 0)
		*g->out = *sc;
}

int
state_get(const char *dir, const char *site, const char *category,
    struct state_cat *out)
{
	struct get_ctx g = { site, category, out };
	char *path, *text;

	memset(out, 0, sizeof(*out));
	if (asprintf(&path, "%s/state", dir) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		goto err0;
	}
	if (slurp(dir, path, &text))
		goto err1;
	if (walk(path, text, get_one, &g))
		goto err2;

	/* Success! */
	free(text);
	free(path);
	return (0);

err2:
	free(text);
err1:
	free(path);
err0:
	/* Failure! */
	return (-1);
}

struct set_ctx {
	FILE *f;
	const char *site;
	const char *cat;
	struct state_cat *sc;	/* the new entry; id raised to the old one */
};

static void
put_line(FILE *f, const char *site, const char *cat,
    const struct state_cat *sc)
{
	char hex[65];

	manifest_fields_hex_format(sc->sha256, SHA256_DIGEST_LENGTH, hex);
	fprintf(f, "%s %s %" PRIu64 " %s\n", site, cat, sc->id, hex);
}

static void
set_one(void *cookie, const char *site, const char *cat,
    const struct state_cat *sc)
{
	struct set_ctx *s = cookie;

	if (strcmp(site, s->site) == 0 && strcmp(cat, s->cat) == 0) {
		/* The high-water mark never goes down. */
		if (sc->id > s->sc->id)
			*s->sc = *sc;
		return;
	}
	put_line(s->f, site, cat, sc);
}

/* A state field: not empty, no space, no control character. */
static int
plain(const char *s)
{
	const unsigned char *p;

	if (*s == '\0')
		return (0);
	for (p = (const unsigned char *)s; *p != '\0'; p++)
		if (*p <= ' ' || *p == 0x7f)
			return (0);
	return (1);
}

/* The pseudo-category of the ids issued for ${category}. */
static int
issued_name(const char *category, char *buf, size_t len)
{

	if (snprintf(buf, len, "%s.issued", category) >= (int)len) {
		log_fail(EX_SOFTWARE, "state: category name too long");
		return (-1);
	}
	return (0);
}

int
state_issue(const char *dir, const char *site, const char *category,
    uint64_t id)
{
	static const uint8_t zero[32];
	char cat[64];

	if (issued_name(category, cat, sizeof(cat)))
		return (-1);
	return (state_set(dir, site, cat, id, zero));
}

int
state_issued(const char *dir, const char *site, const char *category,
    uint64_t *id)
{
	struct state_cat sc;
	char cat[64];

	*id = 0;
	if (issued_name(category, cat, sizeof(cat)) ||
	    state_get(dir, site, cat, &sc))
		return (-1);
	*id = sc.id;
	return (0);
}

int
state_set(const char *dir, const char *site, const char *category,
    uint64_t id, const uint8_t sha256[SHA256_DIGEST_LENGTH])
{
	struct state_cat sc;
	struct set_ctx s;
	char *path, *tmp, *text;
	int fd;

	if (id == 0 || id > STORE_ID_MAX || !plain(site) || !plain(category)) {
		log_fail(EX_SOFTWARE, "%s/state: refusing to record id %" PRIu64
		    " of %s %s", dir, id, site, category);
		goto err0;
	}
	sc.id = id;
	memcpy(sc.sha256, sha256, SHA256_DIGEST_LENGTH);
	if (asprintf(&path, "%s/state", dir) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		goto err0;
	}
	if (asprintf(&tmp, "%s/.state.%ld", dir, (long)getpid()) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		goto err1;
	}
	if (slurp(dir, path, &text))
		goto err2;
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1 || (s.f = fdopen(fd, "w")) == NULL) {
		log_fail(EX_CANTCREAT, "%s: %s", tmp, strerror(errno));
		if (fd != -1)
			close(fd);
		goto err3;
	}
	if (state_own(fd, tmp, dir))
		goto err4;
	s.site = site;
	s.cat = category;
	s.sc = &sc;
	fprintf(s.f, "# sitevault local state: site category id "
	    "manifest-sha256\n");
	if (walk(path, text, set_one, &s))
		goto err4;
	put_line(s.f, site, category, &sc);
	if (fflush(s.f) != 0 || fsync(fileno(s.f)) != 0) {
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		goto err4;
	}
	if (fclose(s.f) != 0) {
		s.f = NULL;
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		goto err4;
	}
	s.f = NULL;
	if (rename(tmp, path) == -1) {
		log_fail(EX_IOERR, "%s: cannot rename into place: %s", path,
		    strerror(errno));
		goto err4;
	}
	if (dirsync_dir(dir)) {
		log_fail(EX_IOERR, "%s: fsync: %s", dir, strerror(errno));
		goto err3;
	}

	/* Success! */
	free(text);
	free(tmp);
	free(path);
	return (0);

err4:
	if (s.f != NULL)
		fclose(s.f);
	unlink(tmp);
err3:
	free(text);
err2:
	free(tmp);
err1:
	free(path);
err0:
	/* Failure! */
	return (-1);
}

int
state_history_append(const char *dir, const char *line)
{
	char *path, *buf;
	size_t len;
	int fd;

	if (asprintf(&path, "%s/history.log", dir) < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		goto err0;
	}
	/* One line or several, each ending in a newline. */
	if (asprintf(&buf, "%s%s", line, line[0] != '\0' &&
	    line[strlen(line) - 1] == '\n' ? "" : "\n") < 0) {
		log_fail(EX_OSERR, "state: out of memory");
		goto err1;
	}
	len = strlen(buf);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC |
	    O_NOFOLLOW, 0600)) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", path, strerror(errno));
		goto err2;
	}
	if (state_own(fd, path, dir)) {
		close(fd);
		goto err2;
	}
	/* One write() with O_APPEND: lines never interleave. */
	if (write(fd, buf, len) != (ssize_t)len) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		close(fd);
		goto err2;
	}
	if (close(fd) != 0) {
		log_fail(EX_IOERR, "%s: %s", path, strerror(errno));
		goto err2;
	}

	/* Success! */
	free(buf);
	free(path);
	return (0);

err2:
	free(buf);
err1:
	free(path);
err0:
	/* Failure! */
	return (-1);
}

int
state_check(int fd, const char *path, const char *dir)
{
	struct stat sb;

	if (geteuid() != 0)
		return (0);
	if (dir_safe(dir, &sb, 0) ||
	    safepath_entry(fd, path, "file in the state directory", &sb))
		return (-1);
	return (0);
}

int
state_own(int fd, const char *path, const char *dir)
{

	if (geteuid() != 0)
		return (0);
	if (state_check(fd, path, dir))
		return (-1);
	state_chown(fd, dir);
	return (0);
}

void
state_chown(int fd, const char *dir)
{
	struct stat sb;

	if (geteuid() != 0 || stat(dir, &sb) == -1 || sb.st_uid == 0)
		return;
	/* A failure leaves the file root's and private: safe, and reported
	 * by the service user's next run if it matters. */
	if (fchown(fd, sb.st_uid, sb.st_gid) == -1)
		log_debug("%s: chown to uid %lu: %s", dir,
		    (unsigned long)sb.st_uid, strerror(errno));
}
