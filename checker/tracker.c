/* tracker.c — subreaping and its records, the run's processes and their
 * launches, event waits, and safe signalling. See tracker.h. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "proc.h"
#include "scan.h"
#include "tracker.h"

/* Signals that ask the checker itself to stop: it must still sweep. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int tracker_init(struct tracker *t, const char **step)
{
    sigset_t set;
    int on = 0;

    memset(t, 0, sizeof *t);
    t->sigfd = -1;
    t->self = getpid();
    *step = "prctl with PR_SET_CHILD_SUBREAPER";
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        return -1;
    /* Confirm: a kernel that accepted the call but does not honour it would
     * let the daemon escape to init, and every check would be blind. */
    *step = "prctl with PR_GET_CHILD_SUBREAPER";
    if (prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) < 0)
        return -1;
    if (!on) {
        *step = "become a child subreaper (the kernel ignored PR_SET_CHILD_SUBREAPER)";
        errno = ENOTSUP;
        return -1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&set, stop_signals[i]);
    *step = "block SIGCHLD and the stop signals with sigprocmask";
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    *step = "create a signalfd";
    t->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (t->sigfd < 0)
        return -1;
    *step = NULL;
    t->ready = 1;
    return 0;
}

void tracker_fini(struct tracker *t)
{
    t->ready = 0;
    if (t->sigfd >= 0)
        close(t->sigfd);
    t->sigfd = -1;
    procset_free(&t->seen);
    free(t->ended);
    t->ended = NULL;
    t->nended = t->ended_cap = 0;
}

int tracker_add_helper(struct tracker *t, pid_t pid, enum origin origin)
{
    if (t->nhelpers == TRACKER_MAX_HELPERS) {
        errno = ENOSPC;
        return -1;
    }
    t->helpers[t->nhelpers++] = (struct helper){ pid, origin, 0 };
    return 0;
}

static struct helper *live_helper(struct tracker *t, pid_t pid)
{
    for (int i = 0; i < t->nhelpers; i++)
        if (t->helpers[i].pid == pid && !t->helpers[i].ended)
            return &t->helpers[i];
    return NULL;
}

void tracker_forget_helper(struct tracker *t, pid_t pid)
{
    struct helper *h = live_helper(t, pid);

    if (h)
        h->ended = 1;
}

int tracker_watch(struct tracker *t, int fd, char *buf, size_t cap, size_t *len)
{
    if (t->nwatches == TRACKER_MAX_WATCH) {
        errno = ENOSPC;
        return -1;
    }
    t->watches[t->nwatches++] = (struct watch){ fd, buf, cap, len, NULL, 0 };
    return 0;
}

int tracker_watch_tail(struct tracker *t, int fd, char *buf, size_t cap, size_t *len,
                       size_t *total)
{
    if (tracker_watch(t, fd, buf, cap, len) < 0)
        return -1;
    t->watches[t->nwatches - 1].keep_last = 1;
    t->watches[t->nwatches - 1].total = total;
    return 0;
}

/* Keep n bytes of chunk in the watch's buffer: the first ones, or the
 * last ones, dropping the oldest. */
static void keep(struct watch *w, const char *chunk, size_t n)
{
    if (w->total)
        *w->total += n;
    if (w->keep_last) {
        if (n >= w->cap) {
            memcpy(w->buf, chunk + n - w->cap, w->cap);
            *w->len = w->cap;
            return;
        }
        if (*w->len + n > w->cap) {
            size_t drop = *w->len + n - w->cap;
            memmove(w->buf, w->buf + drop, *w->len - drop);
            *w->len -= drop;
        }
        memcpy(w->buf + *w->len, chunk, n);
        *w->len += n;
        return;
    }
    if (*w->len < w->cap) {
        size_t room = w->cap - *w->len;
        memcpy(w->buf + *w->len, chunk, n < room ? n : room);
        *w->len += n < room ? n : room;
    }
}

void tracker_unwatch(struct tracker *t, int fd)
{
    for (int i = 0; i < t->nwatches; i++)
        if (t->watches[i].fd == fd) {
            t->watches[i] = t->watches[--t->nwatches];
            return;
        }
}

/* Keep the first bytes for the reports, drop the rest. A terminal whose
 * every slave is closed answers EIO: nothing more will come. */
static void drain(struct tracker *t, struct watch *w)
{
    for (;;) {
        char chunk[4096];
        ssize_t n = read(w->fd, chunk, sizeof chunk);

        if (n <= 0) {
            if (n == 0 || (errno != EAGAIN && errno != EINTR))
                tracker_unwatch(t, w->fd);
            return;
        }
        keep(w, chunk, (size_t)n);
    }
}

void tracker_drain(struct tracker *t, int fd)
{
    for (int i = 0; i < t->nwatches; i++)
        if (t->watches[i].fd == fd) {
            drain(t, &t->watches[i]);
            return;
        }
}

static int reap(struct tracker *t);

/* ---------------------------------------------------------- attribution */

static const struct helper *helper_leading(const struct tracker *t, pid_t sid)
{
    for (int i = 0; i < t->nhelpers; i++)
        if (t->helpers[i].pid == sid)
            return &t->helpers[i];
    return NULL;
}

/* Which launch a newcomer belongs to: its parent's, when the parent is in
 * this snapshot or is a holder; an orphan's, by the session or group it is
 * in (a holder leads its launch's session; a known process may have made
 * a session or group of its own); failing all of that, the launch under
 * way. Decided once, when the process is first seen. */
static enum origin attribute(const struct tracker *t, const struct tracked *p,
                             const struct procset *now)
{
    const struct tracked *q;
    const struct helper *h;
    pid_t ids[2] = { p->session, p->pgrp };

    for (size_t i = 0; i < t->seen.n; i++)
        if (same_process(&t->seen.v[i], p))
            return t->seen.v[i].origin;
    if (p->ppid != t->self) {
        if ((q = procset_find(now, p->ppid)) != NULL)
            return q->origin;
        for (int i = 0; i < t->nhelpers; i++)
            if (t->helpers[i].pid == p->ppid && !t->helpers[i].ended)
                return t->helpers[i].origin;
    }
    for (int i = 0; i < 2; i++) {
        if ((h = helper_leading(t, ids[i])) != NULL)
            return h->origin;
        if ((q = procset_find(now, ids[i])) != NULL || (q = procset_find(&t->seen, ids[i])) != NULL)
            return q->origin;
    }
    return t->current;
}

/* Keep a process in `seen` the first time it shows. */
static int remember(struct tracker *t, const struct tracked *p)
{
    return procset_has(&t->seen, p) ? 0 : procset_add(&t->seen, p);
}

int tracker_scan(struct tracker *t, struct procset *out)
{
    struct procset all = { 0 };
    int rc = 0;

    out->n = 0;
    if (!t->ready || t->self <= 0) {
        errno = EINVAL;
        return -1;
    }
    /* A traced process waits for the tracer at its stops and its exit:
     * its state in /proc is the tracer's doing until the waits are read. */
    if (t->hooks.on_wait && reap(t) < 0)
        return -1;
    if (scan_below(t->self, &all) < 0) {
        procset_free(&all);
        return -1;
    }
    /* Parents come first, so each one's origin is known before its children's. */
    for (size_t i = 0; i < all.n && rc == 0; i++) {
        struct tracked p = all.v[i];

        if (live_helper(t, p.pid))
            continue;
        p.origin = attribute(t, &p, out);
        rc = procset_add(out, &p) < 0 || remember(t, &p) < 0 ? -1 : 0;
    }
    procset_free(&all);
    return rc;
}

/* ------------------------------------------------------------- reaping */

static void record_end(struct tracker *t, const struct tracked *who, int status)
{
    if (t->nended == t->ended_cap) {
        size_t cap = t->ended_cap ? t->ended_cap * 2 : 32;
        struct ended *v;

        if (cap > TRACKER_MAX_ENDED || !(v = realloc(t->ended, cap * sizeof *v))) {
            t->ended_dropped++;     /* a fork loop: the first ones tell the story */
            return;
        }
        t->ended = v;
        t->ended_cap = cap;
    }
    t->ended[t->nended++] = (struct ended){ *who, status, now_ms() };
}

/* A zombie about to be reaped, as /proc still shows it: after the reap its
 * name and start time are gone, and with them the means to tell which
 * process of the run it was. */
static void identify_zombie(struct tracker *t, pid_t pid, struct tracked *who)
{
    struct proc_stat st;
    char name[32];

    memset(who, 0, sizeof *who);
    who->pid = pid;
    snprintf(name, sizeof name, "/proc/%d/stat", (int)pid);
    if (proc_read_stat_at(AT_FDCWD, name, &st) == 0)
        tracked_from_stat(who, &st);
    who->state = 'Z';
    who->origin = attribute(t, who, &t->seen);
}

/* More waits than this in one go, and the rest waits for the next round:
 * a traced fork loop must not hold the checker (the poll then does not
 * sleep, so nothing is left waiting). */
#define REAP_MAX 1024

/* Reap every child that has ended, orphans included, until none is left,
 * recording each one of the run; hand every ptrace stop of a traced
 * process to the tracer. Only ECHILD means "none": any other failure of
 * the wait is the checker's own and is reported. */
static int reap(struct tracker *t)
{
    t->backlog = 0;
    for (int round = 0; round < REAP_MAX; round++) {
        siginfo_t si;
        struct tracked who;
        struct helper *h;
        int status, stop;
        pid_t got;

        memset(&si, 0, sizeof si);
        /* A tracee's stops are reported too, whatever the flags. */
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) < 0) {
            if (errno == EINTR)
                continue;
            return errno == ECHILD ? 0 : -1;
        }
        if (si.si_pid == 0)
            return 0;
        stop = si.si_code == CLD_TRAPPED || si.si_code == CLD_STOPPED;
        h = stop ? NULL : live_helper(t, si.si_pid);
        if (!stop && !h)
            identify_zombie(t, si.si_pid, &who);
        do
            got = waitpid(si.si_pid, &status, WNOHANG | __WALL);
        while (got < 0 && errno == EINTR);
        if (got < 0 && errno != ECHILD)
            return -1;
        if (got == 0)
            return 0;       /* not ours to reap after all: never spin on it */
        if (got < 0)
            continue;       /* reaped meanwhile (ECHILD) */
        if (t->hooks.on_wait && t->hooks.on_wait(t->hooks.ctx, got, status))
            continue;       /* a ptrace stop, taken and resumed */
        if (h)
            h->ended = 1;
        else if (who.ppid == t->self || who.ppid == 0)
            record_end(t, &who, status);
        /* else only the tracer's notice of an exit: its parent reaps it */
    }
    t->backlog = 1;
    return 0;
}

int tracker_reap(struct tracker *t)
{
    return t->ready ? reap(t) : 0;
}

/* Read the signalfd. 1 when a stop signal arrived. */
static int take_signals(struct tracker *t)
{
    struct signalfd_siginfo si;
    int stop = 0;

    while (read(t->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
        if (si.ssi_signo == SIGCHLD)
            continue;
        t->interrupted = (int)si.ssi_signo;
        stop = 1;
    }
    return stop;
}

/* --------------------------------------------------------------- waits */

/* tracker_wait_fds with the poll events of each descriptor. */
static int wait_events(struct tracker *t, const int *fds, const short *events, int nfds,
                       long deadline)
{
    for (;;) {
        struct pollfd p[8 + 1 + TRACKER_MAX_WATCH];
        int n = 0, sig, base, timeout = -1, r;

        if (nfds > 8) {
            errno = EINVAL;
            return -1;
        }
        for (int i = 0; i < nfds; i++)
            p[n++] = (struct pollfd){ .fd = fds[i], .events = events[i] };
        sig = n;
        p[n++] = (struct pollfd){ .fd = t->sigfd, .events = POLLIN };
        base = n;
        for (int i = 0; i < t->nwatches; i++)
            p[n++] = (struct pollfd){ .fd = t->watches[i].fd, .events = POLLIN };
        if (deadline >= 0) {
            long left = deadline - now_ms();
            timeout = left < 0 ? 0 : (int)left;
        }
        if (t->backlog)
            timeout = 0;
        r = poll(p, (nfds_t)n, timeout);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (t->backlog && !p[sig].revents && reap(t) < 0)
            return -1;
        if (r == 0 && (!t->backlog || (deadline >= 0 && now_ms() >= deadline)))
            return 0;
        if (r == 0)
            continue;
        if (p[sig].revents) {
            int stop = take_signals(t);

            if (reap(t) < 0)
                return -1;
            if (stop) {
                errno = EINTR;
                return -1;
            }
        }
        /* Drain from the last, so that an unwatch does not shift an entry
         * not yet looked at. */
        for (int i = n - 1; i >= base; i--)
            if (p[i].revents)
                drain(t, &t->watches[i - base]);
        for (int i = 0; i < nfds; i++)
            if (p[i].revents)
                return i + 1;
    }
}

int tracker_wait_fds(struct tracker *t, const int *fds, int nfds, long deadline)
{
    static const short pollin[8] = { POLLIN, POLLIN, POLLIN, POLLIN,
                                     POLLIN, POLLIN, POLLIN, POLLIN };

    return wait_events(t, fds, pollin, nfds, deadline);
}

int tracker_wait_reaped(struct tracker *t, pid_t pid, long deadline)
{
    /* A pidfd is readable once its process has exited, and hangs up
     * (POLLHUP, which poll reports unasked) once it has been reaped. */
    static const short none = 0;
    int fd = pidfd_open(pid, 0), r;

    if (fd < 0)
        return errno == ESRCH ? 1 : -1;
    r = wait_events(t, &fd, &none, 1, deadline);
    fd_close_keep_errno(fd);
    return r < 0 ? -1 : r > 0;
}

int tracker_wait_fd(struct tracker *t, int fd, long deadline)
{
    int r = tracker_wait_fds(t, &fd, fd >= 0, deadline);

    return r < 0 ? -1 : r > 0;
}

/* ---------------------------------------------------------- signalling */

/* The start time is compared after the pidfd pins the process: a pid
 * reused between the two would fail the comparison. */
int tracker_pidfd(const struct tracker *t, const struct tracked *p)
{
    int fd;

    if (!procset_has(&t->seen, p)) {
        errno = EPERM;
        return -1;
    }
    fd = pidfd_open(p->pid, 0);
    if (fd < 0)
        return -1;
    if (!proc_alive(p->pid, p->starttime)) {
        close(fd);
        errno = ESRCH;
        return -1;
    }
    return fd;
}

int tracker_pidfd_ending(const struct tracker *t, const struct tracked *p)
{
    struct proc_stat st;
    char name[32];
    int fd;

    if (!procset_has(&t->seen, p)) {
        errno = EPERM;
        return -1;
    }
    fd = pidfd_open(p->pid, 0);
    if (fd < 0)
        return -1;
    /* A zombie's stat is still there to compare until it is reaped. */
    snprintf(name, sizeof name, "/proc/%d/stat", (int)p->pid);
    if (proc_read_stat_at(AT_FDCWD, name, &st) < 0 || st.starttime != p->starttime) {
        close(fd);
        errno = ESRCH;
        return -1;
    }
    return fd;
}

/* A zombie's pidfd is taken as an ending process's: a leader whose main
 * thread has ended is one while its other threads run. */
static int pidfd_of(const struct tracker *t, const struct tracked *p)
{
    return p->state == 'Z' ? tracker_pidfd_ending(t, p) : tracker_pidfd(t, p);
}

int tracker_signal(struct tracker *t, const struct tracked *p, int sig)
{
    int fd = pidfd_of(t, p), r;

    if (fd < 0)
        return -1;
    r = pidfd_send_signal(fd, sig, NULL, 0);
    fd_close_keep_errno(fd);
    if (r == 0 && t->hooks.on_signal)
        t->hooks.on_signal(t->hooks.ctx, p->pid, sig, t->sweeping);
    return r;
}

int tracker_wait_exit(struct tracker *t, const struct tracked *p, long deadline)
{
    int fd = pidfd_of(t, p), r;

    if (fd < 0)
        return errno == ESRCH ? 1 : -1;
    r = tracker_wait_fds(t, &fd, 1, deadline);
    fd_close_keep_errno(fd);
    return r < 0 ? -1 : r > 0;
}

/* A leader whose main thread has ended shows as a zombie while its other
 * threads run on: for the sweep it is alive, and a signal to it reaches
 * them all. Its stat still counts it among the threads until the last
 * one ends, so more than one means others live. */
static int leads_live_threads(const struct tracked *p)
{
    return p->state == 'Z' && p->threads > 1;
}

/* What the sweep ends: a live process, or a leader of live threads. */
static int sweepable(const struct tracked *p)
{
    return tracked_alive(p) || leads_live_threads(p);
}

/* The status of a leader of live threads, still the process p saw: 1, or
 * 0 when it is gone. The leader is a zombie, so not "live" to
 * proc_read_live, but its status holds the group's signal state. */
static int read_leader_status(const struct tracked *p, struct proc_status *status)
{
    struct proc_stat st;
    int dir = proc_open(p->pid), r;

    if (dir < 0)
        return 0;
    r = proc_read_stat(dir, &st) == 0 && st.starttime == p->starttime &&
        proc_read_status(dir, status) == 0;
    close(dir);
    return r;
}

/* On its way out (see proc_is_ending); a process that cannot be read is
 * gone, which is an ending too. A leader of live threads is PF_EXITING
 * whatever its group does: only the signals pending say whether the group
 * is on its way out. */
static int ending(struct tracker *t, const struct tracked *p)
{
    struct proc_stat st;
    struct proc_status status;
    int sig;

    /* Traced, a signal on its way is first a stop for the tracer, then no
     * longer pending: the stops are taken, then the tracer is asked. */
    if (t->hooks.on_wait && reap(t) < 0)
        return 0;
    if (leads_live_threads(p)) {
        if (!read_leader_status(p, &status) || proc_fatal_pending(&status))
            return 1;
    } else if (!proc_read_live(p->pid, p->starttime, &st, &status) ||
               proc_is_ending(&st, &status)) {
        return 1;
    }
    sig = t->hooks.in_flight ? t->hooks.in_flight(t->hooks.ctx, p->pid) : 0;
    return sig && proc_signal_ends(&status, sig);
}

int tracker_took_signal(struct tracker *t, const struct tracked *p, int sig)
{
    struct proc_stat st;
    struct proc_status status;
    uint64_t bit = UINT64_C(1) << (sig - 1);

    if (t->hooks.on_wait && reap(t) < 0)
        return 0;
    if (!proc_read_live(p->pid, p->starttime, &st, &status))
        return 1;
    if ((status.sigpnd | status.shdpnd) & bit || st.state == 'R' || st.state == 't')
        return 0;
    return !t->hooks.in_flight || t->hooks.in_flight(t->hooks.ctx, p->pid) != sig;
}

int tracker_still_running(struct tracker *t, const struct tracked *p, long settled, long bound)
{
    int ended = tracker_wait_exit(t, p, settled);

    if (ended != 0)
        return ended < 0 ? -1 : 0;
    if (!ending(t, p))
        return 1;
    ended = tracker_wait_exit(t, p, bound);
    return ended < 0 ? -1 : !ended;
}

const struct ended *tracker_end_of(const struct tracker *t, const struct tracked *p)
{
    for (size_t i = 0; i < t->nended; i++)
        if (t->ended[i].who.pid == p->pid &&
            (t->ended[i].who.starttime == p->starttime || !t->ended[i].who.starttime ||
             !p->starttime))
            return &t->ended[i];
    return NULL;
}

/* ---------------------------------------------------------------- sweep */

/* Signal every live process of the run; wait until they are gone or the
 * deadline passes. A process already on its way out is waited for, not
 * signalled, and, when `alive` is given, not counted: it is not left
 * behind, only not yet gone. How many were signalled, or -1. */
static int signal_all(struct tracker *t, int sig, long deadline, struct procset *alive)
{
    struct procset now = { 0 };
    int count = 0;

    if (tracker_scan(t, &now) < 0)
        return -1;
    for (size_t i = 0; i < now.n; i++) {
        const struct tracked *p = &now.v[i];

        if (!sweepable(p) || (alive && ending(t, p)))
            continue;
        count++;
        if (alive && procset_add(alive, p) < 0) {
            procset_free(&now);
            return -1;
        }
        tracker_signal(t, p, sig);
        /* A stopped process keeps a SIGTERM pending until it continues. */
        if (sig != SIGKILL && (p->state == 'T' || p->state == 't'))
            tracker_signal(t, p, SIGCONT);
    }
    for (size_t i = 0; i < now.n; i++)
        if (sweepable(&now.v[i]) && tracker_wait_exit(t, &now.v[i], deadline) == 0)
            break;          /* the deadline passed: the next round escalates */
    procset_free(&now);
    return count;
}

int tracker_sweep(struct tracker *t, long timeout_ms, struct procset *alive)
{
    /* A process that ignores SIGTERM gets SIGKILL; a process that forks
     * while being killed is found again by the next scan. */
    int count;

    if (!t->ready)
        return 0;           /* nothing was started: nothing to end */
    t->sweeping = 1;
    count = signal_all(t, SIGTERM, now_ms() + timeout_ms, alive);
    for (int round = 0; count > 0 && round < 100; round++)
        count = signal_all(t, SIGKILL, now_ms() + timeout_ms, NULL);
    t->sweeping = 0;
    if (reap(t) < 0)
        return -1;
    return count < 0 ? -1 : 0;
}
