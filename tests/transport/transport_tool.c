/*
 * transport_tool: run transport operations from the command line, for the
 * shell tests.  Usage:
 *
 *	transport_tool [-v] [--rss] CONFIG OP ARGS... [-- OP ARGS...]...
 *
 * The FTP password is one line on stdin (for an FTP URL).  All operations
 * of one invocation share one transport (one control connection).  Exit
 * status: 0, or the class of the first failure, as the agent does.
 *
 *	connect | tls | mkdir P | rmdir P | delete P | exists P | size P
 *	list D | free D | rename A B | put P FILE | getbuf P MAX
 *	get P FILE ("-" for stdout)
 *	putgen P BYTES [BYTES_PER_SECOND]  stream a generated pattern; prints
 *	                                     "sha256 bytes" of what was sent
 *	getsum P                             prints "sha256 bytes" of the file
 *	sleep MS                             pause (tests act on the server)
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "conf/conf.h"
#include "util/log.h"
#include "transport/transport.h"

struct gen {
	uint64_t left;
	uint64_t ctr;
	uint64_t rate;		/* bytes per second, 0 for no limit */
	uint64_t sent;
	struct timespec start;
	EVP_MD_CTX *md;
};

static uint64_t
splitmix(uint64_t x)
{

	x += 0x9e3779b97f4a7c15ULL;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return (x ^ (x >> 31));
}

static double
elapsed(const struct timespec *t0)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return ((double)(now.tv_sec - t0->tv_sec) +
	    (double)(now.tv_nsec - t0->tv_nsec) / 1e9);
}

static ssize_t
gen_read(void *cookie, void *buf, size_t len)
{
	struct gen *g = cookie;
	uint64_t w;
	size_t i;

	len &= ~(size_t)7;
	if (len > g->left)
		len = (size_t)g->left;
	if (len > 65536)
		len = 65536;
	if (g->rate != 0) {
		double ahead = (double)g->sent / (double)g->rate -
		    elapsed(&g->start);

		if (ahead > 0)
			usleep((useconds_t)(ahead * 1e6));
	}
	for (i = 0; i + 8 <= len; i += 8) {
		w = splitmix(g->ctr++);
		memcpy((uint8_t *)buf + i, &w, 8);
	}
	for (; i < len; i++)
		((uint8_t *)buf)[i] = (uint8_t)splitmix(g->ctr++);
	g->left -= len;
	g->sent += len;
	EVP_DigestUpdate(g->md, buf, len);
	return ((ssize_t)len);
}

static int
sum_write(void *cookie, const void *buf, size_t len)
{
	struct gen *g = cookie;

	g->sent += len;
	return (EVP_DigestUpdate(g->md, buf, len) == 1 ? 0 : -1);
}

static int
fd_write(void *cookie, const void *buf, size_t len)
{
	int fd = *(int *)cookie;
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, buf, len)) == -1) {
			if (errno == EINTR)
				continue;
			log_fail(EX_IOERR, "write: %s", strerror(errno));
			return (-1);
		}
		buf = (const uint8_t *)buf + w;
		len -= (size_t)w;
	}
	return (0);
}

static void
print_sum(struct gen *g)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n, i;

	EVP_DigestFinal_ex(g->md, md, &n);
	for (i = 0; i < n; i++)
		printf("%02x", md[i]);
	printf(" %llu\n", (unsigned long long)g->sent);
}

static uint64_t
num(const char *s)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0' || s[0] == '\0') {
		fprintf(stderr, "transport_tool: bad number %s\n", s);
		exit(EX_USAGE);
	}
	return (v);
}

static int
readfile(const char *file, uint8_t **buf, size_t *len)
{
	struct stat st;
	ssize_t r;
	size_t off = 0;
	int fd;

	if ((fd = open(file, O_RDONLY)) == -1 || fstat(fd, &st) == -1 ||
	    (*buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_fail(EX_NOINPUT, "%s: %s", file, strerror(errno));
		return (-1);
	}
	while (off < (size_t)st.st_size &&
	    (r = read(fd, *buf + off, (size_t)st.st_size - off)) > 0)
		off += (size_t)r;
	close(fd);
	*len = off;
	return (0);
}

/* Run one operation ${av[0]} with ${ac - 1} arguments. */
static int
op(struct transport *t, int ac, char **av)
{
	static const char *tlsname[] = { "na", "on", "off", "off-loopback" };
	struct transport_entry *e;
	struct gen g;
	uint8_t *buf;
	uint64_t v;
	size_t n, i, len;
	int rc, fd;

#define NEED(k) do { if (ac != (k) + 1) goto usage; } while (0)
	if (strcmp(av[0], "connect") == 0) {
		NEED(0);
		return (transport_connect(t));
	} else if (strcmp(av[0], "tls") == 0) {
		NEED(0);
		printf("%s\n", tlsname[transport_tls(t)]);
		return (0);
	} else if (strcmp(av[0], "mkdir") == 0) {
		NEED(1);
		return (transport_mkdir(t, av[1]));
	} else if (strcmp(av[0], "rmdir") == 0) {
		NEED(1);
		return (transport_rmdir(t, av[1]));
	} else if (strcmp(av[0], "delete") == 0) {
		NEED(1);
		return (transport_delete(t, av[1]));
	} else if (strcmp(av[0], "exists") == 0) {
		NEED(1);
		if ((rc = transport_exists(t, av[1])) >= 0)
			printf("%d\n", rc);
		return (rc < 0 ? -1 : 0);
	} else if (strcmp(av[0], "size") == 0) {
		NEED(1);
		if ((rc = transport_size(t, av[1], &v)) == 0)
			printf("%llu\n", (unsigned long long)v);
		return (rc);
	} else if (strcmp(av[0], "free") == 0) {
		NEED(1);
		if ((rc = transport_free_space(t, av[1], &v)) == 1)
			printf("%llu\n", (unsigned long long)v);
		else if (rc == 0)
			printf("unknown\n");
		return (rc < 0 ? -1 : 0);
	} else if (strcmp(av[0], "list") == 0) {
		NEED(1);
		if ((rc = transport_list(t, av[1], &e, &n)) == -1)
			return (-1);
		for (i = 0; i < n; i++)
			printf("%c %llu %s\n", e[i].is_dir ? 'd' : 'f',
			    (unsigned long long)e[i].size, e[i].name);
		if (rc == 1)
			printf("# missing\n");
		transport_entries_free(e, n);
		return (0);
	} else if (strcmp(av[0], "sleep") == 0) {
		NEED(1);
		usleep((useconds_t)num(av[1]) * 1000);
		return (0);
	} else if (strcmp(av[0], "rename") == 0) {
		NEED(2);
		return (transport_rename(t, av[1], av[2]));
	} else if (strcmp(av[0], "put") == 0) {
		NEED(2);
		if (readfile(av[2], &buf, &len))
			return (-1);
		rc = transport_put_buf(t, av[1], buf, len);
		free(buf);
		return (rc);
	} else if (strcmp(av[0], "get") == 0) {
		NEED(2);
		fd = strcmp(av[2], "-") == 0 ? 1 : open(av[2],
		    O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd == -1) {
			log_fail(EX_CANTCREAT, "%s: %s", av[2], strerror(errno));
			return (-1);
		}
		rc = transport_get(t, av[1], fd_write, &fd);
		if (fd != 1)
			close(fd);
		return (rc);
	} else if (strcmp(av[0], "getbuf") == 0) {
		NEED(2);
		if (transport_get_buf(t, av[1], (size_t)num(av[2]), &buf,
		    &len))
			return (-1);
		fwrite(buf, 1, len, stdout);
		if (buf[len] != '\0')
			fprintf(stderr, "transport_tool: no NUL after buffer\n");
		free(buf);
		return (0);
	} else if (strcmp(av[0], "putgen") == 0 || strcmp(av[0], "getsum") ==
	    0) {
		if (ac < 2 || ac > 4)
			goto usage;
		memset(&g, 0, sizeof(g));
		g.md = EVP_MD_CTX_new();
		EVP_DigestInit_ex(g.md, EVP_sha256(), NULL);
		clock_gettime(CLOCK_MONOTONIC, &g.start);
		if (av[0][3] == 'g') {
			g.left = ac > 2 ? num(av[2]) : 0;
			g.rate = ac > 3 ? num(av[3]) : 0;
			rc = transport_put_stream(t, av[1], gen_read, &g);
		} else
			rc = transport_get(t, av[1], sum_write, &g);
		if (rc == 0) {
			print_sum(&g);
			fprintf(stderr, "transport_tool: %.1f MiB/s\n",
			    (double)g.sent / 1048576.0 / elapsed(&g.start));
		}
		EVP_MD_CTX_free(g.md);
		return (rc);
	}
usage:
	fprintf(stderr, "transport_tool: bad operation or arguments: %s\n",
	    av[0]);
	exit(EX_USAGE);
}

int
main(int argc, char *argv[])
{
	struct transport *t = NULL;
	struct conf *c = NULL;
	struct rusage ru;
	char pw[1100];
	int verbose = 0, rss = 0, i, j, failed = 0;

	umask(077);
	while (argc > 1 && argv[1][0] == '-') {
		if (strcmp(argv[1], "-v") == 0)
			verbose = 1;
		else if (strcmp(argv[1], "--rss") == 0)
			rss = 1;
		else
			break;
		argc--;
		argv++;
	}
	if (argc < 3) {
		fprintf(stderr, "usage: transport_tool [-v] [--rss] CONFIG OP "
		    "ARGS... [-- OP ARGS...]...\n");
		return (EX_USAGE);
	}
	log_init("transport_tool", 0, verbose);
	if ((c = conf_load(argv[1])) == NULL)
		return (log_class());
	pw[0] = '\0';
	if (!conf_is_local(c)) {
		if (fgets(pw, sizeof(pw), stdin) == NULL)
			pw[0] = '\0';
		pw[strcspn(pw, "\r\n")] = '\0';
	}
	if ((t = transport_open(c, conf_is_local(c) ? NULL : pw)) == NULL) {
		conf_free(c);
		return (log_class());
	}
	for (i = 2; i < argc && !failed; i = j + 1) {
		for (j = i; j < argc && strcmp(argv[j], "--") != 0; j++)
			;
		if (j > i && op(t, j - i, argv + i))
			failed = 1;
	}
	transport_close(t);
	conf_free(c);
	if (rss && getrusage(RUSAGE_SELF, &ru) == 0)
		fprintf(stderr, "maxrss_kib=%ld\n", ru.ru_maxrss);
	if (fflush(stdout) != 0)
		return (EX_IOERR);
	return (failed ? (log_class() ? log_class() : EX_SOFTWARE) : 0);
}
