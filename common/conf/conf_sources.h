#ifndef CONF_SOURCES_H_
#define CONF_SOURCES_H_

#include <stddef.h>

struct conf;

/**
 * conf_sources_check(c, data, configuration, n):
 * Check that every path of [backup] data (if ${data}) and configuration (if
 * ${configuration}) exists and can be read, before anything is sent: a
 * misspelt path must not become a backup of nothing, nor an unfinished one
 * on the server.  The count of paths checked is stored in ${*n}.  Return 0,
 * or -1 after logging the first bad one with the file, the key and the path
 * (EX_CONFIG if missing, EX_NOPERM if unreadable).
 */
int conf_sources_check(const struct conf *, int, int, size_t *);

#endif /* !CONF_SOURCES_H_ */
