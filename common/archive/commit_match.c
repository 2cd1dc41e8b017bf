#include "config.h"

#include <sys/stat.h>

#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <limits.h>
#include <stdint.h>
#include <string.h>
#include <unistd.h>

#include "archive/commit_internal.h"

/* What a commit selects (--include) and what it can leave alone. */

/* Does an include pattern select ${sys} (it, or a directory above it)? */
int
commit_match(char *const *inc, size_t ninc, unsigned char *matched,
    const char *sys)
{
	size_t i;
	int hit = 0;

	for (i = 0; i < ninc; i++)
		if (fnmatch(inc[i], sys, FNM_PATHNAME | FNM_LEADING_DIR) == 0) {
			matched[i] = 1;
			hit = 1;
		}
	return (hit);
}

/* Could an include pattern select something beneath the directory ${sys}? */
int
commit_beneath(char *const *inc, size_t ninc, const char *sys)
{
	char pc[NAME_MAX + 1], sc[NAME_MAX + 1];
	const char *p, *s, *pe, *se;
	size_t i;

	for (i = 0; i < ninc; i++) {
		for (p = inc[i], s = sys;; p = pe, s = se) {
			while (*p == '/')
				p++;
			while (*s == '/')
				s++;
			if (*s == '\0') {
				if (*p != '\0')
					return (1);
				break;
			}
			if (*p == '\0')
				break;
			for (pe = p; *pe != '\0' && *pe != '/'; pe++)
				;
			for (se = s; *se != '\0' && *se != '/'; se++)
				;
			if ((size_t)(pe - p) > NAME_MAX ||
			    (size_t)(se - s) > NAME_MAX)
				break;
			memcpy(pc, p, (size_t)(pe - p));
			pc[pe - p] = '\0';
			memcpy(sc, s, (size_t)(se - s));
			sc[se - s] = '\0';
			if (fnmatch(pc, sc, 0) != 0)
				break;
		}
	}
	return (0);
}

/*
 * The next data at or after ${pos} in ${fd}, ${end} if none before it, or
 * -1 if this filesystem cannot say.
 */
static off_t
next_data(int fd, off_t pos, off_t end)
{
	off_t d = lseek(fd, pos, SEEK_DATA);

	if (d == -1)
		return (errno == ENXIO ? end : -1);
	return (d < end ? d : end);
}

/*
 * Do two regular files of ${size} bytes hold the same bytes?  ${holes}:
 * one of them is sparse; what is a hole in both is zeros in both and is
 * skipped, not read (docs/FORMAT.md, sparse files).
 */
static int
same_bytes(int sfd, int lfd, const char *name, off_t size, int holes)
{
	char a[65536], b[65536];
	off_t pos = 0, da, db;
	ssize_t n, m;
	int fa, fb, same = 0;

	if ((fa = openat(sfd, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) == -1)
		return (0);
	if ((fb = openat(lfd, name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK |
	    O_CLOEXEC)) == -1) {
		close(fa);
		return (0);
	}
	for (;;) {
		if (holes && pos < size) {
			da = next_data(fa, pos, size);
			db = next_data(fb, pos, size);
			if (da == -1 || db == -1)
				holes = 0;
			else
				pos = da < db ? da : db;
		}
		/* Both read to their end: a file grown meanwhile differs. */
		n = pread(fa, a, sizeof(a), pos);
		m = pread(fb, b, sizeof(b), pos);
		if (n < 0 || n != m || memcmp(a, b, (size_t)n) != 0)
			break;
		if (n == 0) {
			same = 1;
			break;
		}
		pos += n;
	}
	close(fa);
	close(fb);
	return (same);
}

/*
 * Is the live entry already what the backup holds (type, owner where
 * root restores owners, mode, size, modification time and bytes, or link
 * target)?  Then it is left alone: a restore of a whole tree replaces only
 * what differs.
 */
int
commit_unchanged(int sfd, int lfd, const char *name, const struct stat *ss,
    const struct stat *ls)
{
	char a[PATH_MAX], b[PATH_MAX];
	ssize_t n, m;

	if ((ss->st_mode & S_IFMT) != (ls->st_mode & S_IFMT) ||
	    (geteuid() == 0 && (ss->st_uid != ls->st_uid ||
	    ss->st_gid != ls->st_gid)))
		return (0);
	if (S_ISLNK(ss->st_mode)) {
		n = readlinkat(sfd, name, a, sizeof(a));
		m = readlinkat(lfd, name, b, sizeof(b));
		return (n >= 0 && n == m && memcmp(a, b, (size_t)n) == 0);
	}
	if (!S_ISREG(ss->st_mode) || ss->st_size != ls->st_size ||
	    (ss->st_mode & 07777) != (ls->st_mode & 07777) ||
	    ss->st_mtim.tv_sec != ls->st_mtim.tv_sec ||
	    ss->st_mtim.tv_nsec != ls->st_mtim.tv_nsec)
		return (0);
	return (same_bytes(sfd, lfd, name, ss->st_size,
	    (uint64_t)ss->st_blocks * 512 < (uint64_t)ss->st_size ||
	    (uint64_t)ls->st_blocks * 512 < (uint64_t)ls->st_size));
}

