/* fdio.c — reading a whole small file, closing on an error path. */
#include <errno.h>
#include <unistd.h>

#include "fdio.h"

ssize_t fd_read_upto(int fd, char *buf, size_t cap)
{
    size_t len = 0;

    while (len < cap) {
        ssize_t n = read(fd, buf + len, cap - len);

        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return -1;
        if (n == 0)
            break;
        len += (size_t)n;
    }
    return (ssize_t)len;
}

void fd_close_keep_errno(int fd)
{
    int saved = errno;

    close(fd);
    errno = saved;
}
