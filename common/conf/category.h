#ifndef CATEGORY_H_
#define CATEGORY_H_

#include <stddef.h>

struct conf;

/*
 * What a backup holds: the system's configuration, or the voicemail data.
 * Each category has its own series of ids, its own [backup] paths, and
 * its own directories on the server, "<site>/<Category>_<id>" (see
 * sitevault(8) and docs/FORMAT.md).
 */
enum category {
	CATEGORY_CONFIGURATION,
	CATEGORY_DATA
};

/* How many categories there are; they are 0 to CATEGORY_N - 1, in order. */
#define CATEGORY_N	2

/**
 * category_parse(arg, cats, n):
 * Parse a --category value: NULL or "all" (every category, in order), or
 * one category named in any case ("data", "Data", "CONFIGURATION").  Set
 * ${cats} and ${*n}.  Return 0, or -1 if ${arg} is none of them (nothing
 * logged: CATEGORY_PARSE_ERROR is the message).
 */
int category_parse(const char *, enum category[CATEGORY_N], size_t *);

/* The message for a refused --category value, with the value for %s. */
#define CATEGORY_PARSE_ERROR	"--category: %s: not all, configuration or data"

/**
 * category_lookup(s, len, cat):
 * The category whose canonical name ("Configuration", "Data") is exactly
 * the ${len} bytes at ${s}, as written in manifests and server names.
 * Return 0, or -1 if it is none.
 */
int category_lookup(const char *, size_t, enum category *);

/**
 * category_name(cat):
 * The canonical name of ${cat}, "Configuration" or "Data" (static).
 */
const char *category_name(enum category);

/**
 * category_key(cat):
 * The [backup] key of ${cat}'s paths, "configuration" or "data" (static).
 */
const char *category_key(enum category);

/**
 * category_paths(c, cat):
 * The paths configured for ${cat} in ${c} (NULL-terminated, maybe empty).
 */
char *const *category_paths(const struct conf *, enum category);

#endif /* !CATEGORY_H_ */
