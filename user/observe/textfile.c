// SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
/* The temporary file lives in DIR itself, so that the rename stays within one file
 * system and is atomic. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "observe/textfile.h"

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t w = write(fd, buf, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		buf += w;
		len -= (size_t)w;
	}
	return 0;
}

int pc_textfile_write(const char *dir, const char *buf, size_t len, struct pc_err *e)
{
	char tmp[PATH_MAX], dst[PATH_MAX];
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s/." PC_TEXTFILE_NAME ".XXXXXX", dir) >=
		    (int)sizeof(tmp) ||
	    snprintf(dst, sizeof(dst), "%s/" PC_TEXTFILE_NAME, dir) >= (int)sizeof(dst))
		return pc_fail(e, ENAMETOOLONG, NULL, "--textfile %s", dir);
	fd = mkstemp(tmp);
	if (fd < 0)
		return pc_fail(e, errno, "give --textfile a directory this user may write",
			       "creating a temporary file in %s", dir);
	/* mkstemp makes it 0600; the collector may run as another user. */
	if (fchmod(fd, 0644) || write_all(fd, buf, len) || fsync(fd)) {
		err = errno;
		close(fd);
		unlink(tmp);
		return pc_fail(e, err, NULL, "writing %s", tmp);
	}
	if (close(fd) || rename(tmp, dst)) {
		err = errno;
		unlink(tmp);
		return pc_fail(e, err, NULL, "renaming %s to %s", tmp, dst);
	}
	return 0;
}
