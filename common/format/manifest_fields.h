#ifndef MANIFEST_FIELDS_H_
#define MANIFEST_FIELDS_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The syntax of single manifest fields (docs/FORMAT.md), shared by the
 * formatter and the parser of manifest.c so that both accept exactly the
 * same values.  Values are (pointer, length), not NUL-terminated.  Nothing
 * here logs.
 */

#define MANIFEST_FIELDS_TIME_MAX INT64_C(253402300799) /* 9999-12-31T23:59:59Z */

/**
 * manifest_fields_site_ok(s, len):
 * Non-zero if ${s} is a site name: [A-Za-z0-9._-]{1,64}, not "." or "..".
 */
int manifest_fields_site_ok(const char *, size_t);

/**
 * manifest_fields_category_ok(s, len):
 * Non-zero if ${s} is "Configuration" or "Data".
 */
int manifest_fields_category_ok(const char *, size_t);

/**
 * manifest_fields_u64_parse(s, len, v):
 * Parse the minimal decimal ${s} (no sign, no leading zero) into ${v}.
 * Return 0, or -1 if it is not one or does not fit 64 bits.
 */
int manifest_fields_u64_parse(const char *, size_t, uint64_t *);

/**
 * manifest_fields_agent_ok(s, len):
 * Non-zero if ${s} is 1 to 128 printable ASCII characters.
 */
int manifest_fields_agent_ok(const char *, size_t);

/**
 * manifest_fields_desc_ok(s, len):
 * Non-zero if ${s} is at most 1024 bytes of UTF-8 (shortest form, no
 * surrogates) without C0, DEL or C1 control characters.
 */
int manifest_fields_desc_ok(const char *, size_t);

/**
 * manifest_fields_compression_ok(s, len):
 * Non-zero if ${s} is "none", "gzip:N" (N 1-9) or "zstd:N" (N 1-22).
 */
int manifest_fields_compression_ok(const char *, size_t);

/**
 * manifest_fields_recipient_ok(s, len):
 * Non-zero if ${s} is a valid lower-case "age1..." X25519 recipient.
 */
int manifest_fields_recipient_ok(const char *, size_t);

/**
 * manifest_fields_hex_parse(s, len, out, n, upper):
 * Parse exactly 2*${n} hex digits, lower-case (upper-case if ${upper}),
 * into ${out}.  Return 0 or -1.
 */
int manifest_fields_hex_parse(const char *, size_t, uint8_t *, size_t, int);

/**
 * manifest_fields_hex_format(in, n, out):
 * Write ${n} bytes as lower-case hex and a NUL into ${out}.
 */
void manifest_fields_hex_format(const uint8_t *, size_t, char *);

/**
 * manifest_fields_time_format(t, out):
 * Write ${t} (0 to MANIFEST_FIELDS_TIME_MAX) as "YYYY-MM-DDTHH:MM:SSZ" into
 * ${out}.  Return 0 or -1.
 */
int manifest_fields_time_format(int64_t, char[21]);

/**
 * manifest_fields_time_parse(s, len, t):
 * Parse the canonical UTC time ${s} (a real date, seconds 00-59).
 * Return 0 or -1.
 */
int manifest_fields_time_parse(const char *, size_t, int64_t *);

#endif /* !MANIFEST_FIELDS_H_ */
