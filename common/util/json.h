#ifndef JSON_H_
#define JSON_H_

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/*
 * JSON output for --json (sitevault(8): one object per line).  Strings are
 * escaped, and bytes that are not valid UTF-8 (file names may hold any) are
 * written as U+FFFD, so the output is always valid JSON.
 *
 * Either write pieces with json_put_*(), or let a struct json writer place
 * the commas and brackets:
 *
 *	struct json j;
 *	json_begin(&j, stdout);
 *	json_string(&j, "id", "42");
 *	json_array(&j, "files");
 *	json_string(&j, NULL, "a");	(inside an array the key is NULL)
 *	json_array_end(&j);
 *	if (json_end(&j)) ...		(writes "}\n"; -1 on a write error)
 */

/**
 * json_put_string(f, s):
 * Write ${s} to ${f} as a quoted, escaped JSON string; NULL as null.
 */
void json_put_string(FILE *, const char *);

/**
 * json_put_stringn(f, s, len):
 * As json_put_string(), for the ${len} bytes at ${s} (which may hold NULs).
 */
void json_put_stringn(FILE *, const char *, size_t);

/* Nesting deeper than this many levels is not supported. */
#define JSON_DEPTH 16

/* The state of one object being written; fields are private. */
struct json {
	FILE *f;
	int depth;			/* open objects and arrays */
	unsigned int n[JSON_DEPTH];	/* members written at each depth */
	char close[JSON_DEPTH];		/* '}' or ']' closing each depth */
};

/**
 * json_begin(j, f):
 * Start writing one object to ${f}: writes "{".
 */
void json_begin(struct json *, FILE *);

/**
 * json_object(j, key):
 * Open a nested object, member ${key} (NULL inside an array).
 */
void json_object(struct json *, const char *);

/**
 * json_object_end(j):
 * Close the object opened last by json_object().
 */
void json_object_end(struct json *);

/**
 * json_array(j, key):
 * Open an array, member ${key} (NULL inside an array).
 */
void json_array(struct json *, const char *);

/**
 * json_array_end(j):
 * Close the array opened last by json_array().
 */
void json_array_end(struct json *);

/**
 * json_string(j, key, s):
 * Write member ${key} (NULL inside an array) with the string ${s}, or null
 * if ${s} is NULL.
 */
void json_string(struct json *, const char *, const char *);

/**
 * json_uint(j, key, v):
 * Write member ${key} (NULL inside an array) with the number ${v}.
 */
void json_uint(struct json *, const char *, uint64_t);

/**
 * json_fixed(j, key, v, digits):
 * Write member ${key} (NULL inside an array) with ${v} in fixed point,
 * ${digits} digits after the point ("1.250"); null if ${v} is not finite.
 */
void json_fixed(struct json *, const char *, double, int);

/**
 * json_int(j, key, v):
 * Write member ${key} (NULL inside an array) with the number ${v}.
 */
void json_int(struct json *, const char *, int64_t);

/**
 * json_bool(j, key, v):
 * Write member ${key} (NULL inside an array) as true if ${v} is non-zero,
 * else false.
 */
void json_bool(struct json *, const char *, int);

/**
 * json_null(j, key):
 * Write member ${key} (NULL inside an array) as null.
 */
void json_null(struct json *, const char *);

/**
 * json_end(j):
 * Close whatever is still open and the object, end the line and flush.
 * Return 0, or -1 if writing to the stream failed (not logged: the caller
 * names the stream).
 */
int json_end(struct json *);

#endif /* !JSON_H_ */
