#ifndef CONF_H_
#define CONF_H_

#include <stddef.h>
#include <stdint.h>

/*
 * The configuration of SPEC section 3, parsed and checked.  Every field has
 * its default after conf_load(); path lists are NULL-terminated arrays.
 */

enum conf_tls {
	CONF_TLS_NONE,
	CONF_TLS_TRY,
	CONF_TLS_REQUIRED
};

enum conf_addressing {
	CONF_ADDR_PATH,			/* https://endpoint/BUCKET/KEY */
	CONF_ADDR_VIRTUAL		/* https://BUCKET.endpoint/KEY */
};

enum conf_compression {
	CONF_COMP_NONE,
	CONF_COMP_GZIP,
	CONF_COMP_ZSTD
};

struct conf {
	char *path;			/* the file this was read from */

	/* [site] */
	char *site_name;		/* [A-Za-z0-9._-]{1,64} */

	/* [server] */
	char *server_url;		/* ftp://, ftps://, file:///path or /path */
	char *server_user;		/* NULL when unset */
	char *server_credentials;	/* the "hidden:..." value, NULL if unset */
	int server_credentials_line;	/* line of the credentials key, or 0 */
	enum conf_tls server_tls;	/* default CONF_TLS_REQUIRED */
	char *server_ca_file;		/* NULL when unset */
	char *server_pinned_pubkey;	/* "sha256//..." or NULL */
	unsigned int server_connect_timeout;	/* seconds, default 30 */
	unsigned int server_stall_timeout;	/* seconds, default 60 */
	unsigned int server_retries;	/* default 5 */
	uint64_t server_bwlimit;	/* bytes/s each way; 0 (default): none */
	char *server_endpoint;		/* S3: http(s)://host[:port], or NULL */
	char *server_region;		/* S3: default us-east-1 */
	char *server_access_key;	/* S3: NULL when unset */
	enum conf_addressing server_addressing;	/* S3: default path */
	unsigned int server_object_lock_days;	/* S3: 0 = no object lock */

	/* [backup] */
	char **backup_configuration;	/* paths; may be empty, never NULL */
	char **backup_data;		/* paths; may be empty, never NULL */
	char **backup_exclude;		/* globs; may be empty, never NULL */
	unsigned int backup_retain;	/* >= 1, default 20 */
	enum conf_compression backup_compression;	/* default zstd */
	int backup_compression_level;	/* default 3 */
	uint64_t backup_part_size;	/* bytes, default 16 MiB */
	int backup_verify_after_upload;	/* boolean, default no */
	unsigned int backup_full_every;	/* >= 1, default 1: every one full */

	/* [keys] */
	char *keys_secret;		/* default /etc/sitevault/site.key */
	char **keys_recipients;		/* age1... strings or files; never NULL */
	char **keys_trusted;		/* "SITE:FILE": a minisign public key
					   file trusted for SITE's backups
					   only; never NULL */

	/* [state] */
	char *state_dir;		/* default /var/lib/sitevault */
	char *state_metrics;		/* node_exporter textfile, or NULL */
};

/* The default configuration file, overridden by -c or SITEVAULT_CONFIG. */
#define CONF_DEFAULT_PATH "/etc/sitevault/sitevault.conf"

/**
 * conf_load(path):
 * Read and check the configuration file ${path}.  On any error, log one line
 * naming the file, line and key, or the file and why it cannot be read
 * (class EX_CONFIG), and return NULL.
 */
struct conf *conf_load(const char *);

/**
 * conf_parse(name, text, len):
 * As conf_load(), on the ${len} bytes of ${text}; ${name} is the file name
 * used in messages.  The text need not be NUL-terminated.
 */
struct conf *conf_parse(const char *, const char *, size_t);

/**
 * conf_is_local(c):
 * Return non-zero if the server URL of ${c} names a local directory store.
 */
int conf_is_local(const struct conf *);

/**
 * conf_is_s3(c):
 * Return non-zero if the server URL of ${c} names an S3 store (s3://).
 */
int conf_is_s3(const struct conf *);

/**
 * conf_local_path(c):
 * The directory of the local store named by the server URL of ${c}
 * (file:///path or /path), or NULL if the URL is an FTP one.
 */
const char *conf_local_path(const struct conf *);

/**
 * conf_free(c):
 * Free ${c}, wiping the credentials value.  Does nothing if ${c} is NULL.
 */
void conf_free(struct conf *);

#endif /* !CONF_H_ */
