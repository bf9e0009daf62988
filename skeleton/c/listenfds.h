/* listenfds.h - socket activation received by hand, by the rules of
 * sd_listen_fds(3): the service manager opens the listening sockets, passes
 * them as descriptors 3, 4, ... and says so in $LISTEN_FDS, for the process
 * that $LISTEN_PID names and no other.
 *
 * Every function returns -1 and sets errno on failure; none prints.
 */
#ifndef SKELETON_LISTENFDS_H
#define SKELETON_LISTENFDS_H

#include <sys/types.h>

/* The first passed descriptor (SD_LISTEN_FDS_START). */
#define LISTENFDS_START 3

/* How many descriptors were passed to this process (SELF), from the values
 * of $LISTEN_PID and $LISTEN_FDS (either may be NULL): 0 when none, or when
 * they were meant for another process (a parent that did not unset them);
 * otherwise n >= 1, after setting close-on-exec on descriptors 3 to 3+n-1,
 * so that no program the service starts inherits them. Fails with EINVAL
 * when a value is malformed, EBADF when a promised descriptor is not open. */
int listenfds_take(const char *listen_pid, const char *listen_fds, pid_t self);

/* Succeeds when FD is a socket of type SOCK_STREAM on which listen() was
 * called (any address family). Otherwise fails with ENOTSOCK (not a
 * socket), EPROTOTYPE (not a stream socket) or EINVAL (a stream socket
 * that does not listen, as accept(2) would). */
int listenfds_is_listening_stream(int fd);

#endif
