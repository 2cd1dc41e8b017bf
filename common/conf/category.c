#include <stddef.h>
#include <string.h>
#include <strings.h>

#include "conf/category.h"
#include "conf/conf.h"

/* The name table: canonical names and [backup] keys, in enum order. */
static const struct {
	const char *name;
	const char *key;
} table[CATEGORY_N] = {
	[CATEGORY_CONFIGURATION] = { "Configuration", "configuration" },
	[CATEGORY_DATA] = { "Data", "data" },
};

int
category_parse(const char *arg, enum category cats[CATEGORY_N], size_t *n)
{
	size_t i;

	*n = 0;
	if (arg == NULL || strcasecmp(arg, "all") == 0) {
		for (i = 0; i < CATEGORY_N; i++)
			cats[(*n)++] = (enum category)i;
		return (0);
	}
	for (i = 0; i < CATEGORY_N; i++) {
		if (strcasecmp(arg, table[i].name) == 0) {
			cats[(*n)++] = (enum category)i;
			return (0);
		}
	}
	return (-1);
}

int
category_lookup(const char *s, size_t len, enum category *cat)
{
	size_t i;

	for (i = 0; i < CATEGORY_N; i++) {
		if (strlen(table[i].name) == len &&
		    memcmp(s, table[i].name, len) == 0) {
			*cat = (enum category)i;
			return (0);
		}
	}
	return (-1);
}

const char *
category_name(enum category cat)
{

	return (table[cat].name);
}

const char *
category_key(enum category cat)
{

	return (table[cat].key);
}

char *const *
category_paths(const struct conf *c, enum category cat)
{

	return (cat == CATEGORY_DATA ? c->backup_data :
	    c->backup_configuration);
}
