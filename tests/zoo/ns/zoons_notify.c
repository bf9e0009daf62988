/* zoons_notify.c — the sending end of sd_notify(3), written out, so that
 * the zoo depends on no libsystemd and can get the address wrong on
 * purpose (zoons.h). */
#include "zoons.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

int zoons_notify_address(const char *spec, bool as_path, struct zoons_notify *n)
{
    size_t len = strlen(spec);

    memset(n, 0, sizeof *n);
    n->addr.sun_family = AF_UNIX;
    /* vsock: and anything that is not a path or an abstract name are
     * sd_notify's too, but no manager that runs the zoo hands them out. */
    if (spec[0] != '/' && spec[0] != '@') {
        errno = EAFNOSUPPORT;
        return -1;
    }
    if (len >= sizeof n->addr.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    memcpy(n->addr.sun_path, spec, len);
    if (spec[0] == '@' && !as_path) {
        /* An abstract name is all of its bytes and no terminating NUL: one
         * byte more in the length and it names another socket. */
        n->addr.sun_path[0] = '\0';
        n->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    } else {
        n->len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len + 1);
    }
    return 0;
}

int zoons_notify_send(const struct zoons_notify *n, const char *msg)
{
    size_t len = strlen(msg);
    ssize_t sent;
    int fd, err;

    if (n->len == 0)
        return 0;
    fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sent = sendto(fd, msg, len, MSG_NOSIGNAL, (const struct sockaddr *)&n->addr, n->len);
    err = errno;
    close(fd);
    if (sent < 0) {
        errno = err;
        return -1;
    }
    if ((size_t)sent != len) {
        errno = EMSGSIZE;
        return -1;
    }
    return 0;
}

uint64_t zoons_monotonic_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}
