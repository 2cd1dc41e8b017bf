#include "config.h"

#include <string.h>

#include "format/marker.h"

int
marker_site(const char *text, size_t len, char name[MARKER_NAME_MAX + 1])
{
	const char *line, *end, *nl, *v;
	size_t n;

	for (line = text; line < text + len; line = nl + 1) {
		if ((nl = memchr(line, '\n', (size_t)(text + len - line))) ==
		    NULL)
			nl = text + len;
		end = nl;
		if (end > line && end[-1] == '\r')
			end--;
		if (end - line < 5 || memcmp(line, "site", 4) != 0 ||
		    (line[4] != ' ' && line[4] != '\t'))
			continue;
		for (v = line + 4; v < end && (*v == ' ' || *v == '\t'); v++)
			;
		n = (size_t)(end - v);
		if (n > MARKER_NAME_MAX)
			n = MARKER_NAME_MAX;
		memcpy(name, v, n);
		name[n] = '\0';
		/* A NUL in the value ends it, as it would in a C string. */
		return (1);
	}
	return (0);
}
