#ifndef REPORT_HTML_H_
#define REPORT_HTML_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct fleet_row;

/**
 * report_html_write(f, rows, n, now, max_age):
 * Write the fleet report of ${rows} as one self-contained HTML page to
 * ${f}: no external scripts, fonts or styles; charts as inline SVG; a
 * layout that folds into cards on a narrow screen and keeps colours in
 * print.  Everything that came from the server is escaped.  Return 0, or
 * -1 on a write error (not logged: the caller names the file).
 */
int report_html_write(FILE *, const struct fleet_row *, size_t, int64_t,
    int64_t);

#endif /* !REPORT_HTML_H_ */
