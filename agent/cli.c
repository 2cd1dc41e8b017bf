#include "config.h"

#include <assert.h>
#include <getopt.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>

#include "agent.h"
#include "cli.h"
#include "conf/conf.h"
#include "util/log.h"

/* Accepted before the command and among its options alike. */
static const struct cli_option global[] = {
	{ "config", 'c', "FILE", "configuration file (default "
	    "$SITEVAULT_CONFIG, else " CONF_DEFAULT_PATH ")" },
	{ "quiet", 'q', NULL, "print nothing but errors" },
	{ "verbose", 'v', NULL, "print debugging detail" },
	{ "json", OPTION_JSON, NULL, "one JSON object per line" },
	{ "help", 'h', NULL, "this help" },
	{ NULL, 0, NULL, NULL }
};

/* Room for the global options, a command's and the terminator. */
#define LONGOPTS_MAX	32

/* Apply global option ${id} to ${ag}; 0 if it is not one. */
static int
global_opt(struct agent *ag, int id, const char *arg)
{

	switch (id) {
	case 'c':
		ag->config = arg;
		return (1);
	case 'q':
		ag->quiet = 1;
		ag->verbose = 0;
		break;
	case 'v':
		ag->verbose = 1;
		ag->quiet = 0;
		break;
	case OPTION_JSON:
		ag->json = 1;
		return (1);
	default:
		return (0);
	}
	log_init("sitevault", ag->quiet, ag->verbose);
	return (1);
}

/* Append the options of ${tab} to the getopt tables. */
static void
add_options(const struct cli_option *tab, struct option *lo, size_t *nlo,
    char *so, size_t *nso)
{

	for (; tab->name != NULL; tab++) {
		assert(*nlo < LONGOPTS_MAX - 1);
		lo[*nlo].name = tab->name;
		lo[*nlo].has_arg = tab->arg != NULL ? required_argument :
		    no_argument;
		lo[*nlo].flag = NULL;
		lo[*nlo].val = tab->id;
		(*nlo)++;
		if (tab->id < 256) {
			assert(*nso < LONGOPTS_MAX * 2 - 2);
			so[(*nso)++] = (char)tab->id;
			if (tab->arg != NULL)
				so[(*nso)++] = ':';
		}
	}
	memset(&lo[*nlo], 0, sizeof(lo[*nlo]));
	so[*nso] = '\0';
}

int
cli_parse(struct agent *ag, const struct cli_command *cmd)
{
	struct option lo[LONGOPTS_MAX];
	char so[LONGOPTS_MAX * 2] = ":";
	size_t nlo = 0, nso = 1;
	int id;

	add_options(global, lo, &nlo, so, &nso);
	add_options(cmd->options, lo, &nlo, so, &nso);
	ag->nopts = 0;
	/* Our own messages, naming the command. */
	opterr = 0;
	optind = 0;
	while ((id = getopt_long(ag->argc, ag->argv, so, lo, NULL)) != -1) {
		if (id == '?')
			return (agent_usage(ag, "unknown option: %s",
			    optopt != 0 && optopt < 256 ?
			    (char[]){ '-', (char)optopt, '\0' } :
			    ag->argv[optind - 1]));
		if (id == ':')
			return (agent_usage(ag, "%s needs an argument",
			    ag->argv[optind - 1]));
		if (id == 'h') {
			cli_help(stdout, cmd);
			return (-1);
		}
		if (global_opt(ag, id, optarg))
			continue;
		if (ag->nopts == CLI_OPTS_MAX)
			return (agent_usage(ag, "too many options"));
		ag->opts[ag->nopts].id = id;
		ag->opts[ag->nopts].arg = optarg;
		ag->nopts++;
	}
	ag->operands = ag->argv + optind;
	ag->noperands = ag->argc - optind;
	if (ag->noperands > cmd->maxoperands)
		return (agent_usage(ag, "unexpected argument: %s",
		    ag->operands[cmd->maxoperands]));
	return (0);
}

int
cli_parse_global(struct agent *ag, int argc, char **argv)
{
	static const struct cli_option top[] = {
		{ "version", 'V', NULL, "print the version" },
		{ NULL, 0, NULL, NULL }
	};
	struct option lo[LONGOPTS_MAX];
	char so[LONGOPTS_MAX * 2] = "+";
	size_t nlo = 0, nso = 1;
	int id;

	add_options(global, lo, &nlo, so, &nso);
	add_options(top, lo, &nlo, so, &nso);
	/* '+': stop at the command name; its own options follow it. */
	while ((id = getopt_long(argc, argv, so, lo, NULL)) != -1) {
		if (global_opt(ag, id, optarg))
			continue;
		if (id == 'h' || id == 'V')
			return (id);
		return ('?');
	}
	return (0);
}

/* "--name ARG" or "-x, --name ARG" for ${o}, into ${buf}. */
static const char *
label(const struct cli_option *o, char *buf, size_t len)
{

	if (o->id < 256)
		snprintf(buf, len, "-%c, --%s%s%s", o->id, o->name,
		    o->arg ? " " : "", o->arg ? o->arg : "");
	else
		snprintf(buf, len, "    --%s%s%s", o->name, o->arg ? " " : "",
		    o->arg ? o->arg : "");
	return (buf);
}

/* Column of the help text of an option, and the width of a line. */
#define HELP_COL	27
#define LINE_WIDTH	79

/*
 * Print ${text} from column ${indent} (the cursor is at ${col}), wrapped at
 * LINE_WIDTH, each further line indented as much.
 */
static void
print_wrapped(FILE *f, size_t indent, size_t col, const char *text)
{
	size_t n;
	int first = 1;

	/* A label reaching into the help column: the help goes below it. */
	if (col > indent) {
		fputc('\n', f);
		col = 0;
	}
	col += (size_t)fprintf(f, "%*s", (int)(indent - col), "");
	while (*text != '\0') {
		n = strcspn(text, " ");
		if (!first && col + 1 + n > LINE_WIDTH)
			col = (size_t)fprintf(f, "\n%*s", (int)indent, "") - 1;
		else if (!first)
			col += (size_t)fprintf(f, " ");
		col += (size_t)fprintf(f, "%.*s", (int)n, text);
		first = 0;
		/* A run of spaces is one break. */
		for (text += n; *text == ' '; text++)
			;
	}
	fputc('\n', f);
}

/* Print the options of ${tab}, their help aligned, under ${title}. */
static void
print_options(FILE *f, const char *title, const struct cli_option *tab)
{
	char l[128];

	if (tab->name == NULL)
		return;
	if (title != NULL)
		fprintf(f, "\n%s:\n", title);
	for (; tab->name != NULL; tab++) {
		fprintf(f, "  %s", label(tab, l, sizeof(l)));
		/* A long label: its help on the next line. */
		print_wrapped(f, HELP_COL, 2 + strlen(l) + 1 > HELP_COL ?
		    LINE_WIDTH : 2 + strlen(l), tab->help);
	}
}

void
cli_global_help(FILE *f)
{

	static const struct cli_option version[] = {
		{ "version", 'V', NULL, "print the version" },
		{ NULL, 0, NULL, NULL }
	};

	print_options(f, "options", global);
	print_options(f, NULL, version);
}

void
cli_synopsis(FILE *f, const struct cli_command *cmd)
{
	const struct cli_option *o;
	char w[160];
	size_t col;

	col = (size_t)fprintf(f, "  %s", cmd->name);
	if (cmd->operands != NULL)
		col += (size_t)fprintf(f, " %s", cmd->operands);
	for (o = cmd->options; o->name != NULL; o++) {
		snprintf(w, sizeof(w), "[--%s%s%s]", o->name,
		    o->arg ? " " : "", o->arg ? o->arg : "");
		/* Wrap under the command name, as man pages do. */
		if (col + 1 + strlen(w) > 79)
			col = (size_t)fprintf(f, "\n%*s", 17, "") - 1;
		col += (size_t)fprintf(f, " %s", w);
	}
	fputc('\n', f);
}

void
cli_help(FILE *f, const struct cli_command *cmd)
{

	fprintf(f, "usage: sitevault [-c FILE] [-q|-v] [--json] %s", cmd->name);
	if (cmd->operands != NULL)
		fprintf(f, " %s", cmd->operands);
	fprintf(f, "%s\n\n", cmd->options->name != NULL ? " [OPTIONS]" : "");
	print_wrapped(f, 0, 0, cmd->summary);
	print_options(f, "options", cmd->options);
	print_options(f, "global options", global);
	fprintf(f, "\nexample:\n  %s\n", cmd->example);
}
