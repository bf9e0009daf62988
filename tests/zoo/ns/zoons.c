/* zoons.c — the zoo's new-style service (zoons.h): set-up, readiness, the
 * main loop of signals, connections and watchdog pings, and the one
 * fault that a program's recipe asks for.
 *
 * Signals are events: SIGHUP and SIGTERM are blocked from the first line
 * and read from a signalfd in the main loop, so none can arrive before
 * the service knows what to do with it. */
#include "zoons.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <grp.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

const struct zoons_recipe zoons_correct = {
    .fork = ZOONS_FOREGROUND,
    .ready = ZOONS_READY_SERVING,
    .abstract_as_path = false,
    .reload = ZOONS_RELOAD_NOTIFY,
    .stopping = true,
    .watchdog = ZOONS_WATCHDOG_LOOP,
    .use_listen_fds = true,
    .stdio_devnull = false,
    .ignore_sigterm = false,
};

struct service {
    const struct zoons_recipe *r;
    const char *prog;
    struct zoons_notify notify;
    bool notify_failed;         /* said once in the journal, not at every ping */
    bool activated;             /* descriptor 3 was passed to us */
    int listen_fd;              /* -1 until it serves */
    int sigfd;
    uint64_t watchdog_usec;     /* 0: no watchdog asked of us */
    uint64_t next_ping;         /* CLOCK_MONOTONIC µs */
    int helper_fd;              /* write end that keeps a ping helper going */
    pid_t helper_pid;
    pthread_t helper_thread;
    bool helper_is_thread;
};

/* --------------------------------------------------------------- output */

static void say(const struct service *s, const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s[%ld]: ", s->prog, (long)getpid());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

static _Noreturn void fatal(const struct service *s, const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    fprintf(stderr, "%s[%ld]: fatal: unable to ", s->prog, (long)getpid());
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fprintf(stderr, ": %s\n", strerror(err));
    exit(111);
}

/* A failed notification is logged, not fatal: sd_notify's callers carry
 * on, which is why a wrong address goes unnoticed in real services. */
static void notify(struct service *s, const char *msg)
{
    if (zoons_notify_send(&s->notify, msg) == 0 || s->notify_failed)
        return;
    s->notify_failed = true;
    say(s, "unable to notify the service manager: %s", strerror(errno));
}

/* ---------------------------------------------------------------- set-up */

static void trap_signals(struct service *s)
{
    const struct zoons_recipe *r = s->r;
    sigset_t set;

    /* A journal that goes away must not kill the service with SIGPIPE
     * (systemd ignores SIGPIPE for its services for the same reason). */
    if (signal(SIGPIPE, SIG_IGN) == SIG_ERR)
        fatal(s, "ignore SIGPIPE");
    if (r->ignore_sigterm && signal(SIGTERM, SIG_IGN) == SIG_ERR)
        fatal(s, "ignore SIGTERM");
    sigemptyset(&set);
    if (!r->ignore_sigterm)
        sigaddset(&set, SIGTERM);
    if (r->reload != ZOONS_RELOAD_DEFAULT)
        sigaddset(&set, SIGHUP);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        fatal(s, "block SIGHUP and SIGTERM");
    s->sigfd = signalfd(-1, &set, SFD_CLOEXEC);
    if (s->sigfd < 0)
        fatal(s, "create a signalfd");
}

static uint64_t watchdog_asked(void)
{
    const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
    char *end;
    unsigned long long v;

    if (!usec)
        return 0;
    /* WATCHDOG_PID names the process the manager expects to ping: ours
     * only when it is unset or names us (sd_watchdog_enabled(3)). */
    if (pid && strtol(pid, NULL, 10) != (long)getpid())
        return 0;
    errno = 0;
    v = strtoull(usec, &end, 10);
    if (errno != 0 || *end != '\0' || v == 0)
        return 0;
    return v;
}

/* Everything the manager said through the environment, read once; then
 * the environment is cleaned so that no child inherits it, except in the
 * fault where a helper child does the notifying. */
static void read_environment(struct service *s)
{
    const struct zoons_recipe *r = s->r;
    const char *spec = getenv("NOTIFY_SOCKET");

    if (spec && zoons_notify_address(spec, r->abstract_as_path, &s->notify) < 0)
        fatal(s, "use NOTIFY_SOCKET=%s", spec);
    if (r->use_listen_fds) {
        int n = zoons_listen_fds();

        if (n < 0)
            fatal(s, "use the passed descriptor 3");
        s->activated = n > 0;
    }
    if (r->watchdog != ZOONS_WATCHDOG_NEVER)
        s->watchdog_usec = watchdog_asked();
    if (r->ready != ZOONS_READY_CHILD)
        unsetenv("NOTIFY_SOCKET");
    unsetenv("LISTEN_FDS");
    unsetenv("LISTEN_PID");
    unsetenv("LISTEN_FDNAMES");
    unsetenv("WATCHDOG_USEC");
    unsetenv("WATCHDOG_PID");
}

static void stdio_to_devnull(struct service *s)
{
    int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

    if (fd < 0)
        fatal(s, "open /dev/null");
    if (dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
        fatal(s, "redirect stdout and stderr to /dev/null");
    close(fd);
}

/* Root gives itself up, as many services do once their privileged set-up
 * is done; anyone else has nothing to give up. */
static void drop_to_nobody(struct service *s)
{
    const uid_t nobody = 65534;

    if (geteuid() != 0)
        return;
    if (setgroups(0, NULL) < 0 || setgid(nobody) < 0 || setuid(nobody) < 0)
        fatal(s, "become nobody");
}

static void start_serving(struct service *s)
{
    uint16_t port;

    if (s->activated) {
        s->listen_fd = 3;
        say(s, "serving on the passed descriptor 3");
        return;
    }
    s->listen_fd = zoons_listen_own(&port);
    if (s->listen_fd < 0)
        fatal(s, "listen on 127.0.0.1");
    say(s, "serving on 127.0.0.1:%u", (unsigned)port);
}

/* ------------------------------------------------------------ readiness */

/* The helper that a start-up script would be: it finds NOTIFY_SOCKET in
 * the environment it inherited, and speaks for the service. */
static void ready_from_child(struct service *s)
{
    pid_t pid = fork();
    int status;

    if (pid < 0)
        fatal(s, "fork the readiness helper");
    if (pid == 0) {
        struct zoons_notify n = { .len = 0 };
        const char *spec = getenv("NOTIFY_SOCKET");

        if (spec && zoons_notify_address(spec, false, &n) < 0)
            _exit(111);
        _exit(zoons_notify_send(&n, "READY=1\nSTATUS=serving") < 0 ? 111 : 0);
    }
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            fatal(s, "wait for the readiness helper");
}

static void say_ready(struct service *s)
{
    char msg[64];

    switch (s->r->ready) {
    case ZOONS_READY_CHILD:
        ready_from_child(s);
        break;
    case ZOONS_READY_SERVING:
    case ZOONS_READY_EARLY:
        if (s->r->fork == ZOONS_FORK_MAINPID)
            snprintf(msg, sizeof msg, "READY=1\nMAINPID=%ld\nSTATUS=serving", (long)getpid());
        else
            snprintf(msg, sizeof msg, "READY=1\nSTATUS=%s",
                     s->listen_fd >= 0 ? "serving" : "starting");
        notify(s, msg);
        break;
    }
    say(s, "ready");
}

/* ------------------------------------------------------------- watchdog */

static int ping_interval_ms(const struct service *s)
{
    uint64_t ms = s->watchdog_usec / 2000u;

    return ms < 1 ? 1 : ms > 60000 ? 60000 : (int)ms;
}

/* The body of a ping helper, thread or process: a ping every half
 * interval until the main process closes the other end of fd. */
static void ping_until_hangup(struct service *s, int fd)
{
    struct pollfd pfd = { .fd = fd, .events = POLLIN };
    int n;

    for (;;) {
        n = poll(&pfd, 1, ping_interval_ms(s));
        if (n > 0 || (n < 0 && errno != EINTR))
            return;
        if (n == 0)
            zoons_notify_send(&s->notify, "WATCHDOG=1");
    }
}

struct thread_arg {
    struct service *s;
    int fd;
};

static void *ping_thread(void *p)
{
    struct thread_arg *a = p;

    ping_until_hangup(a->s, a->fd);
    close(a->fd);
    free(a);
    return NULL;
}

static void start_helper(struct service *s)
{
    int pipefd[2];

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        fatal(s, "create the watchdog pipe");
    s->helper_fd = pipefd[1];
    if (s->r->watchdog == ZOONS_WATCHDOG_THREAD) {
        struct thread_arg *a = malloc(sizeof *a);
        int err;

        if (!a)
            fatal(s, "allocate the watchdog thread's argument");
        a->s = s;
        a->fd = pipefd[0];
        err = pthread_create(&s->helper_thread, NULL, ping_thread, a);
        if (err != 0) {
            errno = err;
            fatal(s, "start the watchdog thread");
        }
        s->helper_is_thread = true;
        return;
    }
    s->helper_pid = fork();
    if (s->helper_pid < 0)
        fatal(s, "fork the watchdog process");
    if (s->helper_pid == 0) {
        close(pipefd[1]);
        ping_until_hangup(s, pipefd[0]);
        _exit(0);
    }
    close(pipefd[0]);
}

static void start_watchdog(struct service *s)
{
    if (s->watchdog_usec == 0)
        return;
    if (s->r->watchdog == ZOONS_WATCHDOG_LOOP) {
        notify(s, "WATCHDOG=1");
        s->next_ping = zoons_monotonic_usec() + s->watchdog_usec / 2;
        return;
    }
    start_helper(s);
}

static void stop_watchdog(struct service *s)
{
    if (s->helper_fd < 0)
        return;
    close(s->helper_fd);
    s->helper_fd = -1;
    if (s->helper_is_thread) {
        pthread_join(s->helper_thread, NULL);
        return;
    }
    while (waitpid(s->helper_pid, NULL, 0) < 0)
        if (errno != EINTR)
            fatal(s, "wait for the watchdog process");
}

/* The main loop's own pings; returns the poll timeout until the next. */
static int ping_if_due(struct service *s)
{
    uint64_t now;

    if (s->watchdog_usec == 0 || s->r->watchdog != ZOONS_WATCHDOG_LOOP)
        return -1;
    now = zoons_monotonic_usec();
    if (now >= s->next_ping) {
        notify(s, "WATCHDOG=1");
        s->next_ping = now + s->watchdog_usec / 2;
    }
    return (int)((s->next_ping - now + 999) / 1000);
}

/* ------------------------------------------------------------ the events */

static void reload(struct service *s)
{
    char msg[80];

    snprintf(msg, sizeof msg, "RELOADING=1\nMONOTONIC_USEC=%llu",
             (unsigned long long)zoons_monotonic_usec());
    say(s, "reloading");
    notify(s, s->r->reload == ZOONS_RELOAD_NO_MONOTONIC ? "RELOADING=1" : msg);
    /* (the configuration would be read again here) */
    if (s->r->reload == ZOONS_RELOAD_NO_READY)
        return;
    notify(s, "READY=1\nSTATUS=serving");
    say(s, "reloaded");
}

static void answer(struct service *s)
{
    char line[64];
    int fd = accept4(s->listen_fd, NULL, NULL, SOCK_CLOEXEC);
    int len;

    if (fd < 0) {
        if (errno != EINTR && errno != ECONNABORTED)
            say(s, "unable to accept a connection: %s", strerror(errno));
        return;
    }
    len = snprintf(line, sizeof line, "%s: hello\n", s->prog);
    if (send(fd, line, (size_t)len, MSG_NOSIGNAL) < 0)
        say(s, "unable to answer a connection: %s", strerror(errno));
    close(fd);
}

/* The signal read, or 0 when there was none. */
static int next_signal(struct service *s)
{
    struct signalfd_siginfo si;
    ssize_t n = read(s->sigfd, &si, sizeof si);

    if (n < 0 && errno == EINTR)
        return 0;
    if (n != (ssize_t)sizeof si)
        fatal(s, "read the signalfd");
    return (int)si.ssi_signo;
}

static void serve(struct service *s)
{
    for (;;) {
        struct pollfd pfd[2] = {
            { .fd = s->sigfd, .events = POLLIN },
            { .fd = s->listen_fd, .events = POLLIN },
        };
        int timeout = ping_if_due(s);
        int n = poll(pfd, s->listen_fd >= 0 ? 2 : 1, timeout);
        int sig;

        if (n < 0 && errno != EINTR)
            fatal(s, "poll");
        if (n <= 0)
            continue;
        if (s->listen_fd >= 0 && (pfd[1].revents & POLLIN))
            answer(s);
        if (!(pfd[0].revents & POLLIN))
            continue;
        sig = next_signal(s);
        /* The fault of ready-early: the start-up work that READY=1 did
         * not wait for ends only with the manager's first signal. */
        if (sig != 0 && s->listen_fd < 0)
            start_serving(s);
        if (sig == SIGHUP)
            reload(s);
        if (sig == SIGTERM)
            return;
    }
}

/* --------------------------------------------------------------- forking */

/* Classic daemonizing, under a manager that wants no such thing: returns
 * in the child, with *ready_fd the end on which to say "ready" to the
 * parent, which waits for that and exits 0. */
static void fork_away(struct service *s, int *ready_fd)
{
    int pipefd[2];
    pid_t pid;
    char byte;
    ssize_t n;

    if (pipe2(pipefd, O_CLOEXEC) < 0)
        fatal(s, "create the readiness pipe");
    pid = fork();
    if (pid < 0)
        fatal(s, "fork");
    if (pid > 0) {
        close(pipefd[1]);
        do
            n = read(pipefd[0], &byte, 1);
        while (n < 0 && errno == EINTR);
        _exit(n == 1 ? 0 : 1);
    }
    close(pipefd[0]);
    if (setsid() < 0)
        fatal(s, "create a session");
    *ready_fd = pipefd[1];
}

int zoons_main(const struct zoons_recipe *r, int argc, char **argv)
{
    struct service s;
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;
    int ready_fd = -1;

    memset(&s, 0, sizeof s);
    s.r = r;
    s.prog = slash ? slash + 1 : argc > 0 ? argv[0] : "zoons";
    s.listen_fd = s.helper_fd = -1;
    trap_signals(&s);
    read_environment(&s);
    if (r->stdio_devnull)
        stdio_to_devnull(&s);
    if (r->drop_privileges)
        drop_to_nobody(&s);
    if (r->fork != ZOONS_FOREGROUND)
        fork_away(&s, &ready_fd);
    if (r->ready != ZOONS_READY_EARLY)
        start_serving(&s);
    say_ready(&s);
    if (ready_fd >= 0 && (write(ready_fd, "", 1) != 1 || close(ready_fd) < 0))
        fatal(&s, "tell the parent that the service is ready");
    start_watchdog(&s);
    serve(&s);
    say(&s, "stopping");
    stop_watchdog(&s);
    if (r->stopping)
        notify(&s, "STOPPING=1");
    return 0;
}
