/* run.c — the phases of a run, in the contract's order:
 *   1 launch and wait for the launcher (pidfile-exists is judged then),
 *   2 settle, find the daemon and inspect it,
 *   3 start a second instance, 4 hang the terminal up, 5 stop it,
 *   6 start with a stale pidfile and stop again, 7 sweep.
 * Each phase records what it saw in the evidence; judging comes later.
 * Every wait is for an event (a process's end, a pidfile's change, a
 * descriptor), bounded by the timeout, so that the settle time and the
 * machine's load change no verdict. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "inspect.h"
#include "launch.h"
#include "pidwatch.h"
#include "run.h"
#include "scratch.h"
#include "tracker.h"

struct run {
    const struct options *opt;
    struct evidence *ev;
    struct tracker t;
    struct scratch sc;
    struct command *cmd;
    struct hostile h;
    struct hostile stop_h;      /* the same, but in the checker's directory */
    char here[PATH_MAX];
    struct launch first;
    struct inspect_ref ref;
    struct tracked daemon;      /* the daemon of the first launch */
    int have_daemon;
    char *err;
    size_t errlen;
};

static int failf(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int failf(struct run *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A failed wait: the checker was interrupted, or a system call failed. */
static int wait_failed(struct run *r, const char *what)
{
    if (errno == EINTR && r->t.interrupted)
        return failf(r, "interrupted by signal %d (%s)", r->t.interrupted,
                     strsignal(r->t.interrupted));
    return failf(r, "unable to wait for %s: %s", what, strerror(errno));
}

static long deadline_in(unsigned ms)
{
    return now_ms() + (long)ms;
}

void run_output_free(struct run_output *out)
{
    command_free(&out->command);
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
    if (scratch_create(&r->sc) < 0)
        return failf(r, "unable to create a scratch directory in %s: %s",
                     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
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
        return failf(r, "unable to get the current directory: %s", strerror(errno));
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
        return failf(r, "unable to set up: %s: %s", step, strerror(errno));
    return 0;
}

/* ------------------------------------------------------------ helpers */

/* Start argv in a fresh environment h and wait for it to return.
 * 0 (the result says how it ended), or -1 (message set). */
static int launch_and_wait(struct run *r, struct launch *l, char *const argv[],
                           const struct hostile *h, enum origin origin,
                           struct launch_result *res)
{
    struct launch_failure failed;
    const char *step;

    if (launch_start(l, &r->t, argv, h, origin, res, &step) < 0)
        return failf(r, "unable to launch %s: %s: %s", argv[0], step, strerror(errno));
    if (launch_wait(l, &r->t, deadline_in(r->opt->timeout_ms), &failed) < 0)
        return wait_failed(r, argv[0]);
    if (failed.step == LS_EXEC)
        return failf(r, "unable to execute %s: %s", argv[0], strerror(failed.err));
    if (failed.step != LS_NONE)
        return failf(r, "unable to launch %s: %s: %s", argv[0], launch_step_name(failed.step),
                     strerror(failed.err));
    return 0;
}

static int scan(struct run *r, struct procset *now)
{
    if (tracker_scan(&r->t, now) < 0)
        return failf(r, "unable to list processes in /proc: %s", strerror(errno));
    return 0;
}

static int settle(struct run *r)
{
    if (r->opt->settle_ms && tracker_wait_fd(&r->t, -1, deadline_in(r->opt->settle_ms)) < 0)
        return wait_failed(r, "the settle time");
    return 0;
}

/* The first live process of origin in now that passes `keep` (NULL: any). */
static const struct tracked *alive_of(const struct procset *now, enum origin origin,
                                      const struct procset *not_in)
{
    for (size_t i = 0; i < now->n; i++)
        if (now->v[i].origin == origin && tracked_alive(&now->v[i]) &&
            !procset_has(not_in, &now->v[i]))
            return &now->v[i];
    return NULL;
}

/* Did the launch leave a process behind: one of its processes is in the
 * subtree (alive, or a zombie waiting for the checker), or was reaped by
 * the checker, which only ever reaps orphans. A launcher that waited for
 * all its children itself left nothing. */
static int count_left_behind(struct run *r, enum origin origin, int *count)
{
    struct procset now = { 0 };

    *count = 0;
    if (scan(r, &now) < 0)
        return -1;
    for (size_t i = 0; i < now.n; i++)
        *count += now.v[i].origin == origin;
    for (size_t i = 0; i < r->t.nended; i++)
        *count += r->t.ended[i].who.origin == origin;
    procset_free(&now);
    return 0;
}

/* Wait until `done` holds for the pidfile, or no process of `origin` is
 * left alive to change it, or the deadline passes: a pidfile that a
 * daemon writes a moment after its launcher returned is judged the same
 * at any settle time and any load. The inotify watch is made only when
 * there is something to wait for: closing one waits for an RCU grace
 * period (milliseconds), which a correct daemon should not pay. 0, or -1
 * (message set). */
static int wait_for_pidfile(struct run *r, enum origin origin, long deadline,
                            int (*done)(const struct pidfile_view *, const void *),
                            const void *arg)
{
    struct pidwatch w = { .fd = -1 };
    int rc = 0;

    for (;;) {
        struct procset now = { 0 };
        struct pidfile_view v;
        const struct tracked *p;
        int fds[2], got;

        pidfile_inspect(r->ev->pidfile_path, &v);
        if (done(&v, arg))
            break;
        if (w.fd < 0) {
            if (pidwatch_open(&w, r->ev->pidfile_path) < 0)
                break;  /* no events to wait for: judge what is there */
            continue;   /* look again: it may have changed before the watch */
        }
        if (scan(r, &now) < 0)
            break;
        p = alive_of(&now, origin, NULL);
        fds[0] = w.fd;
        fds[1] = p ? tracker_pidfd(&r->t, p) : -1;
        procset_free(&now);
        if (fds[1] < 0)
            break;      /* nobody left who could write it */
        got = tracker_wait_fds(&r->t, fds, 2, deadline);
        close(fds[1]);
        if (got < 0) {
            rc = wait_failed(r, "the pidfile");
            break;
        }
        if (got == 0)
            break;
        if (got == 1)
            pidwatch_take(&w);
    }
    pidwatch_close(&w);
    return rc;
}

/* Written: it exists and is not empty (a pidfile is created, then written). */
static int pidfile_written(const struct pidfile_view *v, const void *arg)
{
    (void)arg;
    return v->exists && (v->len > 0 || !S_ISREG(v->st.st_mode));
}

/* Other bytes or another inode than `arg`'s, or gone. */
static int pidfile_differs(const struct pidfile_view *v, const struct pidfile_view *before)
{
    return !v->exists || v->st.st_ino != before->st.st_ino || v->len != before->len ||
           memcmp(v->bytes, before->bytes, v->len) != 0;
}

/* Rewritten since the view `arg`: gone, or other bytes that are not the
 * empty file between a truncation and the write that follows it. */
static int pidfile_rewritten(const struct pidfile_view *v, const void *arg)
{
    return !v->exists || (pidfile_differs(v, arg) && pidfile_written(v, NULL));
}

/* ------------------------------------------------------------- phases */

/* Phase 1: the launch. pidfile-exists is decided the moment the launcher
 * has been reaped, before anything else can happen. */
static int phase_launch(struct run *r)
{
    struct evidence *ev = r->ev;
    struct stat st;

    if (launch_and_wait(r, &r->first, r->cmd->argv, &r->h, ORIGIN_FIRST, &ev->launch) < 0)
        return -1;
    ev->pidfile_at_exit = ev->has_pidfile && lstat(ev->pidfile_path, &st) == 0;
    ev->launch_sid = r->first.holder;
    r->ref.tty = r->first.tty;
    memcpy(r->ref.sentinel, r->first.sentinel, sizeof r->ref.sentinel);
    return count_left_behind(r, ORIGIN_FIRST, &ev->launch.left_behind);
}

/* Phase 2: after the settle time, find the daemon and read its state. */
static int phase_inspect(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset now = { 0 };
    const struct tracked *d;
    long waited = now_ms();

    if (settle(r) < 0)
        return -1;
    if (ev->has_pidfile && !ev->pidfile_at_exit &&
        wait_for_pidfile(r, ORIGIN_FIRST, deadline_in(r->opt->timeout_ms),
                         pidfile_written, NULL) < 0)
        return -1;
    ev->pidfile_wait_ms = now_ms() - waited;
    if (scan(r, &now) < 0)
        return -1;
    if (ev->has_pidfile)
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile);
    d = find_daemon(&now, ev->has_pidfile ? &ev->pidfile : NULL, ORIGIN_FIRST);
    if (d && inspect_daemon(d, &now, &r->ref, &ev->daemon) == 0) {
        int running;

        r->daemon = *d;
        r->have_daemon = 1;
        running = tracker_still_running(&r->t, d, now_ms(), deadline_in(r->opt->timeout_ms));
        if (running < 0) {
            procset_free(&now);
            return wait_failed(r, "the daemon");
        }
        ev->alive_after_checks = running;
    }
    procset_free(&now);
    return 0;
}

static int daemon_alive(const struct run *r)
{
    return r->have_daemon && proc_alive(r->daemon.pid, r->daemon.starttime);
}

/* What became of the pidfile since `before`. */
static void compare_pidfile(const struct pidfile_view *before, const char *path,
                            struct evidence *ev)
{
    struct pidfile_view after;

    pidfile_inspect(path, &after);
    ev->ino_before = before->exists ? (unsigned long long)before->st.st_ino : 0;
    ev->ino_after = after.exists ? (unsigned long long)after.st.st_ino : 0;
    if (!before->exists)
        ev->pidfile_change = after.exists ? PIDFILE_APPEARED : PIDFILE_KEPT;
    else if (!after.exists)
        ev->pidfile_change = PIDFILE_REMOVED;
    else if (after.st.st_ino != before->st.st_ino)
        ev->pidfile_change = PIDFILE_REPLACED;
    else if (pidfile_differs(&after, before))
        ev->pidfile_change = PIDFILE_REWRITTEN;
    else
        ev->pidfile_change = PIDFILE_KEPT;
}

/* The processes a launch started that are still running once those on
 * their way out have ended (bounded by the deadline), outside `before`
 * and the first daemon's own tree. */
static int settle_launch(struct run *r, enum origin origin, const struct procset *before,
                         long deadline, struct pid_list *left)
{
    for (;;) {
        struct procset now = { 0 };
        const struct tracked *p = NULL;
        int ended;

        if (scan(r, &now) < 0)
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
            return ended < 0 ? wait_failed(r, "the second start") : 0;
        }
        procset_free(&now);
    }
}

/* Phase 3: a second start while the first daemon runs. It must refuse:
 * its processes are waited for until they have ended, so that one still
 * on its way out is never taken for a second daemon. */
static int phase_second_start(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset before = { 0 };
    struct pidfile_view pf_before;
    struct launch second;
    int rc = -1;

    if (!daemon_alive(r))
        return 0;
    pidfile_inspect(ev->pidfile_path, &pf_before);
    if (scan(r, &before) < 0)
        return -1;
    ev->single_ran = 1;
    if (launch_and_wait(r, &second, r->cmd->argv, &r->h, ORIGIN_SECOND, &ev->second) < 0)
        goto out;
    if (settle_launch(r, ORIGIN_SECOND, &before, deadline_in(r->opt->timeout_ms),
                      &ev->second_new) < 0)
        goto out;
    ev->first_survived = daemon_alive(r);
    if (ev->has_pidfile)
        compare_pidfile(&pf_before, ev->pidfile_path, ev);
    rc = 0;
out:
    launch_release(&second, &r->t);
    procset_free(&before);
    return rc;
}

/* Phase 4: hang up the launch terminal, as a logout does. The SIGHUP is
 * sent before the holder's end shows; the daemon then has the settle
 * time to die of it, and if it is on its way out by then, it died of it. */
static int phase_hangup(struct run *r)
{
    struct evidence *ev = r->ev;
    int running;

    if (!daemon_alive(r))
        return 0;
    ev->hangup_ran = 1;
    if (launch_hangup(&r->first, &r->t, deadline_in(r->opt->timeout_ms)) < 0)
        return wait_failed(r, "the terminal's holder");
    running = tracker_still_running(&r->t, &r->daemon, deadline_in(r->opt->settle_ms),
                                    deadline_in(r->opt->timeout_ms));
    if (running < 0)
        return wait_failed(r, "the daemon after the hangup");
    ev->survived_hangup = running;
    return 0;
}

/* The stop command's own processes still running once it has exited
 * (or the deadline passed), added to `left`. */
static int stop_command_leftovers(struct run *r, long deadline, struct pid_list *left)
{
    return settle_launch(r, ORIGIN_STOP, NULL, deadline, left);
}

/* Ask daemon d to stop (the stop command, or SIGTERM) and wait for it.
 * When a stop command did not stop it, the checker's own SIGTERM is tried,
 * so that the report can say which of the two failed. */
static int stop_daemon(struct run *r, const struct tracked *d, struct launch_result *cmd,
                       int *stopped, long *ms, int *term_tried, int *stopped_by_term)
{
    long start = now_ms(), until = deadline_in(r->opt->timeout_ms);
    struct launch stopper;
    struct launch_failure failed;
    const char *step;
    int ended, rc = 0;

    *term_tried = *stopped_by_term = 0;
    if (r->cmd->stop_argv[2]) {
        if (launch_start(&stopper, &r->t, r->cmd->stop_argv, &r->stop_h, ORIGIN_STOP, cmd,
                         &step) < 0)
            return failf(r, "unable to launch the stop command: %s: %s", step, strerror(errno));
    } else if (tracker_signal(&r->t, d, SIGTERM) < 0 && errno != ESRCH) {
        return failf(r, "unable to send SIGTERM to %d: %s", (int)d->pid, strerror(errno));
    }
    ended = tracker_wait_exit(&r->t, d, until);
    *ms = now_ms() - start;
    *stopped = ended == 1;
    if (ended < 0)
        rc = wait_failed(r, "the daemon to stop");
    else if (r->cmd->stop_argv[2]) {
        if (launch_wait(&stopper, &r->t, until, &failed) < 0)
            rc = wait_failed(r, "the stop command");
        else if (stop_command_leftovers(r, until, &r->ev->stop_cmd_left) < 0)
            rc = -1;
        launch_release(&stopper, &r->t);
        if (rc == 0 && !*stopped) {
            *term_tried = 1;
            if (tracker_signal(&r->t, d, SIGTERM) < 0 && errno != ESRCH)
                return failf(r, "unable to send SIGTERM to %d: %s", (int)d->pid, strerror(errno));
            ended = tracker_wait_exit(&r->t, d, deadline_in(r->opt->timeout_ms));
            if (ended < 0)
                return wait_failed(r, "the daemon to stop");
            *stopped_by_term = ended == 1;
        }
    }
    return rc;
}

/* What the pidfile holds after the stop, NUL-terminated, or 0 if gone. */
static int pidfile_left(const char *path, char *bytes, size_t cap)
{
    struct pidfile_view v;

    pidfile_inspect(path, &v);
    snprintf(bytes, cap, "%.*s", (int)v.len, v.bytes);
    return v.exists;
}

/* Count and end what the candidate's starts left running: the daemon
 * that failed to stop (`exempt`) is reported by stops-on-sigterm, and the
 * stop command's processes by stop-command, not here. */
static int sweep_leftovers(struct run *r, const struct tracked *exempt)
{
    struct procset alive = { 0 };

    if (tracker_sweep(&r->t, r->opt->timeout_ms, &alive) < 0) {
        procset_free(&alive);
        return failf(r, "unable to sweep the candidate's processes: %s", strerror(errno));
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

/* Phase 5: look at the pidfile once more, stop the daemon, count what it
 * left. */
static int phase_stop(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset now = { 0 };

    if (ev->has_pidfile) {
        if (scan(r, &now) < 0)
            return -1;
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile_before_stop);
        procset_free(&now);
    }
    if (daemon_alive(r)) {
        ev->stop_ran = 1;
        ev->stop_by_command = r->cmd->stop_argv[2] != NULL;
        if (stop_daemon(r, &r->daemon, &ev->stop_cmd, &ev->stopped, &ev->stop_ms,
                        &ev->term_after_command, &ev->stopped_by_term) < 0)
            return -1;
        if (ev->has_pidfile)
            ev->pidfile_after_stop = pidfile_left(ev->pidfile_path, ev->pidfile_after_stop_bytes,
                                                  sizeof ev->pidfile_after_stop_bytes);
    }
    return sweep_leftovers(r, r->have_daemon && ev->stop_ran && !ev->stopped &&
                              !ev->stopped_by_term ? &r->daemon : NULL);
}

/* A pid that is certainly dead: a child of ours that has exited. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    return pid;
}

/* Replace the pidfile with one naming pid. unlink removes a symlink
 * itself, and O_EXCL|O_NOFOLLOW refuses whatever appears meanwhile. */
static int write_stale_pidfile(const char *path, pid_t pid)
{
    char text[32];
    int fd, len = snprintf(text, sizeof text, "%d\n", (int)pid);

    if (unlink(path) < 0 && errno != ENOENT)
        return -1;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0644) < 0 || write(fd, text, (size_t)len) != len) {
        fd_close_keep_errno(fd);
        return -1;
    }
    return close(fd);
}

/* Phase 6: a start with a stale pidfile must take it over. */
static int phase_stale(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset now = { 0 };
    struct pidfile_view stale;
    struct launch third;
    struct launch_result stop_cmd;
    const struct tracked *d;
    int stopped, term_tried, by_term, rc = -1;
    long ms;

    if (!ev->has_pidfile || !ev->launch.exited || !r->have_daemon)
        return 0;
    ev->stale_pid = dead_pid();
    if (ev->stale_pid < 0)
        return failf(r, "unable to fork a process to take a dead pid from: %s", strerror(errno));
    if (write_stale_pidfile(ev->pidfile_path, ev->stale_pid) < 0)
        return failf(r, "unable to write a stale pidfile at %s: %s", ev->pidfile_path,
                     strerror(errno));
    pidfile_inspect(ev->pidfile_path, &stale);
    ev->stale_ran = 1;
    if (launch_and_wait(r, &third, r->cmd->argv, &r->h, ORIGIN_STALE, &ev->third) < 0)
        goto out;
    if (settle(r) < 0 ||
        wait_for_pidfile(r, ORIGIN_STALE, deadline_in(r->opt->timeout_ms), pidfile_rewritten,
                         &stale) < 0 ||
        scan(r, &now) < 0)
        goto out;
    inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->stale_after);
    d = find_daemon(&now, &ev->stale_after, ORIGIN_STALE);
    if (d) {
        struct tracked copy = *d;
        if (stop_daemon(r, &copy, &stop_cmd, &stopped, &ms, &term_tried, &by_term) < 0 ||
            sweep_leftovers(r, stopped || by_term ? NULL : &copy) < 0)
            goto out;
    }
    rc = 0;
out:
    launch_release(&third, &r->t);
    procset_free(&now);
    return rc;
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
    record_daemon_end(r);
    tracker_fini(&r->t);
    scratch_remove(&r->sc);
}

int run_candidate(const struct options *opt, struct evidence *ev, struct run_output *out,
                  char *err, size_t errlen)
{
    static int (*const phases[])(struct run *) = {
        setup, phase_launch, phase_inspect, phase_second_start, phase_hangup, phase_stop,
        phase_stale,
    };
    struct run r;
    long start = now_ms();
    int rc = 0;

    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    memset(ev, 0, sizeof *ev);
    r.opt = opt;
    r.ev = ev;
    r.err = err;
    r.errlen = errlen;
    r.cmd = &out->command;
    r.t.sigfd = -1;
    r.first.master = r.first.status_fd = r.first.control_fd = r.first.holder_pidfd = -1;
    for (size_t i = 0; rc == 0 && i < sizeof phases / sizeof *phases; i++)
        rc = phases[i](&r);
    out->interrupted = r.t.interrupted;
    cleanup(&r);
    ev->elapsed_ms = now_ms() - start;
    return rc;
}
