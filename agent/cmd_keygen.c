/* sitevault keygen [--out FILE]: a new site key (SPEC sections 4 and 6). */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sysexits.h>
#include <unistd.h>

#include "agent.h"
#include "conf/conf.h"
#include "crypto/keys.h"
#include "util/log.h"

/* Print ${s} as a JSON string. */
static void
json_str(const char *s)
{

	putchar('"');
	for (; *s != '\0'; s++) {
		if (*s == '"' || *s == '\\')
			printf("\\%c", *s);
		else if ((unsigned char)*s < 0x20)
			printf("\\u%04x", (unsigned int)(unsigned char)*s);
		else
			putchar(*s);
	}
	putchar('"');
}

static int
report(const struct agent *ag, const struct keys *k, const char *path)
{
	struct keys_pub pub;
	char rcpt[AGE_RECIPIENT_STRMAX], mpk[64], kid[17], pubpath[4096];

	keys_public(k, &pub);
	minisign_keyid_hex(pub.sign.keyid, kid);
	snprintf(pubpath, sizeof(pubpath), "%s.pub", path);
	if (age_recipient_encode(pub.age_pk, rcpt, sizeof(rcpt)) ||
	    minisign_pub_encode(&pub.sign, mpk, sizeof(mpk)))
		return (-1);
	if (ag->json) {
		printf("{\"command\":\"keygen\",\"secret\":");
		json_str(path);
		printf(",\"public\":");
		json_str(pubpath);
		printf(",\"recipient\":\"%s\",\"minisign\":\"%s\","
		    "\"keyid\":\"%s\"}\n", rcpt, mpk, kid);
	} else if (!ag->quiet) {
		printf("secret key:    %s (mode 0600; keep a copy off-site)\n"
		    "public key:    %s\n"
		    "age recipient: %s\n"
		    "minisign key:  %s\n"
		    "key id:        %s\n", path, pubpath, rcpt, mpk, kid);
	}
	return (fflush(stdout) == 0 ? 0 : -1);
}

static int
cmd_keygen(struct agent *ag)
{
	struct conf *c = NULL;
	struct keys *k = NULL;
	const char *out = NULL;
	char kid[17];
	int i, rc;

	for (i = 0; i < ag->nopts; i++)
		if (ag->opts[i].id == OPTION_OUT)
			out = ag->opts[i].arg;
	if (out != NULL && out[0] == '\0')
		return (agent_usage(ag, "--out needs a file name"));

	/*
	 * Without --out: the configured keys.secret.  A first install has no
	 * configuration yet, so a missing default configuration means the
	 * default key path; an explicit or broken configuration is an error.
	 */
	if (out == NULL) {
		if (strcmp(ag->config, CONF_DEFAULT_PATH) == 0 &&
		    access(ag->config, F_OK) == -1 && errno == ENOENT) {
			out = KEYS_DEFAULT_PATH;
		} else {
			if ((rc = agent_conf(ag, &c)) != 0)
				return (rc);
			out = c->keys_secret;
		}
	}

	if ((k = keys_generate()) == NULL || keys_write(k, out)) {
		rc = agent_exitcode();
		log_audit(0, "keygen: %s: no key written", out);
		goto done;
	}
	minisign_keyid_hex(k->sign.keyid, kid);
	log_audit(1, "keygen: new site key %s written to %s", kid, out);
	if (report(ag, k, out)) {
		log_fail(EX_IOERR, "stdout: cannot print the new key");
		rc = EX_IOERR;
		goto done;
	}
	rc = 0;
done:
	keys_free(k);
	conf_free(c);
	return (rc);
}

static const struct cli_option cmd_options[] = {
	{ "out", OPTION_OUT, "FILE", "write the key to FILE and FILE.pub "
	    "(default: [keys] secret of the configuration)" },
	{ NULL, 0, NULL, NULL }
};

const struct cli_command cli_keygen = {
	"keygen", cmd_keygen, NULL, 0, cmd_options,
	"Create a new site key (an age identity and a minisign signing key) "
	"in a secret key file of mode 0600 and its public half in FILE.pub. "
	"An existing file is never overwritten.",
	"sitevault keygen --out /etc/sitevault/site.key"
};
