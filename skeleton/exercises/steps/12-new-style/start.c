/* 12-new-style.c: the starting point of exercise 12 (new-style: under a
 * service manager).
 *
 * A small TCP service written the classic way, as steps 1 to 11 taught: it
 * daemonizes, logs to syslog, listens on a socket of its own and answers
 * each connection with one line, its greeting; SIGHUP re-reads the
 * greeting, SIGTERM stops it. Started from a shell it is a correct classic
 * daemon. Started by a service manager, most of its start-up is wrong, and
 * the manager hears nothing from it. Each TODO marks one thing to change.
 * Build and grade it with `make exercise 12` from the top of the kit.
 *
 * Usage: 12-new-style [GREETING-FILE]   (the first line of the file is the
 * greeting; without it, "hello"). */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include "steps.h"

/* 0: the kernel picks a free port (a real service has a fixed one; here two
 * copies must never collide). The port is logged. */
#define PORT 0

static const char *greeting_file;
static char greeting[256] = "hello";

/* TODO step 12: the journal is stderr: log there, one line per message
 * ("12-new-style: info: ..."), instead of to syslog. */
static void logline(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logline(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsyslog(LOG_INFO, fmt, ap);
    va_end(ap);
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
    /* TODO step 12: tell the manager first: "RELOADING=1" and, in the same
     * datagram, "MONOTONIC_USEC=" the CLOCK_MONOTONIC time in microseconds. */
    load_greeting();
    logline("reloaded: greeting \"%s\"", greeting);
    /* TODO step 12: then "READY=1" again: the reload is over. */
}

/* Until SIGTERM or SIGINT. */
static void serve(int listener, int sigfd)
{
    struct pollfd pfd[2] = { { .fd = sigfd, .events = POLLIN },
                             { .fd = listener, .events = POLLIN } };
    struct signalfd_siginfo si;

    for (;;) {
        /* TODO step 12: with a watchdog (WATCHDOG_USEC set, and
         * WATCHDOG_PID unset or our pid), send "WATCHDOG=1" every half
         * interval: wake for it with poll()'s timeout. */
        int n = poll(pfd, 2, -1);

        if (n < 0 && errno == EINTR)
            continue;
        step_check(n, "wait for events");
        if (pfd[0].revents && read(sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
            if (si.ssi_signo != SIGHUP)
                return;
            reload();
        }
        if (pfd[1].revents)
            answer(listener);
    }
}

int main(int argc, char **argv)
{
    greeting_file = argc > 1 ? argv[1] : NULL;
    /* TODO step 12: the service manager has already done all of this, and
     * more (see the tutorial's page): no close_range(), no fork, no setsid,
     * no chdir, no umask, no /dev/null on 0-2, no syslog. The process the
     * manager started must stay the service. close_range() would even close
     * the socket the manager passes as descriptor 3. */
    step_check(close_range(3, ~0U, 0), "close inherited descriptors");
    step_check(step_reset_signals(), "reset signal dispositions and mask");
    if (step_fork() > 0)
        _exit(0);
    step_open_log();
    step_check(setsid(), "create a new session");
    if (step_fork() > 0)
        _exit(0);
    step_check(chdir("/"), "change directory to /");
    umask(0);
    step_check(step_stdio_to_dev_null(), "redirect stdio to /dev/null");

    /* TODO step 12: take in the manager's variables, then unset them all
     * (NOTIFY_SOCKET, LISTEN_PID, LISTEN_FDS, LISTEN_FDNAMES, WATCHDOG_USEC,
     * WATCHDOG_PID), so that no child ever takes them for its own. */
    int sigfd = signal_events();
    load_greeting();
    /* TODO step 12: when LISTEN_PID is our pid and LISTEN_FDS is 1 or more,
     * serve on descriptor 3, the socket the manager passed; only otherwise
     * listen on a socket of our own. */
    int listener = listen_on_own();
    /* TODO step 12: now, and not before, the service can serve: send
     * "READY=1" to the AF_UNIX datagram address in NOTIFY_SOCKET (a path,
     * or an abstract name written with a leading '@'). */
    serve(listener, sigfd);
    /* TODO step 12: say "STOPPING=1" first. */
    logline("stopping");
    close(listener);
    return 0;
}
