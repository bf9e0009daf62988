/* tracker.c — subreaping, scanning the candidate's subtree in /proc,
 * event waits, and safe signalling. See tracker.h. */
#include <dirent.h>
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

#include "proc.h"
#include "tracker.h"

/* Signals that ask the checker itself to stop: it must still sweep. */
static const int stop_signals[] = { SIGINT, SIGTERM, SIGHUP, SIGQUIT };

long now_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int tracker_init(struct tracker *t)
{
    sigset_t set;
    int on = 0;

    memset(t, 0, sizeof *t);
    t->sigfd = -1;
    t->self = getpid();
    if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) < 0)
        return -1;
    /* Confirm: a kernel that accepted the call but does not honour it would
     * let the daemon escape to init, and every check would be blind. */
    if (prctl(PR_GET_CHILD_SUBREAPER, &on, 0, 0, 0) < 0)
        return -1;
    if (!on) {
        errno = ENOTSUP;
        return -1;
    }
    sigemptyset(&set);
    sigaddset(&set, SIGCHLD);
    for (size_t i = 0; i < sizeof stop_signals / sizeof *stop_signals; i++)
        sigaddset(&set, stop_signals[i]);
    if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
        return -1;
    t->sigfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
    if (t->sigfd < 0)
        return -1;
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
}

int tracker_add_helper(struct tracker *t, pid_t pid)
{
    if (t->nhelpers == TRACKER_MAX_HELPERS) {
        errno = ENOSPC;
        return -1;
    }
    t->helpers[t->nhelpers++] = pid;
    return 0;
}

int tracker_watch(struct tracker *t, int fd, char *buf, size_t cap, size_t *len)
{
    if (t->nwatches == TRACKER_MAX_WATCH) {
        errno = ENOSPC;
        return -1;
    }
    t->watches[t->nwatches++] = (struct watch){ fd, buf, cap, len };
    return 0;
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
        if (*w->len < w->cap) {
            size_t keep = (size_t)n < w->cap - *w->len ? (size_t)n : w->cap - *w->len;
            memcpy(w->buf + *w->len, chunk, keep);
            *w->len += keep;
        }
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

/* Reap every child that has exited, orphans included, until none is left. */
static void reap(void)
{
    for (;;) {
        siginfo_t si;

        memset(&si, 0, sizeof si);
        if (waitid(P_ALL, 0, &si, WEXITED | WNOHANG) < 0 || si.si_pid == 0)
            return;
    }
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
    reap();
    return stop;
}

int tracker_wait_fd(struct tracker *t, int fd, long deadline)
{
    for (;;) {
        struct pollfd p[2 + TRACKER_MAX_WATCH];
        int n = 0, base, timeout = -1, r;

        if (fd >= 0)
            p[n++] = (struct pollfd){ .fd = fd, .events = POLLIN };
        p[n++] = (struct pollfd){ .fd = t->sigfd, .events = POLLIN };
        base = n;
        for (int i = 0; i < t->nwatches; i++)
            p[n++] = (struct pollfd){ .fd = t->watches[i].fd, .events = POLLIN };
        if (deadline >= 0) {
            long left = deadline - now_ms();
            timeout = left < 0 ? 0 : (int)left;
        }
        r = poll(p, (nfds_t)n, timeout);
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            return 0;
        if (p[base - 1].revents && take_signals(t)) {
            errno = EINTR;
            return -1;
        }
        /* Drain from the last so that an unwatch does not shift an entry
         * not yet looked at. */
        for (int i = n - 1; i >= base; i--)
            if (p[i].revents)
                drain(t, &t->watches[i - base]);
        if (fd >= 0 && p[0].revents)
            return 1;
    }
}

static int is_helper(const struct tracker *t, pid_t pid)
{
    for (int i = 0; i < t->nhelpers; i++)
        if (t->helpers[i] == pid)
            return 1;
    return 0;
}

void procset_free(struct procset *s)
{
    free(s->v);
    s->v = NULL;
    s->n = s->cap = 0;
}

static int procset_add(struct procset *s, const struct tracked *p)
{
    if (s->n == s->cap) {
        size_t cap = s->cap ? s->cap * 2 : 64;
        struct tracked *v = realloc(s->v, cap * sizeof *v);
        if (!v)
            return -1;
        s->v = v;
        s->cap = cap;
    }
    s->v[s->n++] = *p;
    return 0;
}

const struct tracked *procset_find(const struct procset *s, pid_t pid)
{
    for (size_t i = 0; i < s->n; i++)
        if (s->v[i].pid == pid)
            return &s->v[i];
    return NULL;
}

int procset_has(const struct procset *s, const struct tracked *p)
{
    const struct tracked *q = s ? procset_find(s, p->pid) : NULL;

    return q && q->starttime == p->starttime;
}

int procset_descends(const struct procset *s, pid_t pid, pid_t root)
{
    /* Bounded walk up: a cycle cannot happen in one snapshot, but a
     * snapshot of hostile /proc content should not loop either. */
    for (size_t hops = 0; hops <= s->n; hops++) {
        const struct tracked *p;

        if (pid == root)
            return 1;
        p = procset_find(s, pid);
        if (!p)
            return 0;
        pid = p->ppid;
    }
    return 0;
}

static ssize_t read_once(int dir, const char *name, char *buf, size_t cap)
{
    int fd = openat(dir, name, O_RDONLY | O_CLOEXEC);
    ssize_t n;

    if (fd < 0)
        return -1;
    n = read(fd, buf, cap);
    close(fd);
    return n;
}

/* Every process on the machine, as far as /proc lets us read it. */
static int scan_all(struct procset *all)
{
    DIR *d = opendir("/proc");
    struct dirent *e;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL) {
        struct proc_stat st;
        struct tracked p;
        char path[64], text[2048], *end;
        long pid = strtol(e->d_name, &end, 10);
        ssize_t n;

        if (*end || pid <= 0)
            continue;
        /* A scan runs often, over every process: one openat relative to
         * /proc and one read, since the kernel makes the whole stat line at
         * once (at most about 1 KiB: 52 numbers and a 15-byte name). */
        snprintf(path, sizeof path, "%ld/stat", pid);
        n = read_once(dirfd(d), path, text, sizeof text);
        if (n < 0 || proc_stat_parse(text, (size_t)n, &st) < 0)
            continue;           /* gone since readdir: not an error */
        p = (struct tracked){ st.pid, st.ppid, st.session, st.state, st.starttime, "" };
        snprintf(p.comm, sizeof p.comm, "%.31s", st.comm);
        if (procset_add(all, &p) < 0) {
            closedir(d);
            return -1;
        }
    }
    closedir(d);
    return 0;
}


int tracker_scan(struct tracker *t, struct procset *out)
{
    struct procset all = { 0 };
    char *in;
    int grew = 1;

    out->n = 0;
    if (!t->ready || t->self <= 0) {
        errno = EINVAL;
        return -1;
    }
    if (scan_all(&all) < 0) {
        procset_free(&all);
        return -1;
    }
    in = calloc(all.n ? all.n : 1, 1);
    if (!in) {
        procset_free(&all);
        return -1;
    }
    /* Mark the subtree below the checker until nothing is added: readdir's
     * order need not put a parent before its child. */
    while (grew) {
        grew = 0;
        for (size_t i = 0; i < all.n; i++) {
            const struct tracked *parent;
            if (in[i])
                continue;
            parent = procset_find(&all, all.v[i].ppid);
            if (all.v[i].ppid == t->self || (parent && in[parent - all.v])) {
                in[i] = 1;
                grew = 1;
            }
        }
    }
    for (size_t i = 0; i < all.n; i++) {
        if (!in[i] || is_helper(t, all.v[i].pid))
            continue;
        if (procset_add(out, &all.v[i]) < 0 ||
            (!procset_has(&t->seen, &all.v[i]) && procset_add(&t->seen, &all.v[i]) < 0)) {
            free(in);
            procset_free(&all);
            return -1;
        }
    }
    free(in);
    procset_free(&all);
    return 0;
}

/* A pidfd on p, or -1 (ESRCH) when p is gone or its pid now names another
 * process: the start time is compared after the pidfd pins the process. */
static int open_verified(const struct tracker *t, const struct tracked *p)
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

int tracker_signal(struct tracker *t, const struct tracked *p, int sig)
{
    int fd = open_verified(t, p), r;

    if (fd < 0)
        return -1;
    r = pidfd_send_signal(fd, sig, NULL, 0);
    close(fd);
    return r;
}

int tracker_wait_exit(struct tracker *t, const struct tracked *p, long deadline)
{
    int fd = open_verified(t, p), r;

    if (fd < 0)
        return errno == ESRCH ? 1 : -1;
    r = tracker_wait_fd(t, fd, deadline);
    close(fd);
    return r;
}

void pid_list_add(struct pid_list *l, pid_t pid, const char *comm)
{
    if (l->count < EV_MAX_PIDS) {
        l->pid[l->count] = pid;
        snprintf(l->comm[l->count], sizeof l->comm[0], "%.31s", comm);
    }
    l->count++;
}

/* Signal every live process of the candidate; wait until they are gone or
 * the deadline passes. Returns how many were alive. */
static int signal_all(struct tracker *t, int sig, long deadline, struct pid_list *counted,
                      const struct tracked *exempt)
{
    struct procset now = { 0 };
    int alive = 0;

    if (tracker_scan(t, &now) < 0)
        return -1;
    for (size_t i = 0; i < now.n; i++) {
        if (!tracked_alive(&now.v[i]))
            continue;
        alive++;
        if (counted && !(exempt && exempt->pid == now.v[i].pid &&
                         exempt->starttime == now.v[i].starttime))
            pid_list_add(counted, now.v[i].pid, now.v[i].comm);
        tracker_signal(t, &now.v[i], sig);
    }
    for (size_t i = 0; i < now.n; i++)
        if (tracked_alive(&now.v[i]) && tracker_wait_exit(t, &now.v[i], deadline) == 0)
            break;          /* the deadline passed: the next round escalates */
    procset_free(&now);
    return alive;
}

int tracker_sweep(struct tracker *t, long timeout_ms, struct pid_list *counted,
                  const struct tracked *exempt)
{
    /* A process that ignores SIGTERM gets SIGKILL; a process that forks
     * while being killed is found again by the next scan. */
    int alive;

    if (!t->ready)
        return 0;           /* nothing was started: nothing to end */
    alive = signal_all(t, SIGTERM, now_ms() + timeout_ms, counted, exempt);

    for (int round = 0; alive > 0 && round < 100; round++)
        alive = signal_all(t, SIGKILL, now_ms() + timeout_ms, NULL, NULL);
    reap();
    return alive < 0 ? -1 : 0;
}
