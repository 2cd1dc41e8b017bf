/* Value syntaxes of the configuration file: see conf_value.h. */
#include <ctype.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <openssl/sha.h>

#include "conf/conf.h"
#include "conf/conf_value.h"
#include "util/b64.h"

/* Parse leading decimal digits of ${s}; ${end} gets the first non-digit. */
static int
parse_digits(const char *s, uint64_t *out, const char **end, const char **why)
{
	uint64_t v = 0;
	unsigned int d;

	if (*s < '0' || *s > '9') {
		*why = "not a number";
		return (-1);
	}
	for (; *s >= '0' && *s <= '9'; s++) {
		d = (unsigned int)(*s - '0');
		if (v > (UINT64_MAX - d) / 10) {
			*why = "number too large";
			return (-1);
		}
		v = v * 10 + d;
	}
	*out = v;
	*end = s;
	return (0);
}

/*
 * A number with an optional one-letter unit: the letter ${units}[i] scales
 * it by ${mul}[i]; ${bad} is the reason given for any other suffix.
 */
static int
parse_unit(const char *s, const char *units, const uint64_t *mul,
    const char *bad, uint64_t *out, const char **why)
{
	const char *end, *u;
	uint64_t v, m = 1;

	if (parse_digits(s, &v, &end, why))
		return (-1);
	if (*end != '\0') {
		if ((u = strchr(units, *end)) == NULL || end[1] != '\0') {
			*why = bad;
			return (-1);
		}
		m = mul[u - units];
	}
	if (v > UINT64_MAX / m) {
		*why = "number too large";
		return (-1);
	}
	*out = v * m;
	return (0);
}

int
conf_value_uint(const char *s, uint64_t *out, const char **why)
{
	const char *end;

	if (parse_digits(s, out, &end, why))
		return (-1);
	if (*end != '\0') {
		*why = "not a whole number";
		return (-1);
	}
	return (0);
}

int
conf_value_size(const char *s, uint64_t *out, const char **why)
{
	static const uint64_t mul[] = { UINT64_C(1) << 10, UINT64_C(1) << 10,
	    UINT64_C(1) << 20, UINT64_C(1) << 20, UINT64_C(1) << 30,
	    UINT64_C(1) << 30 };

	return (parse_unit(s, "KkMmGg", mul,
	    "not a size (a number with an optional K, M or G)", out, why));
}

int
conf_value_duration(const char *s, uint64_t *out, const char **why)
{
	static const uint64_t mul[] = { 1, 60, 3600, 86400 };

	return (parse_unit(s, "smhd", mul,
	    "not a duration (a number with an optional s, m, h or d)", out,
	    why));
}

int
conf_value_bool(const char *s, int *out, const char **why)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	size_t i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return (0);
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return (0);
		}
	}
	*why = "not a boolean (yes/no, true/false, on/off, 1/0)";
	return (-1);
}

int
conf_value_tls(const char *s, enum conf_tls *out, const char **why)
{

	if (strcasecmp(s, "none") == 0)
		*out = CONF_TLS_NONE;
	else if (strcasecmp(s, "try") == 0)
		*out = CONF_TLS_TRY;
	else if (strcasecmp(s, "required") == 0)
		*out = CONF_TLS_REQUIRED;
	else {
		*why = "must be none, try or required";
		return (-1);
	}
	return (0);
}

int
conf_value_compression(const char *s, enum conf_compression *alg,
    int *level, const char **why)
{
	const char *lv;
	uint64_t n;
	int max;

	if (strcasecmp(s, "none") == 0) {
		*alg = CONF_COMP_NONE;
		*level = 0;
		return (0);
	}
	if (strncasecmp(s, "gzip", 4) == 0) {
		*alg = CONF_COMP_GZIP;
		*level = 6;
		max = 9;
	} else if (strncasecmp(s, "zstd", 4) == 0) {
		*alg = CONF_COMP_ZSTD;
		*level = 3;
		max = 19;
	} else
		goto bad;
	lv = s + 4;
	if (*lv == '\0')
		return (0);
	if (*lv++ != ':' || conf_value_uint(lv, &n, why))
		goto bad;
	if (n < 1 || n > (uint64_t)max) {
		*why = (max == 9) ? "gzip level must be 1 to 9" :
		    "zstd level must be 1 to 19";
		return (-1);
	}
	*level = (int)n;
	return (0);

bad:
	*why = "must be none, gzip:N (1-9) or zstd:N (1-19)";
	return (-1);
}

long
conf_value_base64(const char *s, size_t len, const char **why)
{
	size_t n;

	if (len == 0 || len % 4 != 0 || len > LONG_MAX / 2) {
		*why = "not base64 (wrong length)";
		return (-1);
	}
	/* A form check only: the unused bits are the consumer's business. */
	if (b64_decode(s, len, B64_PAD | B64_ANYBITS, NULL, 0, &n)) {
		*why = "not base64 (bad character)";
		return (-1);
	}
	return ((long)n);
}

void
conf_value_list_free(char **list)
{
	size_t i;

	if (list == NULL)
		return;
	for (i = 0; list[i] != NULL; i++)
		free(list[i]);
	free(list);
}

int
conf_value_list(const char *s, char ***out, const char **why)
{
	char **list;
	size_t n = 0, i = 0, wl;
	const char *p;

	/* Count the words first, so the array is allocated once. */
	for (p = s; *p != '\0'; ) {
		p += strspn(p, " \t");
		if (*p == '\0')
			break;
		n++;
		p += strcspn(p, " \t");
	}
	if ((list = calloc(n + 1, sizeof(*list))) == NULL)
		goto err0;
	for (p = s; i < n; p += wl) {
		p += strspn(p, " \t");
		wl = strcspn(p, " \t");
		if ((list[i] = malloc(wl + 1)) == NULL)
			goto err1;
		memcpy(list[i], p, wl);
		list[i][wl] = '\0';
		i++;
	}

	/* Success! */
	*out = list;
	return (0);

err1:
	conf_value_list_free(list);
err0:
	/* Failure! */
	*why = "out of memory";
	return (-1);
}

void
conf_value_format_size(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "GMK";
	unsigned int i, shift;

	for (i = 0; i < 3; i++) {
		shift = 30 - 10 * i;
		if (n != 0 && (n & ((UINT64_C(1) << shift) - 1)) == 0) {
			snprintf(buf, len, "%llu%c",
			    (unsigned long long)(n >> shift), units[i]);
			return;
		}
	}
	snprintf(buf, len, "%llu", (unsigned long long)n);
}

void
conf_value_format_duration(uint64_t secs, char *buf, size_t len)
{
	static const struct {
		uint64_t secs;
		char unit;
	} units[] = { { 86400, 'd' }, { 3600, 'h' }, { 60, 'm' }, { 1, 's' } };
	size_t i;

	for (i = 0; i < sizeof(units) / sizeof(units[0]) - 1; i++)
		if (secs != 0 && secs % units[i].secs == 0)
			break;
	snprintf(buf, len, "%llu%c",
	    (unsigned long long)(secs / units[i].secs), units[i].unit);
}

const char *
conf_value_tls_name(enum conf_tls tls)
{

	switch (tls) {
	case CONF_TLS_NONE:
		return ("none");
	case CONF_TLS_REQUIRED:
		return ("required");
	case CONF_TLS_TRY:
	default:
		return ("try");
	}
}

const char *
conf_value_compression_name(enum conf_compression alg)
{

	switch (alg) {
	case CONF_COMP_NONE:
		return ("none");
	case CONF_COMP_GZIP:
		return ("gzip");
	case CONF_COMP_ZSTD:
	default:
		return ("zstd");
	}
}

const char *
conf_value_compression_format(enum conf_compression alg, int level,
    char buf[CONF_COMPRESSION_STRMAX])
{

	/* Levels are 1 to 19: "zstd:19" always fits. */
	if (alg == CONF_COMP_NONE)
		snprintf(buf, CONF_COMPRESSION_STRMAX, "none");
	else
		snprintf(buf, CONF_COMPRESSION_STRMAX, "%s:%d",
		    conf_value_compression_name(alg), level);
	return (buf);
}

int
conf_value_site_name(const char *s, const char **why)
{
	size_t n = strlen(s);

	if (n == 0 || n > 64)
		*why = "must be 1 to 64 characters";
	else if (strspn(s, "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
	    "0123456789._-") != n)
		*why = "only letters, digits, '.', '_' and '-' are allowed";
	else if (s[0] == '.')
		/* It names a directory on the server: no "..", nothing hidden. */
		*why = "must not start with '.'";
	else
		return (0);
	return (-1);
}

/* Check the host[:port] of an FTP URL, ${n} bytes at ${a}. */
static const char *
check_authority(const char *a, size_t n)
{
	const char *port = NULL, *rb, *e = a + n, *why;
	char buf[8];
	uint64_t pn;

	if (n == 0)
		return ("no host name");
	if (memchr(a, '@', n) != NULL)
		return ("user name or password in the URL: set user, and "
		    "store the password with `sitevault credentials`");
	if (a[0] == '[') {
		if ((rb = memchr(a, ']', n)) == NULL || rb == a + 1)
			return ("bad IPv6 address");
		if (rb + 1 < e && rb[1] != ':')
			return ("bad host name");
		if (rb + 1 < e)
			port = rb + 2;
	} else if ((port = memchr(a, ':', n)) != NULL) {
		if (port++ == a)
			return ("no host name");
	}
	if (port != NULL) {
		if ((size_t)(e - port) >= sizeof(buf))
			return ("bad port number");
		memcpy(buf, port, (size_t)(e - port));
		buf[e - port] = '\0';
		if (conf_value_uint(buf, &pn, &why) || pn < 1 || pn > 65535)
			return ("bad port number");
	}
	return (NULL);
}

int
conf_value_url(const char *s, const char **why)
{
	const char *a;

	if (strpbrk(s, " \t") != NULL) {
		*why = "contains a blank";
		return (-1);
	}
	if (s[0] == '/')
		return (0);
	if (strncasecmp(s, "file://", 7) == 0) {
		if (s[7] == '/')
			return (0);
		*why = "a local store must be file:///absolute/path";
		return (-1);
	}
	if (strncasecmp(s, "s3://", 5) == 0)
		return (conf_value_s3_url(s, why));
	if (strncasecmp(s, "ftp://", 6) == 0)
		a = s + 6;
	else if (strncasecmp(s, "ftps://", 7) == 0)
		a = s + 7;
	else {
		*why = "must be ftp://, ftps://, s3://, file:///path or /path";
		return (-1);
	}
	if (strpbrk(s, "?#") != NULL)
		*why = "a query or fragment is not allowed";
	else
		*why = check_authority(a, strcspn(a, "/"));
	return (*why != NULL ? -1 : 0);
}

int
conf_value_s3_url(const char *s, const char **why)
{
	const char *b = s + 5, *p, *comp;
	size_t n, i;

	*why = NULL;
	if (strncasecmp(s, "s3://", 5) != 0) {
		*why = "must start with s3://";
		return (-1);
	}
	n = strcspn(b, "/");
	for (i = 0; i < n; i++)
		if (!islower((unsigned char)b[i]) && !isdigit((unsigned char)b[i])
		    && b[i] != '.' && b[i] != '-')
			break;
	if (n < 3 || n > 63 || i < n || !isalnum((unsigned char)b[0]) ||
	    !isalnum((unsigned char)b[n - 1])) {
		*why = "the bucket name must be 3 to 63 of a-z 0-9 . - "
		    "(s3://BUCKET/PREFIX)";
		return (-1);
	}
	if (b[n] == '\0' || b[n + 1] == '\0')
		return (0);
	/* The prefix: components joined by single '/', a trailing one too. */
	for (comp = p = b + n + 1;; p++) {
		if (*p == '/' || *p == '\0') {
			if ((p == comp && *p != '\0') ||
			    (p - comp == 1 && comp[0] == '.') ||
			    (p - comp == 2 && comp[0] == '.' && comp[1] == '.')) {
				*why = "the key prefix has an empty, \".\" or "
				    "\"..\" component";
				return (-1);
			}
			if (*p == '\0')
				break;
			comp = p + 1;
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f ||
		    *p == '?' || *p == '#' || *p == '\\') {
			*why = "the key prefix has a control character, '?', "
			    "'#' or '\\'";
			return (-1);
		}
	}
	return (0);
}

int
conf_value_endpoint(const char *s, const char **why)
{
	const char *a;
	size_t n;

	*why = NULL;
	if (strncmp(s, "https://", 8) == 0)
		a = s + 8;
	else if (strncmp(s, "http://", 7) == 0)
		a = s + 7;
	else {
		*why = "must be https://HOST[:PORT] (http:// only for this "
		    "machine)";
		return (-1);
	}
	n = strcspn(a, "/");
	if (a[n] != '\0' && a[n + 1] != '\0') {
		*why = "no path allowed: https://HOST[:PORT]";
		return (-1);
	}
	if (strpbrk(s, " \t?#") != NULL)
		*why = "a blank, query or fragment is not allowed";
	else if ((*why = check_authority(a, n)) == NULL && a == s + 7 &&
	    strncmp(a, "127.", 4) != 0 && strncmp(a, "[::1]", 5) != 0 &&
	    (n < 9 || strncasecmp(a, "localhost", 9) != 0 ||
	    (a[9] != ':' && a[9] != '/' && a[9] != '\0')))
		*why = "http:// is only for this machine (127.0.0.1, [::1], "
		    "localhost): the requests and data would travel in "
		    "clear; use https://";
	return (*why != NULL ? -1 : 0);
}

int
conf_value_token(const char *s, const char **why)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++) {
		if (s[i] <= ' ' || s[i] > '~' || s[i] == '/' || i >= 128) {
			*why = "must be 1 to 128 printable characters without "
			    "blanks or '/'";
			return (-1);
		}
	}
	return (0);
}

int
conf_value_pin(const char *s, const char **why)
{
	size_t n;

	/* curl accepts several pins separated by ';'. */
	for (;;) {
		if (strncmp(s, "sha256//", 8) != 0) {
			*why = "must be sha256//BASE64 (several separated by ';')";
			return (-1);
		}
		s += 8;
		n = strcspn(s, ";");
		if (conf_value_base64(s, n, why) != SHA256_DIGEST_LENGTH) {
			*why = "not the base64 of a SHA-256 hash";
			return (-1);
		}
		if (s[n] == '\0')
			return (0);
		s += n + 1;
	}
}

int
conf_value_recipient(const char *s, const char **why)
{

	if (s[0] == '/' || (strncmp(s, "age1", 4) == 0 &&
	    strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789") == strlen(s)))
		return (0);
	*why = "neither an age1... recipient nor an absolute file path";
	return (-1);
}

int
conf_value_user(const char *s, const char **why)
{

	if (strcasecmp(s, "anonymous") == 0 || strcasecmp(s, "ftp") == 0)
		*why = "anonymous FTP is refused: use a dedicated account";
	else if (s[0] == '\0')
		*why = "empty value";
	else if (strpbrk(s, " \t") != NULL)
		*why = "contains a blank";
	else if (strlen(s) > 255)
		*why = "longer than 255 characters";
	else
		return (0);
	return (-1);
}

int
conf_value_credentials(const char *s, const char **why)
{

	if (strncmp(s, "hidden:", 7) != 0) {
		*why = "must be \"hidden:...\" as written by "
		    "`sitevault credentials`";
		return (-1);
	}
	return (conf_value_base64(s + 7, strlen(s + 7), why) < 0 ? -1 : 0);
}
