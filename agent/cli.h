#ifndef CLI_H_
#define CLI_H_

#include <stdio.h>

struct agent;

/*
 * The command line, bsdtar style: each command declares a table of its
 * options, and one parser (cli_parse()) reads every command's options, the
 * global ones (-c -q -v --json) and --help from it, before the command
 * runs.  A command's help (`sitevault help CMD`, `sitevault CMD --help`)
 * and its line in `sitevault --help` are made from the same table, so they
 * cannot drift from what is parsed.  Options without a short letter take a
 * value from the OPTION_* enum: no letters are invented.
 */
enum {
	OPTION_JSON = 256,
	OPTION_HELP,
	OPTION_VERSION,
	OPTION_CATEGORY,
	OPTION_DESCRIPTION,
	OPTION_OUT,
	OPTION_SITE,
	OPTION_ALL_SITES,
	OPTION_TARGET,
	OPTION_FROM_SITE,
	OPTION_IDENTITY,
	OPTION_ALLOW_ROLLBACK,
	OPTION_DRY_RUN,
	OPTION_MAX_AGE,
	OPTION_HTML,
	OPTION_AT,
	OPTION_INCLUDE,
	OPTION_DELETE
};

/* One option of a command. */
struct cli_option {
	const char *name;	/* long name, without "--" */
	int id;			/* short letter, or OPTION_* */
	const char *arg;	/* the argument's name in help, NULL if none */
	const char *help;	/* one line */
};

/* Options shared by several commands: one wording for each. */
#define CLI_OPT_CATEGORY(what)						\
	{ "category", OPTION_CATEGORY, "all|configuration|data",	\
	    what " (any case; default all)" }
#define CLI_OPT_IDENTITY						\
	{ "identity", OPTION_IDENTITY, "FILE",				\
	    "also try the age identities in FILE (escrow keys; repeatable)" }
#define CLI_OPT_ALLOW_ROLLBACK						\
	{ "allow-rollback", OPTION_ALLOW_ROLLBACK, NULL,		\
	    "accept a server older than this site's local state" }
#define CLI_OPT_DRY_RUN(what)						\
	{ "dry-run", OPTION_DRY_RUN, NULL, what }
#define CLI_OPT_MAX_AGE							\
	{ "max-age", OPTION_MAX_AGE, "DURATION",			\
	    "stale when older than this (default 26h; s, m, h, d)" }
#define CLI_OPT_ALL_SITES						\
	{ "all-sites", OPTION_ALL_SITES, NULL,				\
	    "every site directory under the url, not only this site" }

/* A command: its name, entry point, options (ending in { NULL }), help. */
struct cli_command {
	const char *name;
	int (*fn)(struct agent *);
	const char *operands;	/* e.g. "[ID|latest]", NULL for none */
	int maxoperands;
	const struct cli_option *options;
	const char *summary;	/* what it does, a sentence or two */
	const char *example;	/* one command line */
};

/* maxoperands of a command that checks its operands itself. */
#define CLI_OPERANDS_ANY	(1 << 30)

/* Most values a command's repeatable options can hold (--identity). */
#define CLI_OPTS_MAX	32

/* One option found on the command line, in order. */
struct cli_opt {
	int id;
	char *arg;		/* its argument, or NULL */
};

/**
 * cli_parse(ag, cmd):
 * Parse the options of ${cmd} in ${ag}'s command (ag->argv[0] is its
 * name): apply the global ones to ${ag}, and record the command's own in
 * ag->opts (ag->nopts of them) and the operands in ag->operands
 * (ag->noperands).  With --help, print ${cmd}'s help on stdout.  Return 0
 * to run the command, -1 if help was printed (exit 0), or EX_USAGE after
 * an unknown option, a missing argument or too many operands.
 */
int cli_parse(struct agent *, const struct cli_command *);

/**
 * cli_parse_global(ag, argc, argv):
 * Parse the global options before the command name in ${argv}, applying
 * them to ${ag}; optind is left at the command.  Return 0, 'h' for
 * --help, 'V' for --version, or '?' after getopt's message.
 */
int cli_parse_global(struct agent *, int, char **);

/**
 * cli_help(f, cmd):
 * Print ${cmd}'s usage, options and example on ${f}.
 */
void cli_help(FILE *, const struct cli_command *);

/**
 * cli_synopsis(f, cmd):
 * Print ${cmd}'s line of `sitevault --help`: "  NAME OPERANDS [--opt ARG]
 * ...", wrapped under the name.
 */
void cli_synopsis(FILE *, const struct cli_command *);

/**
 * cli_global_help(f):
 * Print the global options, one per line, as in `sitevault --help`.
 */
void cli_global_help(FILE *);

/* The commands, each defined beside its function in cmd_<name>.c. */
extern const struct cli_command cli_keygen, cli_credentials, cli_show,
    cli_check, cli_backup, cli_list, cli_history, cli_verify, cli_restore,
    cli_prune, cli_status, cli_report;

#endif /* !CLI_H_ */
