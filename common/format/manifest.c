/* Backup manifests: see manifest.h; the grammar is in docs/FORMAT.md. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sysexits.h>
#include <time.h>

#include <openssl/sha.h>
#include <openssl/crypto.h>

#include "util/buf.h"
#include "util/log.h"
#include "format/manifest.h"
#include "format/manifest_fields.h"

#define MAGIC		"sitevault-manifest 1"

int
manifest_description_ok(const char *s)
{

	return (manifest_fields_desc_ok(s, strlen(s)));
}

/* ---- formatting ---- */

static int
check_fields(const struct manifest *m)
{
	const char *bad = NULL;
	size_t i, j;

	if (!manifest_fields_site_ok(m->site, strlen(m->site)))
		bad = "site";
	else if (!manifest_fields_category_ok(m->category, strlen(m->category)))
		bad = "category";
	else if (m->id == 0)
		bad = "id";
	else if (m->time < 0 || m->time > MANIFEST_FIELDS_TIME_MAX)
		bad = "time";
	else if (!manifest_fields_agent_ok(m->agent, strlen(m->agent)))
		bad = "agent";
	else if (m->nrecipients == 0 ||
	    m->nrecipients > MANIFEST_RECIPIENTS_MAX)
		bad = "recipient count (1 to 256)";
	else if (!manifest_fields_compression_ok(m->compression,
	    strlen(m->compression)))
		bad = "compression";
	else if (!manifest_description_ok(m->description))
		bad = "description (control character, invalid UTF-8, or "
		    "longer than 1024 bytes)";
	else if (m->nparts == 0)
		bad = "part (none)";
	else if (m->has_base && (m->base_id == 0 || m->base_id >= m->id))
		bad = "base (not an earlier id)";
	else if (m->has_base && !m->has_filelist)
		bad = "filelist (an incremental backup needs one)";
	else if (m->has_filelist && m->filelist_size == 0)
		bad = "filelist (empty)";
	for (i = 0; bad == NULL && i < m->nrecipients; i++) {
		if (!manifest_fields_recipient_ok(m->recipients[i],
		    strlen(m->recipients[i])))
			bad = "recipient";
		for (j = 0; j < i; j++)
			if (strcmp(m->recipients[i], m->recipients[j]) == 0)
				bad = "recipient (duplicate)";
	}
	for (i = 0; bad == NULL && i < m->nparts; i++)
		if (m->parts[i].size == 0)
			bad = "part (empty)";
	if (bad != NULL) {
		log_fail(EX_DATAERR, "manifest: invalid %s", bad);
		return (-1);
	}
	return (0);
}

char *
manifest_format(const struct manifest *m, size_t *len)
{
	struct buf sb = BUF_INIT(MANIFEST_MAX);
	char t[21], kid[2 * MINISIGN_KEYID_LEN + 1], hex[65];
	size_t i;
	int err;

	if (check_fields(m) || manifest_fields_time_format(m->time, t))
		return (NULL);
	minisign_keyid_hex(m->keyid, kid);
	err = buf_printf(&sb, MAGIC "\nsite %s\ncategory %s\nid %llu\n"
	    "time %s\nagent %s\nsigner %s\n", m->site, m->category,
	    (unsigned long long)m->id, t, m->agent, kid);
	for (i = 0; i < m->nrecipients; i++)
		err |= buf_printf(&sb, "recipient %s\n", m->recipients[i]);
	err |= buf_printf(&sb, "compression %s\ndescription %s\nfiles %llu\n"
	    "bytes %llu\narchive-bytes %llu\n", m->compression,
	    m->description, (unsigned long long)m->files,
	    (unsigned long long)m->bytes,
	    (unsigned long long)m->archive_bytes);
	if (m->has_prev)
		manifest_fields_hex_format(m->prev_sha256,
		    SHA256_DIGEST_LENGTH, hex);
	err |= buf_printf(&sb, "previous %s\n", m->has_prev ? hex : "none");
	if (m->has_base) {
		manifest_fields_hex_format(m->base_sha256,
		    SHA256_DIGEST_LENGTH, hex);
		err |= buf_printf(&sb, "base %llu %s\n",
		    (unsigned long long)m->base_id, hex);
	}
	if (m->has_filelist) {
		manifest_fields_hex_format(m->filelist_sha256,
		    SHA256_DIGEST_LENGTH, hex);
		err |= buf_printf(&sb, "filelist %llu %s\n",
		    (unsigned long long)m->filelist_size, hex);
	}
	for (i = 0; i < m->nparts; i++) {
		manifest_fields_hex_format(m->parts[i].sha256,
		    SHA256_DIGEST_LENGTH, hex);
		err |= buf_printf(&sb, "part %06zu %llu %s\n", i,
		    (unsigned long long)m->parts[i].size, hex);
	}
	err |= buf_printf(&sb, "end\n");
	if (err)
		goto err;
	*len = sb.len;
	return ((char *)buf_take(&sb));

err:
	buf_free(&sb);
	log_fail(EX_DATAERR, "manifest: larger than %d bytes or out of memory",
	    MANIFEST_MAX);
	return (NULL);
}

/* ---- parsing ---- */

struct lp {
	const char *name;
	const char *p, *end;
	unsigned int line;
	const char *v;		/* value of the current line */
	size_t vlen;
};

static int LOG_PRINTF(2, 3)
lp_err(const struct lp *lp, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log_fail(EX_DATAERR, "%s: line %u: %s", lp->name, lp->line, msg);
	return (-1);
}

/* Is the next line a "${key} ..." line? */
static int
lp_peek(const struct lp *lp, const char *key)
{
	size_t kl = strlen(key);

	return ((size_t)(lp->end - lp->p) > kl && memcmp(lp->p, key, kl) == 0 &&
	    lp->p[kl] == ' ');
}

/* Read the next line, which must be "${key} VALUE" (VALUE possibly empty),
 * or just "${key}" if ${hasvalue} is 0. */
static int
lp_field(struct lp *lp, const char *key, int hasvalue)
{
	const char *nl;
	size_t kl = strlen(key), ll;

	lp->line++;
	if (lp->p == lp->end)
		return (lp_err(lp, "missing \"%s\" line", key));
	if ((nl = memchr(lp->p, '\n', (size_t)(lp->end - lp->p))) == NULL)
		return (lp_err(lp, "no newline at the end of the line"));
	ll = (size_t)(nl - lp->p);
	if (memchr(lp->p, '\0', ll) != NULL)
		return (lp_err(lp, "NUL byte"));
	if (ll < kl || memcmp(lp->p, key, kl) != 0 ||
	    (hasvalue ? ll == kl || lp->p[kl] != ' ' : ll != kl))
		return (lp_err(lp, "expected \"%s%s\"", key,
		    hasvalue ? " ..." : ""));
	lp->v = hasvalue ? lp->p + kl + 1 : lp->p + kl;
	lp->vlen = hasvalue ? ll - kl - 1 : 0;
	lp->p = nl + 1;
	return (0);
}

static int
lp_u64(struct lp *lp, const char *key, uint64_t *v)
{

	if (lp_field(lp, key, 1))
		return (-1);
	if (manifest_fields_u64_parse(lp->v, lp->vlen, v))
		return (lp_err(lp, "%s is not a decimal number without leading "
		    "zeros", key));
	return (0);
}

static char *
lp_dup(const struct lp *lp)
{
	char *s;

	if ((s = malloc(lp->vlen + 1)) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", lp->name);
		return (NULL);
	}
	memcpy(s, lp->v, lp->vlen);
	s[lp->vlen] = '\0';
	return (s);
}

/* "NUMBER SHA256" of the base and filelist lines; the number is >= 1. */
static int
lp_num_hash(struct lp *lp, const char *key, uint64_t *v,
    uint8_t sha[SHA256_DIGEST_LENGTH])
{
	const char *sp;

	if (lp_field(lp, key, 1))
		return (-1);
	if ((sp = memchr(lp->v, ' ', lp->vlen)) == NULL ||
	    manifest_fields_u64_parse(lp->v, (size_t)(sp - lp->v), v) ||
	    *v == 0)
		return (lp_err(lp, "%s: expected a positive decimal number "
		    "and a SHA-256", key));
	if (manifest_fields_hex_parse(sp + 1, lp->vlen - (size_t)(sp + 1 -
	    lp->v), sha, SHA256_DIGEST_LENGTH, 0))
		return (lp_err(lp, "%s: hash is not 64 lower-case hex digits",
		    key));
	return (0);
}

/* The optional chain lines after "previous" (docs/FORMAT.md). */
static int
lp_chain(struct lp *lp, struct manifest *m)
{

	if (lp_peek(lp, "base")) {
		if (lp_num_hash(lp, "base", &m->base_id, m->base_sha256))
			return (-1);
		if (m->base_id >= m->id)
			return (lp_err(lp, "base %llu is not older than id %llu",
			    (unsigned long long)m->base_id,
			    (unsigned long long)m->id));
		m->has_base = 1;
	}
	if (lp_peek(lp, "filelist")) {
		if (lp_num_hash(lp, "filelist", &m->filelist_size,
		    m->filelist_sha256))
			return (-1);
		m->has_filelist = 1;
	} else if (m->has_base) {
		lp->line++;
		return (lp_err(lp, "missing \"filelist\" line (an "
		    "incremental backup needs one)"));
	}
	return (0);
}

/* "NNNNNN SIZE SHA256" of part ${idx}. */
static int
lp_part(struct lp *lp, size_t idx, struct manifest_part *part)
{
	char want[32];
	const char *sp1, *sp2, *end = lp->v + lp->vlen;
	int n;

	n = snprintf(want, sizeof(want), "%06zu ", idx);
	if ((sp1 = memchr(lp->v, ' ', lp->vlen)) == NULL ||
	    (size_t)(sp1 + 1 - lp->v) != (size_t)n ||
	    memcmp(lp->v, want, (size_t)n) != 0)
		return (lp_err(lp, "expected part number %06zu", idx));
	if ((sp2 = memchr(sp1 + 1, ' ', (size_t)(end - sp1 - 1))) == NULL ||
	    manifest_fields_u64_parse(sp1 + 1, (size_t)(sp2 - sp1 - 1),
	    &part->size) ||
	    part->size == 0)
		return (lp_err(lp, "part size is not a positive decimal "
		    "number"));
	if (manifest_fields_hex_parse(sp2 + 1, (size_t)(end - sp2 - 1),
	    part->sha256, SHA256_DIGEST_LENGTH, 0))
		return (lp_err(lp, "part hash is not 64 lower-case hex "
		    "digits"));
	return (0);
}

/* Log running out of memory while parsing; return -1. */
static int
nomem(const struct lp *lp)
{

	log_fail(EX_OSERR, "%s: out of memory", lp->name);
	return (-1);
}

/* site, category, id, time, agent and signer into ${m}. */
static int
parse_head(struct lp *lp, struct manifest *m)
{
	size_t i;

	if (lp_field(lp, "site", 1))
		return (-1);
	if (!manifest_fields_site_ok(lp->v, lp->vlen)) {
		lp_err(lp, "invalid site name");
		return (-1);
	}
	if ((m->site = lp_dup(lp)) == NULL)
		return (-1);
	if (lp_field(lp, "category", 1))
		return (-1);
	if (!manifest_fields_category_ok(lp->v, lp->vlen)) {
		lp_err(lp, "category is not Configuration or Data");
		return (-1);
	}
	if ((m->category = lp_dup(lp)) == NULL)
		return (-1);
	if (lp_field(lp, "id", 1))
		return (-1);
	if (manifest_fields_u64_parse(lp->v, lp->vlen, &m->id) || m->id == 0) {
		lp_err(lp, "id is not a positive decimal number");
		return (-1);
	}
	if (lp_field(lp, "time", 1))
		return (-1);
	if (manifest_fields_time_parse(lp->v, lp->vlen, &m->time)) {
		lp_err(lp, "time is not YYYY-MM-DDTHH:MM:SSZ");
		return (-1);
	}
	if (lp_field(lp, "agent", 1))
		return (-1);
	if (!manifest_fields_agent_ok(lp->v, lp->vlen)) {
		lp_err(lp, "invalid agent");
		return (-1);
	}
	if ((m->agent = lp_dup(lp)) == NULL)
		return (-1);
	if (lp_field(lp, "signer", 1))
		return (-1);
	if (manifest_fields_hex_parse(lp->v, lp->vlen, m->keyid,
	    MINISIGN_KEYID_LEN, 1)) {
		lp_err(lp, "signer is not 16 upper-case hex digits");
		return (-1);
	}
	/* The key id is printed most significant byte first. */
	for (i = 0; i < MINISIGN_KEYID_LEN / 2; i++) {
		uint8_t b = m->keyid[i];
		m->keyid[i] = m->keyid[MINISIGN_KEYID_LEN - 1 - i];
		m->keyid[MINISIGN_KEYID_LEN - 1 - i] = b;
	}
	return (0);
}

/* The recipient lines, at least one, none twice. */
static int
parse_recipients(struct lp *lp, struct manifest *m)
{
	void *np;
	size_t i;

	do {
		if (lp_field(lp, "recipient", 1))
			return (-1);
		if (!manifest_fields_recipient_ok(lp->v, lp->vlen)) {
			lp_err(lp, "invalid age recipient");
			return (-1);
		}
		if (m->nrecipients == MANIFEST_RECIPIENTS_MAX) {
			lp_err(lp, "more than %d recipients",
			    MANIFEST_RECIPIENTS_MAX);
			return (-1);
		}
		for (i = 0; i < m->nrecipients; i++)
			if (strlen(m->recipients[i]) == lp->vlen &&
			    memcmp(m->recipients[i], lp->v, lp->vlen) == 0) {
				lp_err(lp, "duplicate recipient");
				return (-1);
			}
		if ((np = realloc(m->recipients, (m->nrecipients + 1) *
		    sizeof(*m->recipients))) == NULL)
			return (nomem(lp));
		m->recipients = np;
		if ((m->recipients[m->nrecipients] = lp_dup(lp)) == NULL)
			return (-1);
		m->nrecipients++;
	} while (lp_peek(lp, "recipient"));
	return (0);
}

/* compression, description, counts and previous into ${m}. */
static int
parse_body(struct lp *lp, struct manifest *m)
{

	if (lp_field(lp, "compression", 1))
		return (-1);
	if (!manifest_fields_compression_ok(lp->v, lp->vlen)) {
		lp_err(lp, "compression is not none, gzip:1-9 or zstd:1-22");
		return (-1);
	}
	if ((m->compression = lp_dup(lp)) == NULL)
		return (-1);
	/* The description may be empty: "description " then LF. */
	if (lp_field(lp, "description", 1))
		return (-1);
	if (!manifest_fields_desc_ok(lp->v, lp->vlen)) {
		lp_err(lp, "description has a control character, invalid "
		    "UTF-8, or is longer than 1024 bytes");
		return (-1);
	}
	if ((m->description = lp_dup(lp)) == NULL)
		return (-1);
	if (lp_u64(lp, "files", &m->files) ||
	    lp_u64(lp, "bytes", &m->bytes) ||
	    lp_u64(lp, "archive-bytes", &m->archive_bytes))
		return (-1);
	if (lp_field(lp, "previous", 1))
		return (-1);
	m->has_prev = !(lp->vlen == 4 && memcmp(lp->v, "none", 4) == 0);
	if (m->has_prev && manifest_fields_hex_parse(lp->v, lp->vlen,
	    m->prev_sha256, SHA256_DIGEST_LENGTH, 0)) {
		lp_err(lp, "previous is not none or 64 lower-case hex digits");
		return (-1);
	}
	return (0);
}

/* The part lines, at least one, numbered from 0. */
static int
parse_parts(struct lp *lp, struct manifest *m)
{
	void *np;

	do {
		if (lp_field(lp, "part", 1))
			return (-1);
		if ((np = realloc(m->parts, (m->nparts + 1) *
		    sizeof(*m->parts))) == NULL)
			return (nomem(lp));
		m->parts = np;
		if (lp_part(lp, m->nparts, &m->parts[m->nparts]))
			return (-1);
		m->nparts++;
	} while (lp_peek(lp, "part"));
	return (0);
}

struct manifest *
manifest_parse(const char *name, const char *text, size_t len)
{
	struct lp lp = { name, text, text + len, 0, NULL, 0 };
	struct manifest *m;

	if (len > MANIFEST_MAX) {
		log_fail(EX_DATAERR, "%s: larger than %d bytes", name,
		    MANIFEST_MAX);
		return (NULL);
	}
	if ((m = calloc(1, sizeof(*m))) == NULL) {
		log_fail(EX_OSERR, "%s: out of memory", name);
		return (NULL);
	}
	if (lp_field(&lp, MAGIC, 0) || parse_head(&lp, m) ||
	    parse_recipients(&lp, m) || parse_body(&lp, m) ||
	    lp_chain(&lp, m) || parse_parts(&lp, m) ||
	    lp_field(&lp, "end", 0))
		goto err;
	if (lp.p != lp.end) {
		lp.line++;
		lp_err(&lp, "data after \"end\"");
		goto err;
	}

	/* Success! */
	return (m);

err:
	/* Failure! */
	manifest_free(m);
	return (NULL);
}

void
manifest_free(struct manifest *m)
{
	size_t i;

	if (m == NULL)
		return;
	free(m->site);
	free(m->category);
	free(m->agent);
	for (i = 0; i < m->nrecipients; i++)
		free(m->recipients[i]);
	free(m->recipients);
	free(m->compression);
	free(m->description);
	free(m->parts);
	free(m);
}
