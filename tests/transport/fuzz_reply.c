/*
 * libFuzzer target: the FTP server's reply lines, as libcurl hands them
 * over (one header line at a time): the recorded last reply and refusal
 * stay NUL-terminated within their buffers, and the AVBL parser either
 * finds a number or refuses.  One reply line per input line; a first byte
 * that is odd makes the lines a FEAT answer.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "transport/transport_ftp_internal.h"
#include "transport/transport_internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *, size_t);

/* The rest of the transport is not linked in: its error record only. */
void
transport_seterr(struct transport *t, int cls, int retry, const char *fmt,
    ...)
{

	(void)t;
	(void)cls;
	(void)retry;
	(void)fmt;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct transport_ftp f;
	const char *p, *end = (const char *)data + size, *nl;
	uint64_t bytes;

	memset(&f, 0, sizeof(f));
	if (size < 1)
		return (0);
	f.feat_scan = data[0] & 1;
	for (p = (const char *)data + 1; p < end; p = nl + 1) {
		if ((nl = memchr(p, '\n', (size_t)(end - p))) == NULL)
			nl = end;
		/* libcurl passes the line with its line end. */
		transport_ftp_reply(&f, p, (size_t)(nl - p) + (nl < end));
		if (memchr(f.reply, '\0', sizeof(f.reply)) == NULL ||
		    memchr(f.refusal, '\0', sizeof(f.refusal)) == NULL)
			abort();
		(void)transport_ftp_avbl(f.reply, &bytes);
	}
	return (0);
}
