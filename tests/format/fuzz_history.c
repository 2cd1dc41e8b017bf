/*
 * libFuzzer target: history.log lines as a hostile server could write them.
 * A line either parses or is refused; a parsed description written again
 * by history_format() reads back the same.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "format/history.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct history_entry e, back;
	static char line[4 * HISTORY_LINE_MAX + 256];
	char *text, *p, *next;

	if ((text = malloc(size + 1)) == NULL)
		return (0);
	memcpy(text, data, size);
	text[size] = '\0';
	for (p = text; *p != '\0'; p = next) {
		if ((next = strchr(p, '\n')) != NULL)
			*next++ = '\0';
		else
			next = p + strlen(p);
		if (history_parse(p, &e) != 0)
			continue;
		if (memchr(e.time, '\0', sizeof(e.time)) == NULL ||
		    memchr(e.description, '\0', sizeof(e.description)) == NULL)
			abort();
		/* The description's escaping round-trips. */
		if (history_format(line, sizeof(line), 0, "backup", NULL, 0, 1,
		    e.bytes, e.description) == 0) {
			if (history_parse(line, &back) != 0 ||
			    strcmp(back.description, e.description) != 0 ||
			    back.bytes != e.bytes)
				abort();
		}
	}
	free(text);
	log_reset();
	return (0);
}
