#ifndef STAGE_H_
#define STAGE_H_

/*
 * Staging directories of a restore, and the file-descriptor primitives the
 * commit is built on.  A restore extracts into a private staging directory
 * (mode 0700, made here) beside its first target, on the same filesystem,
 * and commit.h moves what it holds into place.  Nothing here follows a
 * symlink in any component of a path, and trees are removed through
 * directory descriptors (openat/unlinkat/fstatat with AT_SYMLINK_NOFOLLOW),
 * never by path names in a directory that another user may write.
 */

/**
 * stage_open_dir(path, mode):
 * Open the absolute ${path} as a directory (O_RDONLY | O_DIRECTORY) without
 * following a symlink in any component (openat2 RESOLVE_NO_SYMLINKS, else a
 * walk with O_NOFOLLOW).  If ${mode} is not 0, missing components are
 * created with that mode.  Return the descriptor, or -1 with errno set
 * (ELOOP: a component is a symlink; ENOTDIR: not a directory); nothing is
 * logged.
 */
int stage_open_dir(const char *, int);

/**
 * stage_open_below(dirfd, rel):
 * Open the relative path ${rel} beneath the directory ${dirfd} as a
 * directory without following a symlink in any component and without
 * leaving ${dirfd} ("..").  Return the descriptor, or -1 with errno set.
 */
int stage_open_below(int, const char *);

/**
 * stage_open_parent(path, mode, base):
 * Like stage_open_dir() for the directory holding ${path}; point ${*base}
 * at the last component of ${path} (inside ${path}).
 */
int stage_open_parent(const char *, int, const char **);

/**
 * stage_create(target):
 * Create an empty private staging directory beside ${target}, named
 * ".sitevault-restore.<name>.<pid>", creating ${target}'s parent if needed,
 * after removing the staging directories that killed restores left there
 * (the caller holds the run lock).  Return its malloc'd path, or NULL
 * after logging.
 */
char *stage_create(const char *);

/**
 * stage_same_fs(a, b):
 * Return 1 if ${a} and ${b} (or their nearest existing ancestors) are on
 * the same filesystem, 0 if not, -1 on error.
 */
int stage_same_fs(const char *, const char *);

/**
 * stage_remove_at(dirfd, name):
 * Remove ${name} in the directory ${dirfd} and, if it is a directory,
 * everything beneath it, through descriptors and without following
 * symlinks or crossing into another filesystem.  A missing name is
 * success.  Return 0 or -1 after logging.
 */
int stage_remove_at(int, const char *);

/**
 * stage_remove(path):
 * Remove the tree ${path} like stage_remove_at(), its parent opened with
 * stage_open_parent().  A missing path is success.  Return 0 or -1.
 */
int stage_remove(const char *);

/**
 * stage_count_at(dirfd, name):
 * The number of entries other than directories at and beneath ${name} in
 * ${dirfd} (0 if it is missing), without following symlinks.
 */
unsigned long long stage_count_at(int, const char *);

#endif /* !STAGE_H_ */
