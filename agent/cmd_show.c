/* sitevault show: the effective configuration (SPEC section 4). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "conf/conf.h"
#include "conf/conf_value.h"
#include "util/json.h"
#include "util/log.h"

/* The compression setting as the configuration spells it. */
static void
comp_str(const struct conf *c, char *buf, size_t len)
{

	if (c->backup_compression == CONF_COMP_NONE)
		snprintf(buf, len, "none");
	else
		snprintf(buf, len, "%s:%d",
		    conf_value_compression_name(c->backup_compression),
		    c->backup_compression_level);
}

/* A string key, or a comment saying it is unset (so the output parses). */
static void
ini_str(const char *key, const char *v)
{

	if (v != NULL)
		printf("%s = %s\n", key, v);
	else
		printf("# %s not set\n", key);
}

static void
ini_list(const char *key, char *const *list)
{
	size_t i;

	printf("%s =", key);
	for (i = 0; list[i] != NULL; i++)
		printf(" %s", list[i]);
	putchar('\n');
}

static void
show_ini(const struct conf *c)
{
	char a[32], b[32];

	printf("# sitevault: effective configuration of %s\n", c->path);
	printf("[site]\nname = %s\n\n", c->site_name);
	printf("[server]\n");
	ini_str("url", c->server_url);
	ini_str("user", c->server_user);
	/* The sealed value never leaves the file: not even `show` prints it. */
	printf("# credentials %s\n", c->server_credentials != NULL ?
	    "hidden" : "not set");
	printf("tls = %s\n", conf_value_tls_name(c->server_tls));
	ini_str("ca_file", c->server_ca_file);
	ini_str("pinned_pubkey", c->server_pinned_pubkey);
	conf_value_format_duration(c->server_connect_timeout, a, sizeof(a));
	conf_value_format_duration(c->server_stall_timeout, b, sizeof(b));
	printf("connect_timeout = %s\nstall_timeout = %s\n", a, b);
	printf("retries = %u\n", c->server_retries);
	conf_value_format_size(c->server_bwlimit, a, sizeof(a));
	printf("bwlimit = %s\n", a);
	if (conf_is_s3(c)) {
		ini_str("endpoint", c->server_endpoint);
		ini_str("region", c->server_region);
		ini_str("access_key", c->server_access_key);
		printf("addressing = %s\n", c->server_addressing ==
		    CONF_ADDR_VIRTUAL ? "virtual" : "path");
		printf("object_lock_days = %u\n", c->server_object_lock_days);
	}
	putchar('\n');

	printf("[backup]\n");
	ini_list("configuration", c->backup_configuration);
	ini_list("data", c->backup_data);
	ini_list("exclude", c->backup_exclude);
	printf("retain = %u\n", c->backup_retain);
	comp_str(c, a, sizeof(a));
	printf("compression = %s\n", a);
	conf_value_format_size(c->backup_part_size, a, sizeof(a));
	printf("part_size = %s\n", a);
	printf("verify_after_upload = %s\n",
	    c->backup_verify_after_upload ? "yes" : "no");
	printf("full_every = %u\n\n", c->backup_full_every);

	printf("[keys]\n");
	ini_str("secret", c->keys_secret);
	ini_list("recipients", c->keys_recipients);
	ini_list("trusted", c->keys_trusted);
	printf("\n[state]\n");
	ini_str("dir", c->state_dir);
	ini_str("metrics", c->state_metrics);
}

static void
json_list(struct json *j, const char *key, char *const *list)
{
	size_t i;

	json_array(j, key);
	for (i = 0; list[i] != NULL; i++)
		json_string(j, NULL, list[i]);
	json_array_end(j);
}

static void
show_json(struct json *j, const struct conf *c)
{
	char comp[32];

	json_string(j, "config", c->path);
	/* [site] holds only the name; "site" is a name in every command. */
	json_string(j, "site", c->site_name);

	json_object(j, "server");
	json_string(j, "url", c->server_url);
	json_string(j, "user", c->server_user);
	json_string(j, "credentials",
	    c->server_credentials != NULL ? "hidden" : NULL);
	json_string(j, "tls", conf_value_tls_name(c->server_tls));
	json_string(j, "ca_file", c->server_ca_file);
	json_string(j, "pinned_pubkey", c->server_pinned_pubkey);
	json_uint(j, "connect_timeout", c->server_connect_timeout);
	json_uint(j, "stall_timeout", c->server_stall_timeout);
	json_uint(j, "retries", c->server_retries);
	json_uint(j, "bwlimit", c->server_bwlimit);
	if (conf_is_s3(c)) {
		json_string(j, "endpoint", c->server_endpoint);
		json_string(j, "region", c->server_region);
		json_string(j, "access_key", c->server_access_key);
		json_string(j, "addressing", c->server_addressing ==
		    CONF_ADDR_VIRTUAL ? "virtual" : "path");
		json_uint(j, "object_lock_days", c->server_object_lock_days);
	}
	json_object_end(j);

	json_object(j, "backup");
	json_list(j, "configuration", c->backup_configuration);
	json_list(j, "data", c->backup_data);
	json_list(j, "exclude", c->backup_exclude);
	json_uint(j, "retain", c->backup_retain);
	comp_str(c, comp, sizeof(comp));
	json_string(j, "compression", comp);
	json_uint(j, "part_size", c->backup_part_size);
	json_bool(j, "verify_after_upload", c->backup_verify_after_upload);
	json_uint(j, "full_every", c->backup_full_every);
	json_object_end(j);

	json_object(j, "keys");
	json_string(j, "secret", c->keys_secret);
	json_list(j, "recipients", c->keys_recipients);
	json_list(j, "trusted", c->keys_trusted);
	json_object_end(j);

	json_object(j, "state");
	json_string(j, "dir", c->state_dir);
	json_string(j, "metrics", c->state_metrics);
	json_object_end(j);
}

static int
cmd_show(struct agent *ag)
{
	struct conf *c = NULL;
	struct json j;
	int rc;

	if ((rc = agent_conf(ag, &c)) != 0)
		return (rc);

	if (ag->json) {
		json_begin(&j, stdout);
		show_json(&j, c);
		rc = json_end(&j);
	} else {
		show_ini(c);
		rc = (fflush(stdout) != 0 || ferror(stdout)) ? -1 : 0;
	}
	if (rc != 0) {
		log_fail(EX_IOERR, "standard output: %s", strerror(errno));
		rc = EX_IOERR;
	}
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_show = {
	"show", cmd_show, NULL, 0, cmd_options,
	"Print the effective configuration, defaults included; the password "
	"is never shown.",
	"sitevault -c /etc/sitevault/sitevault.conf show"
};
