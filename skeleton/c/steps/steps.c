/* steps.c: the shared pieces of the step programs (see steps.h for what
 * each one promises; the comments here say why it is done that way). */
#include "steps.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

/* How long "stop" waits for the daemon to end: a bounded fallback only, the
 * wait itself is an event (the pidfd becomes readable when the pid ends). */
enum { STOP_TIMEOUT_MS = 10000 };

/* What the daemon sends through the readiness pipe when it is ready;
 * anything else it sends is the fatal message that stopped it. */
static const char ready_word[] = "ready\n";

static int log_is_open;        /* step 3 done: errors go to syslog too */
static int ready_write_fd = -1; /* the daemon's end, until it has reported */
static int ready_read_fd = -1;  /* the launcher's end */
static volatile sig_atomic_t sigchld_arrived, sigterm_arrived;

static int write_all(int fd, const char *buf, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* Closes fd and returns -1 with the errno of the failure that led here. */
static int fail_closing(int fd)
{
    int err = errno;

    close(fd);
    errno = err;
    return -1;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
    va_list ap;

    fprintf(stderr, "%s: ", program_invocation_short_name);
    va_start(ap, fmt);
    vfprintf(stderr, fmt, ap);
    va_end(ap);
    fputc('\n', stderr);
}

int step_check(int rc, const char *what_fmt, ...)
{
    char what[512], line[1024];
    int err = errno;
    va_list ap;

    if (rc >= 0)
        return rc;
    va_start(ap, what_fmt);
    vsnprintf(what, sizeof what, what_fmt, ap);
    va_end(ap);
    snprintf(line, sizeof line, "%s: fatal: unable to %s: %s\n",
             program_invocation_short_name, what, strerror(err));
    /* After step 6 stderr is /dev/null: the launcher (step 9) and syslog
     * (step 3) are the only ones left to tell. */
    fputs(line, stderr);
    if (log_is_open)
        syslog(LOG_ERR, "fatal: unable to %s: %s", what, strerror(err));
    if (ready_write_fd >= 0)
        (void)write_all(ready_write_fd, line, strlen(line));
    exit(1);
}

pid_t step_fork(void)
{
    return step_check(fork(), "fork");
}

void step_open_log(void)
{
    /* LOG_NDELAY connects now rather than at the first message: the socket
     * then exists before stdio is redirected (step 6), so it can never be
     * given one of the numbers 0-2 that the seed's close() frees. */
    openlog(program_invocation_short_name, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    log_is_open = 1;
    syslog(LOG_INFO, "starting");
}

int step_stdio_to_dev_null(void)
{
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);

    if (null < 0)
        return -1;
    for (int std = 0; std <= 2; std++)
        if (std != null && dup2(null, std) < 0)
            return fail_closing(null);
    if (null > 2)
        return close(null);
    /* It landed on a closed standard descriptor and is one now: it must
     * survive an exec like the two that dup2() made. */
    return fcntl(null, F_SETFD, 0);
}

static void usage(unsigned allowed) __attribute__((noreturn));
static void usage(unsigned allowed)
{
    fprintf(stderr, "usage: %s %s /ABSOLUTE/PIDFILE\n"
            "(absolute: the daemon changes directory to / before it writes it)\n",
            program_invocation_short_name,
            allowed & STEP_STOP ? "start|stop" : "start");
    exit(2);
}

enum step_command step_parse_args(int argc, char **argv, unsigned allowed,
                                  const char **pidfile)
{
    unsigned command = 0;

    if (argc == 3 && strcmp(argv[1], "start") == 0)
        command = STEP_START;
    else if (argc == 3 && strcmp(argv[1], "stop") == 0)
        command = STEP_STOP;
    if (!(command & allowed) || argv[2][0] != '/')
        usage(allowed);
    *pidfile = argv[2];
    return (enum step_command)command;
}

pid_t step_fork_with_ready_pipe(void)
{
    int ends[2];
    pid_t pid;

    step_check(pipe2(ends, O_CLOEXEC), "create the readiness pipe");
    pid = step_fork();
    /* Each side closes the end it does not use: the launcher must see EOF
     * when the daemon dies without a word, which needs every copy of the
     * write end gone. */
    close(ends[pid > 0 ? 1 : 0]);
    if (pid > 0)
        ready_read_fd = ends[0];
    else
        ready_write_fd = ends[1];
    return pid;
}

int step_wait_until_ready(void)
{
    char report[1024];
    size_t len = 0;

    while (len < sizeof report - 1 && !memchr(report, '\n', len)) {
        ssize_t n = read(ready_read_fd, report + len, sizeof report - 1 - len);

        if (n < 0 && errno == EINTR)
            continue;
        step_check((int)n, "read the readiness pipe");
        if (n == 0)
            break;
        len += (size_t)n;
    }
    close(ready_read_fd);
    report[len] = '\0';
    if (strcmp(report, ready_word) == 0)
        return 0;
    if (len == 0)
        say("fatal: unable to start the daemon: it ended before it was ready");
    else
        fputs(report, stderr);
    return 1;
}

int step_report_ready(void)
{
    int fd = ready_write_fd;

    ready_write_fd = -1; /* a failure below must not try to report again */
    if (write_all(fd, ready_word, sizeof ready_word - 1) < 0)
        return fail_closing(fd);
    return close(fd);
}

/* A POSIX record lock on the whole file. It is per process and not
 * inherited by fork(), so it must be taken by the final process; and any
 * close() of any descriptor of this file by this process drops it, so the
 * daemon never opens its own pidfile again. */
static int lock_whole_file(int fd)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    if (fcntl(fd, F_SETLK, &lock) == 0)
        return 0;
    if (errno == EACCES) /* POSIX allows either for "held by another" */
        errno = EAGAIN;
    return -1;
}

/* Truncate only now that the lock is ours: a refused second instance must
 * leave the running one's pidfile untouched. */
static int write_pid(int fd)
{
    char text[32];
    int len = snprintf(text, sizeof text, "%ld\n", (long)getpid());

    ssize_t n;

    if (ftruncate(fd, 0) < 0)
        return -1;
    n = pwrite(fd, text, (size_t)len, 0);
    if (n < 0)
        return -1;
    if (n != len) {
        errno = EIO; /* a short write to a fresh regular file: full disk */
        return -1;
    }
    return 0;
}

int step_pidfile_create(const char *path)
{
    /* Explicit 0644: under umask(0) the mode is exactly what open() gets,
     * and the seed's default (0666) would let anyone choose what "stop"
     * kills. O_EXCL also refuses to follow a symlink planted at PATH. */
    int fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    if (fd < 0)
        return -1;
    if (lock_whole_file(fd) < 0 || write_pid(fd) < 0) {
        int err = errno;

        unlink(path);
        close(fd);
        errno = err;
        return -1;
    }
    return fd;
}

static void note_signal(int sig)
{
    if (sig == SIGCHLD)
        sigchld_arrived = 1;
    else
        sigterm_arrived = 1;
}

/* Blocked outside sigsuspend(): a signal that came between the loop's test
 * of its flag and the sleep would be handled, and then slept through. */
static int catch_signal(int sig)
{
    struct sigaction action = { .sa_handler = note_signal };
    sigset_t one;

    sigemptyset(&one);
    sigaddset(&one, sig);
    if (sigprocmask(SIG_BLOCK, &one, NULL) < 0)
        return -1;
    sigemptyset(&action.sa_mask);
    return sigaction(sig, &action, NULL);
}

/* 1 when catch_signal() took SIG over. */
static int is_caught(int sig)
{
    struct sigaction now;

    return sigaction(sig, NULL, &now) == 0 && now.sa_handler == note_signal;
}

int step_catch_sigchld(void)
{
    return catch_signal(SIGCHLD);
}

int step_catch_sigterm(void)
{
    return catch_signal(SIGTERM);
}

int step_start_job(void)
{
    siginfo_t info;
    pid_t job = fork();

    if (job < 0)
        return -1;
    if (job == 0)
        _exit(0); /* the job: a real daemon's would warm a cache, run a hook */
    /* Waiting for the job's end makes every run alike: the job is over
     * before the daemon goes on. WNOWAIT only looks, it does not collect:
     * collecting children is the big loop's work. */
    while (waitid(P_PID, (id_t)job, &info, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            return -1;
    return 0;
}

/* waitpid() until no ended child is left: one SIGCHLD may stand for many
 * children, as signals of one kind do not queue. */
static void collect_children(void)
{
    while (waitpid(-1, NULL, WNOHANG) > 0)
        continue;
}

void step_big_loop(void)
{
    sigset_t sleeping;

    /* sigsuspend() unblocks the caught signals and sleeps in one step, and
     * returns only after a handler ran: an idle daemon is never woken, and
     * no signal is lost between a test and the sleep. The seed's sleep(30)
     * wakes it every 30 s for nothing. */
    sigprocmask(SIG_SETMASK, NULL, &sleeping);
    if (is_caught(SIGCHLD))
        sigdelset(&sleeping, SIGCHLD);
    if (is_caught(SIGTERM))
        sigdelset(&sleeping, SIGTERM);
    while (!sigterm_arrived) {
        sigsuspend(&sleeping);
        if (sigchld_arrived) {
            sigchld_arrived = 0;
            collect_children();
        }
    }
}

/* Reads "PID\n" at offset 0: decimal digits, one newline, nothing more. */
static int read_pid(int fd, pid_t *pid)
{
    char text[32], *end;
    ssize_t n = pread(fd, text, sizeof text - 1, 0);
    long value;

    if (n < 0)
        return -1;
    text[n] = '\0';
    errno = 0;
    value = strtol(text, &end, 10);
    if (text[0] < '0' || text[0] > '9' || errno || value <= 0 ||
        value != (pid_t)value || strcmp(end, "\n") != 0) {
        errno = EINVAL;
        return -1;
    }
    *pid = (pid_t)value;
    return 0;
}

/* 1 with *holder when a process holds PATH's lock (*named: the pid the file
 * holds), 0 when nobody does (no file, or a stale one), -1 with errno. */
static int pidfile_holder(const char *path, pid_t *holder, pid_t *named)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0)
        return errno == ENOENT ? 0 : -1;
    if (fcntl(fd, F_GETLK, &lock) < 0)
        return fail_closing(fd);
    if (lock.l_type == F_UNLCK) {
        close(fd);
        return 0;
    }
    if (read_pid(fd, named) < 0)
        return fail_closing(fd);
    *holder = lock.l_pid;
    close(fd);
    return 1;
}

/* 1 and *pid when the pid PATH names holds PATH's lock, 0 when no instance
 * runs; dies when the file is malformed or names another pid than the
 * lock's holder (then signalling either could hit a stranger). */
static int running_instance(const char *path, pid_t *pid)
{
    pid_t holder = 0, named = 0;
    int held = step_check(pidfile_holder(path, &holder, &named),
                          "read pidfile %s", path);

    if (held && holder != named) {
        errno = EPERM;
        say("pidfile %s names pid %ld, but pid %ld holds its lock",
            path, (long)named, (long)holder);
        step_check(-1, "trust pidfile %s", path);
    }
    *pid = named;
    return held;
}

int step_stop_daemon(const char *pidfile)
{
    struct pollfd ended = { .events = POLLIN };
    pid_t pid, again;
    int n;

    if (!running_instance(pidfile, &pid)) {
        say("not running: no process holds the lock of %s", pidfile);
        return 0;
    }
    /* Between reading the file and pidfd_open(), the daemon may have ended
     * and its pid been reused. The pidfd pins whatever process has the pid
     * now, so checking the lock again after it proves we pinned the daemon. */
    ended.fd = pidfd_open(pid, 0);
    if (ended.fd < 0 && errno != ESRCH)
        step_check(-1, "open a pidfd for pid %ld", (long)pid);
    if (ended.fd < 0 || !running_instance(pidfile, &again) || again != pid) {
        say("not running: pid %ld has ended", (long)pid);
        return 0;
    }
    step_check(pidfd_send_signal(ended.fd, SIGTERM, NULL, 0),
               "send SIGTERM to pid %ld", (long)pid);
    do
        n = poll(&ended, 1, STOP_TIMEOUT_MS);
    while (n < 0 && errno == EINTR);
    step_check(n, "wait for pid %ld to end", (long)pid);
    if (n == 0) {
        errno = ETIMEDOUT;
        step_check(-1, "stop pid %ld", (long)pid);
    }
    close(ended.fd);
    return 0;
}

int step_reset_signals(void)
{
    struct sigaction deflt = { .sa_handler = SIG_DFL };
    sigset_t none;

    sigemptyset(&deflt.sa_mask);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        /* glibc keeps two real-time signals for its threads and refuses
         * them with EINVAL: they are not ours to reset. */
        if (sigaction(sig, &deflt, NULL) < 0 && errno != EINVAL)
            return -1;
    }
    sigemptyset(&none);
    return sigprocmask(SIG_SETMASK, &none, NULL);
}

/* 1 when PATH still names the file open on fd, 0 when it names none or
 * another, -1 with errno. */
static int path_names_fd(const char *path, int fd)
{
    struct stat by_path, by_fd;

    if (fstat(fd, &by_fd) < 0)
        return -1;
    if (lstat(path, &by_path) < 0)
        return errno == ENOENT ? 0 : -1;
    return by_path.st_dev == by_fd.st_dev && by_path.st_ino == by_fd.st_ino;
}

int step_pidfile_take(const char *path)
{
    for (;;) {
        int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
        int same;

        if (fd < 0)
            return -1;
        if (lock_whole_file(fd) < 0)
            return fail_closing(fd);
        /* The lock is ours, but an instance that was stopping may have
         * removed the file between our open() and our lock: then we locked
         * a name nobody can find, and must start over. */
        same = path_names_fd(path, fd);
        if (same < 0)
            return fail_closing(fd);
        if (same) {
            /* A stale file keeps the mode it was created with. */
            if (fchmod(fd, 0644) < 0 || write_pid(fd) < 0)
                return fail_closing(fd);
            return fd;
        }
        close(fd);
    }
}
