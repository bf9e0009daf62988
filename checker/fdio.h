/* fdio.h — the two descriptor chores that /proc and pidfile reading share. */
#ifndef CHECKER_FDIO_H
#define CHECKER_FDIO_H

#include <stddef.h>
#include <sys/types.h>

/* Read up to cap bytes, stopping early only at end of file (EINTR is
 * retried). The number read, or -1 with errno. */
ssize_t fd_read_upto(int fd, char *buf, size_t cap);

/* close(fd) without losing the errno that the caller is about to report. */
void fd_close_keep_errno(int fd);

#endif
