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

#endif /* !FTPLIST_H_ */
