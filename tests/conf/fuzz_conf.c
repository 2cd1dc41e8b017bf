/*
 * libFuzzer target: the configuration parser must never crash, leak or read
 * out of bounds, whatever the file holds; and an accepted file must yield a
 * complete struct conf.  Also feeds the bytes to the JSON string escaper.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "conf/conf.h"
#include "util/json.h"
#include "util/log.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static FILE *devnull;
	struct conf *c;

	if (devnull == NULL && (devnull = fopen("/dev/null", "w")) == NULL)
		abort();
	json_put_stringn(devnull, (const char *)data, size);

	c = conf_parse("fuzz.conf", (const char *)data, size);
	if (c != NULL) {
		if (c->site_name == NULL || c->server_url == NULL ||
		    c->backup_configuration == NULL || c->backup_data == NULL ||
		    c->backup_exclude == NULL || c->keys_recipients == NULL ||
		    c->keys_trusted == NULL || c->keys_secret == NULL ||
		    c->state_dir == NULL || c->backup_retain < 1 ||
		    c->backup_part_size < 65536)
			abort();
		/* An S3 store signs with access_key, and takes no user. */
		if (conf_is_s3(c) ? c->server_access_key == NULL ||
		    c->server_user != NULL :
		    !conf_is_local(c) && c->server_user == NULL)
			abort();
	}
	conf_free(c);
	log_reset();
	return (0);
}
