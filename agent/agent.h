#ifndef AGENT_H_
#define AGENT_H_

#include "cli.h"

struct conf;

/*
 * The options of one run: the global ones (sitevault(8), "Global options")
 * and the command's, as cli_parse() found them.  Field names follow the
 * flags.
 */
struct agent {
	const char *config;	/* -c FILE, else $SITEVAULT_CONFIG, else default */
	int quiet;		/* -q */
	int verbose;		/* -v */
	int json;		/* --json */
	int argc;		/* command arguments; argv[0] is the command */
	char **argv;
	struct cli_opt opts[CLI_OPTS_MAX];	/* the command's options */
	int nopts;
	char **operands;	/* what is left after the options */
	int noperands;
};

/**
 * agent_usage(ag, fmt, ...):
 * Report a usage error for the command of ${ag} and return EX_USAGE.
 */
int agent_usage(const struct agent *, const char *, ...)
    __attribute__((format(printf, 2, 3)));

/**
 * agent_conf(ag, out):
 * Load the configuration named by ${ag} into ${out}.  Return 0, or the exit
 * code (EX_CONFIG, EX_NOINPUT) after the error was reported.
 */
int agent_conf(const struct agent *, struct conf **);

/**
 * agent_exitcode(void):
 * The exit code for the first failure logged so far (EX_SOFTWARE if a
 * command failed without logging a class).
 */
int agent_exitcode(void);

/*
 * One command per agent/cmd_<command>.c, declared there as cli_<command>
 * (cli.h): its options table, help, and the function that runs it after
 * cli_parse() and returns the exit code.
 */

#endif /* !AGENT_H_ */
