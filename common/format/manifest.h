#ifndef MANIFEST_H_
#define MANIFEST_H_

#include <stddef.h>
#include <stdint.h>

#include <openssl/sha.h>

#include "crypto/minisign.h"
#include "crypto/recipients.h"

/*
 * The manifest of one backup: a canonical text (grammar in docs/FORMAT.md)
 * that names everything a restore must check, signed with minisign.  The
 * parser accepts only the canonical form that manifest_format() writes, so
 * one manifest has exactly one encoding (and one SHA-256).
 */

#define MANIFEST_MAX	(1024 * 1024)	/* bytes; larger is rejected */
#define MANIFEST_SIG_MAX 4096
#define MANIFEST_RECIPIENTS_MAX RECIPIENTS_MAX

struct manifest_part {
	uint64_t size;			/* bytes of this part on the server */
	uint8_t sha256[SHA256_DIGEST_LENGTH];
};

struct manifest {
	char *site;			/* [A-Za-z0-9._-]{1,64} */
	char *category;			/* "Configuration" or "Data" */
	uint64_t id;			/* >= 1 */
	int64_t time;			/* UTC, seconds since the epoch */
	char *agent;			/* "sitevault 0.1.0" */
	uint8_t keyid[MINISIGN_KEYID_LEN];	/* signer */
	char **recipients;		/* age1... strings */
	size_t nrecipients;
	char *compression;		/* "none", "gzip:N", "zstd:N" */
	char *description;		/* may be empty; no control characters */
	struct manifest_part *parts;
	size_t nparts;
	uint64_t files;			/* archive entries that are regular files */
	uint64_t bytes;			/* bytes of regular file content */
	uint64_t archive_bytes;		/* bytes of the uncompressed tar stream */
	int has_prev;			/* 0 for the first backup of a category */
	uint8_t prev_sha256[SHA256_DIGEST_LENGTH];	/* SHA-256 of the previous manifest text */
	/* Chains (full_every > 1): an incremental backup names its base,
	   and every backup of a chain has a file list object. */
	int has_base;			/* 1: incremental */
	uint64_t base_id;		/* < id */
	uint8_t base_sha256[SHA256_DIGEST_LENGTH];	/* SHA-256 of the base's manifest */
	int has_filelist;		/* required with has_base */
	uint64_t filelist_size;		/* bytes of "filelist" on the server */
	uint8_t filelist_sha256[SHA256_DIGEST_LENGTH];
};

/**
 * manifest_format(m, len):
 * Return the canonical text of ${m} (NUL-terminated, ${*len} bytes without
 * the NUL), or NULL if a field cannot be represented (logged).
 */
char *manifest_format(const struct manifest *, size_t *);

/**
 * manifest_parse(name, text, len):
 * Parse the canonical text ${text}; anything non-canonical (order, spacing,
 * unknown or missing fields, non-minimal numbers, upper-case hex) is
 * rejected with a message naming ${name} and the line, class EX_DATAERR.
 * Return NULL on failure.
 */
struct manifest *manifest_parse(const char *, const char *, size_t);

/**
 * manifest_trusted_comment(m, out, outlen):
 * Write the trusted comment that signs ${m}'s identity
 * ("sitevault site=S category=C id=N time=T") into ${out}.  Return 0 or -1.
 */
int manifest_trusted_comment(const struct manifest *, char *, size_t);

/**
 * manifest_sign(sec, m, text, len, sig, siglen):
 * Sign the canonical text ${text} of ${m} with ${sec}, with the trusted
 * comment of manifest_trusted_comment().  Return 0 or -1.
 */
int manifest_sign(const struct minisign_sec *, const struct manifest *,
    const char *, size_t, char **, size_t *);

/**
 * manifest_verify(pubs, npub, name, text, len, sig, siglen):
 * Verify ${sig} over ${text} against the pinned keys ${pubs}, parse the
 * text, and check that the trusted comment matches the parsed fields and
 * that the signer is the key the manifest names.  Return the manifest, or
 * NULL after logging why (class EX_DATAERR), naming ${name}.
 */
struct manifest *manifest_verify(const struct minisign_pub *, size_t,
    const char *, const char *, size_t, const char *, size_t);

/**
 * manifest_description_ok(s):
 * Return non-zero if ${s} can be a description: UTF-8 without control
 * characters, at most 1024 bytes.  Lets a command refuse bad input early.
 */
int manifest_description_ok(const char *);

/**
 * manifest_free(m):
 * Free ${m}.  Does nothing if ${m} is NULL.
 */
void manifest_free(struct manifest *);

#endif /* !MANIFEST_H_ */
