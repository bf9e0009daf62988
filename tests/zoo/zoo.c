/* zoo.c — the steps of a correct daemon, one function each, and
 * zoo_main(), which runs them in order and bends the one step that a zoo
 * program gets wrong (see zoo.h).
 *
 * Process layout of a run:
 *   launcher     the command the checker starts; it exits only once the
 *                daemon has reported, over a pipe, that its pidfile exists
 *   first child  leaves the launcher's session, forks again and exits
 *   daemon       everything else, then sleeps in sigsuspend() until SIGTERM
 */
#include "daemonize.h"
#include "zoo.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bound on every wait of the zoo (a fallback: the events come far sooner). */
#define ZOO_WAIT_MS 10000

const struct zoo_recipe zoo_correct = {
    .close_fds = true,
    .reset_signals = true,
    .start_daemon = true,
    .detach = true,
    .session = ZOO_SETSID,
    .second_fork = true,
    .stdio = ZOO_STDIO_DEVNULL,
    .set_umask = true,
    .workdir = "/",
    .late_pidfile = false,
    .late_ms = 100,
    .leader_thread = false,
    .die_after_ready = false,
    .refuse_existing = false,
    .guard = ZOO_GUARD_LOCK,
    .pidfile_mode = 0644,
    .pidfile_pid = ZOO_PID_SELF,
    .pidfile_newline = true,
    .pidfile_symlink = false,
    .startup_job = true,
    .reap = true,
    .reap_on_poke = false,
    .workers = 0,
    .stop_workers = true,
    .ignore_sigterm = false,
    .remove_pidfile = true,
};

/* ---------------------------------------------------------------- steps */

/* The correct steps that need no switch are the reference daemon's own
 * (skeleton/c/daemonize.c): the zoo differs from it only in its faults. */
int zoo_close_inherited(void)
{
    return fd_close_from(3);
}

int zoo_reset_signals(void)
{
    return signals_reset();
}

int zoo_stdio_to_null(void)
{
    return stdio_to_devnull();
}

int zoo_stdio_close(void)
{
    for (int i = 0; i <= 2; i++)
        if (close(i) < 0 && errno != EBADF)
            return -1;
    return 0;
}

/* The classic mistake: 0-2 closed, then the daemon's own files take them.
 * The pidfile, opened next, lands on 2. */
int zoo_stdio_data_files(const char *pidfile)
{
    char path[PATH_MAX];

    if (zoo_stdio_close() < 0)
        return -1;
    snprintf(path, sizeof path, "%s.log", pidfile);
    if (open(path, O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW, 0644) != 0)
        return -1;
    snprintf(path, sizeof path, "%s.state", pidfile);
    if (open(path, O_RDWR | O_CREAT | O_NOFOLLOW, 0644) != 1)
        return -1;
    return 0;
}

int zoo_pidfile_open(const char *path, mode_t mode)
{
    return open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, mode);
}

/* 1 when fd is the file that path names (not following a symlink), 0 when
 * path names another file or nothing, -1 on error. */
static int names_same_file(int fd, const char *path)
{
    struct stat held, named;

    if (fstat(fd, &held) < 0)
        return -1;
    if (lstat(path, &named) < 0)
        return errno == ENOENT ? 0 : -1;
    return held.st_dev == named.st_dev && held.st_ino == named.st_ino;
}

static int lock_whole_file(int fd)
{
    struct flock fl;

    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    if (fcntl(fd, F_SETLK, &fl) == 0)
        return 0;
    if (errno == EACCES)
        errno = EAGAIN;
    return -1;
}

/* Open and lock in one step, as FreeBSD's flopen(3): the lock is what
 * "running" means, so a stale file is simply taken over. EAGAIN: another
 * process holds it. */
int zoo_pidfile_lock(const char *path, mode_t mode)
{
    for (;;) {
        int fd = zoo_pidfile_open(path, mode);
        int same, err;

        if (fd < 0)
            return -1;
        if (lock_whole_file(fd) < 0)
            goto fail;
        /* The previous holder may have unlinked the file between our open
         * and our lock: then we hold a lock on an orphan, so start over. */
        same = names_same_file(fd, path);
        if (same == 1)
            return fd;
        if (same < 0)
            goto fail;
        close(fd);
        continue;
fail:
        err = errno;
        close(fd);
        errno = err;
        return -1;
    }
}

/* 1 when some process holds a lock on the pidfile, 0 when it does not or
 * there is no pidfile, -1 on error. */
int zoo_pidfile_busy(const char *path)
{
    struct flock fl;
    int fd = open(path, O_RDWR | O_CLOEXEC | O_NOFOLLOW);
    int rc, err;

    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    memset(&fl, 0, sizeof fl);
    fl.l_type = F_WRLCK;
    fl.l_whence = SEEK_SET;
    rc = fcntl(fd, F_GETLK, &fl);
    err = errno;
    close(fd);
    errno = err;
    return rc < 0 ? -1 : fl.l_type != F_UNLCK;
}

/* *pid = the number at the start of the file, 0 when there is none. */
static int read_pid_fd(int fd, pid_t *pid)
{
    char buf[32], *end;
    ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
    long value;

    if (n < 0)
        return -1;
    buf[n] = '\0';
    errno = 0;
    value = strtol(buf, &end, 10);
    *pid = end != buf && errno == 0 && value > 0 && value <= INT_MAX ? (pid_t)value : 0;
    return 0;
}

int zoo_pidfile_read(const char *path, pid_t *pid)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    int rc, err;

    if (fd < 0)
        return -1;
    rc = read_pid_fd(fd, pid);
    err = errno;
    close(fd);
    errno = err;
    return rc;
}

/* 1 when the open pidfile names a live process other than us. */
int zoo_pidfile_names_live(int fd)
{
    pid_t pid;

    if (read_pid_fd(fd, &pid) < 0)
        return -1;
    if (pid <= 0 || pid == getpid())
        return 0;
    return kill(pid, 0) == 0 || errno == EPERM;
}

/* Truncate and write at offset 0, so a reader never sees old digits. */
int zoo_pidfile_write(int fd, pid_t pid, bool newline)
{
    char buf[32];
    int len = snprintf(buf, sizeof buf, newline ? "%ld\n" : "%ld", (long)pid);

    if (ftruncate(fd, 0) < 0)
        return -1;
    if (pwrite(fd, buf, (size_t)len, 0) != len) {
        if (errno == 0)
            errno = EIO;
        return -1;
    }
    return 0;
}

/* Remove the pidfile only if it is still ours: after a takeover the path
 * may name another instance's file. */
int zoo_pidfile_remove(const char *path, int fd)
{
    int same = names_same_file(fd, path);

    if (same <= 0)
        return same;
    return unlink(path);
}

/* Make path a symlink to target, atomically replacing whatever was there. */
int zoo_symlink_replace(const char *target, const char *path)
{
    char tmp[PATH_MAX];

    if (snprintf(tmp, sizeof tmp, "%s.new", path) >= (int)sizeof tmp) {
        errno = ENAMETOOLONG;
        return -1;
    }
    if (unlink(tmp) < 0 && errno != ENOENT)
        return -1;
    if (symlink(target, tmp) < 0)
        return -1;
    return rename(tmp, path);
}

/* Wait until the pidfd reports event: POLLIN once the process has exited,
 * POLLHUP once it has also been reaped. -1 ETIMEDOUT after timeout_ms. */
int zoo_wait_pidfd(int pidfd, short event, int timeout_ms)
{
    struct pollfd pfd = { .fd = pidfd, .events = event };
    int n;

    do
        n = poll(&pfd, 1, timeout_ms);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if (n == 0) {
        errno = ETIMEDOUT;
        return -1;
    }
    return 0;
}

/* ------------------------------------------------------------ the run */

/* What the daemon tells the waiting launcher: err 0 is "ready". One
 * write, smaller than PIPE_BUF, so the launcher reads it whole. */
struct zoo_status {
    int err;
    pid_t pid;          /* who failed */
    char what[240];
};

struct run {
    const struct zoo_recipe *r;
    const char *prog;
    const char *pidfile;        /* NULL: run without one */
    const char *pid_arg;
    char real[PATH_MAX];        /* the symlink variant's real file */
    int ready_fd;               /* write end of the readiness pipe, or -1 */
    int launcher_pidfd;         /* late_pidfile and die_after_ready only */
    pid_t intermediate;         /* the first child, when there is a second */
    int pidfile_fd;
    sigset_t wait_mask;         /* the mask to sleep with */
    pid_t workers[ZOO_MAX_WORKERS];
    int nworkers;
};

static volatile sig_atomic_t got_term, got_chld, got_poke;

static void on_signal(int sig)
{
    if (sig == SIGTERM)
        got_term = 1;
    else if (sig == SIGUSR1)
        got_poke = 1;
    else
        got_chld = 1;
}

static void vsay_fatal(const char *prog, int err, const char *fmt, va_list ap)
{
    fprintf(stderr, "%s: fatal: unable to ", prog);
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, ": %s\n", strerror(err));
}

/* The launcher's death: it still has the caller's stderr. */
__attribute__((format(printf, 2, 3)))
static _Noreturn void fatal(const struct run *run, const char *fmt, ...)
{
    int err = errno;
    va_list ap;

    va_start(ap, fmt);
    vsay_fatal(run->prog, err, fmt, ap);
    va_end(ap);
    exit(1);
}

/* A forked process's death: the launcher says it, when it is listening. */
__attribute__((format(printf, 2, 3)))
static _Noreturn void daemon_fail(const struct run *run, const char *fmt, ...)
{
    struct zoo_status st;
    va_list ap;

    memset(&st, 0, sizeof st);
    st.err = errno ? errno : EIO;
    st.pid = getpid();
    va_start(ap, fmt);
    if (run->ready_fd >= 0) {
        vsnprintf(st.what, sizeof st.what, fmt, ap);
        if (write(run->ready_fd, &st, sizeof st) < 0) {
            /* nobody to tell: the exit status is all that is left */
        }
    } else {
        vsay_fatal(run->prog, st.err, fmt, ap);
    }
    va_end(ap);
    _exit(1);
}

/* Wait until the launcher has exited and its caller has reaped it
 * (POLLHUP). */
static void await_launcher_gone(struct run *run)
{
    if (zoo_wait_pidfd(run->launcher_pidfd, POLLHUP, ZOO_WAIT_MS) < 0)
        daemon_fail(run, "wait for the launcher to be reaped");
    close(run->launcher_pidfd);
    run->launcher_pidfd = -1;
}

static void report_ready(struct run *run)
{
    struct zoo_status st;

    if (run->ready_fd < 0)
        return;
    memset(&st, 0, sizeof st);
    if (write(run->ready_fd, &st, sizeof st) != (ssize_t)sizeof st)
        daemon_fail(run, "report readiness");
    if (run->r->die_after_ready) {
        /* The fault: a second report, written once nobody reads the pipe
         * any more. SIGPIPE's default action ends the daemon. */
        await_launcher_gone(run);
        if (write(run->ready_fd, &st, sizeof st) < 0)
            daemon_fail(run, "report readiness again");
    }
    close(run->ready_fd);
    run->ready_fd = -1;
}

/* Block SIGTERM and SIGCHLD for good and catch them; they are taken only
 * inside sigsuspend(), so no signal is lost between a check and a sleep. */
static int trap_signals(struct run *run)
{
    struct sigaction sa;
    sigset_t block;

    sigemptyset(&block);
    sigaddset(&block, SIGTERM);
    sigaddset(&block, SIGCHLD);
    sigaddset(&block, SIGUSR1);
    if (sigprocmask(SIG_BLOCK, &block, &run->wait_mask) < 0)
        return -1;
    sigdelset(&run->wait_mask, SIGTERM);
    sigdelset(&run->wait_mask, SIGCHLD);
    sigdelset(&run->wait_mask, SIGUSR1);
    memset(&sa, 0, sizeof sa);
    sigemptyset(&sa.sa_mask);
    sa.sa_handler = run->r->ignore_sigterm ? SIG_IGN : on_signal;
    if (sigaction(SIGTERM, &sa, NULL) < 0)
        return -1;
    sa.sa_handler = on_signal;
    /* without a handler SIGCHLD keeps its default: children become zombies */
    if (run->r->reap && sigaction(SIGCHLD, &sa, NULL) < 0)
        return -1;
    if (run->r->reap_on_poke && sigaction(SIGUSR1, &sa, NULL) < 0)
        return -1;
    return 0;
}

/* The daemon's parent is the first child until that one exits; then it is
 * whoever adopted the daemon: the checker (a subreaper), or init. */
static pid_t adoptive_parent(const struct run *run)
{
    if (getppid() == run->intermediate) {
        int pidfd = pidfd_open(run->intermediate, 0);
        int rc = 0;

        if (pidfd < 0 && errno != ESRCH)
            return -1;
        if (pidfd >= 0) {
            /* still our parent after pidfd_open: the pidfd is that process */
            if (getppid() == run->intermediate)
                rc = zoo_wait_pidfd(pidfd, POLLIN, ZOO_WAIT_MS);
            close(pidfd);
        }
        if (rc < 0)
            return -1;
    }
    return getppid();
}

static pid_t pid_for_pidfile(const struct run *run)
{
    long value;
    char *end;

    switch (run->r->pidfile_pid) {
    case ZOO_PID_SELF:
        return getpid();
    case ZOO_PID_INTERMEDIATE:
        return run->intermediate;
    case ZOO_PID_INIT:
        return 1;
    case ZOO_PID_PARENT:
        return adoptive_parent(run);
    case ZOO_PID_ARGUMENT:
        if (!run->pid_arg)
            break;
        errno = 0;
        value = strtol(run->pid_arg, &end, 10);
        if (errno || *end || end == run->pid_arg || value <= 0 || value > INT_MAX)
            break;
        return (pid_t)value;
    }
    errno = EINVAL;
    return -1;
}

static int open_guarded(const struct run *run, const char *path)
{
    const struct zoo_recipe *r = run->r;
    int fd, live;

    if (r->guard == ZOO_GUARD_FLOCK_INHERITED)
        return run->pidfile_fd;     /* taken by the first child */

    if (r->guard == ZOO_GUARD_PID) {
        fd = zoo_pidfile_open(path, r->pidfile_mode);
        if (fd < 0)
            return -1;
        live = zoo_pidfile_names_live(fd);
        if (live != 0) {
            close(fd);
            errno = live > 0 ? EAGAIN : errno;
            return -1;
        }
        return fd;
    }
    fd = zoo_pidfile_lock(path, r->pidfile_mode);
    if (fd < 0 && errno == EAGAIN && r->guard == ZOO_GUARD_NONE)
        fd = zoo_pidfile_open(path, r->pidfile_mode);
    return fd;
}

static void claim_pidfile(struct run *run)
{
    const struct zoo_recipe *r = run->r;
    const char *path = r->pidfile_symlink ? run->real : run->pidfile;
    pid_t pid;

    run->pidfile_fd = open_guarded(run, path);
    if (run->pidfile_fd < 0)
        daemon_fail(run, "lock %s", path);
    pid = pid_for_pidfile(run);
    if (pid < 0)
        daemon_fail(run, "find the pid to write");
    if (zoo_pidfile_write(run->pidfile_fd, pid, r->pidfile_newline) < 0)
        daemon_fail(run, "write %s", path);
    if (r->pidfile_symlink && zoo_symlink_replace(run->real, run->pidfile) < 0)
        daemon_fail(run, "link %s to %s", run->pidfile, run->real);
}

/* The fault of pidfile-late, made deterministic: the launcher has already
 * returned "started" and its caller has reaped it (POLLHUP), and only then,
 * after some start-up work, does the pidfile appear. The delay stands for
 * that work (reading a configuration, opening sockets); it is the fault
 * being modelled, not a way of synchronising with anyone. */
static void await_launcher_then_work(struct run *run)
{
    struct timespec work = { .tv_sec = run->r->late_ms / 1000,
                             .tv_nsec = run->r->late_ms % 1000 * 1000000L };

    await_launcher_gone(run);
    while (clock_nanosleep(CLOCK_MONOTONIC, 0, &work, &work) == EINTR)
        continue;
}

static _Noreturn void worker(struct run *run)
{
    if (run->pidfile_fd >= 0)
        close(run->pidfile_fd);
    if (run->ready_fd >= 0)
        close(run->ready_fd);
    while (!got_term)
        sigsuspend(&run->wait_mask);
    _exit(0);
}

static void start_workers(struct run *run)
{
    while (run->nworkers < run->r->workers && run->nworkers < ZOO_MAX_WORKERS) {
        pid_t pid = fork();

        if (pid < 0)
            daemon_fail(run, "fork worker %d", run->nworkers);
        if (pid == 0)
            worker(run);
        run->workers[run->nworkers++] = pid;
    }
}

static void forget_worker(struct run *run, pid_t pid)
{
    for (int i = 0; i < run->nworkers; i++)
        if (run->workers[i] == pid)
            run->workers[i] = 0;
}

static void reap_children(struct run *run)
{
    pid_t pid;

    while ((pid = waitpid(-1, NULL, WNOHANG)) > 0)
        forget_worker(run, pid);
}

/* A one-shot child, over before the daemon says it is ready. WNOWAIT
 * leaves it to be reaped as any child is: at once by a daemon that reaps
 * (so no zombie is ever there to be seen), never by zombie-maker. */
static void run_startup_job(struct run *run)
{
    siginfo_t info;
    pid_t job = fork();

    if (job < 0)
        daemon_fail(run, "fork the start-up job");
    if (job == 0)
        _exit(0);
    memset(&info, 0, sizeof info);
    while (waitid(P_PID, (id_t)job, &info, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            daemon_fail(run, "wait for the start-up job");
    if (run->r->reap)
        reap_children(run);
}

static void serve(struct run *run)
{
    while (!got_term) {
        sigsuspend(&run->wait_mask);
        if (got_chld) {
            got_chld = 0;
            reap_children(run);
        }
        if (got_poke) {
            got_poke = 0;
            reap_children(run);
        }
    }
}

static void stop_workers(struct run *run)
{
    for (int i = 0; i < run->nworkers; i++)
        if (run->workers[i] > 0)
            kill(run->workers[i], SIGTERM);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
        continue;
}

/* Our symlink only: a takeover may have put another one there. */
static void remove_own_symlink(const char *path, const char *target)
{
    char buf[PATH_MAX];
    ssize_t n = readlink(path, buf, sizeof buf - 1);

    if (n < 0)
        return;
    buf[n] = '\0';
    if (strcmp(buf, target) == 0)
        unlink(path);
}

static void shut_down(struct run *run)
{
    if (run->r->stop_workers)
        stop_workers(run);
    if (!run->pidfile || !run->r->remove_pidfile)
        return;
    /* nobody is left to hear of a failure here: the checker will see it */
    if (run->r->pidfile_symlink) {
        remove_own_symlink(run->pidfile, run->real);
        zoo_pidfile_remove(run->real, run->pidfile_fd);
    } else {
        zoo_pidfile_remove(run->pidfile, run->pidfile_fd);
    }
}

static _Noreturn void daemon_body(struct run *run)
{
    const struct zoo_recipe *r = run->r;

    if (r->stdio == ZOO_STDIO_DEVNULL && zoo_stdio_to_null() < 0)
        daemon_fail(run, "redirect 0, 1 and 2 to /dev/null");
    if (r->stdio == ZOO_STDIO_CLOSE && zoo_stdio_close() < 0)
        daemon_fail(run, "close 0, 1 and 2");
    if (r->stdio == ZOO_STDIO_DATA && run->pidfile && zoo_stdio_data_files(run->pidfile) < 0)
        daemon_fail(run, "open its files on 0 and 1");
    if (r->set_umask)
        umask(0);
    if (r->workdir && chdir(r->workdir) < 0)
        daemon_fail(run, "change directory to %s", r->workdir);
    /* before the pidfile: a SIGTERM right after "ready" must find a handler */
    if (trap_signals(run) < 0)
        daemon_fail(run, "trap SIGTERM and SIGCHLD");
    if (r->late_pidfile && !r->leader_thread)
        await_launcher_then_work(run);
    if (run->pidfile)
        claim_pidfile(run);
    if (r->startup_job)
        run_startup_job(run);
    start_workers(run);
    report_ready(run);
    serve(run);
    shut_down(run);
    _exit(0);
}

/* leader_thread: the start-up work and the fork, in a thread of the first
 * child whose main thread has already exited. Until this thread ends, the
 * first child shows in /proc as a zombie that has no child yet, though it
 * is about to start the daemon. */
static void *fork_daemon_late(void *arg)
{
    struct run *run = arg;
    pid_t pid;

    await_launcher_then_work(run);
    pid = fork();
    if (pid < 0)
        daemon_fail(run, "fork the daemon");
    if (pid == 0)
        daemon_body(run);
    _exit(0);
}

/* The main thread leaves; its stack may go with it, so the thread gets a
 * copy of the run that outlives it. */
static _Noreturn void leave_to_thread(const struct run *run)
{
    static struct run copy;
    pthread_t thread;
    int err;

    copy = *run;
    err = pthread_create(&thread, NULL, fork_daemon_late, &copy);
    if (err) {
        errno = err;
        daemon_fail(run, "start the thread that forks the daemon");
    }
    pthread_exit(NULL);
}

static _Noreturn void first_child(struct run *run)
{
    pid_t pid;

    if (run->r->session == ZOO_SETSID && setsid() < 0)
        daemon_fail(run, "create a session");
    if (run->r->session == ZOO_SETPGID && setpgid(0, 0) < 0)
        daemon_fail(run, "create a process group");
    if (run->r->guard == ZOO_GUARD_FLOCK_INHERITED && run->pidfile) {
        run->pidfile_fd = zoo_pidfile_open(run->pidfile, run->r->pidfile_mode);
        if (run->pidfile_fd < 0 || flock(run->pidfile_fd, LOCK_EX | LOCK_NB) < 0)
            daemon_fail(run, "flock %s", run->pidfile);
    }
    if (!run->r->second_fork)
        daemon_body(run);
    run->intermediate = getpid();
    if (run->r->leader_thread)
        leave_to_thread(run);
    pid = fork();
    if (pid < 0)
        daemon_fail(run, "fork the daemon");
    if (pid > 0)
        _exit(0);   /* never exit(): no stdio flush or atexit twice */
    daemon_body(run);
}

/* A launcher that reports failure must not leave the failed process
 * behind, even for a moment: its caller may look for survivors at once. */
static void await_gone(pid_t pid)
{
    int pidfd = pidfd_open(pid, 0);

    if (pidfd < 0)
        return;     /* ESRCH: already gone */
    zoo_wait_pidfd(pidfd, POLLIN, ZOO_WAIT_MS);
    close(pidfd);
}

/* The launcher's side of the readiness pipe. */
static int await_ready(const struct run *run, int fd)
{
    struct zoo_status st;
    ssize_t n;

    do
        n = read(fd, &st, sizeof st);
    while (n < 0 && errno == EINTR);
    close(fd);
    if (n < 0)
        fatal(run, "read the daemon's report");
    if (n != (ssize_t)sizeof st) {
        fprintf(stderr, "%s: fatal: the daemon exited before it was ready\n", run->prog);
        return 1;
    }
    if (st.err == 0)
        return 0;
    st.what[sizeof st.what - 1] = '\0';
    await_gone(st.pid);
    fprintf(stderr, "%s: fatal: unable to %s: %s\n", run->prog, st.what, strerror(st.err));
    return 1;
}

static int launch(struct run *run)
{
    int ready[2] = { -1, -1 }, status;
    pid_t pid;

    if (!run->r->late_pidfile && pipe2(ready, O_CLOEXEC) < 0)
        fatal(run, "create the readiness pipe");
    if ((run->r->late_pidfile || run->r->die_after_ready) &&
        (run->launcher_pidfd = pidfd_open(getpid(), 0)) < 0)
        fatal(run, "open a pidfd on the launcher");
    pid = fork();
    if (pid < 0)
        fatal(run, "fork");
    if (pid == 0) {
        if (ready[0] >= 0)
            close(ready[0]);
        run->ready_fd = ready[1];
        first_child(run);
    }
    if (run->r->late_pidfile)
        return 0;   /* the fault: "started", before anything is */
    close(ready[1]);
    status = await_ready(run, ready[0]);
    /* The first child forks the daemon and exits at once: reaped here, it
     * is gone when the launcher returns, leaving no zombie and no moment
     * in which it could be taken for the daemon. */
    if (run->r->second_fork)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            continue;
    return status;
}

/* The seed's start(): any pid in the pidfile means "already running",
 * even a dead one. */
static void refuse_if_pidfile(const struct run *run)
{
    pid_t pid = 0;

    if (zoo_pidfile_read(run->pidfile, &pid) < 0 && errno != ENOENT)
        fatal(run, "read %s", run->pidfile);
    if (pid > 0) {
        errno = EEXIST;
        fatal(run, "start: %s names pid %ld", run->pidfile, (long)pid);
    }
}

/* A launcher that does not wait for its daemon must refuse a second
 * instance itself. */
static void refuse_if_locked(const struct run *run)
{
    int busy = zoo_pidfile_busy(run->pidfile);

    if (busy < 0)
        fatal(run, "inspect the lock on %s", run->pidfile);
    if (busy) {
        errno = EAGAIN;
        fatal(run, "lock %s", run->pidfile);
    }
}

/* reap_on_poke: a start that finds a daemon running wakes it up (its
 * loop then reaps) before going on to be refused. */
static void poke_running(const struct run *run)
{
    pid_t pid = 0;
    int busy = zoo_pidfile_busy(run->pidfile);

    if (busy < 0)
        fatal(run, "inspect the lock on %s", run->pidfile);
    if (!busy)
        return;
    if (zoo_pidfile_read(run->pidfile, &pid) < 0 || pid <= 0)
        fatal(run, "read a pid in %s", run->pidfile);
    if (kill(pid, SIGUSR1) < 0)
        fatal(run, "poke the running daemon %ld", (long)pid);
}

static int stop(const struct run *run)
{
    pid_t pid;
    int pidfd;

    if (zoo_pidfile_read(run->pidfile, &pid) < 0)
        fatal(run, "read %s", run->pidfile);
    if (pid <= 0) {
        errno = EINVAL;
        fatal(run, "find a pid in %s", run->pidfile);
    }
    pidfd = pidfd_open(pid, 0);
    if (pidfd < 0)
        fatal(run, "open a pidfd on %ld", (long)pid);
    if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0)
        fatal(run, "send SIGTERM to %ld", (long)pid);
    if (zoo_wait_pidfd(pidfd, POLLIN, ZOO_WAIT_MS) < 0)
        fatal(run, "wait for %ld to exit", (long)pid);
    close(pidfd);
    return 0;
}

int zoo_main(const struct zoo_recipe *r, int argc, char **argv)
{
    struct run run;
    const char *slash = argc > 0 ? strrchr(argv[0], '/') : NULL;

    memset(&run, 0, sizeof run);
    run.r = r;
    run.prog = slash ? slash + 1 : argc > 0 ? argv[0] : "zoo";
    run.pidfile = argc > 1 && argv[1][0] ? argv[1] : NULL;
    run.ready_fd = run.launcher_pidfd = run.pidfile_fd = -1;
    if (run.pidfile && argc > 2 && strcmp(argv[2], "stop") == 0)
        return stop(&run);
    run.pid_arg = argc > 2 ? argv[2] : NULL;
    if (run.pidfile && snprintf(run.real, sizeof run.real, "%s.real", run.pidfile) >= (int)sizeof run.real) {
        errno = ENAMETOOLONG;
        fatal(&run, "use %s", run.pidfile);
    }
    if (r->close_fds && zoo_close_inherited() < 0)
        fatal(&run, "close inherited descriptors");
    if (r->reset_signals && zoo_reset_signals() < 0)
        fatal(&run, "reset signals");
    if (run.pidfile && r->refuse_existing)
        refuse_if_pidfile(&run);
    if (run.pidfile && r->late_pidfile)
        refuse_if_locked(&run);
    if (run.pidfile && r->reap_on_poke)
        poke_running(&run);
    if (!r->start_daemon)
        return 0;
    if (!r->detach)
        daemon_body(&run);
    return launch(&run);
}
