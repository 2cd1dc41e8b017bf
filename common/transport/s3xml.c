/*
 * The S3 XML documents the store reads: listings, errors, the object lock
 * configuration.  A real parser (libxml2), never string search: a key may
 * hold "<Key>" itself, entities must be decoded, and a hostile gateway
 * must not reach the network or expand entities through us.
 */
#include "config.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libxml/parser.h>
#include <libxml/tree.h>

#include "transport/s3xml.h"
#include "transport/transport.h"
#include "transport/transport_internal.h"

/* No network, no entity substitution, no DTD, no messages on stderr. */
#define XMLOPTS	(XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | \
	XML_PARSE_NOCDATA)

static xmlDocPtr
parse(const char *xml, size_t len)
{

	if (len == 0 || len > INT32_MAX)
		return (NULL);
	return (xmlReadMemory(xml, (int)len, "s3.xml", NULL, XMLOPTS));
}

static int
is(const xmlNode *n, const char *name)
{

	return (n->type == XML_ELEMENT_NODE &&
	    strcmp((const char *)n->name, name) == 0);
}

/* The first child element ${name} of ${n}, or NULL. */
static xmlNodePtr
child(const xmlNode *n, const char *name)
{
	xmlNodePtr c;

	for (c = n->children; c != NULL; c = c->next)
		if (is(c, name))
			return (c);
	return (NULL);
}

/* The text of child ${name} of ${n}, malloc'd by libxml2, or NULL. */
static char *
text_of(const xmlNode *n, const char *name)
{
	xmlNodePtr c;

	if ((c = child(n, name)) == NULL)
		return (NULL);
	return ((char *)xmlNodeGetContent(c));
}

/* Add the entry for ${full} if it names something directly under ${prefix}. */
static int
add(const char *full, const char *prefix, int is_dir, uint64_t size,
    struct transport_entry **e, size_t *n, size_t *cap)
{
	size_t plen = strlen(prefix), len;
	const char *name;

	if (full == NULL || strncmp(full, prefix, plen) != 0)
		return (0);
	name = full + plen;
	len = strlen(name);
	if (is_dir && len > 0 && name[len - 1] == '/')
		len--;
	/* "dir/" placeholders made by other tools name the directory itself. */
	if (len == 0 || memchr(name, '/', len) != NULL)
		return (0);
	return (transport_entry_add(e, n, cap, name, len, is_dir, size));
}

int
s3xml_list(const char *xml, size_t len, const char *prefix,
    struct transport_entry **e, size_t *n, size_t *cap, int *truncated,
    char **token)
{
	xmlDocPtr doc;
	xmlNodePtr root, c;
	char *key, *sz, *end, *s;
	uint64_t size;
	int rc = -1;

	*truncated = 0;
	*token = NULL;
	if ((doc = parse(xml, len)) == NULL)
		return (-1);
	if ((root = xmlDocGetRootElement(doc)) == NULL ||
	    !is(root, "ListBucketResult"))
		goto out;
	for (c = root->children; c != NULL; c = c->next) {
		if (is(c, "Contents")) {
			key = text_of(c, "Key");
			size = 0;
			if ((sz = text_of(c, "Size")) != NULL) {
				size = strtoull(sz, &end, 10);
				if (end == sz || *end != '\0')
					size = 0;
			}
			xmlFree(sz);
			if (add(key, prefix, 0, size, e, n, cap)) {
				xmlFree(key);
				goto out;
			}
			xmlFree(key);
		} else if (is(c, "CommonPrefixes")) {
			key = text_of(c, "Prefix");
			if (add(key, prefix, 1, 0, e, n, cap)) {
				xmlFree(key);
				goto out;
			}
			xmlFree(key);
		}
	}
	if ((s = text_of(root, "IsTruncated")) != NULL)
		*truncated = strcmp(s, "true") == 0;
	xmlFree(s);
	if (*truncated) {
		if ((s = text_of(root, "NextContinuationToken")) == NULL ||
		    s[0] == '\0' || (*token = strdup(s)) == NULL) {
			xmlFree(s);
			goto out;
		}
		xmlFree(s);
	}
	rc = 0;
out:
	xmlFreeDoc(doc);
	return (rc);
}

/* Copy ${s} into ${buf} for a message: truncated, control bytes as '?'. */
static void
copy_clean(const char *s, char *buf, size_t len)
{
	size_t i;

	if (len == 0)
		return;
	for (i = 0; s != NULL && s[i] != '\0' && i + 1 < len; i++)
		buf[i] = ((unsigned char)s[i] < 0x20 || s[i] == 0x7f) ? '?' :
		    s[i];
	buf[i] = '\0';
}

void
s3xml_error(const char *xml, size_t len, char *code, size_t codelen,
    char *msg, size_t msglen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	char *s;

	copy_clean("", code, codelen);
	copy_clean("", msg, msglen);
	if ((doc = parse(xml, len)) == NULL)
		return;
	if ((root = xmlDocGetRootElement(doc)) != NULL && is(root, "Error")) {
		s = text_of(root, "Code");
		copy_clean(s, code, codelen);
		xmlFree(s);
		s = text_of(root, "Message");
		copy_clean(s, msg, msglen);
		xmlFree(s);
	}
	xmlFreeDoc(doc);
}

int
s3xml_lock_enabled(const char *xml, size_t len)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	char *s;
	int rc = -1;

	if ((doc = parse(xml, len)) == NULL)
		return (-1);
	if ((root = xmlDocGetRootElement(doc)) != NULL &&
	    is(root, "ObjectLockConfiguration")) {
		s = text_of(root, "ObjectLockEnabled");
		rc = s != NULL && strcmp(s, "Enabled") == 0;
		xmlFree(s);
	}
	xmlFreeDoc(doc);
	return (rc);
}

int
s3xml_retain_until(const char *xml, size_t len, char *out, size_t outlen)
{
	xmlDocPtr doc;
	xmlNodePtr root;
	char *s;
	int rc = -1;

	if ((doc = parse(xml, len)) == NULL)
		return (-1);
	if ((root = xmlDocGetRootElement(doc)) != NULL &&
	    is(root, "Retention") &&
	    (s = text_of(root, "RetainUntilDate")) != NULL) {
		if (strlen(s) < outlen) {
			memcpy(out, s, strlen(s) + 1);
			rc = 0;
		}
		xmlFree(s);
	}
	xmlFreeDoc(doc);
	return (rc);
}
