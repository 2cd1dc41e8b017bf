/*
 * sitevault credentials: ask for the FTP password or the S3 secret key (no
 * echo on a terminal, else one line of standard input), seal it with the site key and write
 * "credentials = hidden:..." into [server] of the configuration file in
 * place: an atomic rewrite that keeps every other byte, the mode and owner.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <termios.h>
#include <unistd.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "conf/conf.h"
#include "util/json.h"
#include "crypto/keys.h"
#include "util/log.h"
#include "crypto/seal.h"

#define CONF_MAX	(1024 * 1024)

/* The terminal to restore if a signal ends the prompt. */
static int tty_fd = -1;
static struct termios tty_saved;

static void
tty_restore_and_die(int sig)
{

	if (tty_fd != -1)
		(void)tcsetattr(tty_fd, TCSAFLUSH, &tty_saved);
	signal(sig, SIG_DFL);
	raise(sig);
}

/*
 * Read one line from ${fd} into ${buf} of ${len} bytes, without the line
 * end, byte by byte so that no stdio buffer keeps a copy.  Return its
 * length, or -1 if it is too long or cannot be read.
 */
static ssize_t
read_line(int fd, char *buf, size_t len)
{
	size_t n = 0;
	ssize_t r;
	char ch;

	for (;;) {
		if ((r = read(fd, &ch, 1)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		if (r == 0 || ch == '\n')
			break;
		if (n + 1 >= len) {
			/* Swallow the rest of the line, then refuse. */
			while (read(fd, &ch, 1) == 1 && ch != '\n')
				;
			return (-1);
		}
		buf[n++] = ch;
	}
	if (n > 0 && buf[n - 1] == '\r')
		n--;
	buf[n] = '\0';
	return ((ssize_t)n);
}

/* Prompt on the terminal with echo off; restored on every path. */
static ssize_t
read_tty(int fd, const char *prompt, char *buf, size_t len)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };
	struct sigaction sa, old[4], oldtstp;
	struct termios t;
	ssize_t n;
	size_t i;

	if (tcgetattr(fd, &tty_saved) == -1)
		return (-1);
	tty_fd = fd;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_restore_and_die;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &sa, &old[i]);
	/* Stopped with echo off, the shell would get a silent terminal. */
	sa.sa_handler = SIG_IGN;
	sigaction(SIGTSTP, &sa, &oldtstp);
	t = tty_saved;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK);
	t.c_lflag |= ECHONL;
	/* A terminal that takes no prompt gives no password either: the
	 * read below then fails and says so. */
	if (write(fd, prompt, strlen(prompt)) < 0)
		log_debug("terminal: %s", strerror(errno));
	if (tcsetattr(fd, TCSAFLUSH, &t) == -1)
		n = -1;
	else
		n = read_line(fd, buf, len);
	(void)tcsetattr(fd, TCSAFLUSH, &tty_saved);
	tty_fd = -1;
	for (i = 0; i < 4; i++)
		sigaction(sigs[i], &old[i], NULL);
	sigaction(SIGTSTP, &oldtstp, NULL);
	return (n);
}

/* The password into ${pw}: twice on a terminal, else one stdin line. */
static int
get_password(const struct conf *c, char *pw, size_t len)
{
	char again[SEAL_MAXPASS + 2], prompt[512];
	ssize_t n;
	int fd, rc = -1;

	if (!isatty(STDIN_FILENO)) {
		if ((n = read_line(STDIN_FILENO, pw, len)) < 0) {
			log_fail(EX_USAGE, "credentials: cannot read the "
			    "password from standard input (one line of at "
			    "most %d bytes)", SEAL_MAXPASS);
			return (-1);
		}
		if (n == 0) {
			log_fail(EX_USAGE, "credentials: no password on "
			    "standard input");
			return (-1);
		}
		return (0);
	}
	if ((fd = open("/dev/tty", O_RDWR | O_CLOEXEC | O_NOCTTY)) == -1) {
		log_fail(EX_OSERR, "/dev/tty: %s", strerror(errno));
		return (-1);
	}
	if (conf_is_s3(c))
		snprintf(prompt, sizeof(prompt), "S3 secret key for access key "
		    "%s at %s: ", c->server_access_key, c->server_url);
	else
		snprintf(prompt, sizeof(prompt), "FTP password for %s at %s: ",
		    c->server_user, c->server_url);
	if ((n = read_tty(fd, prompt, pw, len)) <= 0) {
		log_fail(EX_USAGE, "credentials: %s", n == 0 ? "empty password" :
		    "cannot read the password from the terminal");
		goto out;
	}
	if (read_tty(fd, "Repeat it: ", again, sizeof(again)) < 0 ||
	    strcmp(pw, again) != 0) {
		log_fail(EX_USAGE, "credentials: the two entries differ; "
		    "nothing changed");
		goto out;
	}
	rc = 0;
out:
	OPENSSL_cleanse(again, sizeof(again));
	close(fd);
	return (rc);
}

/* Length of the line at ${p} (up to ${end}) with its line end. */
static size_t
linelen(const char *p, const char *end)
{
	const char *nl = memchr(p, '\n', (size_t)(end - p));

	return (nl != NULL ? (size_t)(nl + 1 - p) : (size_t)(end - p));
}

/* ${p}..${end} without blanks around it. */
static void
trim(const char **p, const char **end)
{

	while (*p < *end && (**p == ' ' || **p == '\t'))
		(*p)++;
	while (*end > *p && ((*end)[-1] == ' ' || (*end)[-1] == '\t' ||
	    (*end)[-1] == '\r' || (*end)[-1] == '\n'))
		(*end)--;
}

/*
 * What to keep of the credentials line at ${p} (${len} bytes): from the
 * blanks before a trailing "# comment", else from the line end.
 */
static const char *
line_tail(const char *p, size_t len)
{
	const char *end = p + len, *eq = memchr(p, '=', len), *q;

	for (q = eq + 1; q < end; q++) {
		if (*q == '#' && (q[-1] == ' ' || q[-1] == '\t')) {
			while (q - 1 > eq && (q[-1] == ' ' || q[-1] == '\t'))
				q--;
			return (q);
		}
	}
	for (q = end; q > p && (q[-1] == '\n' || q[-1] == '\r');)
		q--;
	return (q);
}

/*
 * The configuration text ${old} with the credentials of [server] set to
 * ${value}: the existing line rewritten (its indentation, trailing comment
 * and line end kept), else a line added after the last key of [server],
 * else a [server] section appended.  Return a malloc'd text, or NULL.
 */
static char *
edit(const char *old, size_t oldlen, const char *value, size_t *newlen)
{
	const char *p, *end = old + oldlen, *ins = NULL, *rep = NULL;
	const char *s, *e, *eq, *tail, *eol = "\n";
	size_t len, replen = 0, cap = oldlen + strlen(value) + 64;
	int inserver = 0;
	char *out;

	for (p = old; p < end; p += len) {
		len = linelen(p, end);
		s = p;
		e = p + len;
		trim(&s, &e);
		if (s < e && *s == '[') {
			if ((e = memchr(s, ']', (size_t)(e - s))) == NULL)
				continue;
			s++;
			trim(&s, &e);
			inserver = e - s == 6 && memcmp(s, "server", 6) == 0;
			if (inserver)
				ins = p + len;
			continue;
		}
		if (!inserver || s == e || *s == '#' || *s == ';')
			continue;
		ins = p + len;
		if (rep != NULL || (eq = memchr(s, '=', (size_t)(e - s))) == NULL)
			continue;
		e = eq;
		trim(&s, &e);
		if (e - s == 11 && memcmp(s, "credentials", 11) == 0) {
			rep = p;
			replen = len;
		}
	}
	if ((out = malloc(cap)) == NULL)
		return (NULL);
	if (rep != NULL) {
		for (s = rep; *s == ' ' || *s == '\t'; s++)
			;
		tail = line_tail(rep, replen);
		*newlen = (size_t)snprintf(out, cap, "%.*scredentials = %s",
		    (int)(s - old), old, value);
		memcpy(out + *newlen, tail, (size_t)(end - tail));
		*newlen += (size_t)(end - tail);
	} else if (ins == NULL) {
		*newlen = (size_t)snprintf(out, cap, "%.*s%s[server]\n"
		    "credentials = %s\n", (int)oldlen, old, oldlen > 0 &&
		    old[oldlen - 1] != '\n' ? "\n" : "", value);
	} else {
		if (ins - old >= 2 && ins[-1] == '\n' && ins[-2] == '\r')
			eol = "\r\n";
		*newlen = (size_t)snprintf(out, cap, "%.*s%scredentials = %s%s",
		    (int)(ins - old), old, ins[-1] != '\n' ? eol : "", value,
		    eol);
		memcpy(out + *newlen, ins, (size_t)(end - ins));
		*newlen += (size_t)(end - ins);
	}
	return (out);
}

static int
write_all(int fd, const char *p, size_t len)
{
	ssize_t w;

	while (len > 0) {
		if ((w = write(fd, p, len)) == -1) {
			if (errno == EINTR)
				continue;
			return (-1);
		}
		p += w;
		len -= (size_t)w;
	}
	return (0);
}

/*
 * Replace the file ${path} (through symlinks) by ${text}: a temporary file
 * in the same directory with the same mode and owner, fsync, rename, fsync
 * of the directory.  Return 0, or -1 after logging.
 */
static int
replace_file(const char *path, const char *text, size_t len)
{
	char real[PATH_MAX], tmp[PATH_MAX + 16], *slash;
	struct stat st;
	int fd = -1, dfd;

	if (realpath(path, real) == NULL || stat(real, &st) == -1) {
		log_fail(EX_NOINPUT, "%s: %s", path, strerror(errno));
		return (-1);
	}
	if ((slash = strrchr(real, '/')) == NULL)	/* realpath: absolute */
		return (-1);
	snprintf(tmp, sizeof(tmp), "%.*s/.%s.XXXXXX", (int)(slash - real),
	    real, slash + 1);
	if ((fd = mkstemp(tmp)) == -1) {
		log_fail(EX_CANTCREAT, "%s: cannot create a file beside it: %s",
		    real, strerror(errno));
		return (-1);
	}
	if (fchmod(fd, st.st_mode & 07777) == -1 ||
	    ((st.st_uid != geteuid() || st.st_gid != getegid()) &&
	    fchown(fd, st.st_uid, st.st_gid) == -1)) {
		log_fail(EX_CANTCREAT, "%s: cannot keep mode and owner: %s",
		    real, strerror(errno));
		goto err;
	}
	if (write_all(fd, text, len) == -1 || fsync(fd) == -1) {
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		goto err;
	}
	if (close(fd) == -1) {
		fd = -1;
		log_fail(EX_IOERR, "%s: %s", tmp, strerror(errno));
		goto err;
	}
	fd = -1;
	if (rename(tmp, real) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", real, strerror(errno));
		goto err;
	}
	*slash = '\0';
	if ((dfd = open(real[0] ? real : "/", O_RDONLY | O_DIRECTORY)) != -1) {
		(void)fsync(dfd);
		close(dfd);
	}
	return (0);

err:
	if (fd != -1)
		close(fd);
	(void)unlink(tmp);
	return (-1);
}

/* Read the configuration file ${path} whole. */
static char *
read_file(const char *path, size_t *len)
{
	struct stat st;
	char *buf = NULL;
	ssize_t r;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) == -1 ||
	    fstat(fd, &st) == -1) {
		log_fail(EX_NOINPUT, "%s: %s", path, strerror(errno));
		goto out;
	}
	if (!S_ISREG(st.st_mode) || st.st_size > CONF_MAX) {
		log_fail(EX_CONFIG, "%s: not a regular file of at most %d bytes",
		    path, CONF_MAX);
		goto out;
	}
	if ((buf = malloc((size_t)st.st_size + 1)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", path);
		goto out;
	}
	for (*len = 0; *len < (size_t)st.st_size; *len += (size_t)r) {
		if ((r = read(fd, buf + *len, (size_t)st.st_size - *len)) <= 0) {
			log_fail(EX_IOERR, "%s: %s", path, r == 0 ?
			    "changed while read" : strerror(errno));
			free(buf);
			buf = NULL;
			goto out;
		}
	}
out:
	if (fd != -1)
		close(fd);
	return (buf);
}

/* Seal the password and write it into the configuration file. */
static int
store(const struct conf *c, const struct keys *k, const char *pw)
{
	char *sealed = NULL, *old = NULL, *text = NULL, *back = NULL;
	struct conf *check = NULL;
	size_t oldlen, len;
	int rc = -1;

	if ((sealed = seal_password(k->age_sk, pw)) == NULL ||
	    (old = read_file(c->path, &oldlen)) == NULL)
		goto out;
	if ((text = edit(old, oldlen, sealed, &len)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", c->path);
		goto out;
	}
	/* Never write a file that would not load, or not give it back. */
	if ((check = conf_parse(c->path, text, len)) == NULL ||
	    check->server_credentials == NULL ||
	    seal_open(k->age_sk, check->server_credentials, c->path, &back) ||
	    strcmp(back, pw) != 0) {
		log_fail(EX_SOFTWARE, "%s: the rewritten file does not hold the "
		    "password; left unchanged", c->path);
		goto out;
	}
	rc = replace_file(c->path, text, len);
out:
	seal_free(back);
	conf_free(check);
	free(text);
	free(old);
	free(sealed);
	return (rc);
}

static int
cmd_credentials(struct agent *ag)
{
	char pw[SEAL_MAXPASS + 2], why[512];
	struct conf *c = NULL;
	struct keys *k = NULL;
	struct json j;
	int rc;

	if (ag->noperands != 0)
		return (agent_usage(ag, "no arguments expected (the password "
		    "is read from the terminal or standard input)"));
	log_capture(why, sizeof(why));
	pw[0] = '\0';
	if ((rc = agent_conf(ag, &c)) != 0)
		goto out;
	if (conf_is_local(c)) {
		log_fail(EX_CONFIG, "%s: [server] url %s is a local directory: "
		    "it needs no credentials", c->path, c->server_url);
		goto fail;
	}
	if ((k = keys_load(c->keys_secret)) == NULL ||
	    get_password(c, pw, sizeof(pw)) || store(c, k, pw))
		goto fail;
	log_audit(1, "credentials: sealed %s of %s at %s stored in %s",
	    conf_is_s3(c) ? "S3 secret key" : "FTP password",
	    conf_is_s3(c) ? c->server_access_key : c->server_user,
	    c->server_url, c->path);
	if (ag->json) {
		json_begin(&j, stdout);
		json_string(&j, "command", "credentials");
		json_string(&j, "config", c->path);
		json_string(&j, "result", "stored");
		(void)json_end(&j);
	} else if (!ag->quiet)
		printf("credentials: the sealed %s of %s is stored in %s\n",
		    conf_is_s3(c) ? "secret key" : "password",
		    conf_is_s3(c) ? c->server_access_key : c->server_user,
		    c->path);
	rc = 0;
	goto out;
fail:
	rc = agent_exitcode();
out:
	if (rc != 0)
		log_audit(0, "credentials: change failed: %s", why[0] ? why :
		    "see the error output");
	log_capture(NULL, 0);
	OPENSSL_cleanse(pw, sizeof(pw));
	keys_free(k);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ NULL, 0, NULL, NULL }
};

/* Operands are refused by the command itself, with a hint. */
const struct cli_command cli_credentials = {
	"credentials", cmd_credentials, NULL, CLI_OPERANDS_ANY,
	cmd_options,
	"Ask for the FTP password without echo (or read one line of standard "
	"input) and store it, sealed with the site key, as [server] "
	"credentials in the configuration file.",
	"sitevault credentials"
};
