/* hunt-14.c: a daemon with one fault. Find it: see README.md beside
 * this file (make hunt 14).
 *
 *     hunt-14 start /ABSOLUTE/PIDFILE    start; returns once it runs
 *     hunt-14 stop  /ABSOLUTE/PIDFILE    SIGTERM to the lock's holder
 *
 * It runs one worker process, and a start-up job that ends at once; on
 * SIGTERM it stops the worker, removes its pidfile and exits 0. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

static const char *prog = "hunt";
static int ready_fd = -1;       /* the daemon's end of the readiness pipe */
static volatile sig_atomic_t got_term, got_chld;

/* Dies with "prog: fatal: unable to WHAT: reason", on stderr (until it is
 * /dev/null), to the launcher while it waits, and to syslog. */
static void die(const char *what) __attribute__((noreturn));
static void die(const char *what)
{
    char line[512];
    int len = snprintf(line, sizeof line, "%s: fatal: unable to %s: %s\n",
                       prog, what, strerror(errno));

    fputs(line, stderr);
    syslog(LOG_ERR, "%s", line);
    if (ready_fd >= 0 && write(ready_fd, line, (size_t)len) < 0)
        syslog(LOG_ERR, "unable to tell the launcher: %m");
    exit(1);
}

static void on_signal(int sig)
{
    if (sig == SIGTERM)
        got_term = 1;
    else
        got_chld = 1;
}

static void catch_signals(sigset_t *sleeping)
{
    struct sigaction action = { .sa_handler = on_signal };
    sigset_t both;

    sigemptyset(&both);
    sigaddset(&both, SIGTERM);
    sigaddset(&both, SIGCHLD);
    sigemptyset(&action.sa_mask);
    if (sigprocmask(SIG_BLOCK, &both, NULL) < 0 ||
        sigaction(SIGTERM, &action, NULL) < 0 || sigaction(SIGCHLD, &action, NULL) < 0)
        die("catch SIGTERM and SIGCHLD");
    /* Blocked, they are delivered only inside sigsuspend(), with this mask:
     * none is lost between the loop's test of a flag and its sleep. */
    sigprocmask(SIG_SETMASK, NULL, sleeping);
    sigdelset(sleeping, SIGCHLD);
    sigdelset(sleeping, SIGTERM);
}

static void reset_signals(void)
{
    struct sigaction deflt = { .sa_handler = SIG_DFL };
    sigset_t none;

    sigemptyset(&deflt.sa_mask);
    for (int sig = 1; sig < NSIG; sig++)
        if (sig != SIGKILL && sig != SIGSTOP && sigaction(sig, &deflt, NULL) < 0 && errno != EINVAL)
            die("reset the signals");
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        die("unblock the signals");
}

static void stdio_to_dev_null(void)
{
    int null = open("/dev/null", O_RDWR);

    if (null < 0)
        die("open /dev/null");
    for (int fd = 0; fd <= 2; fd++)
        if (fd != null && dup2(null, fd) < 0)
            die("redirect the standard descriptors");
    if (null > 2)
        close(null);
}

/* The pidfile: taken over when stale, refused when locked by a running
 * instance; mode 0644, "PID\n"; its descriptor stays open, and so its lock. */
static void take_pidfile(const char *path)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char text[32];
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
    int len = snprintf(text, sizeof text, "%d\n", (int)getpid());

    if (fd < 0)
        die("open the pidfile");
    if (fcntl(fd, F_SETLK, &lock) < 0)
        die("lock the pidfile (is it running already?)");
    if (fchmod(fd, 0644) < 0 || ftruncate(fd, 0) < 0)
        die("prepare the pidfile");
    if (pwrite(fd, text, (size_t)len, 0) != len)
        die("write the pidfile");
}

static void report_ready(void)
{
    if (write(ready_fd, "ready\n", 6) != 6)
        die("report readiness");
    close(ready_fd);
    ready_fd = -1;
}

/* Stands for reading a large configuration: a tenth of a second. */
static void load_configuration(void)
{
    struct timespec tenth = { .tv_sec = 0, .tv_nsec = 100 * 1000 * 1000 };

    while (nanosleep(&tenth, &tenth) < 0 && errno == EINTR)
        continue;
}

static pid_t start_worker(void)
{
    pid_t pid = fork();

    if (pid < 0)
        die("fork the worker");
    if (pid == 0) {
        close(ready_fd);        /* or the launcher waits for the worker too */
        reset_signals();        /* what the daemon caught is not the worker's */
        for (;;)
            pause();            /* its work: nothing, until SIGTERM */
    }
    return pid;
}

static void run_startup_job(void)
{
    siginfo_t info;
    pid_t job = fork();

    if (job < 0)
        die("fork the start-up job");
    if (job == 0)
        _exit(0);
    /* Over before the daemon goes on; WNOWAIT leaves it to the loop. */
    while (waitid(P_PID, (id_t)job, &info, WEXITED | WNOWAIT) < 0)
        if (errno != EINTR)
            die("wait for the start-up job");
}

static void serve(const sigset_t *sleeping)
{
    while (!got_term) {
        sigsuspend(sleeping);
        if (got_chld) {
            got_chld = 0;
            while (waitpid(-1, NULL, WNOHANG) > 0)
                continue;
        }
    }
}

static void stop_worker(pid_t worker)
{
    if (kill(worker, SIGTERM) < 0 && errno != ESRCH)
        die("stop the worker");
    while (waitpid(worker, NULL, 0) < 0 && errno == EINTR)
        continue;
}

static int wait_until_ready(int fd)
{
    char said[512];
    ssize_t n, len = 0;

    while ((n = read(fd, said + len, sizeof said - 1 - (size_t)len)) > 0)
        len += n;
    said[len] = '\0';
    if (strcmp(said, "ready\n") == 0)
        return 0;
    fputs(len > 0 ? said : "hunt: fatal: the daemon ended before it was ready\n", stderr);
    return 1;
}

static int start(const char *pidfile)
{
    int ready[2];
    sigset_t sleeping;
    pid_t worker;

    if (close_range(3, ~0U, 0) < 0)
        die("close the inherited descriptors");
    if (pipe2(ready, O_CLOEXEC) < 0)
        die("create the readiness pipe");
    switch (fork()) {
    case -1:
        die("fork");
        break;
    case 0:
        break;
    default:
        close(ready[1]);
        return wait_until_ready(ready[0]);
    }
    close(ready[0]);
    ready_fd = ready[1];
    umask(0);
    openlog(prog, LOG_PID | LOG_NDELAY, LOG_DAEMON);
    if (setsid() < 0)
        die("create a new session");
    switch (fork()) {
    case -1:
        die("fork again");
        break;
    case 0:
        break;
    default:
        _exit(0);
    }
    if (chdir("/") < 0)
        die("change directory to /");
    stdio_to_dev_null();
    catch_signals(&sleeping);
    load_configuration();
    take_pidfile(pidfile);
    run_startup_job();
    worker = start_worker();
    report_ready();
    serve(&sleeping);
    stop_worker(worker);
    if (unlink(pidfile) < 0)
        syslog(LOG_WARNING, "unable to remove the pidfile: %m");
    return 0;
}

/* SIGTERM to the pid the pidfile names, if that pid holds its lock. */
static int stop(const char *pidfile)
{
    struct flock lock = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char text[32] = "", mine[32];
    int fd = open(pidfile, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

    if (fd < 0 && errno == ENOENT)
        return 0;
    if (fd < 0 || fcntl(fd, F_GETLK, &lock) < 0 || pread(fd, text, sizeof text - 1, 0) < 0)
        die("read the pidfile");
    close(fd);
    if (lock.l_type == F_UNLCK)
        return 0;       /* nobody holds it: nothing runs */
    snprintf(mine, sizeof mine, "%d\n", (int)lock.l_pid);
    if (strcmp(text, mine) != 0) {
        errno = EPERM;
        die("trust a pidfile that names another pid than its lock's holder");
    }
    struct pollfd end = { .fd = pidfd_open(lock.l_pid, 0), .events = POLLIN };
    if (end.fd < 0 || pidfd_send_signal(end.fd, SIGTERM, NULL, 0) < 0) {
        if (errno == ESRCH)
            return 0;   /* it ended meanwhile */
        die("send SIGTERM");
    }
    if (poll(&end, 1, 10000) != 1)
        die("wait for the daemon to end");
    return 0;
}

int main(int argc, char **argv)
{
    prog = strrchr(argv[0], '/') ? strrchr(argv[0], '/') + 1 : argv[0];
    if (argc == 3 && argv[2][0] == '/' && strcmp(argv[1], "start") == 0)
        return start(argv[2]);
    if (argc == 3 && argv[2][0] == '/' && strcmp(argv[1], "stop") == 0)
        return stop(argv[2]);
    fprintf(stderr, "usage: %s start|stop /ABSOLUTE/PIDFILE\n", prog);
    return 2;
}
