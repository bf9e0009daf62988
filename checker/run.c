/* run.c — one run of the checker: the set-up, the parts both kinds of run
 * share (errors, waits on events, the stop and the sweep), and the end,
 * whatever happened. The phases themselves are in run_classic.c (sysv,
 * seed) and run_service.c (new-style). Every wait is for an event (a
 * process's end, a pidfile's change, a descriptor), bounded by the
 * timeout, so that the settle time and the machine's load change no
 * verdict. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fdio.h"
#include "pidwatch.h"
#include "run.h"
#include "run_parts.h"

int run_fail(struct run *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int run_wait_failed(struct run *r, const char *what)
{
    if (errno == EINTR && r->t.interrupted)
        return run_fail(r, "interrupted by signal %d (%s)", r->t.interrupted,
                     strsignal(r->t.interrupted));
    return run_fail(r, "unable to wait for %s: %s", what, strerror(errno));
}

long run_deadline(unsigned ms)
{
    return now_ms() + (long)ms;
}

void run_output_free(struct run_output *out)
{
    command_free(&out->command);
    notify_free(&out->notify);
    trace_free(&out->trace);
}

/* ------------------------------------------------------------- set-up */

static int setup(struct run *r)
{
    const struct options *opt = r->opt;
    struct evidence *ev = r->ev;
    static const int sentinels[SENTINEL_FDS] = SENTINEL_FD_NUMBERS;
    const char *step;
    struct stat st;

    ev->uid = geteuid();
    ev->checker_pid = getpid();
    if (scratch_create(&r->sc, opt->profile != PROFILE_NEW_STYLE) < 0)
        return run_fail(r, "unable to create a scratch directory in %s: %s: %s",
                        getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", r->sc.failed,
                        strerror(errno));
    ev->has_pidfile = opt->pidfile || command_uses_placeholder(opt);
    snprintf(ev->pidfile_path, sizeof ev->pidfile_path, "%s",
             opt->pidfile ? opt->pidfile : r->sc.pidfile);
    if (command_prepare(r->cmd, opt, ev->pidfile_path, r->err, r->errlen) < 0)
        return -1;
    /* A umask and sentinels that no correct daemon keeps: SIGRTMIN+n are
     * signals nobody has a reason to block or ignore. */
    r->h = (struct hostile){ r->sc.cwd, opt->umask == 077 ? 027 : 077, SIGRTMIN + 2,
                             SIGRTMIN + 3, r->cmd->envp };
    /* The stop command is the user's own tool, written for their directory. */
    if (!getcwd(r->here, sizeof r->here))
        return run_fail(r, "unable to get the current directory: %s", strerror(errno));
    r->stop_h = r->h;
    r->stop_h.cwd = r->here;
    ev->hostile_umask = r->h.umask;
    ev->blocked_sig = r->h.blocked_sig;
    ev->ignored_sig = r->h.ignored_sig;
    memcpy(ev->sentinel_fd, sentinels, sizeof sentinels);
    if (stat(opt->cwd, &st) == 0) {
        r->ref.expected_cwd = (struct object_id){ st.st_dev, st.st_ino };
        r->ref.expected_cwd_ok = 1;
    }
    r->ref.pidfile = ev->has_pidfile ? ev->pidfile_path : NULL;
    if (tracker_init(&r->t, &step) < 0)
        return run_fail(r, "unable to set up: %s: %s", step, strerror(errno));
    return 0;
}

/* ------------------------------------------------------------ helpers */

/* Is the very process z (pid and start time) still a zombie? */
static int still_zombie(const struct zombie_seen *z)
{
    struct proc_stat st;
    char name[32];

    snprintf(name, sizeof name, "/proc/%d/stat", (int)z->pid);
    return proc_read_stat_at(AT_FDCWD, name, &st) == 0 && st.starttime == z->starttime &&
           !proc_state_alive(st.state);
}

/* Left unreaped by the daemon: still a zombie, or reaped by the checker,
 * which adopts the children of a parent that died without reaping them. */
static int left_unreaped(const struct run *r, const struct zombie_seen *z)
{
    struct tracked who = { .pid = z->pid, .starttime = z->starttime };

    return still_zombie(z) || tracker_end_of(&r->t, &who) != NULL;
}

/* One sample of /proc catches a zombie in the instant between its exit
 * and its parent's waitpid, and a loaded machine makes that instant long:
 * a zombie of the inspection counts only when the same process is still
 * one at this later look, after the run's other phases, and is still not
 * reaped a timeout later (a wait on its pidfd, which hangs up at the
 * reap). */
int run_look_again_at_zombies(struct run *r)
{
    struct daemon_seen *d = &r->ev->daemon;
    struct pid_list lasting = { 0 };
    long until = run_deadline(r->opt->timeout_ms);
    int kept = d->zombies_seen < EV_MAX_PIDS ? d->zombies_seen : EV_MAX_PIDS;

    if (!d->found || d->zombies_looked)
        return 0;
    for (int i = 0; i < kept; i++) {
        const struct zombie_seen *z = &d->zombie[i];

        if (still_zombie(z) && tracker_wait_reaped(&r->t, z->pid, until) < 0)
            return run_wait_failed(r, "a zombie to be reaped");
        if (left_unreaped(r, z))
            pid_list_add(&lasting, z->pid, z->comm);
    }
    /* Past the ones kept, nobody looked: they count as they were seen. */
    lasting.count += d->zombies_seen - kept;
    d->zombies = lasting;
    d->zombies_looked = 1;
    d->zombies_after_ms = now_ms() - r->start_ms - d->inspected_ms;
    return 0;
}

int run_scan(struct run *r, struct procset *now)
{
    if (tracker_scan(&r->t, now) < 0)
        return run_fail(r, "unable to list processes in /proc: %s", strerror(errno));
    return 0;
}

int run_settle(struct run *r)
{
    if (r->opt->settle_ms && tracker_wait_fd(&r->t, -1, run_deadline(r->opt->settle_ms)) < 0)
        return run_wait_failed(r, "the settle time");
    return 0;
}

/* The first live process of origin in now that passes `keep` (NULL: any). */
const struct tracked *run_alive_of(const struct procset *now, enum origin origin,
                                      const struct procset *not_in)
{
    for (size_t i = 0; i < now->n; i++)
        if (now->v[i].origin == origin && tracked_alive(&now->v[i]) &&
            !procset_has(not_in, &now->v[i]))
            return &now->v[i];
    return NULL;
}

/* The process of origin to follow: a live one; failing that, one on its
 * way out whose end has not been seen. A process that forks and exits at
 * once can be read exiting, or as a zombie, by a scan that missed its
 * child (the walk of all /proc lists the pids first and reads them
 * after); once its end has been seen, its children are in every scan
 * that follows. */
static const struct tracked *could_act(const struct procset *now, enum origin origin,
                                       const struct procset *gone)
{
    const struct tracked *p = run_alive_of(now, origin, NULL);

    for (size_t i = 0; !p && i < now->n; i++)
        if (now->v[i].origin == origin && !procset_has(gone, &now->v[i]))
            p = &now->v[i];
    return p;
}

/* One that ends between the scan and the pidfd is looked for again. */
int run_pidfd_of(struct run *r, enum origin origin, const struct procset *gone,
                 struct tracked *picked)
{
    for (;;) {
        struct procset now = { 0 };
        const struct tracked *p;
        int fd = -1;

        if (run_scan(r, &now) < 0)
            return -1;
        p = could_act(&now, origin, gone);
        errno = 0;
        if (p) {
            *picked = *p;
            fd = tracked_alive(p) ? tracker_pidfd(&r->t, p) : tracker_pidfd_ending(&r->t, p);
        }
        procset_free(&now);
        if (fd < 0 && errno == ESRCH)
            continue;
        return fd;
    }
}

/* Wait until `done` holds for the pidfile, or no process of `origin` is
 * left, not even one on its way out, to change it, or the deadline
 * passes: a pidfile that a daemon writes a moment after its launcher
 * returned is judged the same at any settle time and any load. The
 * inotify watch is made only when there is something to wait for: closing
 * one waits for an RCU grace period (milliseconds), which a correct
 * daemon should not pay. 0, or -1 (message set). */
int run_wait_for_pidfile(struct run *r, enum origin origin, long deadline,
                         int (*done)(const struct pidfile_view *, const void *),
                         const void *arg)
{
    struct pidwatch w = { .fd = -1 };
    struct procset gone = { 0 };
    int rc = 0;

    for (;;) {
        struct pidfile_view v;
        struct tracked picked;
        int fds[2], got;

        pidfile_inspect(r->ev->pidfile_path, &v);
        if (done(&v, arg))
            break;
        if (w.fd < 0) {
            if (pidwatch_open(&w, r->ev->pidfile_path) < 0)
                break;  /* no events to wait for: judge what is there */
            continue;   /* look again: it may have changed before the watch */
        }
        fds[0] = w.fd;
        fds[1] = run_pidfd_of(r, origin, &gone, &picked);
        if (fds[1] < 0) {
            if (errno)
                rc = run_fail(r, "unable to follow the processes that could write the pidfile:"
                              " %s", strerror(errno));
            break;      /* or nobody is left who could write it */
        }
        got = tracker_wait_fds(&r->t, fds, 2, deadline);
        close(fds[1]);
        if (got < 0)
            rc = run_wait_failed(r, "the pidfile");
        if (got <= 0)
            break;
        if (got == 1)
            pidwatch_take(&w);
        else if (procset_add(&gone, &picked) < 0) {
            rc = run_fail(r, "unable to follow the processes that could write the pidfile: %s",
                          strerror(errno));
            break;
        }
    }
    procset_free(&gone);
    pidwatch_close(&w);
    return rc;
}

/* Written: it exists and is not empty (a pidfile is created, then written). */
int run_pidfile_written(const struct pidfile_view *v, const void *arg)
{
    (void)arg;
    return v->exists && (v->len > 0 || !S_ISREG(v->st.st_mode));
}

int run_daemon_alive(const struct run *r)
{
    return r->have_daemon && proc_alive(r->daemon.pid, r->daemon.starttime);
}

/* The processes a launch started that are still running once those on
 * their way out have ended (bounded by the deadline), outside `before`
 * and the first daemon's own tree. */
int run_settle_launch(struct run *r, enum origin origin, const struct procset *before,
                         long deadline, struct pid_list *left)
{
    for (;;) {
        struct procset now = { 0 };
        const struct tracked *p = NULL;
        int ended;

        if (run_scan(r, &now) < 0)
            return -1;
        for (size_t i = 0; i < now.n && !p; i++) {
            const struct tracked *q = &now.v[i];
            if (q->origin == origin && tracked_alive(q) && !procset_has(before, q) &&
                !(r->have_daemon && procset_descends(&now, q->pid, r->daemon.pid)))
                p = q;
        }
        if (!p) {
            procset_free(&now);
            return 0;
        }
        ended = tracker_wait_exit(&r->t, p, deadline);
        if (ended <= 0) {
            /* The deadline passed: what still runs was left running. */
            for (size_t i = 0; ended == 0 && i < now.n; i++) {
                const struct tracked *q = &now.v[i];
                if (q->origin == origin && tracked_alive(q) && !procset_has(before, q) &&
                    !(r->have_daemon && procset_descends(&now, q->pid, r->daemon.pid)) &&
                    proc_alive(q->pid, q->starttime))
                    pid_list_add(left, q->pid, q->comm);
            }
            procset_free(&now);
            return ended < 0 ? run_wait_failed(r, "the second start") : 0;
        }
        procset_free(&now);
    }
}

/* The stop command's own processes still running once it has exited
 * (or the deadline passed), added to `left`. */
static int stop_command_leftovers(struct run *r, long deadline, struct pid_list *left)
{
    return run_settle_launch(r, ORIGIN_STOP, NULL, deadline, left);
}

/* Wait until the daemon has ended and the stop command, when there is
 * one, has exited, or the deadline passes, taking each end as it comes:
 * launch_wait stamps the command's time when it reads its exit, so that
 * read must not wait behind the daemon's end (a command that fails at
 * once would be reported as lasting until the daemon was given up on).
 * *ms: from start to the daemon's end (or the deadline). 1 the daemon
 * ended, 0 it had not by the deadline, -1 with errno, *what naming the
 * wait that failed. */
static int wait_stopped(struct run *r, const struct tracked *d, struct launch *stopper,
                        long start, long until, long *ms, const char **what)
{
    struct launch_failure failed;
    int pidfd = tracker_pidfd(&r->t, d), ended = 0, reported = stopper == NULL;

    *what = "the daemon to stop";
    if (pidfd < 0 && errno != ESRCH)
        return -1;
    ended = pidfd < 0;
    *ms = now_ms() - start;
    while (!ended || !reported) {
        int fds[2], n = 0, got;

        if (!ended)
            fds[n++] = pidfd;
        if (!reported)
            fds[n++] = stopper->status_fd;
        got = tracker_wait_fds(&r->t, fds, n, until);
        if (got < 0)
            goto failed;
        if (got == 0)
            break;
        if (fds[got - 1] == pidfd) {
            ended = 1;
            *ms = now_ms() - start;
            continue;
        }
        *what = "the stop command";
        if (launch_wait(stopper, &r->t, until, &failed) < 0)
            goto failed;
        reported = 1;
    }
    /* At the deadline: a command that has not exited is recorded so. */
    *what = "the stop command";
    if (!reported && launch_wait(stopper, &r->t, until, &failed) < 0)
        goto failed;
    if (!ended)
        *ms = now_ms() - start;
    if (pidfd >= 0)
        close(pidfd);
    return ended;
failed:
    if (pidfd >= 0)
        fd_close_keep_errno(pidfd);
    return -1;
}

/* Ask daemon d to stop (the stop command, or SIGTERM) and wait for it.
 * When a stop command did not stop it, the checker's own SIGTERM is tried,
 * so that the report can say which of the two failed. */
int run_stop_daemon(struct run *r, const struct tracked *d, struct launch_result *cmd,
                       int *stopped, long *ms, int *term_tried, int *stopped_by_term)
{
    long start = now_ms(), until = run_deadline(r->opt->timeout_ms);
    struct launch stopper;
    const char *step, *what;
    int by_command = r->cmd->stop_argv[2] != NULL, ended, rc = 0;

    *term_tried = *stopped_by_term = 0;
    if (by_command) {
        struct launch_trace lt;

        if (launch_start(&stopper, &r->t, r->cmd->stop_argv, &r->stop_h, ORIGIN_STOP,
                         run_trace_launch(r, ORIGIN_STOP, &lt), cmd, &step) < 0)
            return run_fail(r, "unable to launch the stop command: %s: %s", step, strerror(errno));
        run_trace_stop_command(r, &stopper);
    } else if (tracker_signal(&r->t, d, SIGTERM) < 0 && errno != ESRCH) {
        return run_fail(r, "unable to send SIGTERM to %d: %s", (int)d->pid, strerror(errno));
    }
    ended = wait_stopped(r, d, by_command ? &stopper : NULL, start, until, ms, &what);
    *stopped = ended == 1;
    if (ended < 0)
        rc = run_wait_failed(r, what);
    else if (by_command && stop_command_leftovers(r, until, &r->ev->stop_cmd_left) < 0)
        rc = -1;
    if (by_command)
        launch_release(&stopper, &r->t);
    if (rc == 0 && by_command && !*stopped) {
        *term_tried = 1;
        if (tracker_signal(&r->t, d, SIGTERM) < 0 && errno != ESRCH)
            return run_fail(r, "unable to send SIGTERM to %d: %s", (int)d->pid, strerror(errno));
        ended = tracker_wait_exit(&r->t, d, run_deadline(r->opt->timeout_ms));
        if (ended < 0)
            return run_wait_failed(r, "the daemon to stop");
        *stopped_by_term = ended == 1;
    }
    return rc;
}

/* What the pidfile holds after the stop, NUL-terminated, or 0 if gone. */
int run_pidfile_left(const char *path, char *bytes, size_t cap)
{
    struct pidfile_view v;

    pidfile_inspect(path, &v);
    snprintf(bytes, cap, "%.*s", (int)v.len, v.bytes);
    return v.exists;
}

/* Count and end what the candidate's starts left running: the daemon
 * that failed to stop (`exempt`) is reported by stops-on-sigterm, and the
 * stop command's processes by stop-command, not here. */
int run_sweep(struct run *r, const struct tracked *exempt)
{
    struct procset alive = { 0 };

    if (tracker_sweep(&r->t, r->opt->timeout_ms, &alive) < 0) {
        procset_free(&alive);
        return run_fail(r, "unable to sweep the candidate's processes: %s", strerror(errno));
    }
    for (size_t i = 0; i < alive.n; i++) {
        const struct tracked *p = &alive.v[i];

        if (p->origin == ORIGIN_STOP)
            pid_list_add(&r->ev->stop_cmd_left, p->pid, p->comm);
        else if (!(exempt && same_process(exempt, p)))
            pid_list_add(&r->ev->leftovers, p->pid, p->comm);
    }
    procset_free(&alive);
    return 0;
}

/* How the daemon ended, when the checker reaped it; when no daemon was
 * found alive, how the first start's last process ended (what the
 * student needs to know: "killed by SIGPIPE"). */
static void record_daemon_end(struct run *r)
{
    const struct ended *e = NULL;

    if (r->have_daemon)
        e = tracker_end_of(&r->t, &r->daemon);
    else
        for (size_t i = 0; i < r->t.nended; i++)
            if (r->t.ended[i].who.origin == ORIGIN_FIRST)
                e = &r->t.ended[i];
    if (!e)
        return;
    r->ev->daemon_end = (struct process_end){ 1, e->who.pid, "", e->status };
    snprintf(r->ev->daemon_end.comm, sizeof r->ev->daemon_end.comm, "%s", e->who.comm);
}

static void cleanup(struct run *r)
{
    /* Whatever happened, nothing of the candidate survives the checker
     * (a tracker that never became ready has nothing to sweep). */
    if (r->t.ready)
        tracker_sweep(&r->t, r->t.interrupted ? 0 : r->opt->timeout_ms, NULL);
    launch_release(&r->first, &r->t);
    run_trace_end(r);
    record_daemon_end(r);
    tracker_fini(&r->t);
    /* The socket's file is in the scratch directory: closed first. */
    notify_close(r->notify);
    if (r->listener >= 0)
        close(r->listener);
    if (r->client >= 0)
        close(r->client);
    if (r->svc.journal >= 0)
        close(r->svc.journal);
    service_env_free(&r->env);
    scratch_remove(&r->sc);
}

int run_candidate(const struct options *opt, struct evidence *ev, struct run_output *out,
                  char *err, size_t errlen)
{
    struct run r;
    long start = now_ms();
    int rc = 0;

    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    memset(ev, 0, sizeof *ev);
    r.start_ms = start;
    r.opt = opt;
    r.ev = ev;
    r.err = err;
    r.errlen = errlen;
    r.cmd = &out->command;
    r.notify = &out->notify;
    r.notify->fd = r.notify->dirfd = -1;
    r.listener = r.client = -1;
    r.svc.journal = -1;
    r.t.sigfd = -1;
    r.first.master = r.first.status_fd = r.first.control_fd = r.first.holder_pidfd = -1;
    rc = setup(&r);
    if (rc == 0)
        rc = run_trace_begin(&r, &out->trace);
    if (rc == 0)
        rc = opt->profile == PROFILE_NEW_STYLE ? run_service(&r) : run_classic(&r);
    out->interrupted = r.t.interrupted;
    cleanup(&r);
    ev->elapsed_ms = now_ms() - start;
    return rc;
}
