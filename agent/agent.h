#ifndef AGENT_H_
#define AGENT_H_

#include <getopt.h>

struct conf;

/*
 * The options of one run: the global ones (SPEC section 4) and what is left
 * of the command line for the command.  Field names follow the flags.
 */
struct agent {
	const char *config;	/* -c FILE, else $SITEVAULT_CONFIG, else default */
	int quiet;		/* -q */
	int verbose;		/* -v */
	int json;		/* --json */
	int argc;		/* command arguments; argv[0] is the command */
	char **argv;
};

/* Long options every command accepts after its name, too. */
#define AGENT_GLOBAL_LONGOPTS						\
	{ "config", required_argument, NULL, 'c' },			\
	{ "quiet", no_argument, NULL, 'q' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "json", no_argument, NULL, 'J' }
#define AGENT_GLOBAL_SHORTOPTS "c:qv"

/**
 * agent_global_opt(ag, ch, arg):
 * Apply global option ${ch} (as returned by getopt_long with
 * AGENT_GLOBAL_LONGOPTS) to ${ag}.  Return 1 if it was one, else 0.
 */
int agent_global_opt(struct agent *, int, const char *);

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

/* One function per command, in agent/cmd_<command>.c; each returns the exit code. */
int cmd_keygen(struct agent *);
int cmd_credentials(struct agent *);
int cmd_show(struct agent *);
int cmd_check(struct agent *);
int cmd_backup(struct agent *);
int cmd_list(struct agent *);
int cmd_history(struct agent *);
int cmd_verify(struct agent *);
int cmd_restore(struct agent *);
int cmd_prune(struct agent *);
int cmd_status(struct agent *);
int cmd_report(struct agent *);

#endif /* !AGENT_H_ */
