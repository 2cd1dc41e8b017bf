/* Field syntax of manifests: see manifest_fields.h and docs/FORMAT.md. */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "conf/category.h"
#include "crypto/age.h"
#include "format/manifest_fields.h"

#define SITE_MAX	64
#define AGENT_MAX	128
#define DESC_MAX	1024

int
manifest_fields_site_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > SITE_MAX || (len == 1 && s[0] == '.') ||
	    (len == 2 && s[0] == '.' && s[1] == '.'))
		return (0);
	for (i = 0; i < len; i++)
		if (!((s[i] >= 'A' && s[i] <= 'Z') || (s[i] >= 'a' &&
		    s[i] <= 'z') || (s[i] >= '0' && s[i] <= '9') ||
		    s[i] == '.' || s[i] == '_' || s[i] == '-'))
			return (0);
	return (1);
}

int
manifest_fields_category_ok(const char *s, size_t len)
{

	enum category cat;

	return (category_lookup(s, len, &cat) == 0);
}

/* Decimal, minimal (no sign, no leading zero), within uint64_t. */
int
manifest_fields_u64_parse(const char *s, size_t len, uint64_t *v)
{
	size_t i;

	if (len == 0 || len > 20 || (len > 1 && s[0] == '0'))
		return (-1);
	*v = 0;
	for (i = 0; i < len; i++) {
		if (s[i] < '0' || s[i] > '9' ||
		    *v > (UINT64_MAX - (uint64_t)(s[i] - '0')) / 10)
			return (-1);
		*v = *v * 10 + (uint64_t)(s[i] - '0');
	}
	return (0);
}

int
manifest_fields_agent_ok(const char *s, size_t len)
{
	size_t i;

	if (len == 0 || len > AGENT_MAX)
		return (0);
	for (i = 0; i < len; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return (0);
	return (1);
}

/* UTF-8 (shortest form, no surrogates) without C0, DEL or C1 controls:
 * the text shows as it is in a listing and cannot hide a line break. */
int
manifest_fields_desc_ok(const char *str, size_t len)
{
	const unsigned char *s = (const unsigned char *)str;
	size_t i = 0, n, k;
	uint32_t c;

	if (len > DESC_MAX)
		return (0);
	while (i < len) {
		c = s[i];
		if (c < 0x80) {
			if (c < 0x20 || c == 0x7f)
				return (0);
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf)
			n = 1, c &= 0x1f;
		else if (c >= 0xe0 && c <= 0xef)
			n = 2, c &= 0x0f;
		else if (c >= 0xf0 && c <= 0xf4)
			n = 3, c &= 0x07;
		else
			return (0);
		if (len - i <= n)
			return (0);
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return (0);
			c = (c << 6) | (s[i + k] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff) || c <= 0x9f)
			return (0);
		i += n + 1;
	}
	return (1);
}

int
manifest_fields_compression_ok(const char *s, size_t len)
{
	uint64_t lvl;

	if (len == 4 && memcmp(s, "none", 4) == 0)
		return (1);
	if (len < 6 || s[4] != ':' ||
	    manifest_fields_u64_parse(s + 5, len - 5, &lvl))
		return (0);
	if (memcmp(s, "gzip", 4) == 0)
		return (lvl >= 1 && lvl <= 9);
	if (memcmp(s, "zstd", 4) == 0)
		return (lvl >= 1 && lvl <= 22);
	return (0);
}

/* "age1" and lower-case Bech32 (the form age-keygen prints). */
int
manifest_fields_recipient_ok(const char *s, size_t len)
{
	char buf[AGE_RECIPIENT_STRMAX];
	uint8_t pk[AGE_KEY_LEN];
	size_t i;

	if (len < 5 || len >= sizeof(buf) || memcmp(s, "age1", 4) != 0)
		return (0);
	for (i = 4; i < len; i++)
		if (strchr("qpzry9x8gf2tvdw0s3jn54khce6mua7l", s[i]) == NULL ||
		    s[i] == '\0')
			return (0);
	memcpy(buf, s, len);
	buf[len] = '\0';
	return (age_recipient_decode(buf, pk) == 0);
}

/* Lower-case hex of exactly ${n} bytes. */
int
manifest_fields_hex_parse(const char *s, size_t len, uint8_t *out, size_t n,
    int upper)
{
	size_t i;
	int d;

	if (len != 2 * n)
		return (-1);
	for (i = 0; i < len; i++) {
		if (s[i] >= '0' && s[i] <= '9')
			d = s[i] - '0';
		else if (!upper && s[i] >= 'a' && s[i] <= 'f')
			d = s[i] - 'a' + 10;
		else if (upper && s[i] >= 'A' && s[i] <= 'F')
			d = s[i] - 'A' + 10;
		else
			return (-1);
		if (i % 2 == 0)
			out[i / 2] = (uint8_t)(d << 4);
		else
			out[i / 2] |= (uint8_t)d;
	}
	return (0);
}

void
manifest_fields_hex_format(const uint8_t *in, size_t n, char *out)
{
	static const char hex[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < n; i++) {
		out[2 * i] = hex[in[i] >> 4];
		out[2 * i + 1] = hex[in[i] & 15];
	}
	out[2 * n] = '\0';
}

/* RFC 3339 UTC with seconds, "YYYY-MM-DDTHH:MM:SSZ". */
int
manifest_fields_time_format(int64_t t, char out[21])
{
	struct tm tm;
	time_t tt = (time_t)t;

	if (t < 0 || t > MANIFEST_FIELDS_TIME_MAX ||
	    gmtime_r(&tt, &tm) == NULL ||
	    strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm) != 20)
		return (-1);
	return (0);
}

/* ${n} decimal digits, already checked. */
static int64_t
num(const char *s, size_t n)
{
	int64_t v = 0;

	while (n-- > 0)
		v = v * 10 + (*s++ - '0');
	return (v);
}

int
manifest_fields_time_parse(const char *s, size_t len, int64_t *t)
{
	static const int pos[] = { 0, 4, 5, 7, 8, 10, 11, 13, 14, 16, 17, 19 };
	int64_t y, mo, d, h, mi, se, era, yoe, doy, doe;
	char canon[21];
	size_t i, k;

	if (len != 20 || s[4] != '-' || s[7] != '-' || s[10] != 'T' ||
	    s[13] != ':' || s[16] != ':' || s[19] != 'Z')
		return (-1);
	for (i = 0; i < sizeof(pos) / sizeof(pos[0]); i += 2)
		for (k = (size_t)pos[i]; k < (size_t)pos[i + 1]; k++)
			if (s[k] < '0' || s[k] > '9')
				return (-1);
	y = num(s, 4);
	mo = num(s + 5, 2);
	d = num(s + 8, 2);
	h = num(s + 11, 2);
	mi = num(s + 14, 2);
	se = num(s + 17, 2);
	if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 ||
	    se > 59)
		return (-1);
	/* Days from civil (proleptic Gregorian), then back through gmtime_r:
	 * a 31st of a short month does not survive the round trip. */
	y -= mo <= 2;
	era = y / 400;
	yoe = y - era * 400;
	doy = (153 * (mo + (mo > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	*t = ((era * 146097 + doe - 719468) * 86400) + h * 3600 + mi * 60 + se;
	if (manifest_fields_time_format(*t, canon) || memcmp(canon, s, 20) != 0)
		return (-1);
	return (0);
}

