/*
 * libFuzzer target: the SITE marker a hostile server could write.  The
 * site name found is NUL-terminated within its bound and has no line end.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/marker.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char name[MARKER_NAME_MAX + 1];

	if (marker_site((const char *)data, size, name) == 1) {
		if (memchr(name, '\0', sizeof(name)) == NULL ||
		    strchr(name, '\n') != NULL)
			abort();
	}
	return (0);
}
