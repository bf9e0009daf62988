/* sdnotify.h - telling the service manager how the service is doing, by
 * hand: the notification protocol of sd_notify(3) and the watchdog's
 * environment rules of sd_watchdog_enabled(3).
 *
 * Why no libsystemd: the whole protocol is one datagram of newline-separated
 * KEY=VALUE lines sent to the AF_UNIX address that $NOTIFY_SOCKET names. A
 * library dependency for that is not worth it, and the reference must build
 * anywhere, with or without systemd's headers, and run under any manager
 * that speaks the protocol.
 *
 * Every function returns -1 and sets errno on failure; none prints. A
 * failed notification is the caller's to log: it must never stop the
 * service.
 */
#ifndef SKELETON_SDNOTIFY_H
#define SKELETON_SDNOTIFY_H

#include <stdarg.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/un.h>

struct sdnotify {
	int fd;                    /* our datagram socket, or -1: nobody listens */
	struct sockaddr_un addr;   /* the manager's address */
	socklen_t addrlen;         /* counting only the bytes used */
};

/* Prepares to notify ADDRESS, the value of $NOTIFY_SOCKET: a path ("/run/
 * systemd/notify") or an abstract name written with a leading '@'. NULL or
 * "" means that no manager listens: every send is then a successful no-op.
 * Fails with EAFNOSUPPORT for any other form (vsock: is not supported) and
 * ENAMETOOLONG when the address does not fit in sun_path. */
int sdnotify_open(struct sdnotify *n, const char *address);

/* Sends STATE ("READY=1\nSTATUS=serving") as one datagram. Waits a bounded
 * time (SDNOTIFY_SEND_TIMEOUT_MS) when the manager's queue is full, then
 * fails with EAGAIN rather than block the service. */
int sdnotify_send(const struct sdnotify *n, const char *state);

/* The same, formatted; EMSGSIZE when the text exceeds 4 KiB. */
int sdnotify_sendf(const struct sdnotify *n, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int sdnotify_vsendf(const struct sdnotify *n, const char *fmt, va_list ap)
    __attribute__((format(printf, 2, 0)));

/* RELOADING=1 with MONOTONIC_USEC= (CLOCK_MONOTONIC in microseconds, read
 * right before sending: Type=notify-reload requires it), followed by the
 * lines of EXTRA when it is not NULL. */
int sdnotify_reloading(const struct sdnotify *n, const char *extra);

/* Closes the socket; n is then a no-op notifier. */
void sdnotify_close(struct sdnotify *n);

/* CLOCK_MONOTONIC in microseconds. */
uint64_t sdnotify_monotonic_usec(void);

/* Whether this process (SELF) must send WATCHDOG=1, from the values of
 * $WATCHDOG_USEC and $WATCHDOG_PID (either may be NULL): returns 1 and
 * stores the interval in *usec when the watchdog is on and WATCHDOG_PID is
 * unset or SELF; 0 when there is no watchdog or it is another process's;
 * -1 with EINVAL when a value is malformed. Pings are due every *usec / 2. */
int sdnotify_watchdog(const char *usec, const char *pid, pid_t self, uint64_t *interval);

#define SDNOTIFY_SEND_TIMEOUT_MS 1000

#endif
