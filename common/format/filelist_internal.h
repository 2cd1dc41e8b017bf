#ifndef FILELIST_INTERNAL_H_
#define FILELIST_INTERNAL_H_

#include <stddef.h>

#include "format/filelist.h"

/* Shared by filelist.c (the list) and filelist_parse.c (its text read). */

#define FILELIST_MAGIC	"sitevault-files 1\n"

/**
 * filelist_room(fl, max):
 * Room for a path of up to ${max} bytes and its NUL at the end of the
 * newest chunk of ${fl}'s paths, which filelist_append() then takes.
 * Return NULL if out of memory (nothing logged).
 */
char *filelist_room(struct filelist *, size_t);

/**
 * filelist_append(fl, path, plen):
 * A new last entry of ${fl}, zeroed but for its path: the ${plen} bytes
 * at ${path}, which may already be in place where filelist_room() said.
 * Clears ${fl->sorted} if it is out of order.  Return NULL (logged) if
 * out of memory.
 */
struct filelist_entry *filelist_append(struct filelist *, const char *,
    size_t);

#endif /* !FILELIST_INTERNAL_H_ */
