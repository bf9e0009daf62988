/* run_classic.c — the phases of a classic run (--profile sysv or seed), in
 * the contract's order:
 *   1 launch and wait for the launcher (pidfile-exists is judged then),
 *   2 settle, find the daemon and inspect it,
 *   3 start a second instance, 4 hang the terminal up, 5 stop it,
 *   6 start with a stale pidfile and stop again; the sweep is run.c's.
 * Each phase records what it saw in the evidence; judging comes later. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "fdio.h"
#include "run_parts.h"

/* Start argv in a fresh environment h and wait for it to return.
 * 0 (the result says how it ended), or -1 (message set). */
static int launch_and_wait(struct run *r, struct launch *l, char *const argv[],
                           const struct hostile *h, enum origin origin,
                           struct launch_result *res)
{
    struct launch_failure failed;
    struct launch_trace lt;
    const char *step;

    if (launch_start(l, &r->t, argv, h, origin, run_trace_launch(r, origin, &lt), res, &step) < 0)
        return run_fail(r, "unable to launch %s: %s: %s", argv[0], step, strerror(errno));
    if (launch_wait(l, &r->t, run_deadline(r->opt->timeout_ms), &failed) < 0)
        return run_wait_failed(r, argv[0]);
    if (failed.step == LS_EXEC)
        return run_fail(r, "unable to execute %s: %s", argv[0], strerror(failed.err));
    if (failed.step != LS_NONE)
        return run_fail(r, "unable to launch %s: %s: %s", argv[0], launch_step_name(failed.step),
                     strerror(failed.err));
    return 0;
}

/* Did the launch leave a process behind: one of its processes is in the
 * subtree (alive, or a zombie waiting for the checker), or was reaped by
 * the checker, which only ever reaps orphans. A launcher that waited for
 * all its children itself left nothing. */
static int count_left_behind(struct run *r, enum origin origin, int *count)
{
    struct procset now = { 0 };

    *count = 0;
    if (run_scan(r, &now) < 0)
        return -1;
    for (size_t i = 0; i < now.n; i++)
        *count += now.v[i].origin == origin;
    for (size_t i = 0; i < r->t.nended; i++)
        *count += r->t.ended[i].who.origin == origin;
    procset_free(&now);
    return 0;
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
    return !v->exists || (pidfile_differs(v, arg) && run_pidfile_written(v, NULL));
}

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

    if (run_settle(r) < 0)
        return -1;
    if (ev->has_pidfile && !ev->pidfile_at_exit &&
        run_wait_for_pidfile(r, ORIGIN_FIRST, run_deadline(r->opt->timeout_ms),
                         run_pidfile_written, NULL) < 0)
        return -1;
    ev->pidfile_wait_ms = now_ms() - waited;
    if (run_scan(r, &now) < 0)
        return -1;
    if (ev->has_pidfile)
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile);
    d = find_daemon(&now, ev->has_pidfile ? &ev->pidfile : NULL, ORIGIN_FIRST);
    if (d && inspect_daemon(d, &now, &r->ref, &ev->daemon) == 0) {
        int running;

        ev->daemon.inspected_ms = now_ms() - r->start_ms;
        r->daemon = *d;
        r->have_daemon = 1;
        running = tracker_still_running(&r->t, d, now_ms(), run_deadline(r->opt->timeout_ms));
        if (running < 0) {
            procset_free(&now);
            return run_wait_failed(r, "the daemon");
        }
        ev->alive_after_checks = running;
    }
    procset_free(&now);
    return 0;
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

    if (!run_daemon_alive(r))
        return 0;
    pidfile_inspect(ev->pidfile_path, &pf_before);
    if (run_scan(r, &before) < 0)
        return -1;
    ev->single_ran = 1;
    if (launch_and_wait(r, &second, r->cmd->argv, &r->h, ORIGIN_SECOND, &ev->second) < 0)
        goto out;
    if (run_settle_launch(r, ORIGIN_SECOND, &before, run_deadline(r->opt->timeout_ms),
                      &ev->second_new) < 0)
        goto out;
    ev->first_survived = run_daemon_alive(r);
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

    if (!run_daemon_alive(r))
        return 0;
    ev->hangup_ran = 1;
    run_trace_hangup(r, &r->first);
    if (launch_hangup(&r->first, &r->t, run_deadline(r->opt->timeout_ms)) < 0)
        return run_wait_failed(r, "the terminal's holder");
    running = tracker_still_running(&r->t, &r->daemon, run_deadline(r->opt->settle_ms),
                                    run_deadline(r->opt->timeout_ms));
    if (running < 0)
        return run_wait_failed(r, "the daemon after the hangup");
    ev->survived_hangup = running;
    return 0;
}

/* Phase 5: look at the zombies and the pidfile once more, stop the
 * daemon, count what it left. */
static int phase_stop(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset now = { 0 };

    if (run_look_again_at_zombies(r) < 0)
        return -1;
    if (ev->has_pidfile) {
        if (run_scan(r, &now) < 0)
            return -1;
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile_before_stop);
        procset_free(&now);
    }
    if (run_daemon_alive(r)) {
        ev->stop_ran = 1;
        ev->stop_by_command = r->cmd->stop_argv[2] != NULL;
        if (run_stop_daemon(r, &r->daemon, &ev->stop_cmd, &ev->stopped, &ev->stop_ms,
                        &ev->term_after_command, &ev->stopped_by_term) < 0)
            return -1;
        if (ev->has_pidfile)
            ev->pidfile_after_stop = run_pidfile_left(ev->pidfile_path, ev->pidfile_after_stop_bytes,
                                                  sizeof ev->pidfile_after_stop_bytes);
    }
    return run_sweep(r, r->have_daemon && ev->stop_ran && !ev->stopped &&
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

/* The pid a crash would leave in the pidfile: the first daemon's, once
 * the checker has reaped it (so certainly dead); else a dead child's. */
static pid_t stale_pid(struct run *r)
{
    return tracker_end_of(&r->t, &r->daemon) ? r->daemon.pid : dead_pid();
}

/* Replace the pidfile with one naming pid. unlink removes a symlink
 * itself, and O_EXCL|O_NOFOLLOW refuses whatever appears meanwhile. */
static int write_stale_pidfile(const char *path, pid_t pid, const char **failed)
{
    char text[32];
    int fd, len = snprintf(text, sizeof text, "%d\n", (int)pid);

    *failed = "unlink";
    if (unlink(path) < 0 && errno != ENOENT)
        return -1;
    *failed = "open";
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    *failed = "fchmod";
    if (fchmod(fd, 0644) == 0) {
        ssize_t n;

        *failed = "write";
        n = write(fd, text, (size_t)len);
        if (n == len) {
            *failed = "close";
            return close(fd);
        }
        if (n >= 0)
            errno = EIO;    /* a short write of a few bytes to a fresh file */
    }
    fd_close_keep_errno(fd);
    return -1;
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
    const char *call;
    int stopped, term_tried, by_term, rc = -1;
    long ms;

    if (!ev->has_pidfile || !ev->launch.exited || !r->have_daemon)
        return 0;
    ev->stale_pid = stale_pid(r);
    if (ev->stale_pid < 0)
        return run_fail(r, "unable to fork a process to take a dead pid from: %s", strerror(errno));
    if (write_stale_pidfile(ev->pidfile_path, ev->stale_pid, &call) < 0)
        return run_fail(r, "unable to write a stale pidfile at %s: %s: %s", ev->pidfile_path,
                        call, strerror(errno));
    pidfile_inspect(ev->pidfile_path, &stale);
    ev->stale_ran = 1;
    if (launch_and_wait(r, &third, r->cmd->argv, &r->h, ORIGIN_STALE, &ev->third) < 0)
        goto out;
    if (run_settle(r) < 0 ||
        run_wait_for_pidfile(r, ORIGIN_STALE, run_deadline(r->opt->timeout_ms), pidfile_rewritten,
                         &stale) < 0 ||
        run_scan(r, &now) < 0)
        goto out;
    inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->stale_after);
    d = find_daemon(&now, &ev->stale_after, ORIGIN_STALE);
    if (d) {
        struct tracked copy = *d;
        r->stale_daemon = d->pid;
        if (run_stop_daemon(r, &copy, &stop_cmd, &stopped, &ms, &term_tried, &by_term) < 0 ||
            run_sweep(r, stopped || by_term ? NULL : &copy) < 0)
            goto out;
    }
    rc = 0;
out:
    launch_release(&third, &r->t);
    procset_free(&now);
    return rc;
}

int run_classic(struct run *r)
{
    static int (*const phases[])(struct run *) = {
        phase_launch, phase_inspect, phase_second_start, phase_hangup, phase_stop, phase_stale,
    };
    int rc = 0;

    for (size_t i = 0; rc == 0 && i < sizeof phases / sizeof *phases; i++)
        rc = phases[i](r);
    return rc;
}
