/* sdnotify.c - the notification protocol of sd_notify(3), by hand (see
 * sdnotify.h for why there is no libsystemd here). */
#include "sdnotify.h"

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#define STATE_MAX 4096

int sdnotify_open(struct sdnotify *n, const char *address)
{
	size_t len = address ? strlen(address) : 0;

	memset(n, 0, sizeof *n);
	n->fd = -1;
	if (len == 0)
		return 0;
	if (address[0] != '/' && address[0] != '@') {
		errno = EAFNOSUPPORT;
		return -1;
	}
	/* A path needs no terminating NUL when it fills sun_path; an abstract
	 * name is its bytes after the NUL that replaces '@', nothing more: a
	 * trailing NUL counted in the length would name another socket. */
	if (len > sizeof n->addr.sun_path) {
		errno = ENAMETOOLONG;
		return -1;
	}
	n->addr.sun_family = AF_UNIX;
	memcpy(n->addr.sun_path, address, len);
	if (address[0] == '@')
		n->addr.sun_path[0] = '\0';
	n->addrlen = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);

	n->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (n->fd < 0)
		return -1;
	/* A datagram to a full queue blocks the sender: a manager that stopped
	 * reading must not freeze the service for good. */
	struct timeval tv = {
		.tv_sec = SDNOTIFY_SEND_TIMEOUT_MS / 1000,
		.tv_usec = (SDNOTIFY_SEND_TIMEOUT_MS % 1000) * 1000,
	};
	if (setsockopt(n->fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv) < 0) {
		int saved = errno;
		close(n->fd);
		n->fd = -1;
		errno = saved;
		return -1;
	}
	return 0;
}

int sdnotify_send(const struct sdnotify *n, const char *state)
{
	size_t len = strlen(state);
	ssize_t sent;

	if (n->fd < 0)
		return 0;
	do
		sent = sendto(n->fd, state, len, MSG_NOSIGNAL,
		    (const struct sockaddr *)&n->addr, n->addrlen);
	while (sent < 0 && errno == EINTR);
	if (sent < 0)
		return -1;
	if ((size_t)sent != len) {
		errno = EMSGSIZE;
		return -1;
	}
	return 0;
}

int sdnotify_vsendf(const struct sdnotify *n, const char *fmt, va_list ap)
{
	char state[STATE_MAX];
	int len = vsnprintf(state, sizeof state, fmt, ap);

	if (len < 0)
		return -1;
	if ((size_t)len >= sizeof state) {
		errno = EMSGSIZE;
		return -1;
	}
	return sdnotify_send(n, state);
}

int sdnotify_sendf(const struct sdnotify *n, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = sdnotify_vsendf(n, fmt, ap);
	va_end(ap);
	return rc;
}

uint64_t sdnotify_monotonic_usec(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

int sdnotify_reloading(const struct sdnotify *n, const char *extra)
{
	/* The manager compares this time with when it asked for the reload, so
	 * it is read as late as possible: just before the datagram leaves. */
	return sdnotify_sendf(n, "RELOADING=1\nMONOTONIC_USEC=%llu%s%s",
	    (unsigned long long)sdnotify_monotonic_usec(), extra ? "\n" : "", extra ? extra : "");
}

void sdnotify_close(struct sdnotify *n)
{
	if (n->fd >= 0)
		close(n->fd);
	n->fd = -1;
}

/* A decimal number without sign, space or excess: what the manager writes. */
static int parse_decimal(const char *s, uint64_t max, uint64_t *out)
{
	uint64_t v = 0;

	if (*s == '\0')
		return -1;
	for (; *s; s++) {
		if (*s < '0' || *s > '9')
			return -1;
		unsigned digit = (unsigned)(*s - '0');
		if (v > (max - digit) / 10)
			return -1;
		v = v * 10 + digit;
	}
	*out = v;
	return 0;
}

int sdnotify_watchdog(const char *usec, const char *pid, pid_t self, uint64_t *interval)
{
	uint64_t us, p;

	if (!usec || !*usec)
		return 0;
	if (parse_decimal(usec, UINT64_MAX - 1, &us) < 0 || us == 0) {
		errno = EINVAL;
		return -1;
	}
	/* WATCHDOG_PID names the one process meant to ping: a child that
	 * inherited the variables must stay silent. */
	if (pid && *pid) {
		if (parse_decimal(pid, 0x7fffffff, &p) < 0 || p == 0) {
			errno = EINVAL;
			return -1;
		}
		if ((pid_t)p != self)
			return 0;
	}
	*interval = us;
	return 1;
}
