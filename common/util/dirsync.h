#ifndef DIRSYNC_H_
#define DIRSYNC_H_

/*
 * Making a create, rename or unlink in a directory durable: the entry lives
 * in the directory, so the directory itself must be fsync'd.
 */

/**
 * dirsync_dir(dir):
 * fsync() the directory ${dir}.  Return 0, or -1 with errno set; logs
 * nothing, since the caller reports errors its own way (transports keep
 * them for their retry logic).
 */
int dirsync_dir(const char *);

/**
 * dirsync_parent(path):
 * fsync() the directory holding ${path} ("." if it has no '/').  Return as
 * dirsync_dir().
 */
int dirsync_parent(const char *);

#endif /* !DIRSYNC_H_ */
