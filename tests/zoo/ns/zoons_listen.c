/* zoons_listen.c — where the zoo's new-style service listens: the socket
 * its manager passed (sd_listen_fds(3), by hand), or one of its own. */
#include "zoons.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define LISTEN_FDS_START 3

/* A decimal number that fills the whole string, in [1, max]; 0 otherwise. */
static long whole_number(const char *s, long max)
{
    char *end;
    long v;

    if (!s || !*s)
        return 0;
    errno = 0;
    v = strtol(s, &end, 10);
    if (errno != 0 || *end != '\0' || v < 1 || v > max)
        return 0;
    return v;
}

static int is_listening_stream(int fd)
{
    int type = 0, listening = 0;
    socklen_t len = sizeof type;

    if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
        return -1;
    len = sizeof listening;
    if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
        return -1;
    return type == SOCK_STREAM && listening;
}

int zoons_listen_fds(void)
{
    long pid = whole_number(getenv("LISTEN_PID"), INT_MAX);
    long n = whole_number(getenv("LISTEN_FDS"), INT_MAX - LISTEN_FDS_START);
    int ok;

    /* Descriptors meant for another process (the one that LISTEN_PID
     * names, before it forked us) are not ours to take. */
    if (pid == 0 || (pid_t)pid != getpid() || n == 0)
        return 0;
    ok = is_listening_stream(LISTEN_FDS_START);
    if (ok < 0)
        return -1;
    if (!ok) {
        errno = ENOTSOCK;
        return -1;
    }
    if (fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC) < 0)
        return -1;
    return 1;
}

int zoons_listen_own(uint16_t *port)
{
    struct sockaddr_in sa;
    socklen_t len = sizeof sa;
    int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    int err;

    if (fd < 0)
        return -1;
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0 || listen(fd, 16) < 0 ||
        getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
        goto fail;
    *port = ntohs(sa.sin_port);
    return fd;
fail:
    err = errno;
    close(fd);
    errno = err;
    return -1;
}
