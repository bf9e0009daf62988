/* harness.c — the checker's process tree in miniature, to run the tracer
 * (checker/tracer.c) as the checker will: a child subreaper that reaps
 * through a signalfd, a holder per launch (a session leader on a pty),
 * and a launcher that sets up a hostile environment (pty on 0-2,
 * sentinels on 3, 4 and 9, SIGRTMIN+2 blocked, SIGRTMIN+3 ignored, umask
 * 077) and waits on the go pipe before it execs. The launches are those
 * of a checker run: start, second start, hangup, stop, stale-pidfile
 * start, stop; then a sweep and tracer_finish().
 *
 * Usage: harness [--mode filter|syscall|auto|off] [--second] [--stale]
 *                [--stop CMD] [--max-events N] [--max-procs N]
 *                [--max-tasks N] [--bench N] [--quiet] [--die] -- COMMAND...
 * {pidfile} in COMMAND and CMD is the scratch pidfile. Prints the record
 * as JSON lines, then a summary line that says what was left behind
 * (processes, traced ones, stopped ones). --bench N runs the whole
 * sequence N times in each mode (off, filter, syscall), interleaved,
 * and prints the median time of each launch per mode as JSON lines.
 * --die: after the first start, print the daemon's pid and die of
 * SIGKILL, as a checker might. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pty.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>
#include <dirent.h>

#include "proc.h"
#include "trace_words.h"
#include "trace.h"
#include "tracer.h"

#define HIGH_FD 20
#define MAX_ARGS 64
#define TIMEOUT_MS 20000
#define MAX_LAUNCH 8

static const char *prog = "harness";

static void cleanup_and_exit(int status);

static void die(const char *what)
{
    fprintf(stderr, "%s: fatal: unable to %s: %s\n", prog, what, strerror(errno));
    cleanup_and_exit(111);
}

static long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

static double now_msf(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec * 1000.0 + (double)ts.tv_nsec / 1e6;
}

struct options {
    enum tracer_mode mode;
    int off, second, stale, quiet, bench, die;
    const char *stop;
    size_t max_events, max_procs, max_tasks;
    char **command;
    int argc;
};

struct launch {
    int index;                  /* in the record, or -1 untraced */
    pid_t holder, launcher;
    int master, report, control, go;
    int watched;                /* master still drained: it has not answered EIO */
    dev_t tty;
    int exited, status;
    double ms;
};

struct run {
    const struct options *opt;
    int traced;
    struct trace rec;
    struct tracer *tr;
    int sigfd;
    char dir[64], cwd[80], pidfile[96];
    struct launch l[MAX_LAUNCH];
    int nl;
    pid_t daemon;
    enum trace_launch_kind kinds[MAX_LAUNCH];
};

/* Holder and launcher report to the harness. */
struct report {
    char kind;                  /* 'P' launcher pid, 'X' its wait status, 'E' errno */
    int value;
};

static int high(int fd)
{
    int moved;

    if (fd < 0)
        die("create a descriptor");
    moved = fcntl(fd, F_DUPFD_CLOEXEC, HIGH_FD);
    if (moved < 0)
        die("move a descriptor");
    close(fd);
    return moved;
}

static void say(int fd, char kind, int value)
{
    struct report r = { kind, value };
    (void)!write(fd, &r, sizeof r);
}

/* The launcher, between fork and exec: system calls only. */
static void become_candidate(struct run *r, int slave, const int *sentinel, int report, int go,
                             char *const argv[])
{
    static const int numbers[3] = { 3, 4, 9 };
    struct sigaction sa;
    sigset_t set;

    sigfillset(&set);
    if (sigprocmask(SIG_SETMASK, &set, NULL) < 0 || setpgid(0, 0) < 0 ||
        tcsetpgrp(slave, getpid()) < 0)
        goto fail;
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(slave, fd) < 0)
            goto fail;
    for (int i = 0; i < 3; i++)
        if (dup2(sentinel[i], numbers[i]) < 0)
            goto fail;
    if (chdir(r->cwd) < 0)
        goto fail;
    umask(077);
    memset(&sa, 0, sizeof sa);
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        sa.sa_handler = sig == SIGRTMIN + 3 ? SIG_IGN : SIG_DFL;
        sigaction(sig, &sa, NULL);
    }
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 2);
    if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
        goto fail;
    if (r->tr) {
        if (tracer_child_go(r->tr, go) < 0)
            goto fail;
    } else {
        char byte;
        while (read(go, &byte, 1) < 0 && errno == EINTR)
            ;
    }
    execvp(argv[0], argv);
fail:
    say(report, 'E', errno);
    _exit(127);
}

static void holder_main(struct run *r, int slave, const int *sentinel, int report, int control,
                        int go, char *const argv[])
{
    sigset_t none;
    pid_t child;
    int status;
    char byte;

    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    signal(SIGHUP, SIG_DFL);
    if (setsid() < 0 || ioctl(slave, TIOCSCTTY, 0) < 0) {
        say(report, 'E', errno);
        _exit(127);
    }
    child = fork();
    if (child < 0) {
        say(report, 'E', errno);
        _exit(127);
    }
    if (child == 0)
        become_candidate(r, slave, sentinel, report, go, argv);
    say(report, 'P', child);
    close(slave);
    close(go);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            _exit(1);
    say(report, 'X', status);
    while (read(control, &byte, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
}

/* Every waitpid result goes to the tracer, as the checker must do. */
static void reap(struct run *r)
{
    for (;;) {
        int status;
        pid_t pid = waitpid(-1, &status, __WALL | WNOHANG);

        if (pid <= 0)
            return;
        if (r->tr)
            tracer_on_wait(r->tr, pid, status);
    }
}

static void drain_masters(struct run *r, struct pollfd *p, int n)
{
    for (int i = 0; i < n; i++)
        if (p[i].revents) {
            char buf[4096];
            ssize_t got = read(p[i].fd, buf, sizeof buf);
            /* EIO: no slave is open any more. Closing the master now
             * would hang up the holder too early: only stop draining. */
            if (got == 0 || (got < 0 && errno != EAGAIN && errno != EINTR))
                for (int j = 0; j < r->nl; j++)
                    if (r->l[j].master == p[i].fd)
                        r->l[j].watched = 0;
        }
}

/* Wait until fd is readable (1) or the deadline (0), reaping meanwhile
 * and draining every terminal (a candidate writing to a full one would
 * block for ever). */
static int wait_fd(struct run *r, int fd, long deadline)
{
    for (;;) {
        struct pollfd p[2 + MAX_LAUNCH];
        int n = 0, masters, left = (int)(deadline - now_ms());

        if (left < 0)
            return 0;
        p[n++] = (struct pollfd){ .fd = r->sigfd, .events = POLLIN };
        if (fd >= 0)
            p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
        masters = n;
        for (int i = 0; i < r->nl; i++)
            if (r->l[i].master >= 0 && r->l[i].watched)
                p[n++] = (struct pollfd){ .fd = r->l[i].master, .events = POLLIN };
        if (poll(p, (nfds_t)n, left) < 0 && errno != EINTR)
            die("poll");
        if (p[0].revents) {
            struct signalfd_siginfo si;
            while (read(r->sigfd, &si, sizeof si) == (ssize_t)sizeof si)
                ;
            reap(r);
        }
        drain_masters(r, p + masters, n - masters);
        if (fd >= 0 && p[1].revents)
            return 1;
    }
}

static void substitute(const char *in, const char *pidfile, char *out, size_t cap)
{
    const char *at = strstr(in, "{pidfile}");

    if (!at)
        snprintf(out, cap, "%s", in);
    else
        snprintf(out, cap, "%.*s%s%s", (int)(at - in), in, pidfile, at + 9);
}

static struct launch *launch_start(struct run *r, enum trace_launch_kind kind, char *const argv[])
{
    struct launch *l = &r->l[r->nl];
    int slave, sentinel[3], report[2], control[2], go[2];
    struct stat st;
    struct report rep;

    if (r->nl == MAX_LAUNCH) {
        errno = ENOSPC;
        die("start another launch");
    }
    memset(l, 0, sizeof *l);
    l->index = -1;
    if (openpty(&l->master, &slave, NULL, NULL, NULL) < 0)
        die("open a pty");
    l->master = high(l->master);
    slave = high(slave);
    fcntl(l->master, F_SETFL, O_NONBLOCK);
    l->watched = 1;
    if (fstat(slave, &st) < 0)
        die("stat the pty");
    l->tty = st.st_rdev;
    for (int i = 0; i < 3; i++)
        sentinel[i] = high(memfd_create("harness-sentinel", MFD_CLOEXEC));
    if (pipe2(report, O_CLOEXEC) < 0 || pipe2(control, O_CLOEXEC) < 0 || pipe2(go, O_CLOEXEC) < 0)
        die("create a pipe");
    l->report = high(report[0]);
    report[1] = high(report[1]);
    control[0] = high(control[0]);
    l->control = high(control[1]);
    go[0] = high(go[0]);
    l->go = high(go[1]);
    if (r->tr)
        l->index = tracer_launch(r->tr, kind, l->tty);
    r->kinds[r->nl] = kind;
    r->nl++;
    l->ms = now_msf();
    l->holder = fork();
    if (l->holder < 0)
        die("fork a holder");
    if (l->holder == 0) {
        /* Another launch's terminal or control pipe kept open here would
         * never hang up, nor let its holder see the end of its pipe. */
        for (int i = 0; i < r->nl - 1; i++) {
            if (r->l[i].master >= 0)
                close(r->l[i].master);
            if (r->l[i].control >= 0)
                close(r->l[i].control);
            if (r->l[i].report >= 0)
                close(r->l[i].report);
        }
        close(r->sigfd);
        close(l->master);
        close(l->report);
        close(l->control);
        close(l->go);
        holder_main(r, slave, sentinel, report[1], control[0], go[0], argv);
    }
    close(slave);
    for (int i = 0; i < 3; i++)
        close(sentinel[i]);
    close(report[1]);
    close(control[0]);
    close(go[0]);
    if (wait_fd(r, l->report, now_ms() + TIMEOUT_MS) != 1 ||
        read(l->report, &rep, sizeof rep) != (ssize_t)sizeof rep || rep.kind != 'P')
        die("learn the launcher's pid");
    l->launcher = rep.value;
    if (r->tr) {
        int seized = tracer_seize(r->tr, l->launcher, l->index) == 0;
        if (tracer_go(r->tr, l->go, seized) < 0)
            die("write the go byte");
    } else if (write(l->go, "N", 1) != 1) {
        die("write the go byte");
    }
    close(l->go);
    l->go = -1;
    return l;
}

static void launch_wait(struct run *r, struct launch *l)
{
    struct report rep;

    for (;;) {
        if (wait_fd(r, l->report, now_ms() + TIMEOUT_MS) != 1) {
            errno = ETIMEDOUT;
            die("wait for the launcher");
        }
        if (read(l->report, &rep, sizeof rep) != (ssize_t)sizeof rep)
            die("read the holder's report");
        if (rep.kind == 'E') {
            errno = rep.value;
            die("start the command");
        }
        if (rep.kind == 'X')
            break;
    }
    l->exited = 1;
    l->status = rep.value;
    l->ms = now_msf() - l->ms;
}

/* Close the holder's control pipe: it exits, and the terminal hangs up. */
static void launch_release(struct run *r, struct launch *l)
{
    int pidfd = pidfd_open(l->holder, 0);

    if (l->control >= 0)
        close(l->control);
    l->control = -1;
    if (pidfd >= 0) {
        wait_fd(r, pidfd, now_ms() + TIMEOUT_MS);
        close(pidfd);
    }
    if (l->master >= 0)
        close(l->master);
    l->master = -1;
    close(l->report);
    l->report = -1;
}

static pid_t pidfile_pid(const struct run *r)
{
    char text[32] = "";
    int fd = open(r->pidfile, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return 0;
    n = read(fd, text, sizeof text - 1);
    close(fd);
    return n > 0 ? (pid_t)atoi(text) : 0;
}

/* Run `sh -c CMD` as a traced launch, or SIGTERM the daemon; then wait
 * for the daemon's end. */
static void stop_daemon(struct run *r, pid_t daemon)
{
    int pidfd = daemon > 0 ? pidfd_open(daemon, 0) : -1;
    double start = now_msf();

    /* What the checker did is part of the timeline too. */
    if (r->tr && !r->opt->stop)
        trace_add_event(&r->rec, r->l[0].index, 0, 0, TE_CHECKER, SIGTERM, "SIGTERM to %d",
                        (int)daemon);
    if (r->opt->stop) {
        char cmd[512];
        char *argv[] = { "/bin/sh", "-c", cmd, NULL };
        struct launch *l;
        substitute(r->opt->stop, r->pidfile, cmd, sizeof cmd);
        l = launch_start(r, TL_STOP, argv);
        launch_wait(r, l);
    } else if (pidfd >= 0) {
        pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
    }
    if (pidfd >= 0) {
        wait_fd(r, pidfd, now_ms() + TIMEOUT_MS);
        close(pidfd);
    }
    if (r->opt->stop)
        r->l[r->nl - 1].ms = now_msf() - start;
}

/* The stale-pidfile start: the pidfile names a dead process (a child of
 * ours, reaped); the new daemon must take it over. Then stop it. */
static void start_stale(struct run *r, char *const argv[])
{
    pid_t dead = fork(), daemon;
    struct launch *l;
    char text[32];
    int fd, len;

    if (dead < 0)
        die("fork");
    if (dead == 0)
        _exit(0);
    while (waitpid(dead, NULL, 0) < 0 && errno == EINTR)
        ;
    unlink(r->pidfile);
    fd = open(r->pidfile, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    len = snprintf(text, sizeof text, "%d\n", (int)dead);
    if (fd < 0 || write(fd, text, (size_t)len) != len)
        die("write a stale pidfile");
    close(fd);
    l = launch_start(r, TL_STALE, argv);
    launch_wait(r, l);
    daemon = pidfile_pid(r);
    if (daemon != dead)
        stop_daemon(r, daemon);
}

/* The candidate's processes now: the subreaper's descendants, but the
 * holders. */
static int descendants(pid_t root, pid_t *out, int cap, const struct run *r, int *stopped)
{
    pid_t pids[8192], ppids[8192];
    char states[8192];
    int n = 0, count = 0, grew = 1;
    char in[8192] = { 0 };
    DIR *d = opendir("/proc");
    struct dirent *e;

    if (!d)
        die("open /proc");
    while ((e = readdir(d)) != NULL && n < 8192) {
        char path[300], buf[1024];
        struct proc_stat st;
        ssize_t len;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
        len = proc_read_file(AT_FDCWD, path, buf, sizeof buf);
        if (len < 0 || proc_stat_parse(buf, (size_t)len, &st) < 0)
            continue;
        pids[n] = st.pid;
        ppids[n] = st.ppid;
        states[n] = st.state;
        n++;
    }
    closedir(d);
    while (grew) {
        grew = 0;
        for (int i = 0; i < n; i++) {
            if (in[i])
                continue;
            for (int j = 0; j < n; j++)
                if (ppids[i] == root || (in[j] && pids[j] == ppids[i])) {
                    in[i] = 1;
                    grew = 1;
                    break;
                }
        }
    }
    if (stopped)
        *stopped = 0;
    for (int i = 0; i < n; i++) {
        int holder = 0;
        if (!in[i])
            continue;
        for (int j = 0; j < r->nl; j++)
            holder |= r->l[j].holder == pids[i];
        if (holder && out)
            continue;
        if (stopped && (states[i] == 't' || states[i] == 'T'))
            (*stopped)++;
        if (out && count < cap)
            out[count] = pids[i];
        count++;
    }
    return count;
}

/* Processes anywhere that this process traces. */
static int traced_by_me(void)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int count = 0;
    pid_t self = getpid();

    if (!d)
        die("open /proc");
    while ((e = readdir(d)) != NULL) {
        char path[300], buf[4096], *at;
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof path, "/proc/%s/status", e->d_name);
        if (proc_read_file(AT_FDCWD, path, buf, sizeof buf) < 0)
            continue;
        at = strstr(buf, "TracerPid:");
        if (at && atoi(at + 10) == self)
            count++;
    }
    closedir(d);
    return count;
}

/* What the checker does last: SIGKILL the candidate's processes until
 * none is left, reaping through the tracer. */
static void sweep(struct run *r)
{
    long deadline = now_ms() + TIMEOUT_MS;

    for (;;) {
        pid_t pids[4096];
        int n = descendants(getpid(), pids, 4096, r, NULL);
        if (n == 0 || now_ms() > deadline)
            break;
        for (int i = 0; i < n && i < 4096; i++)
            kill(pids[i], SIGKILL);
        wait_fd(r, -1, now_ms() + 5);
    }
    for (int i = 0; i < r->nl; i++)
        if (r->l[i].control >= 0 || r->l[i].master >= 0)
            launch_release(r, &r->l[i]);
    reap(r);
}

/* The run in progress, for a fatal error's clean-up, and who owns it (a
 * forked holder must not clean up the harness's run). */
static struct run *current;
static pid_t current_owner;

/* Leave nothing behind, even on a fatal error: the candidate's processes
 * (a traced one would die with the tracer anyway, PTRACE_O_EXITKILL, but
 * not an untraced one) and the scratch directory. */
static void cleanup_and_exit(int status)
{
    struct run *r = current;
    pid_t pids[4096];
    int n;

    current = NULL;
    if (r && getpid() == current_owner) {
        n = descendants(getpid(), pids, 4096, r, NULL);
        for (int i = 0; i < n && i < 4096; i++)
            kill(pids[i], SIGKILL);
        for (int i = 0; i < r->nl; i++)
            kill(r->l[i].holder, SIGKILL);
        unlink(r->pidfile);
        rmdir(r->cwd);
        rmdir(r->dir);
    }
    exit(status);
}

static void json_string(const char *s)
{
    putchar('"');
    for (; *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c == '"' || c == '\\')
            printf("\\%c", c);
        else if (c < 0x20)
            printf("\\u%04x", c);
        else
            putchar(c);
    }
    putchar('"');
}

static void print_record(const struct run *r)
{
    const struct trace *t = &r->rec;

    for (int i = 0; i < r->nl; i++)
        printf("{\"launch\": %d, \"kind\": \"%s\", \"first\": %d, \"status\": %d, \"ms\": %.2f}\n",
               r->l[i].index, trace_launch_name(r->kinds[i]), (int)r->l[i].launcher,
               r->l[i].status, r->l[i].ms);
    for (size_t i = 0; i < t->nprocs; i++) {
        const struct trace_proc *p = &t->procs[i];
        printf("{\"proc\": %d, \"ppid\": %d, \"launch\": %d, \"role\": \"%s\", \"sid\": %d, "
               "\"pgid\": %d, \"start_us\": %lld, \"end_us\": %lld, \"status\": %d, "
               "\"exit_ppid\": %d, \"comm\": ", (int)p->pid, (int)p->ppid, p->launch,
               trace_role_name(p->role), (int)p->sid, (int)p->pgid, p->start_us, p->end_us,
               p->status, (int)p->exit_ppid);
        json_string(p->comm);
        printf("}\n");
    }
    for (size_t i = 0; i < t->nev; i++) {
        const struct trace_event *e = &t->ev[i];
        char words[TRACE_WORDS];

        trace_event_words(words, sizeof words, e);
        printf("{\"ev\": \"%s\", \"launch\": %d, \"us\": %lld, \"pid\": %d, \"ppid\": %d, "
               "\"value\": %lld, \"arg\": %lld, \"detail\": ", trace_kind_name(e->kind), e->launch,
               e->us, (int)e->pid, (int)e->ppid, e->value, e->arg);
        json_string(e->detail);
        printf(", \"words\": ");
        json_string(words);
        printf("}\n");
    }
}

static const char *mode_name(enum trace_mode m)
{
    return m == TM_FILTER ? "filter" : m == TM_SYSCALL ? "syscall" : "off";
}

/* --bench: every run's launch times, per mode (0 off, 1 filter, 2 syscall). */
static double bench_ms[3][64][MAX_LAUNCH];
static int bench_nl[3], bench_rounds[3];
static size_t bench_stops[3];

static double median(double *v, int n)
{
    for (int a = 1; a < n; a++)
        for (int b = a; b > 0 && v[b - 1] > v[b]; b--) {
            double tmp = v[b];
            v[b] = v[b - 1];
            v[b - 1] = tmp;
        }
    return n ? v[n / 2] : 0;
}

static void bench_add(const struct run *r, int m, int report)
{
    static const char *names[3] = { "off", "filter", "syscall" };

    bench_stops[m] += r->rec.stops;
    if (bench_rounds[m] < 64) {
        for (int i = 0; i < r->nl; i++)
            bench_ms[m][bench_rounds[m]][i] = r->l[i].ms;
        bench_nl[m] = r->nl;
        bench_rounds[m]++;
    }
    if (!report)
        return;
    for (m = 0; m < 3; m++) {
        printf("{\"bench\": \"%s\", \"rounds\": %d, \"stops\": %zu, \"launches\": [",
               names[m], bench_rounds[m],
               bench_rounds[m] ? bench_stops[m] / (size_t)bench_rounds[m] : 0);
        for (int i = 0; i < bench_nl[m]; i++) {
            double v[64];
            for (int k = 0; k < bench_rounds[m]; k++)
                v[k] = bench_ms[m][k][i];
            printf("%s[\"%s\", %.2f]", i ? ", " : "", trace_launch_name(r->kinds[i]),
                   median(v, bench_rounds[m]));
        }
        printf("]}\n");
    }
}

/* One checker run: every launch, the stops, the sweep. 0 when nothing
 * was left behind. */
static int run_once(const struct options *opt, int traced, enum tracer_mode mode, int print)
{
    struct run r;
    char *argv[MAX_ARGS + 1], args[MAX_ARGS][512];
    struct tracer_config cfg = { .mode = mode, .sentinel_fds = { 3, 4, 9 }, .nsentinel_fds = 3 };
    sigset_t set;
    struct launch *first;
    int left, stopped, traced_left, finish = 0;

    memset(&r, 0, sizeof r);
    r.opt = opt;
    r.traced = traced;
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        die("become a child subreaper");
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        die("block SIGCHLD");
    r.sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (r.sigfd < 0)
        die("create a signalfd");
    snprintf(r.dir, sizeof r.dir, "/tmp/harness.XXXXXX");
    if (!mkdtemp(r.dir))
        die("create a scratch directory");
    snprintf(r.cwd, sizeof r.cwd, "%s/cwd", r.dir);
    snprintf(r.pidfile, sizeof r.pidfile, "%s/pidfile", r.dir);
    current = &r;
    current_owner = getpid();
    if (mkdir(r.cwd, 0755) < 0)
        die("create the scratch cwd");
    for (int i = 0; i < opt->argc && i < MAX_ARGS; i++) {
        substitute(opt->command[i], r.pidfile, args[i], sizeof args[i]);
        argv[i] = args[i];
    }
    argv[opt->argc < MAX_ARGS ? opt->argc : MAX_ARGS] = NULL;

    trace_init(&r.rec, opt->max_events, opt->max_procs);
    cfg.pidfile = r.pidfile;
    cfg.watched_sigs[0] = SIGRTMIN + 2;
    cfg.watched_sigs[1] = SIGRTMIN + 3;
    cfg.nwatched_sigs = 2;
    cfg.max_tasks = opt->max_tasks;
    if (traced) {
        r.tr = tracer_new(&cfg, &r.rec);
        if (!r.tr)
            die("create the tracer");
    }

    first = launch_start(&r, TL_START, argv);
    launch_wait(&r, first);
    r.daemon = pidfile_pid(&r);
    if (opt->die) {
        /* A checker killed mid-run: PTRACE_O_EXITKILL must end its tracees.
         * The caller removes the scratch directory. */
        printf("{\"daemon\": %d, \"dir\": \"%s\"}\n", (int)r.daemon, r.dir);
        fflush(stdout);
        kill(getpid(), SIGKILL);
    }
    if (opt->second) {
        struct launch *l = launch_start(&r, TL_SECOND, argv);
        launch_wait(&r, l);
    }
    if (r.tr)
        trace_add_event(&r.rec, first->index, 0, 0, TE_CHECKER, 0, "hang-up of the first "
                        "launch's terminal");
    launch_release(&r, first);          /* the hangup */
    stop_daemon(&r, r.daemon);
    if (opt->stale)
        start_stale(&r, argv);
    sweep(&r);
    if (r.tr)
        finish = tracer_finish(r.tr);
    left = descendants(getpid(), NULL, 0, &r, &stopped);
    traced_left = traced_by_me();
    if (r.tr && r.rec.nlaunches > 0)
        trace_assign_roles(&r.rec, 0, r.daemon);
    if (print > 0) {
        print_record(&r);
        printf("{\"summary\": 1, \"mode\": \"%s\", \"events\": %zu, \"dropped\": %zu, "
               "\"procs\": %zu, \"procs_dropped\": %zu, \"stops\": %zu, \"left\": %d, "
               "\"traced_left\": %d, "
               "\"stopped_left\": %d, \"finish\": %d, \"daemon\": %d, \"harness\": %d}\n",
               mode_name(traced ? r.rec.mode : TM_OFF), r.rec.nev, r.rec.dropped, r.rec.nprocs,
               r.rec.procs_dropped, r.rec.stops, left, traced_left, stopped, finish, (int)r.daemon,
               (int)getpid());
    }
    if (opt->bench)
        bench_add(&r, !traced ? 0 : mode == TRACER_FILTER ? 1 : 2, print < 0);
    if (r.tr)
        tracer_free(r.tr);
    trace_free(&r.rec);
    close(r.sigfd);
    unlink(r.pidfile);
    rmdir(r.cwd);
    rmdir(r.dir);
    current = NULL;
    return left || traced_left || stopped;
}

static void usage(void)
{
    fprintf(stderr, "usage: %s [--mode filter|syscall|auto|off] [--second] [--stale] [--stop CMD] "
            "[--max-events N] [--max-procs N] [--max-tasks N] [--bench N] [--quiet] [--die] "
            "-- COMMAND...\n",
            prog);
    exit(2);
}

int main(int argc, char **argv)
{
    struct options opt = { .mode = TRACER_AUTO };
    int i, bad = 0;

    for (i = 1; i < argc && strcmp(argv[i], "--") != 0; i++) {
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--second") == 0)
            opt.second = 1;
        else if (strcmp(a, "--stale") == 0)
            opt.stale = 1;
        else if (strcmp(a, "--quiet") == 0)
            opt.quiet = 1;
        else if (strcmp(a, "--die") == 0)
            opt.die = 1;
        else if (!v)
            usage();
        else if (strcmp(a, "--mode") == 0 && ++i) {
            opt.off = strcmp(v, "off") == 0;
            opt.mode = strcmp(v, "filter") == 0 ? TRACER_FILTER
                     : strcmp(v, "syscall") == 0 ? TRACER_SYSCALL : TRACER_AUTO;
        } else if (strcmp(a, "--stop") == 0 && ++i)
            opt.stop = v;
        else if (strcmp(a, "--max-events") == 0 && ++i)
            opt.max_events = (size_t)atol(v);
        else if (strcmp(a, "--max-procs") == 0 && ++i)
            opt.max_procs = (size_t)atol(v);
        else if (strcmp(a, "--max-tasks") == 0 && ++i)
            opt.max_tasks = (size_t)atol(v);
        else if (strcmp(a, "--bench") == 0 && ++i)
            opt.bench = atoi(v);
        else
            usage();
    }
    if (i + 1 >= argc)
        usage();
    opt.command = argv + i + 1;
    opt.argc = argc - i - 1;
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (opt.bench > 0) {
        for (int round = 0; round < opt.bench; round++) {
            bad |= run_once(&opt, 0, TRACER_AUTO, 0);
            bad |= run_once(&opt, 1, TRACER_FILTER, 0);
            bad |= run_once(&opt, 1, TRACER_SYSCALL, round + 1 == opt.bench ? -1 : 0);
        }
        return bad ? 1 : 0;
    }
    bad = run_once(&opt, !opt.off, opt.mode, opt.quiet ? 0 : 1);
    return bad ? 1 : 0;
}
