#ifndef HISTORY_H_
#define HISTORY_H_

#include <stdint.h>
#include <time.h>

struct buf;

/*
 * One line of a history log (the server's <site>/history.log and the local
 * <state_dir>/history.log), seven fields separated by one TAB:
 *
 *   TIME OPERATION CATEGORY ID RESULT BYTES DESCRIPTION
 *
 *   TIME         UTC, "YYYY-MM-DDTHH:MM:SSZ"
 *   OPERATION    backup, delete, prune, restore, verify, keygen, credentials
 *   CATEGORY     Configuration, Data, or "-"
 *   ID           the backup id in decimal, or "-"
 *   RESULT       ok or failed
 *   BYTES        bytes stored or removed (decimal; 0 when not applicable)
 *   DESCRIPTION  free text, escaped so that a line stays one line of seven
 *                fields: backslash as "\\", TAB "\t", LF "\n", CR "\r",
 *                other bytes below 0x20 and 0x7f as "\xHH" (lower-case
 *                hex); every other byte (UTF-8 included) as is.
 *
 * The fields before DESCRIPTION never contain TAB or newline.
 */

#define HISTORY_LINE_MAX	4096	/* longer lines are cut (description) */

struct history_entry {
	char time[24];		/* as in the line */
	char op[32];
	char category[32];
	char id[24];		/* decimal or "-" */
	char result[16];
	uint64_t bytes;
	char description[HISTORY_LINE_MAX];	/* unescaped */
};

/**
 * history_format(out, outlen, when, op, category, id, ok, bytes, desc):
 * Write the line (without newline) for an operation at ${when} into ${out}
 * of ${outlen} bytes; ${category} NULL gives "-", ${id} 0 gives "-",
 * ${desc} NULL is empty.  A description too long for ${outlen} is cut at a
 * character boundary.  Return 0, or -1 if even the fixed fields do not fit.
 */
int history_format(char *, size_t, time_t, const char *, const char *,
    uint64_t, int, uint64_t, const char *);

/**
 * history_append(lines, when, op, category, id, ok, bytes, desc):
 * Append the line of history_format(), and its newline, to ${lines}: the
 * text that state_history_append() and store_history_append() take.
 * Return 0, or -1 after logging.
 */
int history_append(struct buf *, time_t, const char *, const char *,
    uint64_t, int, uint64_t, const char *);

/**
 * history_parse(line, e):
 * Parse one line (without newline) into ${e}, unescaping the description.
 * Return 0, or -1 if the line does not have seven fields (not logged: the
 * caller decides whether a foreign line matters).
 */
int history_parse(const char *, struct history_entry *);

#endif /* !HISTORY_H_ */
