#ifndef CONF_VALUE_H_
#define CONF_VALUE_H_

#include <stddef.h>
#include <stdint.h>

#include "conf/conf.h"

/*
 * The value syntaxes of the configuration file (sitevault.conf(5)), shared by
 * the parser and by whatever else reads or prints such values.  The parsers
 * never log: on failure they return -1 and point ${why} at a static reason,
 * and the caller reports it with the file, line and key it knows.
 */

/**
 * conf_value_uint(s, out, why):
 * Parse the decimal digits ${s} (no sign, no space) into ${out}.  Return 0,
 * or -1 on a syntax error or overflow.
 */
int conf_value_uint(const char *, uint64_t *, const char **);

/**
 * conf_value_size(s, out, why):
 * Parse a size: decimal bytes, optionally followed by K, M or G (binary
 * units, either case).  Return 0, or -1 on a syntax error or overflow.
 */
int conf_value_size(const char *, uint64_t *, const char **);

/**
 * conf_value_duration(s, out, why):
 * Parse a duration into seconds: a decimal number, optionally followed by
 * s, m, h or d (a bare number is seconds).  Return 0, or -1 on a syntax
 * error or overflow.
 */
int conf_value_duration(const char *, uint64_t *, const char **);

/**
 * conf_value_bool(s, out, why):
 * Parse yes/no, true/false, on/off or 1/0 (any case) into ${out} (1 or 0).
 * Return 0, or -1.
 */
int conf_value_bool(const char *, int *, const char **);

/**
 * conf_value_tls(s, out, why):
 * Parse none, try or required into ${out}.  Return 0, or -1.
 */
int conf_value_tls(const char *, enum conf_tls *, const char **);

/**
 * conf_value_compression(s, alg, level, why):
 * Parse none, gzip:N (1-9) or zstd:N (1-19) into ${alg} and ${level}; a bare
 * "gzip" means level 6 and a bare "zstd" level 3.  Return 0, or -1.
 */
int conf_value_compression(const char *, enum conf_compression *, int *,
    const char **);

/**
 * conf_value_base64(s, len, why):
 * Check that the ${len} bytes at ${s} are non-empty padded standard base64.
 * Return the number of bytes it decodes to, or -1.
 */
long conf_value_base64(const char *, size_t, const char **);

/**
 * conf_value_site_name(s, why):
 * Check the site name ${s}: [A-Za-z0-9._-]{1,64}, not starting with '.'
 * (it names a directory on the server).  Return 0, or -1.
 */
int conf_value_site_name(const char *, const char **);

/**
 * conf_value_url(s, why):
 * Check the server URL ${s}: ftp://host[:port][/path], ftps://...,
 * s3://BUCKET[/PREFIX], or a local directory file:///path or /path.  User
 * names or passwords inside the URL, queries and fragments are refused.
 * Return 0, or -1.
 */
int conf_value_url(const char *, const char **);

/**
 * conf_value_s3_url(s, why):
 * Check the S3 URL ${s}: "s3://" and a bucket name (3 to 63 of [a-z0-9.-],
 * starting and ending with a letter or digit), then optionally '/' and a
 * key prefix of '/'-separated components (no empty, "." or ".." one, no
 * control character, '?', '#' or '\\').  Return 0, or -1.
 */
int conf_value_s3_url(const char *, const char **);

/**
 * conf_value_endpoint(s, why):
 * Check the S3 endpoint ${s}: https://host[:port] with an optional '/', or
 * http:// for a loopback host only (127.x, [::1], localhost), since the
 * requests would travel in clear otherwise.  Return 0, or -1.
 */
int conf_value_endpoint(const char *, const char **);

/**
 * conf_value_token(s, why):
 * Check an S3 region or access key ${s}: 1 to 128 printable ASCII bytes
 * without blanks or '/'.  Return 0, or -1.
 */
int conf_value_token(const char *, const char **);

/**
 * conf_value_user(s, why):
 * Check the FTP user name ${s}: 1 to 255 bytes without blanks, and not
 * "anonymous" or "ftp" (any case).  Return 0, or -1.
 */
int conf_value_user(const char *, const char **);

/**
 * conf_value_credentials(s, why):
 * Check ${s} has the form of a sealed password, "hidden:" and base64.
 * Return 0, or -1; ${why} never quotes the value.
 */
int conf_value_credentials(const char *, const char **);

/**
 * conf_value_pin(s, why):
 * Check ${s} is "sha256//BASE64" of a SHA-256 hash, or several of them
 * separated by ';' (the libcurl CURLOPT_PINNEDPUBLICKEY form).  Return 0,
 * or -1.
 */
int conf_value_pin(const char *, const char **);

/**
 * conf_value_recipient(s, why):
 * Check ${s} is an age recipient "age1..." or an absolute path of a file of
 * them.  Return 0, or -1.
 */
int conf_value_recipient(const char *, const char **);

/**
 * conf_value_list(s, out, why):
 * Split ${s} at spaces and tabs into a new NULL-terminated array in ${out}
 * (empty if ${s} is blank).  Return 0, or -1 if out of memory.
 */
int conf_value_list(const char *, char ***, const char **);

/**
 * conf_value_list_free(list):
 * Free a list made by conf_value_list().  Does nothing if ${list} is NULL.
 */
void conf_value_list_free(char **);

/**
 * conf_value_format_size(n, buf, len):
 * Write ${n} bytes into ${buf} of ${len} bytes in the form
 * conf_value_size() reads, with the largest unit that divides it exactly.
 */
void conf_value_format_size(uint64_t, char *, size_t);

/**
 * conf_value_format_duration(secs, buf, len):
 * Write ${secs} seconds into ${buf} of ${len} bytes in the form
 * conf_value_duration() reads, with the largest unit that divides it.
 */
void conf_value_format_duration(uint64_t, char *, size_t);

/**
 * conf_value_tls_name(tls):
 * The configuration word for ${tls}.
 */
const char *conf_value_tls_name(enum conf_tls);

/**
 * conf_value_compression_name(alg):
 * The configuration word for ${alg}, without a level.
 */
const char *conf_value_compression_name(enum conf_compression);

/* Room for conf_value_compression_format(), NUL included. */
#define CONF_COMPRESSION_STRMAX	16

/**
 * conf_value_compression_format(alg, level, buf):
 * Write the setting as the configuration and the manifest spell it,
 * "none", "gzip:N" or "zstd:N", into ${buf}.  Return ${buf}.
 */
const char *conf_value_compression_format(enum conf_compression, int,
    char[CONF_COMPRESSION_STRMAX]);

#endif /* !CONF_VALUE_H_ */
