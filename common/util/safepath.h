#ifndef SAFEPATH_H_
#define SAFEPATH_H_

#include <sys/stat.h>

/*
 * What root may trust (the rule of OpenSSH's StrictModes and safe_path,
 * sitevault(8) SECURITY): a file root acts on must not be writable by
 * anyone but root, nor sit in a directory someone else can write, or that
 * someone gets root's reach.  Every check is made on the opened file (no
 * race with a rename) and its directories above; nothing is checked when
 * the process is not root.
 */

/**
 * safepath_file(fd, path, what):
 * As root, refuse (EX_NOPERM) the file open on ${fd}, opened by the name
 * ${path}, if it is writable by group or others, owned by anyone but root,
 * or below a directory that is not owned by root or is writable by group or
 * others (a sticky directory such as /tmp is safe above an entry owned by
 * root).  ${what} names the kind of file in the message ("configuration
 * file"), which gives the fix.  Return 0, or -1 after logging.
 */
int safepath_file(int, const char *, const char *);

/**
 * safepath_dir(fd, path, what):
 * As safepath_file() for the directory open on ${fd}, except that it may be
 * owned by another user when every directory above it is owned by root and
 * writable by nobody else (then only root can have handed it over, as the
 * package does to its service user).  Its fstat() is stored in ${*st}
 * (also when not root).
 */
int safepath_dir(int, const char *, const char *, struct stat *);

/**
 * safepath_entry(fd, path, what, dirst):
 * As root, refuse (EX_NOPERM) the file open on ${fd} in a directory checked
 * by safepath_dir(), whose fstat() is ${dirst}, if it is writable by group
 * or others or owned by anyone but root and the directory's owner.
 */
int safepath_entry(int, const char *, const char *, const struct stat *);

#endif /* !SAFEPATH_H_ */
