/*
 * libFuzzer target: the FTP listing parsers (MLSD, LIST, NLST), fed what a
 * hostile server could send.  The first byte picks the format.  A listing
 * either parses into entries that each have a non-empty name without a
 * newline, or fails returning nothing; fed in pieces (sizes from the first
 * byte) as it arrives from the network, it gives the same entries.
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
	struct transport_entry *e = NULL, *e2 = NULL, one;
	struct ftplist_stream *st;
	enum ftplist_format fmt;
	const char *text;
	size_t n = 0, n2 = 0, i, off, step;
	int r, r2;

	if (size < 1)
		return (0);
	fmt = (enum ftplist_format)(data[0] % 3);
	text = (const char *)data + 1;
	if ((r = ftplist_parse(fmt, text, size - 1, &e, &n)) == 0) {
		for (i = 0; i < n; i++)
			if (e[i].name == NULL || e[i].name[0] == '\0' ||
			    strchr(e[i].name, '\n') != NULL)
				abort();
	} else if (e != NULL || n != 0)
		abort();
	if ((st = ftplist_stream_new(fmt)) == NULL)
		abort();
	step = (size_t)(data[0] >> 2) + 1;
	for (off = 0; off < size - 1; off += step)
		(void)ftplist_stream_feed(st, text + off, size - 1 - off < step ?
		    size - 1 - off : step);
	r2 = ftplist_stream_end(st, &e2, &n2);
	ftplist_stream_free(st);
	if (r != r2 || n != n2)
		abort();
	for (i = 0; i < n; i++)
		if (strcmp(e[i].name, e2[i].name) != 0 ||
		    e[i].is_dir != e2[i].is_dir || e[i].size != e2[i].size)
			abort();
	transport_entries_free(e, n);
	transport_entries_free(e2, n2);
	memset(&one, 0, sizeof(one));
	if ((r = ftplist_parse_line(fmt, text, size - 1, &one)) == 1) {
		if (one.name == NULL)
			abort();
		free(one.name);
	} else if (r != 0 && r != -1)
		abort();
	return (0);
}
