/* tdaemon.c — small daemons for the tracer's tests, each doing its steps
 * in a known order so that the trace can be compared with it.
 *
 *   tdaemon classic PIDFILE       fork, parent waits for "ready" and exits;
 *                                 setsid, fork, first child exits; umask,
 *                                 chdir /, /dev/null onto 0-2, inherited
 *                                 descriptors closed, pidfile opened, locked,
 *                                 written, SIGTERM caught, signals reset;
 *                                 "ready"; pause until SIGTERM, then remove
 *                                 the pidfile and exit 0
 *   tdaemon seed PIDFILE          the same, but the pidfile is written by the
 *                                 first child, before the second fork
 *   tdaemon setsid-parent PIDFILE setsid in the launcher (EPERM), none after
 *   tdaemon keep-fds PIDFILE      never closes the inherited descriptors
 *   tdaemon workers PIDFILE N     classic, then N workers; on SIGTERM it
 *                                 ends and reaps them first
 *   tdaemon threads PIDFILE N     classic, then N threads that touch the
 *                                 signal mask and /dev/null, joined
 *   tdaemon forkloop PIDFILE N    classic, then N children one after the
 *                                 other, each exiting at once
 *   tdaemon sigkill PIDFILE       classic, then a worker busy writing to
 *                                 /dev/null, killed with SIGKILL
 *   tdaemon tstp                  the launcher's child stops itself with
 *                                 SIGTSTP; the launcher sees the stop,
 *                                 sees the child not run, continues it;
 *                                 exit 0 when all went as untraced
 *   tdaemon setuid PROBE          runs PROBE (a set-user-ID copy of this
 *                                 program) and exits with its status
 *   tdaemon vfork                 vfork, the child execs sh -c 'exit 5';
 *                                 exits with the child's status
 *   tdaemon own-filter            installs a seccomp filter of its own that
 *                                 fails umask with EPERM, calls umask, exits 0
 *   tdaemon hardy PIDFILE         classic, but it exits only at its HARDY-th
 *                                 SIGTERM (a stop loop's repeats)
 *   tdaemon reraise PIDFILE       classic, but on SIGTERM it removes the
 *                                 pidfile by a descriptor of its directory
 *                                 (unlinkat), then dies of SIGTERM (raise)
 *   tdaemon relative-unlink PIDFILE  classic, but it stays in the launch's
 *                                 directory and on SIGTERM removes the
 *                                 pidfile by its last name alone: another
 *                                 file, which is not there (ENOENT)
 *   tdaemon probe                 exit 0 when effective uid != real uid
 *   tdaemon stop PIDFILE          SIGTERM the pid in PIDFILE, wait for its end
 *   tdaemon stop-loop PIDFILE     the seed's stop: SIGTERM the pid in PIDFILE
 *                                 again and again (each time after its pidfd
 *                                 stayed quiet for 20 ms) until it is gone,
 *                                 then once more
 *
 * Exit statuses: 0 done, 1 refused (already running), 2 usage, 3 a step
 * failed. No sleeps: every wait is on a pipe, a pidfd or a signal. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#define READY_FD 100            /* out of the way of close_range(3, 99) */
#define DIR_FD 101              /* reraise: the pidfile's directory */
#define MAX_WORKERS 64
#define HARDY 5                 /* SIGTERMs a hardy daemon takes to stop */
#define LOOP_WAIT_MS 20         /* stop-loop: how long a pidfd may stay quiet */
#define LOOP_MAX 500            /* stop-loop: a bound, should the pid never go */

static volatile sig_atomic_t stopping, terms;

static void on_term(int sig)
{
    (void)sig;
    stopping = 1;
    terms++;
}

static void fail(const char *what)
{
    fprintf(stderr, "tdaemon: unable to %s: %s\n", what, strerror(errno));
    _exit(3);
}

struct plan {
    const char *mode;
    const char *pidfile;
    int count;
};

/* Tell the waiting launcher how the start went: 'R' ready, 'L' locked. */
static void tell(char byte)
{
    if (write(READY_FD, &byte, 1) != 1)
        fail("write the readiness byte");
    close(READY_FD);
}

static int open_pidfile(const char *path)
{
    int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    char text[32];
    int len;

    if (fd < 0)
        fail("open the pidfile");
    if (fcntl(fd, F_SETLK, &lk) < 0) {
        if (errno != EAGAIN && errno != EACCES)
            fail("lock the pidfile");
        tell('L');
        _exit(1);
    }
    len = snprintf(text, sizeof text, "%d\n", (int)getpid());
    if (ftruncate(fd, 0) < 0 || pwrite(fd, text, (size_t)len, 0) != len)
        fail("write the pidfile");
    return fd;
}

static void stdio_to_null(void)
{
    int fd = open("/dev/null", O_RDWR);

    if (fd < 0)
        fail("open /dev/null");
    for (int i = 0; i <= 2; i++)
        if (dup2(fd, i) < 0)
            fail("dup2 /dev/null");
    if (fd > 2)
        close(fd);
}

static void reset_signals(void)
{
    struct sigaction sa = { .sa_handler = SIG_DFL };
    sigset_t none;

    sigemptyset(&none);
    if (sigaction(SIGRTMIN + 3, &sa, NULL) < 0 || sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        fail("reset the signals");
}

static void catch_term(void)
{
    struct sigaction sa = { .sa_handler = on_term };

    sigemptyset(&sa.sa_mask);
    if (sigaction(SIGTERM, &sa, NULL) < 0)
        fail("catch SIGTERM");
}

static void *thread_main(void *arg)
{
    sigset_t set;
    int fd;

    (void)arg;
    sigemptyset(&set);
    sigaddset(&set, SIGHUP);
    pthread_sigmask(SIG_BLOCK, &set, NULL);
    fd = open("/dev/null", O_WRONLY | O_CLOEXEC);
    if (fd >= 0)
        close(fd);
    return NULL;
}

static void run_threads(int n)
{
    pthread_t t[MAX_WORKERS];

    for (int i = 0; i < n; i++)
        if ((errno = pthread_create(&t[i], NULL, thread_main, NULL)) != 0)
            fail("create a thread");
    for (int i = 0; i < n; i++)
        pthread_join(t[i], NULL);
}

static void fork_loop(int n)
{
    for (int i = 0; i < n; i++) {
        pid_t child = fork();
        if (child < 0)
            fail("fork");
        if (child == 0)
            _exit(0);
        while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
            ;
    }
}

static pid_t start_worker(int busy)
{
    pid_t child = fork();

    if (child < 0)
        fail("fork a worker");
    if (child == 0) {
        signal(SIGTERM, SIG_DFL);
        if (busy)
            for (;;)
                if (write(1, "x", 1) < 0 && errno != EINTR)
                    _exit(3);
        for (;;)
            pause();
    }
    return child;
}

static void end_workers(pid_t *w, int n)
{
    for (int i = 0; i < n; i++)
        kill(w[i], SIGTERM);
    for (int i = 0; i < n; i++)
        while (waitpid(w[i], NULL, 0) < 0 && errno == EINTR)
            ;
}

/* The pidfile's directory, kept open for the end (reraise). */
static void keep_pidfile_dir(const char *pidfile)
{
    char dir[4096];
    const char *slash = strrchr(pidfile, '/');
    int fd;

    snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash - pidfile) : 1, slash ? pidfile : ".");
    fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || dup3(fd, DIR_FD, O_CLOEXEC) < 0)
        fail("open the pidfile's directory");
    close(fd);
}

/* How the daemon ends, once SIGTERM told it to. */
static _Noreturn void daemon_end(const struct plan *pl)
{
    const char *slash = strrchr(pl->pidfile, '/'), *base = slash ? slash + 1 : pl->pidfile;

    if (strcmp(pl->mode, "reraise") == 0) {
        unlinkat(DIR_FD, base, 0);
        signal(SIGTERM, SIG_DFL);
        raise(SIGTERM);
        _exit(3);
    }
    if (strcmp(pl->mode, "relative-unlink") == 0)
        unlink(base);               /* from the launch's directory: not the pidfile */
    else
        unlink(pl->pidfile);
    _exit(0);
}

/* The daemon itself, from the second fork on. */
static void daemon_main(const struct plan *pl, int pidfile_fd)
{
    pid_t workers[MAX_WORKERS];
    int nworkers = 0, keep = strcmp(pl->mode, "keep-fds") == 0;
    int hardy = strcmp(pl->mode, "hardy") == 0;
    sigset_t none;

    umask(0);
    if (strcmp(pl->mode, "reraise") == 0)
        keep_pidfile_dir(pl->pidfile);
    if (strcmp(pl->mode, "relative-unlink") != 0 && chdir("/") < 0)
        fail("chdir /");
    stdio_to_null();
    if (!keep && close_range(3, READY_FD - 1, 0) < 0)
        fail("close the inherited descriptors");
    if (pidfile_fd < 0)
        open_pidfile(pl->pidfile);
    catch_term();
    reset_signals();
    if (strcmp(pl->mode, "threads") == 0)
        run_threads(pl->count);
    if (strcmp(pl->mode, "forkloop") == 0)
        fork_loop(pl->count);
    if (strcmp(pl->mode, "workers") == 0)
        for (; nworkers < pl->count; nworkers++)
            workers[nworkers] = start_worker(0);
    tell('R');
    if (strcmp(pl->mode, "sigkill") == 0) {
        pid_t busy = start_worker(1);
        kill(busy, SIGKILL);
        while (waitpid(busy, NULL, 0) < 0 && errno == EINTR)
            ;
    }
    sigemptyset(&none);
    while (!stopping || (hardy && terms < HARDY)) {
        stopping = 0;
        sigsuspend(&none);
    }
    end_workers(workers, nworkers);
    daemon_end(pl);
}

/* The first child: a session of its own, then the second fork. */
static void first_child(const struct plan *pl)
{
    int seed = strcmp(pl->mode, "seed") == 0, fd = -1;
    pid_t child;

    if (strcmp(pl->mode, "setsid-parent") != 0 && setsid() < 0)
        fail("setsid");
    if (seed)
        fd = open_pidfile(pl->pidfile);     /* the seed's order: names this process */
    child = fork();
    if (child < 0)
        fail("fork");
    if (child == 0)
        daemon_main(pl, fd);
    _exit(0);
}

static int launcher(const struct plan *pl)
{
    int ready[2];
    char byte = 0;
    pid_t child;

    if (strcmp(pl->mode, "setsid-parent") == 0 && setsid() < 0 && errno != EPERM)
        fail("setsid");
    if (pipe2(ready, O_CLOEXEC) < 0 || dup3(ready[1], READY_FD, O_CLOEXEC) < 0)
        fail("make the readiness pipe");
    close(ready[1]);
    child = fork();
    if (child < 0)
        fail("fork");
    if (child == 0) {
        close(ready[0]);
        first_child(pl);
    }
    close(READY_FD);
    while (read(ready[0], &byte, 1) < 0 && errno == EINTR)
        ;
    while (waitpid(child, NULL, 0) < 0 && errno == EINTR)
        ;
    if (byte == 'L')
        fprintf(stderr, "tdaemon: already running\n");
    return byte == 'R' ? 0 : 1;
}

/* The child stops; the launcher must see the stop (WUNTRACED), see that
 * the child does not run while stopped, continue it and see it end. */
static int tstp(void)
{
    int ran[2], status;
    struct pollfd p;
    pid_t child;

    if (pipe2(ran, O_CLOEXEC) < 0)
        fail("make a pipe");
    child = fork();
    if (child < 0)
        fail("fork");
    if (child == 0) {
        raise(SIGTSTP);
        (void)!write(ran[1], "r", 1);
        _exit(0);
    }
    close(ran[1]);
    if (waitpid(child, &status, WUNTRACED) != child || !WIFSTOPPED(status) ||
        WSTOPSIG(status) != SIGTSTP)
        return 4;
    p = (struct pollfd){ .fd = ran[0], .events = POLLIN };
    if (poll(&p, 1, 100) != 0)      /* bounded: a stopped child writes nothing */
        return 5;
    kill(child, SIGCONT);
    /* Continued, or already ended: a quick child's exit can come first. */
    if (waitpid(child, &status, WCONTINUED) != child)
        return 6;
    if (WIFCONTINUED(status) && waitpid(child, &status, 0) != child)
        return 6;
    if (!WIFEXITED(status) || WEXITSTATUS(status))
        return 7;
    return 0;
}

static int run_setuid(const char *probe)
{
    int status;
    pid_t child = fork();

    if (child < 0)
        fail("fork");
    if (child == 0) {
        execl(probe, probe, "probe", (char *)NULL);
        _exit(127);
    }
    if (waitpid(child, &status, 0) != child)
        fail("wait for the probe");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

static int run_vfork(void)
{
    int status;
    pid_t child = vfork();

    if (child < 0)
        fail("vfork");
    if (child == 0) {
        execl("/bin/sh", "sh", "-c", "exit 5", (char *)NULL);
        _exit(127);
    }
    if (waitpid(child, &status, 0) != child)
        fail("wait for the child");
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* A stricter filter than the tracer's: its EPERM wins over the trace. */
static int own_filter(void)
{
    struct sock_filter code[] = {
        BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
        BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_umask, 0, 1),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
        BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
    };
    struct sock_fprog prog = { sizeof code / sizeof *code, code };

    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
        prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, &prog, 0, 0) < 0)
        fail("install a seccomp filter");
    umask(0);
    return 0;
}

static int stop(const char *pidfile)
{
    char text[32] = "";
    int fd = open(pidfile, O_RDONLY | O_CLOEXEC), pidfd;
    struct pollfd p;
    ssize_t n;

    if (fd < 0)
        fail("open the pidfile");
    n = read(fd, text, sizeof text - 1);
    close(fd);
    if (n <= 0)
        fail("read the pidfile");
    pidfd = pidfd_open((pid_t)atoi(text), 0);
    if (pidfd < 0)
        fail("open a pidfd");
    if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) < 0)
        fail("send SIGTERM");
    p = (struct pollfd){ .fd = pidfd, .events = POLLIN };
    while (poll(&p, 1, 10000) < 0 && errno == EINTR)
        ;
    return 0;
}

/* The seed's stop loop, without its sleep: SIGTERM until kill() fails,
 * waiting LOOP_WAIT_MS on the pid's pidfd between two; once the pidfd
 * says it ended, one last kill (which may still find a zombie). */
static int stop_loop(const char *pidfile)
{
    char text[32] = "";
    int fd = open(pidfile, O_RDONLY | O_CLOEXEC), pidfd;
    pid_t pid;
    ssize_t n;

    if (fd < 0)
        fail("open the pidfile");
    n = read(fd, text, sizeof text - 1);
    close(fd);
    pid = n > 0 ? (pid_t)atoi(text) : 0;
    if (pid <= 0)
        fail("read the pidfile");
    pidfd = pidfd_open(pid, 0);
    for (int i = 0; i < LOOP_MAX; i++) {
        struct pollfd p = { .fd = pidfd, .events = POLLIN };

        if (kill(pid, SIGTERM) < 0)
            return errno == ESRCH ? 0 : 3;
        if (pidfd < 0 || poll(&p, 1, LOOP_WAIT_MS) > 0) {
            kill(pid, SIGTERM);
            return 0;
        }
    }
    return 4;
}

int main(int argc, char **argv)
{
    struct plan pl = { argc > 1 ? argv[1] : "", argc > 2 ? argv[2] : NULL,
                       argc > 3 ? atoi(argv[3]) : 0 };

    if (pl.count < 0 || pl.count > MAX_WORKERS * 64)
        pl.count = 0;
    if (strcmp(pl.mode, "tstp") == 0)
        return tstp();
    if (strcmp(pl.mode, "own-filter") == 0)
        return own_filter();
    if (strcmp(pl.mode, "vfork") == 0)
        return run_vfork();
    if (strcmp(pl.mode, "probe") == 0)
        return geteuid() != getuid() ? 0 : 3;
    if (strcmp(pl.mode, "setuid") == 0 && pl.pidfile)
        return run_setuid(pl.pidfile);
    if (strcmp(pl.mode, "stop") == 0 && pl.pidfile)
        return stop(pl.pidfile);
    if (strcmp(pl.mode, "stop-loop") == 0 && pl.pidfile)
        return stop_loop(pl.pidfile);
    if (!pl.pidfile) {
        fprintf(stderr, "usage: tdaemon MODE PIDFILE [N] (see the source)\n");
        return 2;
    }
    if (strcmp(pl.mode, "workers") == 0 && pl.count > MAX_WORKERS)
        pl.count = MAX_WORKERS;
    if (strcmp(pl.mode, "threads") == 0 && pl.count > MAX_WORKERS)
        pl.count = MAX_WORKERS;
    return launcher(&pl);
}
