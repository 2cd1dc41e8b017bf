/* Configuration file parser: see conf.h and sitevault.conf(5). */
#include <assert.h>
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <openssl/crypto.h>

#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "conf/conf_value.h"
#include "util/log.h"
#include "util/readfile.h"

/* Bounds that keep a corrupt or hostile file cheap to reject. */
#define CONF_LINE_MAX	4096
#define CONF_FILE_MAX	(1024 * 1024)

enum ktype {
	KT_NAME, KT_URL, KT_USER, KT_CRED, KT_TLS, KT_PATH, KT_PIN,
	KT_DURATION, KT_UINT, KT_SIZE, KT_BOOL, KT_COMP,
	KT_PATHS, KT_GLOBS, KT_RECIPIENTS, KT_ENDPOINT, KT_REGION, KT_ACCESS,
	KT_ADDRESSING, KT_TRUSTED
};

static const char *const sections[] = {
	"site", "server", "backup", "keys", "state"
};
#define NSECTIONS (sizeof(sections) / sizeof(sections[0]))

#define F(field) offsetof(struct conf, field)
#define DAY 86400
static const struct ckey {
	unsigned int sec;	/* index in sections[] */
	const char *name;
	enum ktype type;
	size_t off;		/* the field in struct conf */
	uint64_t min, max;	/* range of numbers */
} ckeys[] = {
	{ 0, "name", KT_NAME, F(site_name), 0, 0 },
	{ 1, "url", KT_URL, F(server_url), 0, 0 },
	{ 1, "user", KT_USER, F(server_user), 0, 0 },
	{ 1, "credentials", KT_CRED, F(server_credentials), 0, 0 },
	{ 1, "tls", KT_TLS, F(server_tls), 0, 0 },
	{ 1, "ca_file", KT_PATH, F(server_ca_file), 0, 0 },
	{ 1, "pinned_pubkey", KT_PIN, F(server_pinned_pubkey), 0, 0 },
	{ 1, "connect_timeout", KT_DURATION, F(server_connect_timeout), 1, DAY },
	{ 1, "stall_timeout", KT_DURATION, F(server_stall_timeout), 1, DAY },
	{ 1, "retries", KT_UINT, F(server_retries), 0, 100 },
	{ 1, "bwlimit", KT_SIZE, F(server_bwlimit), 0, UINT64_C(1) << 40 },
	{ 1, "endpoint", KT_ENDPOINT, F(server_endpoint), 0, 0 },
	{ 1, "region", KT_REGION, F(server_region), 0, 0 },
	{ 1, "access_key", KT_ACCESS, F(server_access_key), 0, 0 },
	{ 1, "addressing", KT_ADDRESSING, F(server_addressing), 0, 0 },
	{ 1, "object_lock_days", KT_UINT, F(server_object_lock_days), 0, 36500 },
	{ 2, "configuration", KT_PATHS, F(backup_configuration), 0, 0 },
	{ 2, "data", KT_PATHS, F(backup_data), 0, 0 },
	{ 2, "exclude", KT_GLOBS, F(backup_exclude), 0, 0 },
	{ 2, "retain", KT_UINT, F(backup_retain), 1, 100000 },
	{ 2, "compression", KT_COMP, F(backup_compression), 0, 0 },
	{ 2, "part_size", KT_SIZE, F(backup_part_size),
	    UINT64_C(64) << 10, UINT64_C(4) << 30 },
	{ 2, "verify_after_upload", KT_BOOL, F(backup_verify_after_upload), 0, 0 },
	{ 2, "full_every", KT_UINT, F(backup_full_every), 1, 10000 },
	{ 3, "secret", KT_PATH, F(keys_secret), 0, 0 },
	{ 3, "recipients", KT_RECIPIENTS, F(keys_recipients), 0, 0 },
	{ 3, "trusted", KT_TRUSTED, F(keys_trusted), 0, 0 },
	{ 4, "dir", KT_PATH, F(state_dir), 0, 0 },
	{ 4, "metrics", KT_PATH, F(state_metrics), 0, 0 },
};
#define NKEYS (sizeof(ckeys) / sizeof(ckeys[0]))

/* Where the parser is, and what it has seen (by line, 0 = not yet). */
struct parser {
	const char *file;
	struct conf *c;
	unsigned int line;
	int sec;			/* index of the open section, or -1 */
	unsigned int sec_line[NSECTIONS];
	unsigned int key_line[NKEYS];
};

/* Report an error at the current line, naming ${what} (a key or section). */
static void perr(const struct parser *, const char *, const char *, ...)
    LOG_PRINTF(3, 4);
static void
perr(const struct parser *p, const char *what, const char *fmt, ...)
{
	char why[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (what != NULL)
		log_fail(EX_CONFIG, "%s:%u: %s: %s", p->file, p->line, what, why);
	else
		log_fail(EX_CONFIG, "%s:%u: %s", p->file, p->line, why);
}

/* The index in ckeys[] of ${name} in section ${sec} (any if -1), or NKEYS. */
static size_t
find_key(int sec, const char *name)
{
	size_t i;

	for (i = 0; i < NKEYS; i++)
		if ((sec < 0 || ckeys[i].sec == (unsigned int)sec) &&
		    strcmp(name, ckeys[i].name) == 0)
			break;
	return (i);
}

static void *
field(struct conf *c, const struct ckey *k)
{

	return ((char *)c + k->off);
}

static int
is_blank(char ch)
{

	return (ch == ' ' || ch == '\t');
}

/* Trim blanks around the NUL-terminated ${s} in place. */
static char *
trim(char *s)
{
	size_t n;

	while (is_blank(*s))
		s++;
	n = strlen(s);
	while (n > 0 && is_blank(s[n - 1]))
		s[--n] = '\0';
	return (s);
}

/* Set a string field, replacing its default. */
static int
set_str(struct parser *p, const char *key, const struct ckey *k,
    const char *v)
{
	char **f = field(p->c, k);
	char *s;

	if ((s = strdup(v)) == NULL) {
		perr(p, key, "out of memory");
		return (-1);
	}
	free(*f);
	*f = s;
	return (0);
}

/*
 * A trusted key is bound to the site whose backups it signs: "SITE:FILE"
 * (sitevault.conf(5)); a bare FILE, the old form, is refused with the new.
 */
static int
trusted_ok(const char *w, const char **why)
{
	const char *colon = strchr(w, ':');
	char site[80];

	if (colon == NULL || w[0] == '/') {
		*why = "a key is trusted for one site: write SITE:FILE "
		    "(e.g. branch-02:/etc/sitevault/branch-02.pub)";
		return (-1);
	}
	if ((size_t)(colon - w) >= sizeof(site)) {
		*why = "site name too long";
		return (-1);
	}
	memcpy(site, w, (size_t)(colon - w));
	site[colon - w] = '\0';
	if (conf_value_site_name(site, why))
		return (-1);
	if (colon[1] != '/') {
		*why = "the key file after SITE: is not an absolute path";
		return (-1);
	}
	return (0);
}

/* Check the words of a list value, and set the field. */
static int
set_list(struct parser *p, const char *key, const struct ckey *k,
    const char *v)
{
	char ***f = field(p->c, k);
	char **list;
	const char *why, *w;
	size_t i;

	if (conf_value_list(v, &list, &why)) {
		perr(p, key, "%s", why);
		return (-1);
	}
	for (i = 0; (w = list[i]) != NULL; i++) {
		if (k->type == KT_PATHS && w[0] != '/') {
			perr(p, key, "\"%.100s\" is not an absolute path", w);
			goto err;
		}
		if (k->type == KT_TRUSTED && trusted_ok(w, &why)) {
			perr(p, key, "\"%.100s\": %s", w, why);
			goto err;
		}
		if (k->type == KT_RECIPIENTS && conf_value_recipient(w, &why)) {
			perr(p, key, "\"%.100s\": %s", w, why);
			goto err;
		}
	}
	conf_value_list_free(*f);
	*f = list;
	return (0);

err:
	conf_value_list_free(list);
	return (-1);
}

/* Parse a number of ${k}'s type and check its range. */
static int
set_number(struct parser *p, const char *key, const struct ckey *k,
    const char *v)
{
	const char *why;
	char lo[32], hi[32];
	uint64_t n;
	int rc;

	if (k->type == KT_DURATION)
		rc = conf_value_duration(v, &n, &why);
	else if (k->type == KT_SIZE)
		rc = conf_value_size(v, &n, &why);
	else
		rc = conf_value_uint(v, &n, &why);
	if (rc) {
		perr(p, key, "\"%.40s\": %s", v, why);
		return (-1);
	}
	if (n < k->min || n > k->max) {
		if (k->type == KT_DURATION) {
			conf_value_format_duration(k->min, lo, sizeof(lo));
			conf_value_format_duration(k->max, hi, sizeof(hi));
		} else if (k->type == KT_SIZE) {
			conf_value_format_size(k->min, lo, sizeof(lo));
			conf_value_format_size(k->max, hi, sizeof(hi));
		} else {
			snprintf(lo, sizeof(lo), "%llu",
			    (unsigned long long)k->min);
			snprintf(hi, sizeof(hi), "%llu",
			    (unsigned long long)k->max);
		}
		perr(p, key, "\"%.40s\" is out of range (%s to %s)", v, lo, hi);
		return (-1);
	}
	if (k->type == KT_SIZE)
		*(uint64_t *)field(p->c, k) = n;
	else
		*(unsigned int *)field(p->c, k) = (unsigned int)n;
	return (0);
}

/* Store value ${v} of ${key}, a key of one of a few words (or a level). */
static int
set_choice(struct parser *p, const char *key, const struct ckey *k,
    const char *v)
{
	struct conf *c = p->c;
	const char *why = NULL;

	switch (k->type) {
	case KT_ADDRESSING:
		if (strcmp(v, "path") == 0)
			c->server_addressing = CONF_ADDR_PATH;
		else if (strcmp(v, "virtual") == 0)
			c->server_addressing = CONF_ADDR_VIRTUAL;
		else
			why = "must be path or virtual";
		break;
	case KT_TLS:
		(void)conf_value_tls(v, &c->server_tls, &why);
		break;
	case KT_BOOL:
		(void)conf_value_bool(v, &c->backup_verify_after_upload, &why);
		break;
	case KT_COMP:
		(void)conf_value_compression(v, &c->backup_compression,
		    &c->backup_compression_level, &why);
		break;
	default:
		assert(0 && "not a key of words");
		why = "internal error";
	}
	if (why != NULL) {
		perr(p, key, "%s", why);
		return (-1);
	}
	return (0);
}

/* Check value ${v} of key ${k} (named ${key} in messages) and store it. */
static int
set_value(struct parser *p, const char *key, const struct ckey *k,
    const char *v)
{
	struct conf *c = p->c;
	const char *why = NULL;
	size_t i;

	if (v[0] == '\0' && k->type != KT_PATHS && k->type != KT_GLOBS &&
	    k->type != KT_RECIPIENTS && k->type != KT_TRUSTED) {
		perr(p, key, "empty value");
		return (-1);
	}
	switch (k->type) {
	case KT_NAME:
		(void)conf_value_site_name(v, &why);
		break;
	case KT_URL:
		(void)conf_value_url(v, &why);
		break;
	case KT_USER:
		(void)conf_value_user(v, &why);
		break;
	case KT_CRED:
		/* Never quote this value: it is sealed, but still a secret. */
		if (conf_value_credentials(v, &why) == 0)
			c->server_credentials_line = (int)p->line;
		break;
	case KT_PATH:
		if (v[0] != '/')
			why = "not an absolute path";
		break;
	case KT_PIN:
		(void)conf_value_pin(v, &why);
		break;
	case KT_ENDPOINT:
		(void)conf_value_endpoint(v, &why);
		break;
	case KT_REGION:
	case KT_ACCESS:
		(void)conf_value_token(v, &why);
		break;
	case KT_ADDRESSING:
	case KT_TLS:
	case KT_BOOL:
	case KT_COMP:
		return (set_choice(p, key, k, v));
	case KT_DURATION:
	case KT_UINT:
	case KT_SIZE:
		return (set_number(p, key, k, v));
	case KT_PATHS:
	case KT_GLOBS:
	case KT_RECIPIENTS:
	case KT_TRUSTED:
		return (set_list(p, key, k, v));
	}
	if (why != NULL) {
		perr(p, key, "%s", why);
		return (-1);
	}
	if (set_str(p, key, k, v))
		return (-1);
	/* Store the scheme in lower case, so users of the URL need not care. */
	if (k->type == KT_URL && c->server_url[0] != '/')
		for (i = 0; c->server_url[i] != ':'; i++)
			c->server_url[i] = (char)tolower(
			    (unsigned char)c->server_url[i]);
	return (0);
}

/* A "[section]" line; ${s} is trimmed and starts with '['. */
static int
parse_section(struct parser *p, char *s)
{
	size_t n = strlen(s), i;
	char *name;

	if (s[n - 1] != ']') {
		perr(p, NULL, "malformed section header (no closing ']')");
		return (-1);
	}
	s[n - 1] = '\0';
	name = trim(s + 1);
	for (i = 0; i < NSECTIONS; i++)
		if (strcmp(name, sections[i]) == 0)
			break;
	if (i == NSECTIONS) {
		perr(p, NULL, "[%.64s]: unknown section (expected site, server, "
		    "backup, keys or state)", name);
		return (-1);
	}
	if (p->sec_line[i] != 0) {
		perr(p, NULL, "[%s]: duplicate section (first on line %u)",
		    name, p->sec_line[i]);
		return (-1);
	}
	p->sec_line[i] = p->line;
	p->sec = (int)i;
	return (0);
}

/* A "key = value" line; ${s} is trimmed and ${eq} is its first '='. */
static int
parse_key(struct parser *p, char *s, char *eq)
{
	char full[96];
	const char *key, *v;
	size_t i;

	*eq = '\0';
	key = trim(s);
	v = trim(eq + 1);
	if (key[0] == '\0') {
		perr(p, NULL, "malformed line (no key before '=')");
		return (-1);
	}
	if (p->sec < 0) {
		perr(p, NULL, "%.64s: key outside a section", key);
		return (-1);
	}
	snprintf(full, sizeof(full), "%s.%.64s", sections[p->sec], key);
	if ((i = find_key(p->sec, key)) == NKEYS) {
		/* A key put in the wrong section is a likely slip: say where. */
		i = find_key(-1, key);
		perr(p, full, "unknown key in section [%s]%s%s%s",
		    sections[p->sec], i < NKEYS ? " (it belongs in [" : "",
		    i < NKEYS ? sections[ckeys[i].sec] : "",
		    i < NKEYS ? "])" : "");
		return (-1);
	}
	if (p->key_line[i] != 0) {
		perr(p, full, "duplicate key (first set on line %u)",
		    p->key_line[i]);
		return (-1);
	}
	p->key_line[i] = p->line;
	return (set_value(p, full, &ckeys[i], v));
}

/* One line of ${len} bytes, NUL-terminated, without its newline. */
static int
parse_line(struct parser *p, char *s, size_t len)
{
	size_t i;
	char *eq;

	if (len > 0 && s[len - 1] == '\r')
		s[--len] = '\0';
	for (i = 0; i < len; i++) {
		if (((unsigned char)s[i] < 0x20 && s[i] != '\t') ||
		    s[i] == 0x7f) {
			perr(p, NULL, "control character in line");
			return (-1);
		}
	}
	/* A comment starts a line, or follows a blank. */
	for (i = 0; i < len; i++) {
		if (s[i] == '#' && (i == 0 || is_blank(s[i - 1]))) {
			s[i] = '\0';
			break;
		}
	}
	s = trim(s);
	if (s[0] == '\0')
		return (0);
	if (s[0] == '[')
		return (parse_section(p, s));
	if ((eq = strchr(s, '=')) == NULL) {
		perr(p, NULL, "malformed line (expected \"key = value\" or "
		    "\"[section]\")");
		return (-1);
	}
	return (parse_key(p, s, eq));
}

static int
parse_text(struct parser *p, const char *text, size_t len)
{
	char buf[CONF_LINE_MAX + 1];
	const char *s = text, *end = text + len, *nl;
	size_t ll;

	while (s < end) {
		p->line++;
		nl = memchr(s, '\n', (size_t)(end - s));
		ll = (size_t)((nl != NULL ? nl : end) - s);
		if (ll > CONF_LINE_MAX) {
			perr(p, NULL, "line longer than %d bytes", CONF_LINE_MAX);
			return (-1);
		}
		if (memchr(s, '\0', ll) != NULL) {
			perr(p, NULL, "NUL byte in line");
			return (-1);
		}
		memcpy(buf, s, ll);
		buf[ll] = '\0';
		if (parse_line(p, buf, ll))
			return (-1);
		s = (nl != NULL) ? nl + 1 : end;
	}
	return (0);
}

/* The line of server key ${name} (0 if not set), for conf_check(). */
static unsigned int
server_line(const void *cookie, const char *name)
{
	const struct parser *p = cookie;

	return (p->key_line[find_key(1, name)]);
}

struct conf *
conf_parse(const char *name, const char *text, size_t len)
{
	struct parser p;

	memset(&p, 0, sizeof(p));
	p.file = name;
	p.sec = -1;
	if (len > CONF_FILE_MAX) {
		log_fail(EX_CONFIG, "%s: larger than %d bytes", name,
		    CONF_FILE_MAX);
		goto err0;
	}
	if ((p.c = conf_defaults(name)) == NULL) {
		log_fail(EX_CONFIG, "%s: out of memory", name);
		goto err0;
	}
	if (parse_text(&p, text, len) ||
	    conf_check(p.file, p.c, server_line, &p))
		goto err1;

	/* Success! */
	return (p.c);

err1:
	conf_free(p.c);
err0:
	/* Failure! */
	return (NULL);
}

struct conf *
conf_load(const char *path)
{
	struct conf *c;
	char *buf;
	size_t len;

	/* A FIFO or a directory in its place is an error, not a hang. */
	/* As root, only root may be able to change what root acts on. */
	if ((buf = readfile_load(path, CONF_FILE_MAX, READFILE_CLASS(EX_CONFIG) |
	    READFILE_ROOTSAFE, "configuration file", &len)) == NULL)
		return (NULL);
	c = conf_parse(path, buf, len);
	readfile_free(buf, CONF_FILE_MAX);
	return (c);
}
