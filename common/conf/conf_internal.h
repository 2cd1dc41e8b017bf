#ifndef CONF_INTERNAL_H_
#define CONF_INTERNAL_H_

struct conf;

/**
 * conf_defaults(name):
 * A configuration of file ${name} holding every default of
 * sitevault.conf(5), its lists empty.  Return NULL if out of memory.
 */
struct conf *conf_defaults(const char *);

/**
 * conf_check(file, c, line, cookie):
 * Run the checks of ${c}, parsed from ${file}, that need the whole file
 * (required keys, keys that only make sense together: conf_check.c).
 * ${line}(${cookie}, key) is the line where server key ${key} was set, or
 * 0 if it was not.  Return 0 if ${c} passes, or -1 having logged why not.
 */
int conf_check(const char *, const struct conf *,
    unsigned int (*)(const void *, const char *), const void *);

#endif /* !CONF_INTERNAL_H_ */
