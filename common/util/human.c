#include "config.h"

#include <inttypes.h>
#include <stdio.h>

#include "util/human.h"

const char *
human_bytes(uint64_t n, char *out, size_t outlen)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB",
	    "PiB", "EiB" };
	double v = (double)n;
	size_t u = 0;

	if (n < 1024) {
		snprintf(out, outlen, "%" PRIu64 " B", n);
		return (out);
	}
	for (v /= 1024; v >= 1024 && u + 1 < sizeof(units) / sizeof(units[0]);
	    u++)
		v /= 1024;
	snprintf(out, outlen, "%.*f %s", v < 10 ? 2 : v < 100 ? 1 : 0, v,
	    units[u]);
	return (out);
}

const char *
human_duration(double secs, char *out, size_t outlen)
{
	unsigned long s;

	if (secs < 0)
		secs = 0;
	if (secs < 60) {
		snprintf(out, outlen, "%.1f s", secs);
		return (out);
	}
	s = (unsigned long)(secs + 0.5);
	if (s < 3600)
		snprintf(out, outlen, "%lu:%02lu", s / 60, s % 60);
	else
		snprintf(out, outlen, "%lu:%02lu:%02lu", s / 3600,
		    s / 60 % 60, s % 60);
	return (out);
}

const char *
human_age(int64_t secs, char *out, size_t outlen)
{
	int64_t m = secs / 60;

	if (m < 1)
		snprintf(out, outlen, "%" PRId64 "s", secs > 0 ? secs : 0);
	else if (m < 60 && secs % 60 != 0)
		snprintf(out, outlen, "%" PRId64 "m %" PRId64 "s", m, secs % 60);
	else if (m < 60)
		snprintf(out, outlen, "%" PRId64 "m", m);
	else if (m < 24 * 60)
		snprintf(out, outlen, "%" PRId64 "h %" PRId64 "m", m / 60,
		    m % 60);
	else
		snprintf(out, outlen, "%" PRId64 "d %" PRId64 "h", m / 1440,
		    m / 60 % 24);
	return (out);
}
