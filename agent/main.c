#include <errno.h>
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sysexits.h>

#include "config.h"

#include "agent.h"
#include "archive/commit.h"
#include "cli.h"
#include "conf/conf.h"
#include "store/lock.h"
#include "util/log.h"

static const struct cli_command *const commands[] = {
	&cli_keygen, &cli_credentials, &cli_show, &cli_check, &cli_backup,
	&cli_list, &cli_history, &cli_verify, &cli_restore, &cli_prune,
	&cli_status, &cli_report,
};

#define NCOMMANDS	(sizeof(commands) / sizeof(commands[0]))

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sitevault [-c FILE] [-q|-v] [--json] COMMAND [ARGS]\n"
	    "       sitevault help COMMAND\n\n"
	    "commands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		cli_synopsis(f, commands[i]);
	cli_global_help(f);
	fprintf(f, "\n"
	    "exit codes: 0 ok, 64 usage, 65 verification failed, 66 backup not found,\n"
	    "69 server unavailable, 73 cannot create output, 74 I/O error,\n"
	    "75 temporary failure, 77 permission denied, 78 configuration error\n");
}

/* The command named ${name}, or NULL after saying so. */
static const struct cli_command *
find_command(const char *name)
{
	char esc[256];
	size_t i;

	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(name, commands[i]->name) == 0)
			return (commands[i]);
	fprintf(stderr, "sitevault: unknown command: %s\n",
	    log_escape(name, esc, sizeof(esc)));
	usage(stderr);
	return (NULL);
}

/* `sitevault help [COMMAND]`. */
static int
help(int argc, char **argv)
{
	const struct cli_command *cmd;

	if (argc < 2) {
		usage(stdout);
		return (0);
	}
	if (argc > 2) {
		fprintf(stderr, "sitevault: help: one command at a time\n");
		return (EX_USAGE);
	}
	if ((cmd = find_command(argv[1])) == NULL)
		return (EX_USAGE);
	cli_help(stdout, cmd);
	return (0);
}

int
agent_usage(const struct agent *ag, const char *fmt, ...)
{
	char msg[512], esc[LOG_ESCAPED_LEN(512)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fprintf(stderr, "sitevault: %s: %s\n", ag->argv[0],
	    log_escape(msg, esc, sizeof(esc)));
	fprintf(stderr, "Try 'sitevault help %s'.\n",
	    log_escape(ag->argv[0], esc, sizeof(esc)));
	return (EX_USAGE);
}

int
agent_conf(const struct agent *ag, struct conf **out)
{
	struct lock *l;

	if ((*out = conf_load(ag->config)) == NULL)
		return (agent_exitcode());
	/*
	 * A restore killed in its commit is completed before anything else
	 * reads or writes the live paths (sitevault(8), RESTORE).  A held
	 * lock means the restore is still running: it finishes it itself.
	 */
	if (commit_pending((*out)->state_dir)) {
		log_mute(1);
		l = lock_acquire((*out)->state_dir);
		log_mute(0);
		log_reset();
		if (l != NULL && commit_recover((*out)->state_dir)) {
			lock_release(l);
			conf_free(*out);
			*out = NULL;
			return (agent_exitcode());
		}
		lock_release(l);
	}
	return (0);
}

int
agent_exitcode(void)
{
	int cls = log_class();

	return (cls != 0 ? cls : EX_SOFTWARE);
}

int
main(int argc, char *argv[])
{
	const struct cli_command *cmd;
	struct agent ag;
	struct rlimit rl;
	const char *env;
	int rc;

	/* Files we create are private; secrets never land in a core dump,
	 * nor in another process of this user through ptrace or /proc/PID/mem
	 * (sitevault(8), SECURITY CONSIDERATIONS). */
	umask(077);
	rl.rlim_cur = rl.rlim_max = 0;
	(void)setrlimit(RLIMIT_CORE, &rl);
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) == -1) {
		fprintf(stderr, "sitevault: cannot make the process "
		    "non-dumpable: %s\n", strerror(errno));
		return (EX_OSERR);
	}

	memset(&ag, 0, sizeof(ag));
	log_init("sitevault", 0, 0);
	if ((env = getenv("SITEVAULT_CONFIG")) != NULL && env[0] != '\0')
		ag.config = env;
	else
		ag.config = CONF_DEFAULT_PATH;

	switch (cli_parse_global(&ag, argc, argv)) {
	case 0:
		break;
	case 'h':
		usage(stdout);
		return (0);
	case 'V':
		printf("sitevault %s\n", PACKAGE_VERSION);
		return (0);
	default:
		usage(stderr);
		return (EX_USAGE);
	}
	if (optind >= argc) {
		fprintf(stderr, "sitevault: no command given\n");
		usage(stderr);
		return (EX_USAGE);
	}
	ag.argc = argc - optind;
	ag.argv = argv + optind;
	if (strcmp(ag.argv[0], "help") == 0)
		return (help(ag.argc, ag.argv));
	if ((cmd = find_command(ag.argv[0])) == NULL)
		return (EX_USAGE);
	if ((rc = cli_parse(&ag, cmd)) != 0)
		return (rc == -1 ? 0 : rc);
	return (cmd->fn(&ag));
}
