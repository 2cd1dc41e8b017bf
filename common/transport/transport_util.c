/* Store paths, temporary names and listings: helpers of the transport. */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/rand.h>

#include "transport/transport.h"
#include "transport/transport_internal.h"

#define PATH_MAX_LEN	1024

int
transport_path_check(const char *path, int empty_ok)
{
	const char *p, *comp;
	size_t len;

	if (path == NULL)
		return (-1);
	if (path[0] == '\0')
		return (empty_ok ? 0 : -1);
	if (strlen(path) > PATH_MAX_LEN)
		return (-1);
	for (comp = p = path;; p++) {
		if (*p == '/' || *p == '\0') {
			len = (size_t)(p - comp);
			if (len == 0 || len > TRANSPORT_NAME_MAX)
				return (-1);
			if ((len == 1 && comp[0] == '.') ||
			    (len == 2 && comp[0] == '.' && comp[1] == '.'))
				return (-1);
			if (*p == '\0')
				break;
			comp = p + 1;
		} else if ((unsigned char)*p < 0x20 || *p == 0x7f)
			return (-1);
	}
	return (0);
}

const char *
transport_where(const struct transport *t, const char *path, char *buf,
    size_t len)
{
	size_t dlen = strlen(t->desc);

	/* The store's root URL ends in '/' ("ftp://host/", "/"). */
	snprintf(buf, len, "%s%s%s", t->desc, path[0] != '\0' && dlen > 0 &&
	    t->desc[dlen - 1] != '/' ? "/" : "", path);
	return (buf);
}

const char *
transport_url_shown(const char *url, char *buf, size_t len)
{
	const char *sep = strstr(url, "://"), *at = strrchr(url, '@');

	if (sep != NULL && at != NULL && at > sep)
		snprintf(buf, len, "%.*s...%s", (int)(sep + 3 - url), url, at);
	else
		snprintf(buf, len, "%s", url);
	return (buf);
}

int
transport_entry_add(struct transport_entry **entries, size_t *n,
    size_t *cap, const char *name, size_t namelen, int is_dir, uint64_t size)
{
	struct transport_entry *e;
	char *s;

	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 32;

		if ((e = reallocarray(*entries, ncap, sizeof(*e))) == NULL)
			return (-1);
		*entries = e;
		*cap = ncap;
	}
	if ((s = malloc(namelen + 1)) == NULL)
		return (-1);
	memcpy(s, name, namelen);
	s[namelen] = '\0';
	e = &(*entries)[(*n)++];
	e->name = s;
	e->is_dir = is_dir;
	e->size = size;
	return (0);
}

void
transport_entries_free(struct transport_entry *entries, size_t n)
{
	size_t i;

	if (entries == NULL)
		return;
	for (i = 0; i < n; i++)
		free(entries[i].name);
	free(entries);
}

int
transport_is_temp(const char *name)
{

	return (strstr(name, TRANSPORT_TMP_MARK) != NULL);
}

char *
transport_tmpname(const char *path)
{
	uint8_t r[4];
	size_t len;
	char *s;

	if (RAND_bytes(r, sizeof(r)) != 1)
		return (NULL);
	len = strlen(path) + sizeof(TRANSPORT_TMP_MARK) + 8;
	if ((s = malloc(len)) == NULL)
		return (NULL);
	snprintf(s, len, "%s%s%02x%02x%02x%02x", path, TRANSPORT_TMP_MARK,
	    r[0], r[1], r[2], r[3]);
	return (s);
}

void
transport_pace(struct transport_pace *tp, size_t n)
{
	struct timespec ts;
	int64_t now, due, credit = INT64_C(1000000000);

	if (tp == NULL || tp->limit == 0 || n == 0)
		return;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	now = (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
	if (tp->t0 == 0)
		tp->t0 = now;
	/* When the bytes moved so far are due at the cap. */
	due = tp->t0 + (int64_t)((double)tp->bytes * 1e9 / (double)tp->limit);
	if (now - due > credit) {
		tp->t0 = due = now - credit;
		tp->bytes = 0;
	}
	tp->bytes += n;
	due += (int64_t)((double)n * 1e9 / (double)tp->limit);
	if (due > now) {
		ts.tv_sec = (time_t)((due - now) / 1000000000);
		ts.tv_nsec = (long)((due - now) % 1000000000);
		while (nanosleep(&ts, &ts) == -1 && errno == EINTR)
			;
	}
}
