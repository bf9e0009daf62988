/* listenfds.c - the sd_listen_fds(3) rules, by hand (see listenfds.h). */
#include "listenfds.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>

/* A decimal number of at most max, without sign or space. */
static int parse_count(const char *s, long max, long *out)
{
	long v = 0;

	if (!s || *s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9' || v > (max - (*s - '0')) / 10)
			return -1;
		v = v * 10 + (*s - '0');
	}
	*out = v;
	return 0;
}

int listenfds_take(const char *listen_pid, const char *listen_fds, pid_t self)
{
	long pid, n;

	if (!listen_pid || !*listen_pid)
		return 0;
	if (parse_count(listen_pid, 0x7fffffff, &pid) < 0 || pid == 0) {
		errno = EINVAL;
		return -1;
	}
	if ((pid_t)pid != self)
		return 0;
	if (!listen_fds || !*listen_fds)
		return 0;
	if (parse_count(listen_fds, 0x7fffffff - LISTENFDS_START, &n) < 0) {
		errno = EINVAL;
		return -1;
	}
	/* The manager hands them over without close-on-exec (they had to cross
	 * its exec); here they belong to this process alone. */
	for (long fd = LISTENFDS_START; fd < LISTENFDS_START + n; fd++) {
		int flags = fcntl((int)fd, F_GETFD);
		if (flags < 0 || fcntl((int)fd, F_SETFD, flags | FD_CLOEXEC) < 0)
			return -1;
	}
	return (int)n;
}

int listenfds_is_listening_stream(int fd)
{
	int type = 0, listening = 0;
	socklen_t len = sizeof type;

	if (getsockopt(fd, SOL_SOCKET, SO_TYPE, &type, &len) < 0)
		return -1;
	if (type != SOCK_STREAM) {
		errno = EPROTOTYPE;
		return -1;
	}
	len = sizeof listening;
	if (getsockopt(fd, SOL_SOCKET, SO_ACCEPTCONN, &listening, &len) < 0)
		return -1;
	if (!listening) {
		errno = EINVAL;
		return -1;
	}
	return 0;
}
