#ifndef HUMAN_H_
#define HUMAN_H_

#include <stddef.h>
#include <stdint.h>

/*
 * Numbers for people: sizes in binary units ("1.5 GiB") and durations
 * ("1:02:03", "42.1 s"), for summaries, listings and progress lines.
 */

/**
 * human_bytes(n, out, outlen):
 * Write ${n} bytes as "123 B", "1.5 KiB" ... "1.5 TiB" into ${out}; return
 * ${out}.
 */
const char *human_bytes(uint64_t, char *, size_t);

/**
 * human_duration(secs, out, outlen):
 * Write ${secs} seconds as "4.2 s" below a minute, else "M:SS" or
 * "H:MM:SS", into ${out}; return ${out}.
 */
const char *human_duration(double, char *, size_t);

/**
 * human_age(secs, out, outlen):
 * Write an age of ${secs} seconds as "3d 4h", "5h 12m", "42m 7s" or
 * "12s" (to the second below an hour, the minute below a day) into ${out}; return ${out}.
 */
const char *human_age(int64_t, char *, size_t);

#endif /* !HUMAN_H_ */
