/*
 * FTP transport setup from the configuration: the checks of the user and
 * URL (no anonymous login, no secrets in the URL), the base and root URLs,
 * and the libcurl handle with its TLS and timeout settings.  The requests
 * made with it are in transport_ftpreq.c.
 */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sysexits.h>

#include <curl/curl.h>

#include "conf/conf.h"
#include "util/log.h"
#include "transport/transport.h"
#include "transport/transport_ftp_internal.h"
#include "transport/transport_internal.h"

/* Is ${host} (as curl_url_get returns it) this machine? */
static int
is_loopback(const char *host)
{

	return (strcasecmp(host, "localhost") == 0 ||
	    strncmp(host, "127.", 4) == 0 || strcmp(host, "[::1]") == 0);
}

/* Refuse what must not be used: anonymous login, secrets in the URL. */
static int
check_user(const struct conf *c)
{
	const char *u = c->server_user;
	char shown[512];

	if (u == NULL || u[0] == '\0') {
		log_fail(EX_CONFIG, "%s: [server] user is required for %s",
		    c->path, transport_url_shown(c->server_url, shown,
		    sizeof(shown)));
		return (-1);
	}
	if (strcasecmp(u, "anonymous") == 0 || strcasecmp(u, "ftp") == 0) {
		log_fail(EX_CONFIG, "%s: [server] user = %s: anonymous login "
		    "is refused; use an account of the backup server", c->path,
		    u);
		return (-1);
	}
	return (0);
}

/* Parse the URL into base, root, description and loopback flag. */
static int
parse_url(struct transport *t, const struct conf *c)
{
	struct transport_ftp *f = t->impl;
	char *scheme = NULL, *user = NULL, *query = NULL, *frag = NULL;
	char *path = NULL, *host = NULL, *fixed = NULL, *pass = NULL;
	char shown[512];
	CURLU *u;
	size_t len;
	int rc = -1;

	/* Messages about the URL never show a user or password in it. */
	transport_url_shown(c->server_url, shown, sizeof(shown));
	if ((u = curl_url()) == NULL)
		goto oom;
	if (curl_url_set(u, CURLUPART_URL, c->server_url, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_SCHEME, &scheme, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_HOST, &host, 0) != CURLUE_OK) {
		log_fail(EX_CONFIG, "%s: [server] url %s: not a valid URL",
		    c->path, shown);
		goto out;
	}
	if (strcmp(scheme, "ftp") != 0 && strcmp(scheme, "ftps") != 0) {
		log_fail(EX_CONFIG, "%s: [server] url %s: scheme must be ftp://,"
		    " ftps:// or file://", c->path, shown);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_USER, &user, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_PASSWORD, &pass, 0) == CURLUE_OK) {
		log_fail(EX_CONFIG, "%s: [server] url: no user or password in "
		    "the URL; use the user key and `sitevault credentials`",
		    c->path);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_QUERY, &query, 0) == CURLUE_OK ||
	    curl_url_get(u, CURLUPART_FRAGMENT, &frag, 0) == CURLUE_OK) {
		log_fail(EX_CONFIG, "%s: [server] url %s: '?' and '#' must be "
		    "written %%3F and %%23", c->path, shown);
		goto out;
	}
	if (curl_url_get(u, CURLUPART_PATH, &path, 0) != CURLUE_OK)
		goto oom;
	len = strlen(path);
	if ((fixed = malloc(len + 2)) == NULL)
		goto oom;
	snprintf(fixed, len + 2, "%s%s", path,
	    len > 0 && path[len - 1] == '/' ? "" : "/");
	if (curl_url_set(u, CURLUPART_PATH, fixed, 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &f->base, 0) != CURLUE_OK ||
	    curl_url_set(u, CURLUPART_PATH, "/", 0) != CURLUE_OK ||
	    curl_url_get(u, CURLUPART_URL, &f->root, 0) != CURLUE_OK)
		goto oom;
	if ((t->desc = strdup(f->base)) == NULL)
		goto oom;
	if ((len = strlen(t->desc)) > strlen(f->root))
		t->desc[len - 1] = '\0';	/* no trailing '/' */
	f->loopback = is_loopback(host);
	f->use_ssl = strcmp(scheme, "ftps") == 0 ? CURLUSESSL_ALL :
	    c->server_tls == CONF_TLS_NONE ? CURLUSESSL_NONE :
	    c->server_tls == CONF_TLS_TRY ? CURLUSESSL_TRY : CURLUSESSL_ALL;
	rc = 0;
	goto out;
oom:
	log_fail(EX_OSERR, "%s: out of memory", shown);
out:
	curl_free(scheme);
	curl_free(user);
	curl_free(pass);
	curl_free(query);
	curl_free(frag);
	curl_free(path);
	curl_free(host);
	free(fixed);
	curl_url_cleanup(u);
	return (rc);
}

int
transport_ftp_setup(struct transport *t, const struct conf *c,
    const char *password)
{
	struct transport_ftp *f = t->impl;
	static int inited;

	if (check_user(c) || parse_url(t, c))
		return (-1);
	if (!inited) {
		if (curl_global_init(CURL_GLOBAL_DEFAULT) != CURLE_OK) {
			log_fail(EX_SOFTWARE, "libcurl: initialization failed");
			return (-1);
		}
		inited = 1;
	}
	if ((f->h = curl_easy_init()) == NULL ||
	    (f->user = strdup(c->server_user)) == NULL ||
	    (f->pass = strdup(password != NULL ? password : "")) == NULL ||
	    (c->server_ca_file != NULL &&
	    (f->ca_file = strdup(c->server_ca_file)) == NULL) ||
	    (c->server_pinned_pubkey != NULL &&
	    (f->pinned = strdup(c->server_pinned_pubkey)) == NULL)) {
		log_fail(EX_OSERR, "%s: out of memory", t->desc);
		return (-1);
	}
	f->connect_timeout = (long)c->server_connect_timeout;
	f->stall_timeout = (long)c->server_stall_timeout;
	f->pace.limit = c->server_bwlimit;
	/*
	 * libcurl before 8.9.0 may close the data connection of an upload
	 * over TLS 1.3 before the server has read all of it (curl PR 13904):
	 * vsftpd and proftpd then answer 426 "Failure reading network
	 * stream", again and again.  Such builds (Debian 12 ships 7.88) cap
	 * FTPS at TLS 1.2, and fall back to 1.3 for servers without 1.2.
	 */
	f->tls12 = curl_version_info(CURLVERSION_NOW)->version_num < 0x080900;
	return (0);
}
