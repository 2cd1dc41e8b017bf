#ifndef FMTVEC_H_
#define FMTVEC_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The test vectors of docs/FORMAT.md, read from the document itself so that
 * the documentation and the tests cannot drift apart.
 */

/**
 * fmtvec_get(name, len):
 * Return the block after "<!-- vector:${name} -->" in
 * $top_srcdir/docs/FORMAT.md (each line with its LF), malloc'd and
 * NUL-terminated, its length in ${*len} if not NULL.  Aborts the test
 * program if it is missing.
 */
char *fmtvec_get(const char *, size_t *);

/**
 * fmtvec_hex(name, out, n):
 * The vector ${name}, one line of 2*${n} hex digits, decoded into ${out}.
 */
void fmtvec_hex(const char *, uint8_t *, size_t);

#endif /* !FMTVEC_H_ */
