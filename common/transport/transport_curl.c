/*
 * What the libcurl stores share: the limits and TLS checks of every request,
 * and the classes of libcurl's failures (sitevault(8), EXIT STATUS), which
 * decide what transport_again() retries.
 */
#include "config.h"

#include <stdint.h>
#include <sysexits.h>

#include <curl/curl.h>

#include "transport/transport_curl_internal.h"

#define SETOPT(opt, val) do {						\
	if (curl_easy_setopt(h, (opt), (val)) != CURLE_OK)		\
		return (-1);						\
} while (0)

int
transport_curl_limits(CURL *h, long connect_timeout, long stall_timeout,
    uint64_t limit)
{

	SETOPT(CURLOPT_CONNECTTIMEOUT, connect_timeout);
	/* A stall is below 1 KiB/s, or below half a smaller bwlimit. */
	SETOPT(CURLOPT_LOW_SPEED_LIMIT, limit > 0 && limit < 2048 ?
	    (long)(limit / 2 > 0 ? limit / 2 : 1) : 1024L);
	SETOPT(CURLOPT_LOW_SPEED_TIME, stall_timeout);
	/* bwlimit (sitevault.conf(5)): branch links carry calls too. */
	if (limit > 0) {
		SETOPT(CURLOPT_MAX_SEND_SPEED_LARGE, (curl_off_t)limit);
		SETOPT(CURLOPT_MAX_RECV_SPEED_LARGE, (curl_off_t)limit);
	}
	return (0);
}

int
transport_curl_tls(CURL *h, const char *ca_file, const char *pinned)
{

	SETOPT(CURLOPT_SSL_VERIFYPEER, 1L);
	SETOPT(CURLOPT_SSL_VERIFYHOST, 2L);
	if (ca_file != NULL)
		SETOPT(CURLOPT_CAINFO, ca_file);
	if (pinned != NULL)
		SETOPT(CURLOPT_PINNEDPUBLICKEY, pinned);
	return (0);
}

int
transport_curl_class(CURLcode rc, int answered, int *cls, int *retry,
    const char **what)
{

	switch (rc) {
	case CURLE_COULDNT_RESOLVE_HOST:
	case CURLE_COULDNT_CONNECT:
		*cls = EX_UNAVAILABLE;
		*what = "cannot connect";
		return (0);
	case CURLE_SSL_CONNECT_ERROR:
	case CURLE_PEER_FAILED_VERIFICATION:
	case CURLE_SSL_CERTPROBLEM:
	case CURLE_SSL_CIPHER:
	case CURLE_SSL_CACERT_BADFILE:
	case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
	case CURLE_SSL_ISSUER_ERROR:
	case CURLE_SSL_INVALIDCERTSTATUS:
		*cls = EX_UNAVAILABLE;
		*retry = 0;
		*what = "TLS failed";
		return (0);
	case CURLE_OPERATION_TIMEDOUT:
		/* No word from the server in this request: unreachable. */
		if (!answered) {
			*cls = EX_UNAVAILABLE;
			*what = "no answer";
		} else
			*what = "stalled";
		return (1);
	default:	/* the connection broke: try again */
		return (1);
	}
}
