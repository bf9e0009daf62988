/* svclaunch.c — a command started as a service (see svclaunch.h).
 *
 * Between fork and exec the child makes system calls only, but for the
 * digits of its own pid, written into the environment built beforehand. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "svclaunch.h"

#define PID_DIGITS 10   /* room for any pid (at most 4194304) */

/* The variables a service manager passes on from its own environment. */
static const char *const kept_variables[] = {
    "PATH", "HOME", "USER", "LOGNAME", "LANG", "LC_ALL", "TZ",
};

static int add(struct service_env *e, size_t *n, const char *name, const char *value)
{
    size_t len = strlen(name) + 1 + strlen(value) + 1;
    char *s = malloc(len);

    if (!s)
        return -1;
    snprintf(s, len, "%s=%s", name, value);
    e->envp[(*n)++] = s;
    return 0;
}

/* NAME= followed by room for a pid, returned where the digits go. */
static char *add_pid_slot(struct service_env *e, size_t *n, const char *name)
{
    char blank[PID_DIGITS + 1];

    memset(blank, ' ', PID_DIGITS);
    blank[PID_DIGITS] = '\0';
    if (add(e, n, name, blank) < 0)
        return NULL;
    return e->envp[*n - 1] + strlen(name) + 1;
}

int service_env_build(struct service_env *e, const char *notify_socket, int listen_fd,
                      unsigned watchdog_ms)
{
    size_t n = 0, max = sizeof kept_variables / sizeof *kept_variables + 8;
    char usec[32];

    memset(e, 0, sizeof *e);
    e->envp = calloc(max, sizeof *e->envp);
    if (!e->envp)
        return -1;
    for (size_t i = 0; i < sizeof kept_variables / sizeof *kept_variables; i++) {
        const char *v = getenv(kept_variables[i]);
        if (v && add(e, &n, kept_variables[i], v) < 0)
            goto fail;
    }
    if (add(e, &n, "NOTIFY_SOCKET", notify_socket) < 0)
        goto fail;
    if (listen_fd >= 0 && (add(e, &n, "LISTEN_FDS", "1") < 0 ||
                           add(e, &n, "LISTEN_FDNAMES", "checker") < 0 ||
                           !(e->listen_pid = add_pid_slot(e, &n, "LISTEN_PID"))))
        goto fail;
    snprintf(usec, sizeof usec, "%llu", (unsigned long long)watchdog_ms * 1000ULL);
    if (watchdog_ms && (add(e, &n, "WATCHDOG_USEC", usec) < 0 ||
                        !(e->watchdog_pid = add_pid_slot(e, &n, "WATCHDOG_PID"))))
        goto fail;
    return 0;
fail:
    service_env_free(e);
    errno = ENOMEM;
    return -1;
}

void service_env_free(struct service_env *e)
{
    if (e->envp)
        for (char **v = e->envp; *v; v++)
            free(*v);
    free(e->envp);
    memset(e, 0, sizeof *e);
}

int service_listener(unsigned *port, const char **step)
{
    struct sockaddr_in sa = { .sin_family = AF_INET };
    socklen_t len = sizeof sa;
    int fd;

    *step = "socket";
    fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0)
        return -1;
    sa.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    *step = "bind to 127.0.0.1";
    if (bind(fd, (struct sockaddr *)&sa, sizeof sa) < 0)
        goto fail;
    *step = "listen";
    if (listen(fd, 16) < 0)
        goto fail;
    *step = "getsockname";
    if (getsockname(fd, (struct sockaddr *)&sa, &len) < 0)
        goto fail;
    *port = ntohs(sa.sin_port);
    return fd;
fail:
    fd_close_keep_errno(fd);
    return -1;
}

/* The pid's digits, right-aligned in the slot's blanks: the variable then
 * reads "LISTEN_PID=     1234", which is not a number. So the digits go
 * first and the rest of the slot is cut with a NUL. */
static void write_pid(char *slot, pid_t pid)
{
    char digits[PID_DIGITS];
    int n = 0;

    do
        digits[n++] = (char)('0' + pid % 10);
    while ((pid /= 10) > 0 && n < PID_DIGITS);
    for (int i = 0; i < n; i++)
        slot[i] = digits[n - 1 - i];
    slot[n] = '\0';
}

static _Noreturn void child_failed(int status_fd, enum launch_step step)
{
    struct launch_failure f = { step, errno };
    ssize_t n = write(status_fd, &f, sizeof f);

    (void)n;        /* nobody left to tell */
    _exit(127);
}

/* Descriptors are moved at or above this number first, so that putting
 * /dev/null, the journal and the listener on 0 to 3 never overwrites one
 * of them (a checker started with 0-2 closed gets low numbers). */
#define HIGH_FD 10

static int move_high(int *fd)
{
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, HIGH_FD);

    if (moved < 0)
        return -1;
    *fd = moved;    /* the old number is closed with the rest */
    return 0;
}

/* Close every descriptor from `from` up, but the two kept (b may be -1). */
static int close_all_but(unsigned from, int a, int b)
{
    unsigned lo = (unsigned)(b >= 0 && b < a ? b : a), hi = (unsigned)(b > a ? b : a);

    if (lo > from && close_range(from, lo - 1, 0) < 0)
        return -1;
    if (hi > lo + 1 && close_range(lo + 1, hi - 1, 0) < 0)
        return -1;
    return close_range(hi + 1, ~0U, 0);
}

static _Noreturn void become_service(char *const argv[], const struct service_env *e,
                                     int listen_fd, int journal, int status_fd,
                                     int go_fd, const struct tracer *tr)
{
    sigset_t none;
    int null;

    if (move_high(&status_fd) < 0 || move_high(&journal) < 0 ||
        (listen_fd >= 0 && move_high(&listen_fd) < 0) || (go_fd >= 0 && move_high(&go_fd) < 0))
        child_failed(status_fd, LS_SVC_CLOSE_FDS);
    if (setsid() < 0)
        child_failed(status_fd, LS_SVC_SETSID);
    if (e->listen_pid)
        write_pid(e->listen_pid, getpid());
    if (e->watchdog_pid)
        write_pid(e->watchdog_pid, getpid());
    null = open("/dev/null", O_RDONLY);
    if (null < 0 || dup2(null, 0) < 0)
        child_failed(status_fd, LS_SVC_STDIN);
    if (dup2(journal, 1) < 0 || dup2(journal, 2) < 0)
        child_failed(status_fd, LS_SVC_JOURNAL);
    if (listen_fd >= 0 && dup2(listen_fd, 3) < 0)   /* dup2 clears close-on-exec */
        child_failed(status_fd, LS_SVC_LISTEN_FD);
    /* The status and go pipes are close-on-exec: they stay, above the
     * rest, until the exec closes them. Everything else goes. */
    if (close_all_but(listen_fd >= 0 ? 4 : 3, status_fd, go_fd) < 0)
        child_failed(status_fd, LS_SVC_CLOSE_FDS);
    if (chdir("/") < 0)
        child_failed(status_fd, LS_CHDIR);
    umask(022);
    if (signals_to_default() < 0)
        child_failed(status_fd, LS_SIGNALS);
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        child_failed(status_fd, LS_SIGMASK);
    /* Traced: seized while it waits here, so the trace begins at the exec;
     * an empty word says it is waiting (its set-up is done). */
    if (tr) {
        struct launch_failure waiting = { LS_NONE, 0 };

        if (write(status_fd, &waiting, sizeof waiting) != (ssize_t)sizeof waiting ||
            tracer_child_go(tr, go_fd) < 0)
            child_failed(status_fd, LS_TRACE_GO);
    }
    execve(argv[0], argv, e->envp);
    child_failed(status_fd, LS_EXEC);
}

/* The child's next word: 1 and the word (an empty one when it waits for
 * the tracer's go, else a failure), or 0 at EOF, when its exec closed the
 * pipe. Waited for with the tracker: a traced exec stops until the checker
 * takes the stop. -1 with errno. */
static int read_word(struct tracker *t, int fd, struct launch_failure *word)
{
    ssize_t n;

    *word = (struct launch_failure){ LS_NONE, 0 };
    if (tracker_wait_fd(t, fd, -1) < 0)
        return -1;
    n = fd_read_upto(fd, (char *)word, sizeof *word);
    if (n < 0)
        return -1;
    if (n != (ssize_t)sizeof *word) {
        *word = (struct launch_failure){ LS_NONE, 0 };
        return 0;
    }
    return 1;
}

/* Close those of the n descriptors that are open; errno is kept. */
static void close_open(const int *fds, int n)
{
    for (int i = 0; i < n; i++)
        if (fds[i] >= 0)
            fd_close_keep_errno(fds[i]);
}

/* Seize the service waiting for its go, and let it exec. One that cannot
 * be traced goes on untraced: the record says why. */
static int trace_service(const struct launch_trace *lt, pid_t pid, int go_fd)
{
    int index = tracer_launch(lt->tr, lt->kind, 0);
    int seized = index >= 0 && tracer_seize(lt->tr, pid, index) == 0;

    return tracer_go(lt->tr, go_fd, seized);
}

int service_start(struct service *s, struct tracker *t, char *const argv[],
                  const struct service_env *e, int listen_fd, const struct launch_trace *lt,
                  struct launch_failure *failed, const char **step)
{
    int journal[2] = { -1, -1 }, status[2] = { -1, -1 }, go[2] = { -1, -1 }, rc = -1, got = 0;
    struct stat st;

    memset(s, 0, sizeof *s);
    s->journal = -1;
    *failed = (struct launch_failure){ LS_NONE, 0 };
    *step = "pipe2";
    if (pipe2(journal, O_CLOEXEC) < 0 || pipe2(status, O_CLOEXEC) < 0 ||
        (lt && pipe2(go, O_CLOEXEC) < 0))
        goto out;
    *step = "fork";
    s->pid = fork();
    if (s->pid == 0) {
        close_open((int[]){ journal[0], status[0], go[1] }, 3);
        become_service(argv, e, listen_fd, journal[1], status[1], go[0], lt ? lt->tr : NULL);
    }
    if (s->pid < 0)
        goto out;
    close(status[1]);
    status[1] = -1;
    *step = "wait for the service's set-up";
    if (lt && (got = read_word(t, status[0], failed)) < 0)
        goto out;
    *step = "write the tracer's go";
    if (lt && got == 1 && failed->step == LS_NONE && trace_service(lt, s->pid, go[1]) < 0)
        goto out;
    *step = "wait for the exec";
    if (failed->step == LS_NONE && read_word(t, status[0], failed) < 0)
        goto out;
    s->journal = journal[0];
    journal[0] = -1;
    *step = "fcntl on the journal pipe";
    if (fcntl(s->journal, F_SETFL, O_NONBLOCK) < 0 || fstat(s->journal, &st) < 0)
        goto out;
    s->journal_id = (struct object_id){ st.st_dev, st.st_ino };
    rc = 0;
out:
    /* The child's ends, the status pipe and the go pipe are of no use
     * past the exec; a service whose go is closed unwritten execs
     * untraced, and the run's sweep ends it. */
    close_open((int[]){ journal[0], journal[1], status[0], status[1], go[0], go[1] }, 6);
    return rc;
}
