#include "config.h"

#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include "agent.h"
#include "cli.h"
#include "conf/category.h"
#include "conf/conf.h"
#include "format/manifest.h"
#include "pick.h"
#include "run/select.h"
#include "run/session.h"
#include "util/json.h"

void
pick_init(const struct agent *ag, struct pick *p)
{

	memset(p, 0, sizeof(*p));
	p->which = ag->noperands > 0 ? ag->operands[0] : "latest";
}

int
pick_option(const struct agent *ag, const struct cli_opt *op, struct pick *p)
{

	switch (op->id) {
	case OPTION_CATEGORY:
		p->category = op->arg;
		break;
	case OPTION_IDENTITY:
		if (p->nidentity == PICK_IDENTITY_MAX)
			return (agent_usage(ag, "too many --identity"));
		p->identity[p->nidentity++] = op->arg;
		break;
	case OPTION_ALLOW_ROLLBACK:
		p->allow_rollback = 1;
		break;
	}
	return (0);
}

int
pick_categories(const struct agent *ag, struct pick *p)
{

	if (category_parse(p->category, p->cats, &p->ncats))
		return (agent_usage(ag, CATEGORY_PARSE_ERROR, p->category));
	return (0);
}

int
pick_backups(struct pick *p, struct session *s, const char *site,
    int foreign)
{
	const struct conf *c = s->c;

	/* The rollback check: this machine's own site, unless waived. */
	if (select_identities(s->k, p->identity, p->nidentity, &p->sks,
	    &p->nsks) ||
	    select_backups(s->st, p->which, p->at_time, p->cats, p->ncats,
	    p->allow_rollback || foreign || strcmp(site, c->site_name) != 0 ?
	    NULL : c->state_dir, &p->sel, &p->nsel))
		return (-1);
	return (0);
}

void
pick_free(struct pick *p)
{

	select_free(p->sel, p->nsel);
	p->sel = NULL;
	p->nsel = 0;
	select_identities_free(p->sks, p->nsks);
	p->sks = NULL;
	p->nsks = 0;
}

void
pick_json_begin(struct json *j, const char *site, const struct selection *x,
    const char *result)
{

	json_begin(j, stdout);
	json_string(j, "site", site);
	json_string(j, "category", x->category);
	json_uint(j, "id", x->m->id);
	json_string(j, "result", result);
}
