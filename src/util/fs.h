/* fs.h - small file-system helpers with precise error messages. */
#ifndef SIGNAAL_UTIL_FS_H
#define SIGNAAL_UTIL_FS_H

#include <stddef.h>

/* mkdir -p with `mode` for the directories it creates. 0, or -1 with err. */
int fs_mkdir_p(const char *path, unsigned mode, char *err, size_t errsz);

/* mkdir -p of the directory that holds `file`. */
int fs_mkdir_parent(const char *file, unsigned mode, char *err, size_t errsz);

/*
 * Creates `path` with mode 0600 holding `len` bytes, durably (fsync of the
 * file and its directory).  Fails with -2 if the file exists: it is never
 * overwritten.  0, or -1/-2 with err.
 */
int fs_write_new(const char *path, const void *data, size_t len, char *err, size_t errsz);

/* fsync(2) of the directory that holds `path`, so that a new name in it is durable. */
void fs_fsync_parent(const char *path);

/* Reads a whole small file (at most max bytes) into buf; returns its length or -1 with err. */
long fs_read_small(const char *path, void *buf, size_t max, char *err, size_t errsz);

#endif
