/* fs.c - file-system helpers; see fs.h. */
#include "util/fs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

int fs_mkdir_p(const char *path, unsigned mode, char *err, size_t errsz)
{
	char dir[1024];
	int n = snprintf(dir, sizeof(dir), "%s", path);

	if (n < 0 || (size_t)n >= sizeof(dir) || n == 0) {
		snprintf(err, errsz, "directory name '%.100s' is empty or too long", path);
		return -1;
	}
	for (char *p = dir + 1; *p; p++) {
		if (*p != '/')
			continue;
		*p = '\0';
		if (mkdir(dir, (mode_t)mode) && errno != EEXIST)
			goto fail;
		*p = '/';
	}
	if (mkdir(dir, (mode_t)mode) && errno != EEXIST)
		goto fail;
	return 0;
fail:
	snprintf(err, errsz, "cannot create directory '%s': %s", dir, strerror(errno));
	return -1;
}

int fs_mkdir_parent(const char *file, unsigned mode, char *err, size_t errsz)
{
	char dir[1024];
	char *slash;
	int n = snprintf(dir, sizeof(dir), "%s", file);

	if (n < 0 || (size_t)n >= sizeof(dir)) {
		snprintf(err, errsz, "file name '%.100s' is too long", file);
		return -1;
	}
	slash = strrchr(dir, '/');
	if (!slash || slash == dir)
		return 0;
	*slash = '\0';
	return fs_mkdir_p(dir, mode, err, errsz);
}

void fs_fsync_parent(const char *path)
{
	char dir[1024];
	char *slash;
	int fd;

	snprintf(dir, sizeof(dir), "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		snprintf(dir, sizeof(dir), "%s", slash ? "/" : ".");
	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

int fs_write_new(const char *path, const void *data, size_t len, char *err, size_t errsz)
{
	const char *p = data;
	int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

	if (fd < 0) {
		snprintf(err, errsz, "cannot create '%s': %s", path, strerror(errno));
		return errno == EEXIST ? -2 : -1;
	}
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			goto fail;
		p += w;
		len -= (size_t)w;
	}
	if (fsync(fd))
		goto fail;
	close(fd);
	fs_fsync_parent(path);
	return 0;
fail:
	snprintf(err, errsz, "cannot write '%s': %s", path, strerror(errno));
	close(fd);
	unlink(path);
	return -1;
}

long fs_read_small(const char *path, void *buf, size_t max, char *err, size_t errsz)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t got = 0;

	if (fd < 0) {
		snprintf(err, errsz, "cannot open '%s': %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		ssize_t r = read(fd, (char *)buf + got, max - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			snprintf(err, errsz, "cannot read '%s': %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
		if (got == max) {
			char extra;

			if (read(fd, &extra, 1) > 0) {
				snprintf(err, errsz, "'%s' is larger than %zu bytes", path, max);
				close(fd);
				return -1;
			}
			break;
		}
	}
	close(fd);
	return (long)got;
}
