#ifndef MARKER_H_
#define MARKER_H_

#include <stddef.h>

/*
 * The SITE marker at the top of a site directory (docs/FORMAT.md): two
 * lines, "site NAME" and "keyid HEX".  It comes from the server and is not
 * signed: a parser of untrusted bytes.
 */

#define MARKER_NAME_MAX	64	/* a site name, as in [site] name */

/**
 * marker_site(text, len, name):
 * Find the first "site" line (the word, then spaces or TABs, then the
 * value; CR before LF ignored) in the ${len} bytes at ${text} and copy its
 * value into ${name}, cut at MARKER_NAME_MAX bytes.  Return 1 if found, 0
 * if the text has no such line.
 */
int marker_site(const char *, size_t, char[MARKER_NAME_MAX + 1]);

#endif /* !MARKER_H_ */
