/*
 * The configuration structure itself: its defaults, what its server URL
 * names, and freeing it (the parser is conf.c).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>

#include "conf/conf.h"
#include "conf/conf_internal.h"
#include "conf/conf_value.h"

struct conf *
conf_defaults(const char *name)
{
	struct conf *c;

	if ((c = calloc(1, sizeof(*c))) == NULL)
		return (NULL);
	c->server_tls = CONF_TLS_REQUIRED;
	c->server_connect_timeout = 30;
	c->server_stall_timeout = 60;
	c->server_retries = 5;
	c->server_region = strdup("us-east-1");
	c->server_addressing = CONF_ADDR_PATH;
	c->backup_retain = 20;
	c->backup_compression = CONF_COMP_ZSTD;
	c->backup_compression_level = 3;
	c->backup_part_size = UINT64_C(16) << 20;
	c->backup_verify_after_upload = 0;
	c->backup_full_every = 1;
	c->path = strdup(name);
	c->keys_secret = strdup("/etc/sitevault/site.key");
	c->state_dir = strdup("/var/lib/sitevault");
	c->backup_configuration = calloc(1, sizeof(char *));
	c->backup_data = calloc(1, sizeof(char *));
	c->backup_exclude = calloc(1, sizeof(char *));
	c->keys_recipients = calloc(1, sizeof(char *));
	c->keys_trusted = calloc(1, sizeof(char *));
	if (c->path == NULL || c->keys_secret == NULL || c->state_dir == NULL ||
	    c->server_region == NULL ||
	    c->backup_configuration == NULL || c->backup_data == NULL ||
	    c->backup_exclude == NULL || c->keys_recipients == NULL ||
	    c->keys_trusted == NULL) {
		conf_free(c);
		return (NULL);
	}
	return (c);
}

int
conf_is_s3(const struct conf *c)
{

	return (c->server_url != NULL && strncmp(c->server_url, "s3://", 5) ==
	    0);
}

int
conf_is_local(const struct conf *c)
{

	return (conf_local_path(c) != NULL);
}

const char *
conf_local_path(const struct conf *c)
{
	const char *u = c->server_url;

	if (u == NULL)
		return (NULL);
	if (u[0] == '/')
		return (u);
	if (strncmp(u, "file://", 7) == 0)
		return (u + 7);
	return (NULL);
}

void
conf_free(struct conf *c)
{

	if (c == NULL)
		return;
	if (c->server_credentials != NULL) {
		OPENSSL_cleanse(c->server_credentials,
		    strlen(c->server_credentials));
		free(c->server_credentials);
	}
	free(c->path);
	free(c->site_name);
	free(c->server_url);
	free(c->server_user);
	free(c->server_ca_file);
	free(c->server_pinned_pubkey);
	free(c->server_endpoint);
	free(c->server_region);
	free(c->server_access_key);
	conf_value_list_free(c->backup_configuration);
	conf_value_list_free(c->backup_data);
	conf_value_list_free(c->backup_exclude);
	free(c->keys_secret);
	conf_value_list_free(c->keys_recipients);
	conf_value_list_free(c->keys_trusted);
	free(c->state_dir);
	free(c->state_metrics);
	free(c);
}
