#include "config.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "fleet.h"
#include "report_html.h"
#include "util/human.h"

#define CHART_W	120
#define CHART_H	28

/*
 * Fixed styles: one column layout below 40em (a phone), a table above;
 * state colours kept in print (print-color-adjust), rows never split
 * across pages.  Each state is also written as a word, never colour alone.
 */
static const char style[] =
    "body{font:15px/1.4 system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;"
    "margin:1em;color:#1b1f24;background:#fff}"
    "h1{font-size:1.4em;margin:0 0 .2em}"
    ".meta{color:#57606a;margin:0 0 1em}"
    ".sum span{display:inline-block;margin:0 .4em .4em 0;padding:.15em .6em;"
    "border-radius:1em;font-weight:600}"
    "table{border-collapse:collapse;width:100%}"
    "th,td{text-align:left;padding:.35em .5em;border-bottom:1px solid #d0d7de;"
    "vertical-align:top}"
    "th{background:#f6f8fa;font-weight:600}"
    "td.n{text-align:right;white-space:nowrap}.k{white-space:nowrap}"
    "td:nth-child(3){min-width:12em}td:nth-child(9){min-width:10em;"
    "overflow-wrap:anywhere}"
    ".st{font-weight:700;text-transform:uppercase;font-size:.85em}"
    "tr.ok .st,.sum .ok{color:#116329;background:#dafbe1}"
    "tr.stale td{background:#fff8c5}.sum .stale{background:#fff8c5;"
    "color:#7d4e00}"
    "tr.missing td,tr.unverified td,tr.bad td{background:#ffebe9}"
    ".sum .missing,.sum .unverified,.sum .bad{background:#ffebe9;color:#a40e26}"
    "tr.stale .st{color:#7d4e00}"
    "tr.missing .st,tr.unverified .st,tr.bad .st{color:#a40e26}"
    ".why{color:#a40e26;font-size:.9em}.fail{font-size:.9em;color:#57606a}"
    "svg{display:block}svg .b{fill:#0969da}svg .d{fill:#8250df}"
    "@media (max-width:40em){thead{display:none}"
    "table,tbody,tr{display:block;width:auto}"
    "tr{border:1px solid #d0d7de;border-radius:.4em;margin:0 0 .8em;"
    "padding:.3em}"
    "td{display:inline-block;border:0;padding:.15em .4em;vertical-align:middle}"
    "td.n{text-align:left}td:nth-child(3),td:nth-child(9){display:block}"
    "td svg{display:inline-block;vertical-align:middle}"
    "tr.stale{background:#fff8c5}"
    "tr.missing,tr.unverified,tr.bad{background:#ffebe9}"
    "tr td{background:transparent!important}"
    "td[data-l]::before{content:attr(data-l)': ';font-weight:600;"
    "color:#57606a}}"
    "@media print{body{margin:0;font-size:10pt}"
    "*{-webkit-print-color-adjust:exact;print-color-adjust:exact}"
    "tr{break-inside:avoid}}";

/* Write ${s} with the characters that mean something in HTML escaped. */
static void
esc(FILE *f, const char *s)
{

	for (; *s != '\0'; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			/* Control characters would only garble the page. */
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
		}
	}
}

/*
 * A bar chart of the retained backups of ${r}, oldest left: sizes
 * (${dur} 0) or durations (1).  Each bar has a <title> with its value.
 */
static void
chart(FILE *f, const struct fleet_row *r, int dur)
{
	char v[32], t[32];
	double max = 0, x, w, h, val;
	size_t i, k = 0;

	for (i = 0; i < r->npts; i++) {
		val = dur ? (double)r->pts[i].duration : (double)r->pts[i].size;
		if (val > max)
			max = val;
		if (!dur || r->pts[i].duration >= 0)
			k++;
	}
	if (k == 0) {
		fputs("-", f);
		return;
	}
	fprintf(f, "<svg width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
	    "role=\"img\" aria-label=\"%s of %zu backups\">", CHART_W, CHART_H,
	    CHART_W, CHART_H, dur ? "duration" : "size", r->npts);
	w = (double)CHART_W / (double)r->npts;
	for (i = 0; i < r->npts; i++) {
		if (dur && r->pts[i].duration < 0)
			continue;
		val = dur ? (double)r->pts[i].duration : (double)r->pts[i].size;
		h = max > 0 ? val / max * (CHART_H - 2) : 0;
		if (h < 1)
			h = 1;
		x = (double)i * w;
		if (dur)
			human_duration(val, v, sizeof(v));
		else
			human_bytes(r->pts[i].size, v, sizeof(v));
		fleet_utc(r->pts[i].time, FLEET_UTC_MINUTES, t, sizeof(t));
		fprintf(f, "<rect class=\"%s\" x=\"%.1f\" y=\"%.1f\" "
		    "width=\"%.1f\" height=\"%.1f\"><title>#%" PRIu64 " %s: %s"
		    "</title></rect>", dur ? "d" : "b", x + 0.5,
		    CHART_H - h, w > 2 ? w - 1 : w, h, r->pts[i].id, t, v);
	}
	fputs("</svg>", f);
}

static void
row(FILE *f, const struct fleet_row *r)
{
	char t[32], a[32], sz[32];

	fprintf(f, "<tr class=\"%s\"><td class=\"k\" data-l=\"Site\"><b>",
	    fleet_state_name(r->state));
	esc(f, r->site);
	fprintf(f, "</b></td><td data-l=\"Category\">%s</td>"
	    "<td data-l=\"State\"><span class=\"st\">%s</span>", r->category,
	    fleet_state_name(r->state));
	if (r->reason[0] != '\0') {
		const char *why = r->reason, *st = fleet_state_name(r->state);

		/* The state is written beside it: "stale: ..." says it twice. */
		if (strncmp(why, st, strlen(st)) == 0 &&
		    strncmp(why + strlen(st), ": ", 2) == 0)
			why += strlen(st) + 2;
		fputs("<div class=\"why\">", f);
		esc(f, why);
		fputs("</div>", f);
	}
	fleet_utc(r->time, FLEET_UTC_MINUTES, t, sizeof(t));
	fprintf(f, "</td><td data-l=\"Newest\"><span class=\"k\">%s</span>", t);
	if (r->has_backup)
		fprintf(f, " (#%" PRIu64 ")", r->id);
	fprintf(f, "</td><td class=\"n\" data-l=\"Age\">%s</td>"
	    "<td class=\"n\" data-l=\"Size\">%s</td><td data-l=\"Sizes\">",
	    r->age >= 0 ? human_age(r->age, a, sizeof(a)) : "-",
	    r->has_backup ? human_bytes(r->size, sz, sizeof(sz)) : "-");
	chart(f, r, 0);
	fputs("</td><td data-l=\"Durations\">", f);
	chart(f, r, 1);
	fputs("</td><td data-l=\"Last failure\">", f);
	if (r->fail_time[0] != '\0') {
		fputs("<div class=\"fail\">", f);
		esc(f, r->fail_time);
		fputs(" ", f);
		esc(f, r->fail_op);
		fputs(": ", f);
		esc(f, r->fail_why);
		fputs("</div>", f);
	} else
		fputs("-", f);
	fputs("</td></tr>\n", f);
}

int
report_html_write(FILE *f, const struct fleet_row *r, size_t n, int64_t now,
    int64_t max_age)
{
	static const char *const cols[] = { "Site", "Category", "State",
	    "Newest (UTC)", "Age", "Size", "Sizes", "Durations",
	    "Last failure" };
	size_t count[FLEET_BAD + 1], sites = 0, i;
	char t[32], m[32];

	memset(count, 0, sizeof(count));
	for (i = 0; i < n; i++) {
		count[r[i].state]++;
		if (i == 0 || strcmp(r[i].site, r[i - 1].site) != 0)
			sites++;
	}
	fleet_utc(now, FLEET_UTC_MINUTES, t, sizeof(t));
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"en\"><head>"
	    "<meta charset=\"utf-8\">\n<meta name=\"viewport\" "
	    "content=\"width=device-width,initial-scale=1\">\n"
	    "<title>sitevault: backups of %zu site%s</title>\n<style>%s</style>"
	    "</head>\n<body>\n<h1>Backups of %zu site%s</h1>\n"
	    "<p class=\"meta\">sitevault report, %s UTC; stale after %s.</p>\n"
	    "<p class=\"sum\">", sites, sites == 1 ? "" : "s", style, sites,
	    sites == 1 ? "" : "s", t, human_age(max_age, m, sizeof(m)));
	for (i = 0; i <= FLEET_BAD; i++)
		if (count[i] > 0 || i == FLEET_OK)
			fprintf(f, "<span class=\"%s\">%zu %s</span>",
			    fleet_state_name(i), count[i], fleet_state_name(i));
	fputs("</p>\n<table>\n<thead><tr>", f);
	for (i = 0; i < sizeof(cols) / sizeof(cols[0]); i++)
		fprintf(f, "<th>%s</th>", cols[i]);
	fputs("</tr></thead>\n<tbody>\n", f);
	for (i = 0; i < n; i++)
		row(f, &r[i]);
	fputs("</tbody>\n</table>\n</body></html>\n", f);
	return (ferror(f) ? -1 : 0);
}
