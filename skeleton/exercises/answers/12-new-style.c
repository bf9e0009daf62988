/* 12-new-style.c: an answer to exercise 12 (new-style: under a service
 * manager): the starting file's service, made a new-style one.
 *
 * It no longer daemonizes: the process the manager started is the service,
 * in the session, directory, umask and descriptors the manager gave it, and
 * stderr, the journal, is its log. It tells the manager how it is doing
 * through NOTIFY_SOCKET: READY=1 once it can serve, RELOADING=1 (with
 * MONOTONIC_USEC=) then READY=1 around a reload, WATCHDOG=1 every half
 * watchdog interval, STOPPING=1 on the way out. It serves on the socket the
 * manager passes (LISTEN_FDS), and on one of its own only when none is.
 * `diff -u skeleton/exercises/steps/12-new-style/start.c
 * skeleton/exercises/answers/12-new-style.c` shows the step.
 *
 * Usage: 12-new-style [GREETING-FILE]   (the first line of the file is the
 * greeting; without it, "hello"). */
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "steps.h"

/* 0: the kernel picks a free port (a real service has a fixed one; here two
 * copies must never collide). The port is logged. */
#define PORT 0
#define LISTEN_FDS_START 3      /* the first socket a manager passes */

static const char *greeting_file;
static char greeting[256] = "hello";

static int notify_fd = -1;      /* -1: no manager listens */
static struct sockaddr_un notify_addr;
static socklen_t notify_len;

/* The journal is stderr: one line per message. */
static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logline(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "12-new-style: info: ");
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

/* NOTIFY_SOCKET: a path, or an abstract name written "@name". An abstract
 * name starts with a NUL byte instead of the '@', and its length counts
 * only the bytes used: no terminating NUL. */
static void notify_open(const char *address)
{
    size_t len = address ? strlen(address) : 0;

    if (len == 0)
        return;
    if ((address[0] != '/' && address[0] != '@') || len > sizeof notify_addr.sun_path) {
        logline("NOTIFY_SOCKET=%s: not an address this service can use", address);
        return;
    }
    notify_addr.sun_family = AF_UNIX;
    memcpy(notify_addr.sun_path, address, len);
    if (address[0] == '@')
        notify_addr.sun_path[0] = '\0';
    notify_len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + len);
    notify_fd = step_check(socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0),
                           "create the notification socket");
}

/* One datagram of KEY=VALUE lines. A failure is logged, never fatal. */
static void notify(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void notify(const char *fmt, ...)
{
    char msg[512];
    va_list ap;

    if (notify_fd < 0)
        return;
    va_start(ap, fmt);
    int len = vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (len < 0 || (size_t)len >= sizeof msg)
        return;
    if (sendto(notify_fd, msg, (size_t)len, MSG_NOSIGNAL,
               (const struct sockaddr *)&notify_addr, notify_len) < 0)
        logline("unable to notify the service manager: %s", strerror(errno));
}

static unsigned long long monotonic_usec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned long long)ts.tv_sec * 1000000u + (unsigned long long)ts.tv_nsec / 1000u;
}

/* Half the watchdog interval in microseconds, or 0: no pings are ours to
 * send (no watchdog, or WATCHDOG_PID names another process). */
static unsigned long long watchdog_half(const char *usec, const char *pid)
{
    if (!usec || (pid && strtol(pid, NULL, 10) != (long)getpid()))
        return 0;
    return strtoull(usec, NULL, 10) / 2;
}

/* Descriptor 3 when the manager passed sockets to this very process, else -1. */
static int passed_socket(const char *listen_pid, const char *listen_fds)
{
    if (!listen_pid || !listen_fds || strtol(listen_pid, NULL, 10) != (long)getpid() ||
        strtol(listen_fds, NULL, 10) < 1)
        return -1;
    /* Passed to us across the manager's exec; ours alone from now on. */
    step_check(fcntl(LISTEN_FDS_START, F_SETFD, FD_CLOEXEC), "keep descriptor 3 to ourselves");
    logline("serving on descriptor 3, passed by the service manager");
    return LISTEN_FDS_START;
}

/* The first line of the greeting file, if there is one. */
static void load_greeting(void)
{
    FILE *f = greeting_file ? fopen(greeting_file, "re") : NULL;

    if (f && fgets(greeting, sizeof greeting, f))
        greeting[strcspn(greeting, "\r\n")] = '\0';
    if (f)
        fclose(f);
}

/* 127.0.0.1:PORT, listening; the port it got is logged. */
static int listen_on_own(void)
{
    struct sockaddr_in in = { .sin_family = AF_INET, .sin_port = htons(PORT),
                              .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
    socklen_t len = sizeof in;
    int fd = step_check(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), "create a socket");

    step_check(bind(fd, (struct sockaddr *)&in, sizeof in), "bind 127.0.0.1 port %d", PORT);
    step_check(listen(fd, SOMAXCONN), "listen");
    step_check(getsockname(fd, (struct sockaddr *)&in, &len), "read the socket's address");
    logline("serving on 127.0.0.1:%u", (unsigned)ntohs(in.sin_port));
    return fd;
}

/* SIGHUP, SIGTERM and SIGINT blocked, and read from a signalfd by the loop. */
static int signal_events(void)
{
    sigset_t set;

    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    sigaddset(&set, SIGTERM);
    sigaddset(&set, SIGINT);
    step_check(sigprocmask(SIG_BLOCK, &set, NULL), "block signals");
    return step_check(signalfd(-1, &set, SFD_CLOEXEC), "create a signalfd");
}

static void answer(int listener)
{
    int conn = accept4(listener, NULL, NULL, SOCK_CLOEXEC);

    if (conn < 0)
        return;                 /* that client's trouble, not ours */
    dprintf(conn, "%s\n", greeting);
    close(conn);
}

static void reload(void)
{
    notify("RELOADING=1\nMONOTONIC_USEC=%llu", monotonic_usec());
    load_greeting();
    logline("reloaded: greeting \"%s\"", greeting);
    notify("READY=1");
}

/* poll()'s timeout: the milliseconds until the next ping, rounded up. */
static int ms_until(unsigned long long deadline)
{
    unsigned long long now = monotonic_usec();

    return deadline <= now ? 0 : (int)((deadline - now + 999) / 1000);
}

/* Until SIGTERM or SIGINT; WATCHDOG=1 every half interval when half > 0. */
static void serve(int listener, int sigfd, unsigned long long half)
{
    struct pollfd pfd[2] = { { .fd = sigfd, .events = POLLIN },
                             { .fd = listener, .events = POLLIN } };
    struct signalfd_siginfo si;
    unsigned long long next_ping = monotonic_usec() + half;

    for (;;) {
        int n = poll(pfd, 2, half ? ms_until(next_ping) : -1);

        if (n < 0 && errno == EINTR)
            continue;
        step_check(n, "wait for events");
        /* Pinged from the loop itself: a loop that hangs stops the pings. */
        if (half && monotonic_usec() >= next_ping) {
            notify("WATCHDOG=1");
            next_ping = monotonic_usec() + half;
        }
        if (pfd[0].revents && read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (si.ssi_signo != SIGHUP)
                return;
            reload();
        }
        if (pfd[1].revents)
            answer(listener);
    }
}

/* The manager's variables, read, then unset: a child must never take
 * them for its own (its READY=1 would be refused, or worse, believed). */
static const char *const manager_variables[] = {
    "NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
    "WATCHDOG_USEC", "WATCHDOG_PID",
};

int main(int argc, char **argv)
{
    greeting_file = argc > 1 ? argv[1] : NULL;
    /* No close_range(), fork, setsid, chdir, umask, /dev/null or syslog:
     * the manager has done all that, and this process stays the service. */
    notify_open(getenv("NOTIFY_SOCKET"));
    unsigned long long half = watchdog_half(getenv("WATCHDOG_USEC"), getenv("WATCHDOG_PID"));
    int passed = passed_socket(getenv("LISTEN_PID"), getenv("LISTEN_FDS"));
    for (size_t i = 0; i < sizeof manager_variables / sizeof manager_variables[0]; i++)
        unsetenv(manager_variables[i]);   /* no thread yet: nothing races */

    int sigfd = signal_events();
    load_greeting();
    int listener = passed >= 0 ? passed : listen_on_own();
    notify("READY=1");
    serve(listener, sigfd, half);
    notify("STOPPING=1");
    logline("stopping");
    close(listener);
    return 0;
}
