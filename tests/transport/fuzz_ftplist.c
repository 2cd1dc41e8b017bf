/*
 * libFuzzer target: the FTP listing parsers (MLSD, LIST, NLST), fed what a
 * hostile server could send.  The first byte picks the format.  A listing
 * either parses into entries that each have a non-empty name without a
 * newline, or fails returning nothing.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/ftplist.h"
#include "transport/transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct transport_entry *e = NULL, one;
	enum ftplist_format fmt;
	const char *text;
	size_t n = 0, i;
	int r;

	if (size < 1)
		return (0);
	fmt = (enum ftplist_format)(data[0] % 3);
	text = (const char *)data + 1;
	if (ftplist_parse(fmt, text, size - 1, &e, &n) == 0) {
		for (i = 0; i < n; i++)
			if (e[i].name == NULL || e[i].name[0] == '\0' ||
			    strchr(e[i].name, '\n') != NULL)
				abort();
		transport_entries_free(e, n);
	} else if (e != NULL || n != 0)
		abort();
	memset(&one, 0, sizeof(one));
	if ((r = ftplist_parse_line(fmt, text, size - 1, &one)) == 1) {
		if (one.name == NULL)
			abort();
		free(one.name);
	} else if (r != 0 && r != -1)
		abort();
	return (0);
}
