#ifndef CONF_INTERNAL_H_
#define CONF_INTERNAL_H_

struct conf;

/**
 * conf_defaults(name):
 * A configuration of file ${name} holding every default of
 * sitevault.conf(5), its lists empty.  Return NULL if out of memory.
 */
struct conf *conf_defaults(const char *);

#endif /* !CONF_INTERNAL_H_ */
