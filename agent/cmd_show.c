#include <sysexits.h>

#include "agent.h"
#include "log.h"

/* Not yet implemented: see the open issue for `show`. */
int
cmd_show(struct agent *ag)
{

	log_fail(EX_SOFTWARE, "%s: not implemented in this version", ag->argv[0]);
	return (EX_SOFTWARE);
}
