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
#include "conf/conf.h"
#include "util/log.h"

static const struct {
	const char *name;
	int (*fn)(struct agent *);
	const char *synopsis;
} commands[] = {
	{ "keygen", cmd_keygen, "keygen [--out FILE]" },
	{ "credentials", cmd_credentials, "credentials" },
	{ "show", cmd_show, "show" },
	{ "check", cmd_check, "check" },
	{ "backup", cmd_backup,
	    "backup [--category all|configuration|data] [--description TEXT]" },
	{ "list", cmd_list, "list [--site NAME | --all-sites]" },
	{ "history", cmd_history, "history" },
	{ "verify", cmd_verify,
	    "verify [ID|latest] [--category C] [--site NAME] [--identity FILE]\n"
	    "                  [--allow-rollback]" },
	{ "restore", cmd_restore,
	    "restore [ID|latest] [--category C] [--target DIR] [--from-site NAME]\n"
	    "                  [--identity FILE] [--allow-rollback] [--dry-run]" },
	{ "prune", cmd_prune, "prune [--dry-run]" },
};

static void
usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: sitevault [-c FILE] [-q|-v] [--json] COMMAND [ARGS]\n\n"
	    "commands:\n");
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(f, "  %s\n", commands[i].synopsis);
	fprintf(f, "\noptions:\n"
	    "  -c, --config FILE  configuration file (default $SITEVAULT_CONFIG,\n"
	    "                     else " CONF_DEFAULT_PATH ")\n"
	    "  -q, --quiet        print nothing but errors\n"
	    "  -v, --verbose      print debugging detail\n"
	    "      --json         one JSON object per line\n"
	    "  -h, --help         this help\n"
	    "  -V, --version      print the version\n\n"
	    "exit codes: 0 ok, 64 usage, 65 verification failed, 66 backup not found,\n"
	    "69 server unavailable, 73 cannot create output, 74 I/O error,\n"
	    "75 temporary failure, 77 permission denied, 78 configuration error\n");
}

int
agent_global_opt(struct agent *ag, int ch, const char *arg)
{

	switch (ch) {
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
	case 'J':
		ag->json = 1;
		return (1);
	default:
		return (0);
	}
	log_init("sitevault", ag->quiet, ag->verbose);
	return (1);
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
	fprintf(stderr, "Try 'sitevault --help'.\n");
	return (EX_USAGE);
}

int
agent_conf(const struct agent *ag, struct conf **out)
{

	if ((*out = conf_load(ag->config)) == NULL)
		return (agent_exitcode());
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
	static const struct option longopts[] = {
		AGENT_GLOBAL_LONGOPTS,
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct agent ag;
	struct rlimit rl;
	const char *env;
	char esc[256];
	size_t i;
	int ch;

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

	/* '+': stop at the command name; its own options follow it. */
	while ((ch = getopt_long(argc, argv, "+" AGENT_GLOBAL_SHORTOPTS "hV",
	    longopts, NULL)) != -1) {
		if (agent_global_opt(&ag, ch, optarg))
			continue;
		switch (ch) {
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
	}
	if (optind >= argc) {
		fprintf(stderr, "sitevault: no command given\n");
		usage(stderr);
		return (EX_USAGE);
	}
	ag.argc = argc - optind;
	ag.argv = argv + optind;
	for (i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(ag.argv[0], commands[i].name) == 0) {
			/* Reset getopt for the command's own parse. */
			optind = 0;
			return (commands[i].fn(&ag));
		}
	}
	fprintf(stderr, "sitevault: unknown command: %s\n",
	    log_escape(ag.argv[0], esc, sizeof(esc)));
	usage(stderr);
	return (EX_USAGE);
}
