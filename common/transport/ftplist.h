#ifndef FTPLIST_H_
#define FTPLIST_H_

#include <stddef.h>

#include "transport/transport.h"

/*
 * Parsers for FTP directory listings as the servers we meet send them:
 * MLSD (RFC 3659 facts), LIST in the `ls -l` forms of vsftpd, proftpd and
 * pure-ftpd (also without a group column, with ACL marks, years for old
 * files, names with spaces, symlinks "a -> b") and the DOS form of IIS, and
 * NLST (names only).  "." and ".." are dropped.
 */

enum ftplist_format {
	FTPLIST_MLSD,
	FTPLIST_LIST,
	FTPLIST_NLST
};

/**
 * ftplist_parse_line(fmt, line, len, e):
 * Parse one listing line of ${len} bytes (without its line end) in format
 * ${fmt}.  Return 1 with ${e->name} malloc'd and the other fields set, 0 for
 * a line that names nothing (empty, "total N", ".", ".."), or -1 if the line
 * is not in that format (or out of memory).
 */
int ftplist_parse_line(enum ftplist_format, const char *, size_t,
    struct transport_entry *);

/**
 * ftplist_parse(fmt, text, len, entries, n):
 * Parse the listing ${text} of ${len} bytes (lines end in CRLF or LF) into
 * ${*entries}, ${*n} entries.  Return 0, or -1 if a line is not in that
 * format (the caller then tries another) or out of memory; nothing is
 * returned then.  Free with transport_entries_free().
 */
int ftplist_parse(enum ftplist_format, const char *, size_t,
    struct transport_entry **, size_t *);

/*
 * The same, as the listing arrives: only a partial line and the entries are
 * kept, never the whole text (a listing may be tens of megabytes).
 */
struct ftplist_stream;

/* The longest listing line accepted (a name is at most 255 bytes). */
#define FTPLIST_LINE_MAX	16384

/**
 * ftplist_stream_new(fmt):
 * A parser of a listing in format ${fmt}, or NULL if out of memory.
 */
struct ftplist_stream *ftplist_stream_new(enum ftplist_format);

/**
 * ftplist_stream_feed(s, buf, len):
 * Parse the next ${len} bytes of the listing.  Return 0, or -1 once a line
 * is not in the format, is longer than FTPLIST_LINE_MAX, or memory ran out
 * (then every later call returns -1 too).
 */
int ftplist_stream_feed(struct ftplist_stream *, const char *, size_t);

/**
 * ftplist_stream_end(s, entries, n):
 * The listing is over: hand its entries over as ftplist_parse() does.
 * Return 0, or -1 (nothing handed over) if a line was refused.
 */
int ftplist_stream_end(struct ftplist_stream *, struct transport_entry **,
    size_t *);

/**
 * ftplist_stream_free(s):
 * Free ${s} and any entries not handed over.  Does nothing if ${s} is NULL.
 */
void ftplist_stream_free(struct ftplist_stream *);

#endif /* !FTPLIST_H_ */
