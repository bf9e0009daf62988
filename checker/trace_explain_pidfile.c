/* trace_explain_pidfile.c — where the pidfile went wrong, in the trace:
 * written late, with the wrong pid or bytes, created unsafely, never
 * locked, rewritten by a second start, not taken over after a stale one,
 * left behind (see trace_explain_parts.h).
 *
 * The tracer records an open of the pidfile, and only of it, /dev/null
 * and terminals, with a sentence that names it "the pidfile" and lists
 * the open flags (tracer.c); a write or a lock carries its own kind. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "pidfile.h"
#include "trace_explain_parts.h"
#include "trace_words.h"

static int opens_pidfile(const struct trace_event *e, const void *arg)
{
    const char *flag = arg;

    return e->value >= 0 && strstr(e->detail, "the pidfile") != NULL &&
           (flag == NULL || strstr(e->detail, flag) != NULL);
}

static int succeeded(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value >= 0;
}

static int refused(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value < 0;
}

static int names_pidfile(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return strstr(e->detail, "the pidfile") != NULL;
}

static int locks_pidfile(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value >= 0 && e->arg == 1;
}

/* Does a TE_UNLINK do this (an enum trace_unlink_how) to the pidfile,
 * successfully? */
static int unlinks(const struct trace_event *e, const void *arg)
{
    return e->value >= 0 && e->arg == *(const int *)arg;
}

/* The first event, after `after`, that makes the pidfile exist in a
 * launch: an open that creates it, else a rename onto it, else a write
 * into it. */
static long pidfile_made(const struct explain *x, int launch, long after)
{
    static const int replaced = TU_REPLACED;
    struct tq_match open = { launch, 0, TE_OPEN, opens_pidfile, "O_CREAT" };
    struct tq_match rename = { launch, 0, TE_UNLINK, unlinks, &replaced };
    struct tq_match write = { launch, 0, TE_PIDFILE_WRITE, succeeded, NULL };
    long made = tq_next(x->t, after, &open);

    if (made < 0)
        made = tq_next(x->t, after, &rename);
    return made >= 0 ? made : tq_next(x->t, after, &write);
}

/* Does a TE_UNLINK take the pidfile away (removed, or renamed away)? */
static int takes_away(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->arg == TU_REMOVED || e->arg == TU_MOVED_AWAY;
}

/* The first successful removal of the pidfile in a launch, after event
 * `after` and before event `before`, or -1. */
static long pidfile_taken_away(const struct explain *x, int launch, long after, long before)
{
    struct tq_match gone = { launch, 0, TE_UNLINK, takes_away, NULL };

    for (long i = tq_next(x->t, after, &gone); i >= 0 && i < before; i = tq_next(x->t, i, &gone))
        if (x->t->ev[i].value >= 0)
            return i;
    return -1;
}

/* The last write into the pidfile in a launch, or -1. */
static long last_write(const struct explain *x, int launch)
{
    struct tq_match write = { launch, 0, TE_PIDFILE_WRITE, succeeded, NULL };

    return launch < 0 ? -1 : tq_prev(x->t, (long)x->t->nev, &write);
}

static pid_t launcher_of(const struct explain *x, int launch)
{
    return launch >= 0 && launch < x->t->nlaunches ? x->t->launches[launch].first : 0;
}

void ex_pidfile_exists(struct explain *x, int check)
{
    long launcher_end = tq_exit(x->t, x->first, launcher_of(x, x->first));
    long made, before, gone;

    if (launcher_end < 0)
        return;
    made = pidfile_made(x, x->first, launcher_end);
    before = pidfile_made(x, x->first, -1);
    if (made >= 0 && (before < 0 || before == made)) {
        ex_mark_event(x, made, check, "the pidfile is created here, by pid %d, %.1f ms after the "
                      "launcher exited (+%.1f ms): whoever started the daemon may already have "
                      "looked for it", (int)x->t->ev[made].pid,
                      tq_ms(x->t, made) - tq_ms(x->t, launcher_end), tq_ms(x->t, launcher_end));
        return;
    }
    if (before >= 0 && before < launcher_end &&
        (gone = pidfile_taken_away(x, x->first, before, launcher_end)) >= 0) {
        ex_mark_event(x, gone, check, "the pidfile, made at +%.1f ms, is removed here by pid %d, "
                      "the %s, before the launcher exited (+%.1f ms)", tq_ms(x->t, before),
                      (int)x->t->ev[gone].pid, ex_role(x, x->first, x->t->ev[gone].pid),
                      tq_ms(x->t, launcher_end));
        return;
    }
    if (before < 0 && !x->ev->pidfile.view.exists && !x->ev->pidfile_before_stop.view.exists)
        ex_mark_event(x, launcher_end, check, "the launcher exited here, and no process of the "
                      "start ever wrote the pidfile");
}

/* Whom a wrong pid names, in words, for pidfile-content and
 * stale-pidfile: the process of the launch that exits, or the owner. */
static void named_words(const struct explain *x, int launch, pid_t named, enum pid_owner owner,
                        char *buf, size_t cap)
{
    const struct trace_proc *p = tq_proc(x->t, launch, named);
    long end = p ? tq_exit(x->t, launch, named) : -1;

    if (end >= 0)
        snprintf(buf, cap, "pid %d is the %s, which exits at +%.1f ms", (int)named,
                 ex_role(x, launch, named), tq_ms(x->t, end));
    else if (owner == OWNER_INIT)
        snprintf(buf, cap, "pid 1 is init");
    else if (owner == OWNER_CHECKER)
        snprintf(buf, cap, "pid %d is the checker itself", (int)named);
    else if (owner == OWNER_STRANGER)
        snprintf(buf, cap, "pid %d is a process the candidate did not start", (int)named);
    else
        snprintf(buf, cap, "no process %d is running", (int)named);
}

/* "; the daemon is pid 1234", or nothing when there is none. */
static void daemon_words(pid_t daemon, const char *who, char *buf, size_t cap)
{
    buf[0] = '\0';
    if (daemon > 0)
        snprintf(buf, cap, "; %s is pid %d", who, (int)daemon);
}

/* The issue's own case: a process writes its own pid, then forks the
 * daemon and exits. */
static int wrote_before_fork(struct explain *x, int check, long write, pid_t named)
{
    const struct trace_event *w = &x->t->ev[write];
    struct tq_match fork = { w->launch, w->pid, TE_SPAWN, NULL, NULL };
    long spawn = tq_next(x->t, write, &fork), end = tq_exit(x->t, w->launch, w->pid);

    if (w->pid != named || spawn < 0 || end < 0)
        return 0;
    ex_mark_event(x, write, check, "pidfile written by pid %d at +%.1f ms, before its fork at "
                  "+%.1f ms: the pidfile names the %s, which exits at +%.1f ms%s", (int)w->pid,
                  tq_ms(x->t, write), tq_ms(x->t, spawn), ex_role(x, w->launch, w->pid),
                  tq_ms(x->t, end), x->daemon > 0 ? "; the daemon is its child" : "");
    return 1;
}

void ex_pidfile_content(struct explain *x, int check)
{
    const struct pidfile_seen *p = &x->ev->pidfile;
    long write = last_write(x, x->first);
    char quoted[96], named[160], tail[48];

    if (write < 0 || p->view.read_errno)
        return;
    if (p->form != PIDFILE_OK) {
        quote_bytes(p->view.bytes, p->view.len, quoted, sizeof quoted);
        ex_mark_event(x, write, check, "after this write the pidfile holds %s: %s", quoted,
                      pidfile_form_str(p->form));
        return;
    }
    if (p->owner == OWNER_DESCENDANT || wrote_before_fork(x, check, write, p->pid))
        return;
    named_words(x, x->first, p->pid, p->owner, named, sizeof named);
    daemon_words(x->daemon, "the daemon", tail, sizeof tail);
    ex_mark_event(x, write, check, "pid %d writes pid %d here, but %s%s",
                  (int)x->t->ev[write].pid, (int)p->pid, named, tail);
}

void ex_pidfile_safe(struct explain *x, int check)
{
    const struct stat *st = &x->ev->pidfile.view.st;
    struct tq_match follows = { x->first, 0, TE_OPEN, opens_pidfile, NULL };
    long made = pidfile_made(x, x->first, -1), open;

    if (S_ISLNK(st->st_mode)) {
        for (open = tq_next(x->t, -1, &follows); open >= 0; open = tq_next(x->t, open, &follows))
            if (!strstr(x->t->ev[open].detail, "O_NOFOLLOW"))
                break;
        if (open >= 0)
            ex_mark_event(x, open, check, "the pidfile, a symbolic link, is opened here without "
                          "O_NOFOLLOW: the link is followed");
        else
            ex_mark_proc(x, x->first, 0, check, "the pidfile is a symbolic link, made by a call "
                         "the trace does not follow (symlink, rename)");
        return;
    }
    if (made < 0 || x->t->ev[made].kind != TE_OPEN)
        return;
    if (S_ISREG(st->st_mode) && (st->st_mode & 022))
        ex_mark_event(x, made, check, "the pidfile is created here, and ends up mode %04o: %s "
                      "may write into it; create it with mode 0644",
                      (unsigned)(st->st_mode & 07777), st->st_mode & 002 ? "anyone" : "its group");
    else if (S_ISREG(st->st_mode) && st->st_uid != x->ev->uid)
        ex_mark_event(x, made, check, "the pidfile is created here, and belongs to uid %u, not to "
                      "the user who started the daemon", (unsigned)st->st_uid);
}

/* A lock that was taken, but is not held any more: by whom, and why. */
static void lock_lost(struct explain *x, int check, long lock)
{
    const struct trace_event *l = &x->t->ev[lock];
    struct tq_match close = { l->launch, l->pid, TE_CLOSE, names_pidfile, NULL };
    long end = tq_exit(x->t, l->launch, l->pid), closed = tq_next(x->t, lock, &close);
    int fcntl_lock = strncmp(l->detail, "F_", 2) == 0;

    if (closed >= 0 && (end < 0 || closed < end))
        ex_mark_event(x, lock, check, "pid %d locks the pidfile here, then closes it at +%.1f "
                      "ms, which lets the lock go", (int)l->pid, tq_ms(x->t, closed));
    else if (end >= 0)
        ex_mark_event(x, lock, check, "pid %d, the %s, locks the pidfile here, and the lock goes "
                      "with it when it exits at +%.1f ms%s", (int)l->pid,
                      ex_role(x, l->launch, l->pid), tq_ms(x->t, end),
                      fcntl_lock ? ": an fcntl lock is not passed on by fork; lock after the "
                      "last fork" : "");
}

void ex_pidfile_locked(struct explain *x, int check)
{
    struct tq_match lock = { x->first, 0, TE_LOCK, locks_pidfile, NULL };
    struct tq_match open = { x->first, 0, TE_OPEN, opens_pidfile, NULL };
    long locked = tq_prev(x->t, (long)x->t->nev, &lock), opened;

    if (x->first < 0)
        return;
    if (locked >= 0) {
        lock_lost(x, check, locked);
        return;
    }
    opened = tq_next(x->t, -1, &open);
    if (opened < 0)
        opened = tq_next(x->t, -1, &(struct tq_match){ x->first, 0, TE_PIDFILE_WRITE,
                                                      succeeded, NULL });
    ex_mark_event(x, opened, check, "the pidfile is %s here, and no process ever locks it: "
                  "lock it (F_SETLK) and keep it open while the daemon runs",
                  opened >= 0 && x->t->ev[opened].kind == TE_OPEN ? "opened" : "written");
}

/* The second start made a second daemon: where it should have stopped. */
static void second_daemon(struct explain *x, int check, int launch, long end)
{
    pid_t second = x->ev->second_new.pid[0];
    struct tq_match no_lock = { launch, second, TE_LOCK, refused, NULL };
    long lock = tq_next(x->t, -1, &no_lock);
    char how[64];

    if (lock >= 0) {
        ex_mark_event(x, lock, check, "the pidfile's lock is refused here, since the first "
                      "daemon holds it, and pid %d goes on all the same: a start that cannot lock "
                      "must exit non-zero", (int)second);
        return;
    }
    if (end < 0)
        return;
    ex_end_words(x, end, how, sizeof how);
    ex_mark_event(x, end, check, "the second start %s here and left pid %d running beside the "
                  "first daemon, pid %d", how, (int)second, (int)x->daemon);
}

/* The second start touched the running daemon's pidfile: its first write
 * there, else its open that truncated it. */
static void second_rewrote(struct explain *x, int check, int launch)
{
    struct tq_match write = { launch, 0, TE_PIDFILE_WRITE, succeeded, NULL };
    struct tq_match trunc = { launch, 0, TE_OPEN, opens_pidfile, "O_TRUNC" };
    long step = tq_next(x->t, -1, &write);

    if (step < 0)
        step = tq_next(x->t, -1, &trunc);
    if (step >= 0)
        ex_mark_event(x, step, check, "pid %d, of the second start, rewrites the running "
                      "daemon's pidfile here", (int)x->t->ev[step].pid);
}

void ex_single_instance(struct explain *x, int check)
{
    const struct evidence *ev = x->ev;
    int launch = tq_launch(x->t, TL_SECOND);
    pid_t launcher = launcher_of(x, launch);
    long end = tq_exit(x->t, launch, launcher), died = ex_daemon_exit(x), gone;
    char how[64];

    if (launch < 0 || !ev->single_ran)
        return;
    if (!ev->second.exited) {
        ex_mark_proc(x, launch, launcher, check, "the second start was still running at the "
                     "timeout: it must refuse at once when a daemon runs");
    } else if (ev->second_new.count > 0) {
        second_daemon(x, check, launch, end);
    } else if (WIFEXITED(ev->second.status) && WEXITSTATUS(ev->second.status) == 0) {
        ex_mark_event(x, end, check, "the second start exited with status 0 here: a start that "
                      "refuses must exit non-zero");
    } else if (!ev->first_survived) {
        if (died < 0 || x->t->ev[died].us < x->t->launches[launch].t0_us)
            return;
        ex_end_words(x, died, how, sizeof how);
        ex_mark_event(x, died, check, "the first daemon %s here, during the second start", how);
    } else if (ev->pidfile_change == PIDFILE_REWRITTEN || ev->pidfile_change == PIDFILE_REPLACED) {
        second_rewrote(x, check, launch);
    } else if (ev->pidfile_change == PIDFILE_REMOVED &&
               (gone = pidfile_taken_away(x, launch, -1, (long)x->t->nev)) >= 0) {
        ex_mark_event(x, gone, check, "pid %d, of the second start, removes the running daemon's "
                      "pidfile here: a start that refuses must leave it alone",
                      (int)x->t->ev[gone].pid);
    }
}

/* The new daemon of the start over a stale pidfile, or 0. */
static pid_t stale_daemon(const struct explain *x, int launch)
{
    for (size_t i = 0; i < x->t->nprocs; i++)
        if (x->t->procs[i].launch == launch && x->t->procs[i].role == TR_DAEMON)
            return x->t->procs[i].pid;
    return 0;
}

void ex_stale_pidfile(struct explain *x, int check)
{
    const struct evidence *ev = x->ev;
    int launch = tq_launch(x->t, TL_STALE);
    pid_t launcher = launcher_of(x, launch), fresh = stale_daemon(x, launch);
    long end = tq_exit(x->t, launch, launcher), write = last_write(x, launch), gone;
    char how[64], named[160], tail[48];

    if (launch < 0 || !ev->stale_ran)
        return;
    if (!ev->third.exited) {
        ex_mark_proc(x, launch, launcher, check, "this start was still running at the timeout");
    } else if (!(WIFEXITED(ev->third.status) && WEXITSTATUS(ev->third.status) == 0)) {
        if (end < 0)
            return;
        ex_end_words(x, end, how, sizeof how);
        ex_mark_event(x, end, check, "with a pidfile naming pid %d, which is dead, this start "
                      "%s here: a stale pidfile must be taken over, not obeyed",
                      (int)ev->stale_pid, how);
    } else if (!ev->stale_after.view.exists && (gone = pidfile_taken_away(x, launch, -1,
                                                                           (long)x->t->nev)) >= 0) {
        ex_mark_event(x, gone, check, "pid %d removes the stale pidfile here, and no process of "
                      "this start writes a new one: a stale pidfile must be rewritten, not "
                      "removed", (int)x->t->ev[gone].pid);
    } else if (!ev->stale_after.view.exists) {
        ex_mark_proc(x, launch, 0, check, "no pidfile was left after this start: a stale "
                     "pidfile must be rewritten, not removed");
    } else if (S_ISREG(ev->stale_after.view.st.st_mode) &&
               ev->stale_after.owner != OWNER_DESCENDANT) {
        if (write < 0 && ev->stale_after.pid == ev->stale_pid) {
            ex_mark_proc(x, launch, 0, check, "no process of this start wrote the pidfile: it "
                         "still names pid %d, which is dead", (int)ev->stale_pid);
            return;
        }
        named_words(x, launch, ev->stale_after.pid, ev->stale_after.owner, named, sizeof named);
        daemon_words(fresh, "the new daemon", tail, sizeof tail);
        ex_mark_event(x, write, check, "pid %d writes pid %d here, but %s%s",
                      write >= 0 ? (int)x->t->ev[write].pid : 0, (int)ev->stale_after.pid,
                      named, tail);
    }
}

/* The last attempt, in the first start or the stop command, to remove
 * the pidfile (how: TU_REMOVED or TU_MOVED_AWAY; TU_ELSEWHERE: a file of
 * its name elsewhere), whatever came of it; -1 when none. */
static long last_removal(const struct explain *x, int stop, int how)
{
    for (long i = (long)x->t->nev; i-- > 0;) {
        const struct trace_event *e = &x->t->ev[i];

        if (e->kind == TE_UNLINK && (e->launch == x->first || (stop >= 0 && e->launch == stop))
            && (e->arg == how || (how == TU_REMOVED && e->arg == TU_MOVED_AWAY)))
            return i;
    }
    return -1;
}

/* The pidfile was removed, yet it was there after the stop: what made it
 * again, or the removal. */
static void removed_then_back(struct explain *x, int check, long gone)
{
    long again = pidfile_made(x, x->first, gone);
    const struct trace_event *g = &x->t->ev[gone];

    if (again >= 0)
        ex_mark_event(x, again, check, "the pidfile, removed at +%.1f ms by pid %d, is made "
                      "again here by pid %d, and it was still there after the stop",
                      tq_ms(x->t, gone), (int)g->pid, (int)x->t->ev[again].pid);
    else
        ex_mark_event(x, gone, check, "the pidfile is removed here, at +%.1f ms by pid %d, but "
                      "it was there again after the stop", tq_ms(x->t, gone), (int)g->pid);
}

/* No removal: the daemon's end, and why its clean-up never ran when a
 * signal is what ended it. */
static void never_removed(struct explain *x, int check, long end)
{
    const char *bytes = x->ev->pidfile_after_stop_bytes;
    int status = (int)x->t->ev[end].value;
    char how[64], quoted[96];

    ex_end_words(x, end, how, sizeof how);
    quote_bytes(bytes, strnlen(bytes, sizeof x->ev->pidfile_after_stop_bytes), quoted,
                sizeof quoted);
    ex_mark_event(x, end, check, "the daemon %s here without removing its pidfile, which still "
                  "holds %s%s", how, quoted, WIFSIGNALED(status) && WTERMSIG(status) != SIGKILL
                  ? ": the signal ended it before any clean-up could run (an atexit handler "
                    "never does then); catch it, and remove the pidfile before exiting" : "");
}

void ex_pidfile_removed(struct explain *x, int check)
{
    int stop = tq_launch(x->t, TL_STOP);
    long end = ex_daemon_exit(x);
    long tried = last_removal(x, stop, TU_REMOVED), elsewhere = last_removal(x, stop, TU_ELSEWHERE);
    const struct trace_event *e;

    if (elsewhere >= 0 && (tried < 0 || x->t->ev[tried].value < 0)) {
        e = &x->t->ev[elsewhere];
        ex_mark_event(x, elsewhere, check, "pid %d removes a file named like the pidfile here, "
                      "but in another directory: a relative name that a chdir() took elsewhere; "
                      "the pidfile %s stayed (remove it by its absolute path)", (int)e->pid,
                      x->ev->pidfile_path);
    } else if (tried >= 0 && x->t->ev[tried].value < 0) {
        e = &x->t->ev[tried];
        ex_mark_event(x, tried, check, "pid %d, the %s, tries to remove the pidfile here, and "
                      "fails: %s", (int)e->pid, ex_role(x, e->launch, e->pid),
                      strerror((int)-e->value));
    } else if (tried >= 0) {
        removed_then_back(x, check, tried);
    } else if (end >= 0) {
        never_removed(x, check, end);
    }
}
