/* launch.c — the holder and the hostile launch (see launch.h).
 *
 * Everything between fork and exec runs in a copy of the checker: it only
 * makes system calls, and reports a failure through the status pipe. */
#include <errno.h>
#include <fcntl.h>
#include <pty.h>
#include <signal.h>
#include <stdlib.h>
#include <stdint.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/pidfd.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "launch.h"

const int sentinel_fd_numbers[SENTINEL_FDS] = SENTINEL_FD_NUMBERS;

/* Kept descriptors are moved at or above this number in the holder, so
 * that planting 0-2 and the sentinels never overwrites one of them. */
#define HIGH_FD 20

static const char *const step_names[LS_COUNT] = {
    [LS_NONE] = "nothing",
    [LS_HOLDER_SIGMASK] = "the holder's sigprocmask",
    [LS_HOLDER_SIGNALS] = "the holder's reset of signal dispositions (sigaction)",
    [LS_HOLDER_FDS] = "the holder's move and close of its descriptors (fcntl, close_range)",
    [LS_HOLDER_SETSID] = "the holder's setsid",
    [LS_HOLDER_TIOCSCTTY] = "the holder's ioctl TIOCSCTTY on the terminal",
    [LS_HOLDER_FORK] = "the holder's fork of the launcher",
    [LS_HOLDER_WAIT] = "the holder's waitpid for the launcher",
    [LS_SIGMASK_ALL] = "the launcher's sigprocmask blocking all signals",
    [LS_SETPGID] = "the launcher's setpgid",
    [LS_TCSETPGRP] = "the launcher's tcsetpgrp on the terminal",
    [LS_DUP_TERMINAL] = "the launcher's dup2 of the terminal onto 0, 1 and 2",
    [LS_DUP_SENTINEL] = "the launcher's dup2 of a sentinel descriptor",
    [LS_CHDIR] = "the launcher's chdir to the scratch directory",
    [LS_SIGNALS] = "the launcher's reset of signal dispositions (sigaction)",
    [LS_SIGMASK] = "the launcher's sigprocmask blocking the sentinel signal",
    [LS_TRACE_GO] = "the launcher's read of the tracer's go",
    [LS_EXEC] = "execve",
    [LS_SVC_SETSID] = "the service's setsid",
    [LS_SVC_STDIN] = "the service's open of /dev/null on 0",
    [LS_SVC_JOURNAL] = "the service's dup2 of the journal pipe onto 1 and 2",
    [LS_SVC_LISTEN_FD] = "the service's dup2 of the listening socket onto 3",
    [LS_SVC_CLOSE_FDS] = "the service's close_range of the other descriptors",
};

const char *launch_step_name(enum launch_step step)
{
    return step > LS_NONE && step < LS_COUNT ? step_names[step] : "an unknown step";
}

struct holder_fds {
    int slave;
    int sentinel[SENTINEL_FDS];
    int status;                 /* write end */
    int control;                /* read end */
    int go;                     /* read end, -1 when untraced */
    const struct tracer *tr;    /* NULL when untraced */
};

#define HOLDER_FDS (SENTINEL_FDS + 4)

/* Every descriptor the holder keeps, for the code that moves or closes
 * them all: how many. */
static int holder_slots(struct holder_fds *f, int *slot[HOLDER_FDS])
{
    int n = 0;

    slot[n++] = &f->slave;
    for (int i = 0; i < SENTINEL_FDS; i++)
        slot[n++] = &f->sentinel[i];
    slot[n++] = &f->status;
    slot[n++] = &f->control;
    if (f->go >= 0)
        slot[n++] = &f->go;
    return n;
}

static void report(int fd, int kind, enum launch_step step, int value)
{
    struct holder_word r = { kind, (int)step, value };
    ssize_t n = write(fd, &r, sizeof r);
    (void)n;                    /* nobody left to tell if this fails */
}

static int move_high(int *fd)
{
    int moved = fcntl(*fd, F_DUPFD_CLOEXEC, HIGH_FD);

    if (moved < 0)
        return -1;
    close(*fd);
    *fd = moved;
    return 0;
}

/* Close every descriptor but the holder's own (a holder must not keep
 * another launch's terminal open, or that one would never hang up). */
static int keep_only(struct holder_fds *f)
{
    int *all[HOLDER_FDS];
    unsigned kept[HOLDER_FDS], next = 0;
    int n = holder_slots(f, all);

    for (int i = 0; i < n; i++) {
        if (move_high(all[i]) < 0)
            return -1;
        kept[i] = (unsigned)*all[i];
    }
    for (int i = 1; i < n; i++)     /* insertion sort: seven numbers */
        for (int j = i; j > 0 && kept[j - 1] > kept[j]; j--) {
            unsigned tmp = kept[j];
            kept[j] = kept[j - 1];
            kept[j - 1] = tmp;
        }
    for (int i = 0; i < n; i++) {
        if (kept[i] > next && close_range(next, kept[i] - 1, 0) < 0)
            return -1;
        next = kept[i] + 1;
    }
    return close_range(next, ~0U, 0);
}

/* glibc's sigaction refuses the two signals it reserves for its threads
 * (32 and 33), yet a launcher such as make can leave them ignored, and
 * that survives exec. The kernel is asked directly: an all-zero kernel
 * sigaction means SIG_DFL, no flags, an empty mask, whatever the
 * architecture's field order (the skeleton's daemonize.c does the same). */
static int reset_reserved(int sig)
{
    uint64_t zero[8] = { 0 };   /* larger than any kernel struct sigaction */

    return syscall(SYS_rt_sigaction, sig, zero, NULL, (size_t)(NSIG / 8)) == 0 ||
           errno == EINVAL ? 0 : -1;
}

/* Every candidate starts from the same, known state. */
int signals_to_default(void)
{
    struct sigaction sa;

    memset(&sa, 0, sizeof sa);
    sa.sa_handler = SIG_DFL;
    for (int sig = 1; sig < NSIG; sig++) {
        if (sig == SIGKILL || sig == SIGSTOP)
            continue;
        if (sigaction(sig, &sa, NULL) < 0 && (errno != EINVAL || reset_reserved(sig) < 0))
            return -1;
    }
    return 0;
}

/* Report a failed step through the status pipe, and die. */
static _Noreturn void launcher_failed(const struct holder_fds *f, enum launch_step step)
{
    report(f->status, 'E', step, errno);
    _exit(127);
}

/* In the launcher: become the terminal's foreground job in the hostile
 * environment, then exec. System calls only: the environment was built
 * before the fork. Never returns. */
static _Noreturn void become_candidate(char *const argv[], const struct hostile *h,
                                       const struct holder_fds *f)
{
    sigset_t set;

    /* SIGTTOU would stop a background group calling tcsetpgrp. */
    sigfillset(&set);
    if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
        launcher_failed(f, LS_SIGMASK_ALL);
    if (setpgid(0, 0) < 0)
        launcher_failed(f, LS_SETPGID);
    if (tcsetpgrp(f->slave, getpid()) < 0)
        launcher_failed(f, LS_TCSETPGRP);
    for (int fd = 0; fd <= 2; fd++)
        if (dup2(f->slave, fd) < 0)
            launcher_failed(f, LS_DUP_TERMINAL);
    for (int i = 0; i < SENTINEL_FDS; i++)
        if (dup2(f->sentinel[i], sentinel_fd_numbers[i]) < 0)  /* dup2 clears close-on-exec */
            launcher_failed(f, LS_DUP_SENTINEL);
    if (chdir(h->cwd) < 0)
        launcher_failed(f, LS_CHDIR);
    umask(h->umask);
    /* The holder set every disposition to its default before it forked
     * this process: only the one to ignore is left to set. */
    if (h->ignored_sig > 0 && sigaction(h->ignored_sig, &(struct sigaction){
                                            .sa_handler = SIG_IGN }, NULL) < 0)
        launcher_failed(f, LS_SIGNALS);
    sigemptyset(&set);
    sigaddset(&set, h->blocked_sig);
    if (sigprocmask(SIG_SETMASK, &set, NULL) < 0)
        launcher_failed(f, LS_SIGMASK);
    /* Traced: the checker seizes this process while it waits here, so the
     * trace begins with the exec and none of the set-up above is in it. */
    if (f->tr) {
        report(f->status, 'P', LS_NONE, (int)getpid());
        if (tracer_child_go(f->tr, f->go) < 0)
            launcher_failed(f, LS_TRACE_GO);
    }
    execve(argv[0], argv, h->envp);
    launcher_failed(f, LS_EXEC);
}

/* The holder failed before its command could run: say where, and that
 * the command "exited" 127, as a shell says of a command it cannot run. */
static _Noreturn void holder_failed(const struct holder_fds *f, enum launch_step step)
{
    report(f->status, 'E', step, errno);
    report(f->status, 'X', LS_NONE, 127 << 8);
    _exit(127);
}

/* The holder: lead a session on the terminal, start the command, report
 * its exit, then wait until the checker closes the control pipe. */
static _Noreturn void holder_main(char *const argv[], const struct hostile *h,
                                  struct holder_fds *f)
{
    sigset_t none;
    pid_t child;
    int status;
    char byte;

    if (signals_to_default() < 0)
        holder_failed(f, LS_HOLDER_SIGNALS);
    sigemptyset(&none);
    if (sigprocmask(SIG_SETMASK, &none, NULL) < 0)
        holder_failed(f, LS_HOLDER_SIGMASK);
    if (keep_only(f) < 0)
        holder_failed(f, LS_HOLDER_FDS);
    if (setsid() < 0)
        holder_failed(f, LS_HOLDER_SETSID);
    if (ioctl(f->slave, TIOCSCTTY, 0) < 0)
        holder_failed(f, LS_HOLDER_TIOCSCTTY);
    child = fork();
    if (child < 0)
        holder_failed(f, LS_HOLDER_FORK);
    if (child == 0)
        become_candidate(argv, h, f);
    close(f->slave);
    for (int i = 0; i < SENTINEL_FDS; i++)
        close(f->sentinel[i]);
    if (f->go >= 0)
        close(f->go);
    while (waitpid(child, &status, 0) < 0)
        if (errno != EINTR)
            holder_failed(f, LS_HOLDER_WAIT);
    report(f->status, 'X', LS_NONE, status);
    while (read(f->control, &byte, 1) < 0 && errno == EINTR)
        ;
    _exit(0);
}

/* The file's identity, and the device it is when it is one (rdev may be
 * NULL). */
static int identify(int fd, struct object_id *id, dev_t *rdev)
{
    struct stat st;

    if (fstat(fd, &st) < 0)
        return -1;
    id->dev = st.st_dev;
    id->ino = st.st_ino;
    if (rdev)
        *rdev = st.st_rdev;
    return 0;
}

static void close_holder_fds(struct holder_fds *f)
{
    int *all[HOLDER_FDS];
    int n = holder_slots(f, all);

    for (int i = 0; i < n; i++)
        if (*all[i] >= 0) {
            close(*all[i]);
            *all[i] = -1;
        }
}

/* Make the pty, the sentinels and the pipes, all close-on-exec: the
 * candidate sees none of them but where the launcher puts them. */
static int prepare(struct launch *l, struct holder_fds *f, int traced, const char **step)
{
    int status[2], control[2], go[2];

    *step = "openpty";
    if (openpty(&l->master, &f->slave, NULL, NULL, NULL) < 0)
        return -1;
    *step = "fcntl on the pty";
    if (fcntl(l->master, F_SETFD, FD_CLOEXEC) < 0 || fcntl(f->slave, F_SETFD, FD_CLOEXEC) < 0 ||
        fcntl(l->master, F_SETFL, O_NONBLOCK) < 0 || identify(f->slave, &l->tty, &l->tty_rdev) < 0)
        return -1;
    *step = "memfd_create for a sentinel";
    for (int i = 0; i < SENTINEL_FDS; i++) {
        f->sentinel[i] = memfd_create("checker-sentinel", MFD_CLOEXEC);
        if (f->sentinel[i] < 0 || identify(f->sentinel[i], &l->sentinel[i], NULL) < 0)
            return -1;
    }
    *step = "pipe2";
    if (pipe2(status, O_CLOEXEC) < 0)
        return -1;
    l->status_fd = status[0];
    f->status = status[1];
    if (pipe2(control, O_CLOEXEC) < 0)
        return -1;
    f->control = control[0];
    l->control_fd = control[1];
    if (traced) {
        if (pipe2(go, O_CLOEXEC) < 0)
            return -1;
        f->go = go[0];
        l->go_fd = go[1];
    }
    return 0;
}

/* Read the holder's next word, the words put aside first. 1, 0 at the
 * deadline, -1 (errno EPIPE: the holder died without a word). */
static int next_word(struct launch *l, struct tracker *t, long deadline, struct holder_word *w)
{
    int ready;
    ssize_t n;

    if (l->early_next < l->nearly) {
        *w = l->early[l->early_next++];
        return 1;
    }
    ready = tracker_wait_fd(t, l->status_fd, deadline);
    if (ready <= 0)
        return ready;
    n = read(l->status_fd, w, sizeof *w);
    if (n != (ssize_t)sizeof *w) {
        errno = n < 0 ? errno : EPIPE;
        return -1;
    }
    return 1;
}

/* Traced: wait for the launcher's pid, seize it, let it exec. What the
 * holder says before (a failed set-up, the exit) is kept for launch_wait.
 * A launch that cannot be traced goes on untraced: the record says why. */
static int trace_launcher(struct launch *l, struct tracker *t, const struct launch_trace *lt,
                          const char **step)
{
    struct holder_word w;
    int seized;

    *step = "wait for the launcher's pid";
    while (l->nearly < 2) {
        int got = next_word(l, t, -1, &w);

        if (got <= 0)
            return -1;
        if (w.kind == 'P')
            break;
        l->early[l->nearly++] = w;
        if (w.kind == 'X')
            return 0;       /* it never got as far as the exec */
    }
    if (w.kind != 'P')
        return 0;
    l->launcher = (pid_t)w.value;
    l->trace_index = tracer_launch(lt->tr, lt->kind, l->tty_rdev);
    seized = l->trace_index >= 0 && tracer_seize(lt->tr, l->launcher, l->trace_index) == 0;
    *step = "write the tracer's go";
    if (tracer_go(lt->tr, l->go_fd, seized) < 0)
        return -1;
    close(l->go_fd);
    l->go_fd = -1;
    return 0;
}

int launch_start(struct launch *l, struct tracker *t, char *const argv[],
                 const struct hostile *h, enum origin origin, const struct launch_trace *lt,
                 struct launch_result *res, const char **step)
{
    struct holder_fds f = { -1, { -1, -1, -1 }, -1, -1, -1, lt ? lt->tr : NULL };
    int saved;

    memset(l, 0, sizeof *l);
    l->master = l->status_fd = l->control_fd = l->holder_pidfd = l->go_fd = -1;
    l->trace_index = -1;
    l->result = res;
    memset(res, 0, sizeof *res);
    if (prepare(l, &f, lt != NULL, step) < 0)
        goto fail;
    l->started_ms = now_ms();
    t->current = origin;
    *step = "fork";
    l->holder = fork();
    if (l->holder < 0)
        goto fail;
    if (l->holder == 0)
        holder_main(argv, h, &f);
    close_holder_fds(&f);
    /* The holder is our child and not reaped yet: its pid is still its own. */
    *step = "pidfd_open on the holder";
    l->holder_pidfd = pidfd_open(l->holder, 0);
    if (l->holder_pidfd < 0)
        goto fail;
    *step = "track the holder";
    if (tracker_add_helper(t, l->holder, origin) < 0 ||
        tracker_watch(t, l->master, res->output, sizeof res->output, &res->output_len) < 0)
        goto fail;
    if (lt && trace_launcher(l, t, lt, step) < 0)
        goto fail;
    return 0;
fail:
    saved = errno;
    close_holder_fds(&f);
    launch_release(l, t);
    errno = saved;
    return -1;
}

int launch_wait(struct launch *l, struct tracker *t, long deadline,
                struct launch_failure *failed)
{
    struct launch_result *res = l->result;

    failed->step = LS_NONE;
    failed->err = 0;
    for (;;) {
        struct holder_word r;
        int ready = next_word(l, t, deadline, &r);

        res->elapsed_ms = now_ms() - l->started_ms;
        if (ready <= 0)
            return ready;
        if (r.kind == 'P')
            continue;
        if (r.kind == 'E') {
            failed->step = r.step > LS_NONE && r.step < LS_COUNT ? (enum launch_step)r.step
                                                                 : LS_COUNT;
            failed->err = r.value;
            continue;
        }
        res->exited = 1;
        res->status = r.value;
        /* What it printed just before exiting may still sit in the pty. */
        tracker_drain(t, l->master);
        return 1;
    }
}

int launch_hangup(struct launch *l, struct tracker *t, long deadline)
{
    int reported = l->result && l->result->exited, rc = 0;

    /* A holder that reported is reading the control pipe and exits when it
     * closes; its exit, as the controlling process's, sends SIGHUP to the
     * foreground group. A holder still waiting for its launcher dies of
     * the SIGHUP that closing the master sends it, and its exit then sends
     * SIGHUP to the group the terminal had. Either way, the signal is
     * sent, synchronously, before the holder's end shows: waiting for that
     * end makes the hangup complete when this returns, at any load. */
    if (l->control_fd >= 0) {
        close(l->control_fd);
        l->control_fd = -1;
    }
    if (reported && l->holder_pidfd >= 0 && tracker_wait_fd(t, l->holder_pidfd, deadline) < 0)
        rc = -1;
    if (l->master >= 0) {
        tracker_drain(t, l->master);
        tracker_unwatch(t, l->master);
        close(l->master);
        l->master = -1;
    }
    if (!reported && l->holder_pidfd >= 0 && rc == 0 &&
        tracker_wait_fd(t, l->holder_pidfd, deadline) < 0)
        rc = -1;
    return rc;
}

void launch_release(struct launch *l, struct tracker *t)
{
    int saved = errno;

    launch_hangup(l, t, now_ms() + 1000);
    if (l->status_fd >= 0)
        close(l->status_fd);
    l->status_fd = -1;
    if (l->go_fd >= 0)
        close(l->go_fd);    /* a launcher still waiting for its go reads EOF: untraced */
    l->go_fd = -1;
    if (l->holder_pidfd >= 0) {
        siginfo_t si;

        pidfd_send_signal(l->holder_pidfd, SIGKILL, NULL, 0);
        /* ECHILD when the tracker reaped it already: nothing else can fail
         * here that the caller could act on. */
        while (waitid(P_PIDFD, (id_t)l->holder_pidfd, &si, WEXITED) < 0 && errno == EINTR)
            ;
        close(l->holder_pidfd);
        l->holder_pidfd = -1;
        tracker_forget_helper(t, l->holder);
    }
    errno = saved;
}
