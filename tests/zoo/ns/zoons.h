/* zoons.h — the zoo's new-style daemon recipe, with a switch per fault.
 *
 * The classic zoo (../zoo.h) daemonizes; this one does not: each program
 * under daemons/ is a service written for a service manager (daemon(7)
 * "New-Style Daemons", systemd Type=notify). It starts from zoons_correct,
 * gets exactly one thing wrong, and hands the recipe to zoons_main().
 *
 * The correct service, as the checker's new-style profile starts it:
 *  - reads NOTIFY_SOCKET, LISTEN_FDS/LISTEN_PID and WATCHDOG_USEC/
 *    WATCHDOG_PID, then unsets them, so that no child of its own inherits
 *    them;
 *  - serves TCP on the passed descriptor 3, or, when none was passed to it,
 *    on a socket of its own on 127.0.0.1 (an ephemeral port, logged): each
 *    connection gets one line, then is closed;
 *  - sends READY=1 once it serves, WATCHDOG=1 every half interval from its
 *    main loop, RELOADING=1 with MONOTONIC_USEC= then READY=1 on SIGHUP,
 *    STOPPING=1 on SIGTERM, then exits 0;
 *  - logs a line to stderr (the journal) at each of those moments.
 *
 * Usage of every program: NAME (no argument).
 */
#ifndef ZOONS_H
#define ZOONS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/un.h>

/* Who says READY=1, and when. */
enum zoons_ready {
    ZOONS_READY_SERVING,    /* the main process, once it serves */
    ZOONS_READY_EARLY,      /* the main process, before its start-up work:
                               it serves only after the first signal */
    ZOONS_READY_CHILD       /* a helper child that inherited NOTIFY_SOCKET */
};

/* What SIGHUP does. */
enum zoons_reload {
    ZOONS_RELOAD_NOTIFY,        /* RELOADING=1 + MONOTONIC_USEC=, then READY=1 */
    ZOONS_RELOAD_NO_READY,      /* RELOADING=1 + MONOTONIC_USEC=, and no READY=1 */
    ZOONS_RELOAD_NO_MONOTONIC,  /* RELOADING=1 alone, then READY=1 */
    ZOONS_RELOAD_DEFAULT        /* nothing caught: SIGHUP's default action kills it */
};

/* Who pings the watchdog. */
enum zoons_watchdog {
    ZOONS_WATCHDOG_LOOP,    /* the main loop */
    ZOONS_WATCHDOG_THREAD,  /* a thread of the main process */
    ZOONS_WATCHDOG_CHILD,   /* a child process */
    ZOONS_WATCHDOG_NEVER    /* nobody: WATCHDOG_USEC is ignored */
};

/* Whether the started process stays the service. */
enum zoons_fork {
    ZOONS_FOREGROUND,       /* it does */
    ZOONS_FORK_AWAY,        /* classic daemonizing: fork, setsid, the parent
                               exits once the child is ready */
    ZOONS_FORK_MAINPID      /* the same, but the child's READY=1 carries
                               MAINPID= naming itself */
};

struct zoons_recipe {
    enum zoons_fork fork;
    enum zoons_ready ready;
    bool abstract_as_path;      /* "@name" used as a path, not as an abstract name */
    enum zoons_reload reload;
    bool stopping;              /* STOPPING=1 on SIGTERM */
    enum zoons_watchdog watchdog;
    bool use_listen_fds;        /* serve on the passed descriptor 3 */
    bool stdio_devnull;         /* 1 and 2 moved to /dev/null, off the journal */
    bool ignore_sigterm;
    bool drop_privileges;       /* as root, become nobody before serving and notifying
                                   (as squid's workers do): not a fault */
};

/* Everything right. */
extern const struct zoons_recipe zoons_correct;

/* Runs the service; returns the exit status of the process that returns
 * (the started process, or its parent side when it forks away). */
int zoons_main(const struct zoons_recipe *r, int argc, char **argv);

/* sd_notify(3), by hand (zoons_notify.c). Each returns -1 with errno on
 * failure and prints nothing. */
struct zoons_notify {
    struct sockaddr_un addr;
    socklen_t len;              /* 0: no NOTIFY_SOCKET, nothing is sent */
};

/* Turns a NOTIFY_SOCKET value into an address: "/path", or "@name" for an
 * abstract name (the @ becomes the NUL byte that starts sun_path, and the
 * length counts only the bytes used). With as_path, "@name" is taken for a
 * (relative) path instead, which is the fault. */
int zoons_notify_address(const char *spec, bool as_path, struct zoons_notify *n);

/* One datagram holding msg; nothing when n->len is 0. */
int zoons_notify_send(const struct zoons_notify *n, const char *msg);

/* CLOCK_MONOTONIC in microseconds, as MONOTONIC_USEC= wants it. */
uint64_t zoons_monotonic_usec(void);

/* sd_listen_fds(3), by hand: 1 when LISTEN_PID names us and LISTEN_FDS is
 * at least 1 and descriptor 3 is a listening socket (then close-on-exec),
 * 0 when nothing was passed to us, -1 with errno on a malformed pass. */
int zoons_listen_fds(void);

/* A listening TCP socket of our own on 127.0.0.1, on an ephemeral port,
 * stored in *port. Returns the descriptor. */
int zoons_listen_own(uint16_t *port);

#endif
