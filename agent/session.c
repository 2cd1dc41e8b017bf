#include <stdlib.h>
#include <string.h>
#include <sysexits.h>

#include <openssl/crypto.h>

#include "agent.h"
#include "conf.h"
#include "keys.h"
#include "log.h"
#include "seal.h"
#include "session.h"
#include "transport.h"

static int
add_pub(struct session *s, const struct minisign_pub *pub)
{
	struct minisign_pub *np;

	if ((np = reallocarray(s->pubs, s->npubs + 1, sizeof(*np))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (-1);
	}
	s->pubs = np;
	s->pubs[s->npubs++] = *pub;
	return (0);
}

static int
add_sk(struct session *s, const uint8_t sk[AGE_KEY_LEN])
{
	uint8_t (*nk)[AGE_KEY_LEN];

	if ((nk = reallocarray(s->sks, s->nsks + 1, sizeof(*nk))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (-1);
	}
	s->sks = nk;
	memcpy(s->sks[s->nsks++], sk, AGE_KEY_LEN);
	return (0);
}

int
session_open(const struct agent *ag, struct session *s, int what)
{
	struct minisign_pub pub;
	char *password = NULL;
	char *const *tp;
	int rc;

	memset(s, 0, sizeof(*s));
	if ((rc = agent_conf(ag, &s->conf)) != 0)
		return (rc);

	if (what & SESSION_KEYS) {
		if ((s->keys = keys_load(s->conf->keys_secret)) == NULL)
			goto err;
		minisign_sec_public(&s->keys->sign, &pub);
		if (add_pub(s, &pub) || add_sk(s, s->keys->age_sk))
			goto err;
	}
	for (tp = s->conf->keys_trusted; *tp != NULL; tp++) {
		if (minisign_pub_load(*tp, &pub) || add_pub(s, &pub))
			goto err;
	}

	if (what & SESSION_STORE) {
		if (!conf_is_local(s->conf) &&
		    s->conf->server_credentials != NULL) {
			if (s->keys == NULL) {
				log_fail(EX_SOFTWARE, "the site key is needed "
				    "to unseal the FTP credentials");
				goto err;
			}
			if (seal_open(s->keys, s->conf->path,
			    s->conf->server_credentials, &password))
				goto err;
		}
		s->t = transport_open(s->conf, password);
		if (password != NULL) {
			OPENSSL_cleanse(password, strlen(password));
			free(password);
		}
		if (s->t == NULL)
			goto err;
	}
	return (0);

err:
	rc = agent_exitcode();
	session_close(s);
	return (rc);
}

int
session_add_identity(struct session *s, const char *path)
{
	size_t before = s->nsks;

	if (keys_identity_file_load(path, &s->sks, &s->nsks))
		return (agent_exitcode());
	if (s->nsks == before) {
		log_fail(EX_CONFIG, "%s: no X25519 identity in this file", path);
		return (EX_CONFIG);
	}
	return (0);
}

void
session_close(struct session *s)
{

	transport_close(s->t);
	if (s->sks != NULL) {
		OPENSSL_cleanse(s->sks, s->nsks * AGE_KEY_LEN);
		free(s->sks);
	}
	free(s->pubs);
	keys_free(s->keys);
	conf_free(s->conf);
	memset(s, 0, sizeof(*s));
}
