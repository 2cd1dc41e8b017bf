/* Configuration parser: see conf.h.  Placeholder until the parser lands. */
#include <stdlib.h>
#include <sysexits.h>

#include "conf.h"
#include "log.h"

struct conf *
conf_load(const char *path)
{

	log_fail(EX_CONFIG, "%s: configuration parser not built yet", path);
	return (NULL);
}

void
conf_free(struct conf *c)
{

	free(c);
}
