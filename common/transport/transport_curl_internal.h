#ifndef TRANSPORT_CURL_INTERNAL_H_
#define TRANSPORT_CURL_INTERNAL_H_

#include <stdint.h>

#include <curl/curl.h>

/*
 * Inside the transport: what the two libcurl stores (FTP/FTPS and S3) share,
 * so that a request fails, stalls and is retried the same way on both.
 */

/**
 * transport_curl_limits(h, connect_timeout, stall_timeout, limit):
 * Set on ${h} the connect timeout, the stall rule (below 1 KiB/s, or below
 * half of a smaller ${limit}, for ${stall_timeout} seconds) and, with a
 * ${limit} in bytes/s (bwlimit, sitevault.conf(5)), libcurl's speed caps.
 * Return 0, or -1 if libcurl refused an option.
 */
int transport_curl_limits(CURL *, long, long, uint64_t);

/**
 * transport_curl_tls(h, ca_file, pinned):
 * Set on ${h} peer and host verification, the CA file ${ca_file} and the
 * pinned public key ${pinned} (each when not NULL).  Return 0, or -1 if
 * libcurl refused an option.
 */
int transport_curl_tls(CURL *, const char *, const char *);

/**
 * transport_curl_class(rc, answered, cls, retry, what):
 * Classify the libcurl failure ${rc} of a request whose server ${answered}
 * (or not) within it: a failure to connect (EX_UNAVAILABLE, retried), of TLS
 * (EX_UNAVAILABLE, not retried), a timeout ("no answer" from a silent
 * server, EX_UNAVAILABLE; else "stalled"), or anything else, a broken
 * connection, left as the caller's ${*cls} and ${*retry} (EX_TEMPFAIL,
 * retried).  ${*what} is replaced by the failure's wording where there is
 * one.  Return 1 if the connection is suspect (a timeout or a break: make
 * the next attempt on a fresh one), else 0.
 */
int transport_curl_class(CURLcode, int, int *, int *, const char **);

#endif /* !TRANSPORT_CURL_INTERNAL_H_ */
