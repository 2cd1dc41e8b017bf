#ifndef S3XML_H_
#define S3XML_H_

#include <stddef.h>

struct transport_entry;

/*
 * The XML documents of the S3 API that the S3 store reads, parsed with
 * libxml2 (no network, no entity substitution, no DTD; errors are not
 * printed).  Elements are matched by local name, whatever their namespace.
 */

/**
 * s3xml_list(xml, len, prefix, entries, n, cap, truncated, token):
 * Append the entries of one ListObjectsV2 page (${len} bytes at ${xml})
 * to ${*entries} (${*n} used of ${*cap}), named relative to ${prefix}
 * (which ends in '/' or is ""): each Contents key as a file with its Size,
 * each CommonPrefixes prefix as a directory without its trailing '/'.  Keys
 * that do not start with ${prefix}, name nothing below it, or hold a '/'
 * (no delimiter in the request) are skipped.  Set ${*truncated} from
 * IsTruncated and ${*token} to a malloc'd copy of NextContinuationToken
 * (NULL if none).  Return 0, or -1 if the document is not a listing.
 */
int s3xml_list(const char *, size_t, const char *, struct transport_entry **,
    size_t *, size_t *, int *, char **);

/**
 * s3xml_error(xml, len, code, codelen, msg, msglen):
 * Copy Error/Code and Error/Message of an S3 error document into ${code}
 * and ${msg} (truncated, control characters replaced by '?'); both are ""
 * when the body is not such a document.
 */
void s3xml_error(const char *, size_t, char *, size_t, char *, size_t);

/**
 * s3xml_lock_enabled(xml, len):
 * Return 1 if the ObjectLockConfiguration document says
 * ObjectLockEnabled = Enabled, 0 if not, -1 if it is not such a document.
 */
int s3xml_lock_enabled(const char *, size_t);

/**
 * s3xml_retain_until(xml, len, out, outlen):
 * Copy Retention/RetainUntilDate of a GetObjectRetention document into
 * ${out}.  Return 0, or -1 if it is not such a document or the date does
 * not fit.
 */
int s3xml_retain_until(const char *, size_t, char *, size_t);

#endif /* !S3XML_H_ */
