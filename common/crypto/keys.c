/* Site key files: see keys.h; the format is in docs/FORMAT.md. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include "crypto/keys.h"
#include "util/readfile.h"
#include "util/dirsync.h"
#include "util/log.h"

#define KEYFILE_MAX	4096		/* a key file is about 400 bytes */
#define IDFILE_MAX	(64 * 1024)	/* identity files may hold many keys */
#define SIGNKEY_PREFIX	"# sitevault-signing-key: "
#define SIGNKEY_RAW	(2 + MINISIGN_KEYID_LEN + MINISIGN_SEED_LEN + \
			    MINISIGN_PK_LEN)		/* 74 bytes */
#define SIGNKEY_B64	100
#define IDENTITY_PREFIX	"AGE-SECRET-KEY-1"

struct keys *
keys_generate(void)
{
	struct keys *k;

	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		return (NULL);
	}
	if (age_keygen(k->age_sk) || age_public(k->age_sk, k->age_pk)) {
		log_fail(EX_SOFTWARE, "X25519 key generation failed");
		goto err;
	}
	if (minisign_generate(&k->sign))
		goto err;
	return (k);
err:
	keys_free(k);
	return (NULL);
}

void
keys_public(const struct keys *k, struct keys_pub *pub)
{

	memcpy(pub->age_pk, k->age_pk, AGE_KEY_LEN);
	minisign_sec_public(&k->sign, &pub->sign);
}

void
keys_free(struct keys *k)
{

	if (k == NULL)
		return;
	OPENSSL_cleanse(k, sizeof(*k));
	free(k);
}


/*
 * The next line of ${*p} .. ${end}, without LF and one CR before it (as
 * age reads it); the last line may lack its LF.  Return 0, or -1 at the end.
 */
static int
nextline(const char **p, const char *end, const char **line, size_t *len)
{
	const char *nl;

	if (*p >= end)
		return (-1);
	*line = *p;
	if ((nl = memchr(*p, '\n', (size_t)(end - *p))) == NULL)
		nl = end;
	*len = (size_t)(nl - *p);
	*p = nl < end ? nl + 1 : end;
	if (*len > 0 && (*line)[*len - 1] == '\r')
		(*len)--;
	return (0);
}

/* Decode the identity line ${line} into ${sk}.  Return 0 or -1. */
static int
identity_decode(const char *line, size_t len, uint8_t sk[AGE_KEY_LEN])
{
	char s[AGE_IDENTITY_STRMAX];
	int rc = -1;

	if (len < sizeof(s)) {
		memcpy(s, line, len);
		s[len] = '\0';
		rc = age_identity_decode(s, sk);
	}
	OPENSSL_cleanse(s, sizeof(s));
	return (rc);
}

static int
signkey_decode(const char *b64, size_t len, struct minisign_sec *sec)
{
	uint8_t raw[SIGNKEY_RAW], pk[MINISIGN_PK_LEN];
	int rc = -1;

	if (minisign_b64_decode(b64, len, raw, sizeof(raw)) ||
	    memcmp(raw, "Ed", 2) != 0)
		goto done;
	memcpy(sec->keyid, raw + 2, MINISIGN_KEYID_LEN);
	memcpy(sec->seed, raw + 2 + MINISIGN_KEYID_LEN, MINISIGN_SEED_LEN);
	memcpy(pk, raw + 2 + MINISIGN_KEYID_LEN + MINISIGN_SEED_LEN,
	    MINISIGN_PK_LEN);
	/* The stored public key is a checksum of the seed. */
	if (minisign_sec_derive(sec) == 0 &&
	    CRYPTO_memcmp(pk, sec->pk, MINISIGN_PK_LEN) == 0)
		rc = 0;
done:
	OPENSSL_cleanse(raw, sizeof(raw));
	return (rc);
}

struct keys *
keys_load(const char *path)
{
	struct keys *k = NULL;
	const char *p, *end, *line;
	char *buf;
	size_t len, ll;
	unsigned int lineno = 0;
	int have_age = 0, have_sign = 0;
	uint8_t pk[AGE_KEY_LEN];

	if ((buf = readfile_load(path, KEYFILE_MAX, READFILE_PRIVATE |
	    READFILE_ROOTSAFE, "key file", &len)) == NULL)
		return (NULL);
	if ((k = calloc(1, sizeof(*k))) == NULL) {
		log_fail(EX_OSERR, "out of memory");
		goto err;
	}
	p = buf;
	end = buf + len;
	while (nextline(&p, end, &line, &ll) == 0) {
		lineno++;
		if (ll >= sizeof(SIGNKEY_PREFIX) - 1 &&
		    memcmp(line, SIGNKEY_PREFIX,
		    sizeof(SIGNKEY_PREFIX) - 1) == 0) {
			if (have_sign++) {
				log_fail(EX_DATAERR, "%s: line %u: a second "
				    "signing key", path, lineno);
				goto err;
			}
			if (signkey_decode(line + sizeof(SIGNKEY_PREFIX) - 1,
			    ll - (sizeof(SIGNKEY_PREFIX) - 1), &k->sign)) {
				log_fail(EX_DATAERR, "%s: line %u: invalid or "
				    "corrupt signing key", path, lineno);
				goto err;
			}
		} else if (ll == 0 || line[0] == '#') {
			continue;
		} else if (ll >= sizeof(IDENTITY_PREFIX) - 1 && memcmp(line,
		    IDENTITY_PREFIX, sizeof(IDENTITY_PREFIX) - 1) == 0) {
			if (have_age++) {
				log_fail(EX_DATAERR, "%s: line %u: a second age "
				    "identity", path, lineno);
				goto err;
			}
			if (identity_decode(line, ll, k->age_sk)) {
				log_fail(EX_DATAERR, "%s: line %u: invalid age "
				    "identity", path, lineno);
				goto err;
			}
		} else {
			log_fail(EX_DATAERR, "%s: line %u: neither a comment nor "
			    "an age identity", path, lineno);
			goto err;
		}
	}
	if (!have_age || !have_sign) {
		log_fail(EX_DATAERR, "%s: not a sitevault key file: no %s", path,
		    have_age ? "signing key" : "age identity");
		goto err;
	}
	if (age_public(k->age_sk, pk)) {
		log_fail(EX_DATAERR, "%s: invalid age identity", path);
		goto err;
	}
	memcpy(k->age_pk, pk, AGE_KEY_LEN);

	/* Success! */
	readfile_free(buf, KEYFILE_MAX);
	return (k);

err:
	/* Failure! */
	keys_free(k);
	readfile_free(buf, KEYFILE_MAX);
	return (NULL);
}

int
keys_pub_load(const char *path, struct keys_pub *pub)
{
	const char *p, *end, *line;
	char *buf, s[AGE_RECIPIENT_STRMAX];
	size_t len, ll;
	unsigned int lineno;
	int have_age = 0, rc = -1;

	if ((buf = readfile_load(path, KEYFILE_MAX, READFILE_ROOTSAFE,
	    "key file", &len)) == NULL)
		return (-1);
	if (len < 19 || memcmp(buf, "untrusted comment: ", 19) != 0) {
		log_fail(EX_DATAERR, "%s: line 1: not a sitevault public key "
		    "file (no untrusted comment)", path);
		goto done;
	}
	if (minisign_pub_parse(path, buf, len, &pub->sign))
		goto done;
	p = buf;
	end = buf + len;
	/* Lines 1 and 2 are the minisign key; then one age recipient. */
	for (lineno = 1; nextline(&p, end, &line, &ll) == 0; lineno++) {
		if (lineno <= 2 || ll == 0 || line[0] == '#')
			continue;
		if (have_age++ || ll >= sizeof(s)) {
			log_fail(EX_DATAERR, "%s: line %u: unexpected line",
			    path, lineno);
			goto done;
		}
		memcpy(s, line, ll);
		s[ll] = '\0';
		if (age_recipient_decode(s, pub->age_pk)) {
			log_fail(EX_DATAERR, "%s: line %u: invalid age recipient",
			    path, lineno);
			goto done;
		}
	}
	if (!have_age) {
		log_fail(EX_DATAERR, "%s: no age recipient (line 3)", path);
		goto done;
	}
	rc = 0;
done:
	readfile_free(buf, KEYFILE_MAX);
	return (rc);
}

int
keys_identity_file_load(const char *path, uint8_t (**sks)[AGE_KEY_LEN],
    size_t *nsk)
{
	uint8_t (*n)[AGE_KEY_LEN];
	const char *p, *end, *line;
	char *buf;
	size_t len, ll, found = 0;
	unsigned int lineno = 0;
	int rc = -1;

	if ((buf = readfile_load(path, IDFILE_MAX, 0, "identity file",
	    &len)) == NULL)
		return (-1);
	p = buf;
	end = buf + len;
	while (nextline(&p, end, &line, &ll) == 0) {
		lineno++;
		if (ll == 0 || line[0] == '#')
			continue;
		/* Not realloc: it would leave copies of the keys unwiped. */
		if ((n = malloc((*nsk + 1) * sizeof(**sks))) == NULL) {
			log_fail(EX_OSERR, "out of memory");
			goto done;
		}
		if (*nsk > 0)
			memcpy(n, *sks, *nsk * sizeof(**sks));
		if (*sks != NULL)
			OPENSSL_cleanse(*sks, *nsk * sizeof(**sks));
		free(*sks);
		*sks = n;
		if (ll < sizeof(IDENTITY_PREFIX) - 1 || memcmp(line,
		    IDENTITY_PREFIX, sizeof(IDENTITY_PREFIX) - 1) != 0 ||
		    identity_decode(line, ll, (*sks)[*nsk])) {
			OPENSSL_cleanse((*sks)[*nsk], AGE_KEY_LEN);
			log_fail(EX_DATAERR, "%s: line %u: not an age X25519 "
			    "identity (AGE-SECRET-KEY-1...)", path, lineno);
			goto done;
		}
		(*nsk)++;
		found++;
	}
	if (found == 0) {
		log_fail(EX_DATAERR, "%s: no age identity in the file", path);
		goto done;
	}
	rc = 0;
done:
	readfile_free(buf, IDFILE_MAX);
	return (rc);
}

/* Create a new file beside ${base} (O_EXCL, never through a symlink),
 * write ${len} bytes of ${text}, and fsync it.  Its name goes to ${tmp}. */
static int
write_tmp(const char *base, const char *text, size_t len, mode_t mode,
    char *tmp, size_t tmplen)
{
	uint8_t rnd[6];
	size_t off = 0;
	ssize_t n;
	int fd = -1, tries, e;

	for (tries = 0; fd == -1 && tries < 5; tries++) {
		if (RAND_bytes(rnd, sizeof(rnd)) != 1)
			goto fail;
		if (snprintf(tmp, tmplen, "%s.tmp-%02x%02x%02x%02x%02x%02x",
		    base, rnd[0], rnd[1], rnd[2], rnd[3], rnd[4],
		    rnd[5]) >= (int)tmplen) {
			errno = ENAMETOOLONG;
			goto fail;
		}
		fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW |
		    O_CLOEXEC, mode);
		if (fd == -1 && errno != EEXIST)
			goto fail;
	}
	if (fd == -1)
		goto fail;
	while (off < len) {
		if ((n = write(fd, text + off, len - off)) < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		off += (size_t)n;
	}
	if (fsync(fd) == -1 || close(fd) == -1) {
		fd = -1;
		goto fail;
	}
	return (0);
fail:
	e = errno;
	if (fd != -1) {
		close(fd);
		unlink(tmp);
	}
	log_fail(EX_CANTCREAT, "%s: cannot create: %s", base, strerror(e));
	tmp[0] = '\0';
	return (-1);
}

/* The sizes of the key file texts of key_texts(). */
#define KEY_SEC_TEXT	1024
#define KEY_PUB_TEXT	512

/*
 * The texts of the secret key file (into ${sec}, KEY_SEC_TEXT bytes, its
 * length in ${*slen}) and of the public key file (${pub}, KEY_PUB_TEXT, in
 * ${*plen}) of ${k}, to be written at ${path}.  Return 0 or -1 after
 * logging; the copies of the secret made on the way are wiped.
 */
static int
key_texts(const struct keys *k, const char *path, char *sec, int *slen,
    char *pub, int *plen)
{
	char id[AGE_IDENTITY_STRMAX], rcpt[AGE_RECIPIENT_STRMAX];
	char kid[2 * MINISIGN_KEYID_LEN + 1], sk64[SIGNKEY_B64 + 1];
	char mpk[64], now[32];
	uint8_t raw[SIGNKEY_RAW];
	struct minisign_pub mp;
	struct tm tm;
	time_t t = time(NULL);
	int rc = -1;

	memcpy(raw, "Ed", 2);
	memcpy(raw + 2, k->sign.keyid, MINISIGN_KEYID_LEN);
	memcpy(raw + 2 + MINISIGN_KEYID_LEN, k->sign.seed, MINISIGN_SEED_LEN);
	memcpy(raw + 2 + MINISIGN_KEYID_LEN + MINISIGN_SEED_LEN, k->sign.pk,
	    MINISIGN_PK_LEN);
	minisign_sec_public(&k->sign, &mp);
	minisign_keyid_hex(k->sign.keyid, kid);
	if (minisign_b64_encode(raw, sizeof(raw), sk64, sizeof(sk64)) == 0 ||
	    age_identity_encode(k->age_sk, id, sizeof(id)) ||
	    age_recipient_encode(k->age_pk, rcpt, sizeof(rcpt)) ||
	    minisign_pub_encode(&mp, mpk, sizeof(mpk)) ||
	    gmtime_r(&t, &tm) == NULL ||
	    strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
		log_fail(EX_SOFTWARE, "%s: cannot encode the key", path);
		goto done;
	}
	*slen = snprintf(sec, KEY_SEC_TEXT,
	    "# sitevault site key: keep it secret (mode 0600, off-site copy).\n"
	    "# It is an age identity file: age -d -i FILE decrypts backups.\n"
	    "# created: %s\n# public key: %s\n# minisign key id: %s\n"
	    SIGNKEY_PREFIX "%s\n%s\n", now, rcpt, kid, sk64, id);
	*plen = snprintf(pub, KEY_PUB_TEXT, "untrusted comment: sitevault site "
	    "key %s: minisign public key, then age recipient\n%s\n%s\n", kid,
	    mpk, rcpt);
	if (*slen < 0 || *slen >= KEY_SEC_TEXT || *plen < 0 ||
	    *plen >= KEY_PUB_TEXT) {
		log_fail(EX_SOFTWARE, "%s: key file text too long", path);
		goto done;
	}
	rc = 0;
done:
	OPENSSL_cleanse(id, sizeof(id));
	OPENSSL_cleanse(sk64, sizeof(sk64));
	OPENSSL_cleanse(raw, sizeof(raw));
	return (rc);
}

int
keys_write(const struct keys *k, const char *path)
{
	char sec[KEY_SEC_TEXT], pub[KEY_PUB_TEXT], tmp[4096], tmppub[4096];
	char pubpath[4096];
	struct stat st;
	int slen, plen, linked = 0, rc = -1;

	tmp[0] = tmppub[0] = '\0';
	if (snprintf(pubpath, sizeof(pubpath), "%s.pub", path) >=
	    (int)sizeof(pubpath) - 20) {
		log_fail(EX_CANTCREAT, "%s: path too long", path);
		goto done;
	}
	/* Never overwrite a key: checked here for a clear message, and by
	 * link() below, which fails if the name exists. */
	if (lstat(path, &st) == 0 || lstat(pubpath, &st) == 0) {
		log_fail(EX_CANTCREAT, "%s: already exists; not overwriting a "
		    "key", lstat(path, &st) == 0 ? path : pubpath);
		goto done;
	}
	if (key_texts(k, path, sec, &slen, pub, &plen))
		goto done;
	if (write_tmp(path, sec, (size_t)slen, 0600, tmp, sizeof(tmp)) ||
	    write_tmp(pubpath, pub, (size_t)plen, 0644, tmppub,
	    sizeof(tmppub)))
		goto done;
	if (link(tmp, path) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", path, errno == EEXIST ?
		    "already exists; not overwriting a key" : strerror(errno));
		goto done;
	}
	linked = 1;
	if (link(tmppub, pubpath) == -1) {
		log_fail(EX_CANTCREAT, "%s: %s", pubpath, errno == EEXIST ?
		    "already exists; not overwriting a key" : strerror(errno));
		goto done;
	}
	linked = 2;
	if (unlink(tmp) == -1 || unlink(tmppub) == -1 || dirsync_parent(path)) {
		tmp[0] = tmppub[0] = '\0';
		log_fail(EX_IOERR, "%s: cannot sync the directory: %s", path,
		    strerror(errno));
		goto done;
	}
	tmp[0] = tmppub[0] = '\0';
	rc = 0;
done:
	/* Nothing half-made stays behind. */
	if (rc != 0 && linked >= 1)
		unlink(path);
	if (rc != 0 && linked >= 2)
		unlink(pubpath);
	if (tmp[0] != '\0')
		unlink(tmp);
	if (tmppub[0] != '\0')
		unlink(tmppub);
	OPENSSL_cleanse(sec, sizeof(sec));
	return (rc);
}
