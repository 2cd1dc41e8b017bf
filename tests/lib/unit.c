/*
 * unit: helpers shared by the cmocka unit tests (see unit.h).
 */
#include "config.h"

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "util/log.h"

#include "unit.h"

static char errbuf[512];

void
unit_capture(void)
{

	log_reset();
	errbuf[0] = '\0';
	log_capture(errbuf, sizeof(errbuf));
}

const char *
unit_log(void)
{

	return (errbuf);
}

void
unit_failed(int cls, const char *what)
{

	if (strstr(errbuf, what) == NULL)
		fail_msg("message \"%s\" lacks \"%s\"", errbuf, what);
	assert_int_equal(log_class(), cls);
}

char *
unit_replace(const char *s, const char *from, const char *to)
{
	const char *p = strstr(s, from);
	size_t tail;
	char *out;

	if (p == NULL)
		fail_msg("\"%s\" is not in the text", from);
	tail = strlen(p + strlen(from));
	assert_non_null(out = malloc(strlen(s) - strlen(from) + strlen(to) + 1));
	memcpy(out, s, (size_t)(p - s));
	memcpy(out + (p - s), to, strlen(to));
	memcpy(out + (p - s) + strlen(to), p + strlen(from), tail + 1);
	return (out);
}
