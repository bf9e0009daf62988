/* trace_explain_life.c — where a daemon's life went wrong, in the trace:
 * the launcher's exit, the daemon's death, the hang-up, the stop, what
 * was left behind, and the stop command (see trace_explain_parts.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "text.h"
#include "trace_explain_parts.h"
#include "trace_words.h"

static pid_t launcher_of(const struct explain *x, int launch)
{
    return launch >= 0 && launch < x->t->nlaunches ? x->t->launches[launch].first : 0;
}

static int failed_exit(const struct trace_event *e, const void *arg)
{
    pid_t launcher = *(const pid_t *)arg;

    return e->pid != launcher && !(WIFEXITED((int)e->value) && WEXITSTATUS((int)e->value) == 0);
}

/* The command gave up: say so, and name the process whose failure it
 * passed on, when one of its own failed just before it. */
static void launcher_failed(struct explain *x, int check, pid_t launcher, long end)
{
    struct tq_match m = { x->first, 0, TE_EXIT, failed_exit, &launcher };
    long child = tq_prev(x->t, end, &m);
    char how[64], child_how[64];

    ex_end_words(x, end, how, sizeof how);
    if (child < 0) {
        ex_mark_event(x, end, check, "the command %s here: to whoever started it, the daemon "
                      "did not start", how);
        return;
    }
    ex_end_words(x, child, child_how, sizeof child_how);
    ex_mark_event(x, end, check, "the command %s here, after pid %d, the %s, %s at +%.1f ms: to "
                  "whoever started it, the daemon did not start", how, (int)x->t->ev[child].pid,
                  ex_role(x, x->first, x->t->ev[child].pid), child_how, tq_ms(x->t, child));
}

void ex_launcher_exits(struct explain *x, int check)
{
    const struct launch_result *l = &x->ev->launch;
    pid_t launcher = launcher_of(x, x->first);
    struct tq_match forks = { x->first, launcher, TE_SPAWN, NULL, NULL };
    long end = tq_exit(x->t, x->first, launcher);

    if (!l->exited) {
        ex_mark_proc(x, x->first, launcher, check, "still running %ld ms after it started: the "
                     "command never returned, so whoever started it is still waiting",
                     l->elapsed_ms);
        return;
    }
    if (end < 0)
        return;
    if (!(WIFEXITED(l->status) && WEXITSTATUS(l->status) == 0)) {
        launcher_failed(x, check, launcher, end);
        return;
    }
    if (tq_count(x->t, &forks) == 0)
        ex_mark_event(x, end, check, "the command exited here without ever forking: no process "
                      "was left to be the daemon");
    else
        ex_mark_event(x, end, check, "the command exited here, and every process it had started "
                      "had already ended: none was left to be the daemon");
}

/* When the checker first asked the daemon to stop (its SIGTERM, or the
 * stop command), or -1. */
static long asked_to_stop(const struct explain *x)
{
    long term = ex_checker_signal(x, x->first, x->daemon, SIGTERM);
    long command = ex_checker_act(x, tq_launch(x->t, TL_STOP), TC_STOP_COMMAND, 0, -1);

    return command >= 0 && (term < 0 || command < term) ? command : term;
}

/* No daemon found: how the start's last process ended, or that nothing
 * of it was left. */
static void no_daemon_left(struct explain *x, int check)
{
    const struct process_end *d = &x->ev->daemon_end;
    struct tq_match any_exit = { x->first, 0, TE_EXIT, NULL, NULL };
    long launcher_end = tq_exit(x->t, x->first, launcher_of(x, x->first)), end;
    char how[64];

    if (!d->seen) {
        ex_mark_event(x, tq_prev(x->t, (long)x->t->nev, &any_exit), check, "the start's last "
                      "process ended here: no daemon was ever left running");
        return;
    }
    end = tq_exit(x->t, x->first, d->pid);
    if (end < 0)
        return;
    ex_end_words(x, end, how, sizeof how);
    if (launcher_end >= 0 && launcher_end < end)
        ex_mark_event(x, end, check, "pid %d, the start's last process, %s here, %.1f ms after "
                      "the launcher exited: no daemon was left running", (int)d->pid, how,
                      tq_ms(x->t, end) - tq_ms(x->t, launcher_end));
    else
        ex_mark_event(x, end, check, "pid %d, the start's last process, %s here: no daemon was "
                      "left running", (int)d->pid, how);
}

void ex_daemon_running(struct explain *x, int check)
{
    long end = ex_daemon_exit(x), asked;
    char how[64];

    if (!x->ev->daemon.found) {
        no_daemon_left(x, check);
        return;
    }
    if (end < 0)
        return;
    asked = asked_to_stop(x);
    ex_end_words(x, end, how, sizeof how);
    if (asked >= 0 && asked < end)
        ex_mark_event(x, end, check, "the daemon, pid %d, %s here, when it was asked to stop "
                      "(+%.1f ms): a crash", (int)x->daemon, how, tq_ms(x->t, asked));
    else
        ex_mark_event(x, end, check, "the daemon, pid %d, %s here, before anyone asked it to "
                      "stop", (int)x->daemon, how);
}

void ex_survives_hangup(struct explain *x, int check)
{
    long hangup = ex_checker_act(x, x->first, TC_HANGUP, 0, -1);
    long end = ex_daemon_exit(x);
    int status;
    char how[64];

    if (hangup < 0)
        return;
    if (end < hangup) {
        ex_mark_event(x, hangup, check, "the checker hung up the terminal here, and the daemon, "
                      "pid %d, did not survive it", (int)x->daemon);
        return;
    }
    status = (int)x->t->ev[end].value;
    ex_end_words(x, end, how, sizeof how);
    ex_mark_event(x, end, check, "the daemon %s here, %.1f ms after the checker hung up its "
                  "terminal%s", how, tq_ms(x->t, end) - tq_ms(x->t, hangup),
                  WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP &&
                  x->ev->daemon.st.session == x->ev->launch_sid
                  ? ": it never left the terminal's session" : "");
}

static int is_signal(const struct trace_event *e, const void *arg)
{
    return e->value == *(const int *)arg;
}

/* A sigaction that sets SIG_IGN: arg 1, or the tracer's words. */
static int ignores(const struct trace_event *e)
{
    return e->arg == 1 || strstr(e->detail, "ignored") != NULL;
}

/* SIGTERM was sent to the daemon (event sent: the checker's act, or the
 * stop command's kill) and the daemon ran on: ignored, caught and not
 * obeyed, or never taken. */
static void term_not_obeyed(struct explain *x, int check, long sent, const char *whose)
{
    int sigterm = SIGTERM;
    struct tq_match took = { x->first, x->daemon, TE_SIGNAL, is_signal, &sigterm };
    long set = ex_line_last(x, TE_SIGACTION, is_signal, &sigterm), got;

    if (ex_sig_in(x->ev->daemon.status.sigign, SIGTERM) && set >= 0 && ignores(&x->t->ev[set])) {
        ex_mark_event(x, set, check, "SIGTERM is set to be ignored here, so %s SIGTERM at +%.1f "
                      "ms did nothing", whose, tq_ms(x->t, sent));
        return;
    }
    got = tq_next(x->t, sent, &took);
    if (got >= 0)
        ex_mark_event(x, got, check, "SIGTERM reached the daemon here, and it was still "
                      "running at the timeout: on SIGTERM, clean up and exit");
    else
        ex_mark_event(x, sent, check, "%s SIGTERM to pid %d was sent here, and the daemon never "
                      "took it: a blocked SIGTERM waits forever", whose, (int)x->daemon);
}

static int real_signal(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value != 0;
}

/* Does a signal sent (TE_KILL) reach the daemon: its pid, its group, or
 * every process? */
static int reaches_daemon(const struct explain *x, const struct trace_event *e)
{
    return x->daemon > 0 && (e->arg == x->daemon || e->arg == -1
                             || (e->arg < -1 && -e->arg == x->ev->daemon.st.pgrp));
}

/* "pid 4567", then what it is: the pid the pidfile holds, a process of
 * the run and its part, gone. */
static void target_words(const struct explain *x, const struct trace_event *e, char *buf,
                         size_t cap)
{
    pid_t pid = (pid_t)(e->arg < -1 ? -e->arg : e->arg);
    const struct trace_proc *p = e->arg > 0 ? trace_find_proc(x->t, pid) : NULL;
    long end = p ? tq_exit(x->t, p->launch, pid) : -1;
    const char *pidfile = strstr(e->detail, "the pidfile's pid") ? ", the pid the pidfile holds"
                                                               : "";
    char err[24], of[48] = "";

    if (p && p->launch != e->launch && p->launch >= 0 && p->launch < x->t->nlaunches)
        snprintf(of, sizeof of, " of the %s", trace_launch_words(x->t->launches[p->launch].kind));
    if (e->arg == 0 || e->arg == -1) {
        snprintf(buf, cap, "%s", e->arg ? "every process" : "its own process group");
    } else if (e->arg < -1) {
        snprintf(buf, cap, "process group %d", (int)pid);
    } else if (end >= 0 && x->t->ev[end].us <= e->us) {
        snprintf(buf, cap, "pid %d%s, the %s%s, which had exited at +%.1f ms", (int)pid, pidfile,
                 ex_role(x, p->launch, pid), of, tq_ms(x->t, end));
    } else if (p) {
        snprintf(buf, cap, "pid %d%s, the %s%s", (int)pid, pidfile, ex_role(x, p->launch, pid), of);
    } else if (trace_sent_outcome(e, err, sizeof err) < 0 && strcmp(err, "ESRCH") == 0) {
        snprintf(buf, cap, "pid %d%s, which does not exist (ESRCH)", (int)pid, pidfile);
    } else {
        snprintf(buf, cap, "pid %d%s, a process the candidate did not start", (int)pid, pidfile);
    }
}

/* The words of a refused signal's error. */
static const char *error_words(const char *err)
{
    return strcmp(err, "ESRCH") == 0 ? "no such process"
         : strcmp(err, "EPERM") == 0 ? "not permitted" : "refused";
}

/* What the stop command sent, as the predicate of a sentence: "only
 * probed pid 4567 with signal 0", "never signalled any process". */
static void nothing_sent_words(struct explain *x, int stop, char *buf, size_t cap)
{
    struct tq_match probe = { stop, 0, TE_KILL, NULL, NULL };
    long p = tq_prev(x->t, (long)x->t->nev, &probe);

    if (p >= 0)
        snprintf(buf, cap, "only probed pid %lld with signal 0", x->t->ev[p].arg);
    else
        snprintf(buf, cap, "never signalled any process");
}

/* The stop command came back without stopping the daemon: it signalled
 * another process, the daemon ignored what it sent, or it sent nothing. */
static void stop_command_missed(struct explain *x, int check, int stop, long end)
{
    struct tq_match sent = { stop, 0, TE_KILL, real_signal, NULL };
    long last = tq_prev(x->t, (long)x->t->nev, &sent), hit = -1;
    char how[64], whom[160], sig[24], nothing[64], err[24];

    for (long i = tq_next(x->t, -1, &sent); i >= 0 && hit < 0; i = tq_next(x->t, i, &sent))
        if (reaches_daemon(x, &x->t->ev[i]))
            hit = i;
    if (hit >= 0 && x->t->ev[hit].value == SIGTERM && trace_sent_outcome(&x->t->ev[hit], NULL, 0) > 0) {
        term_not_obeyed(x, check, hit, "the stop command's");
        return;
    }
    if (hit >= 0 && trace_sent_outcome(&x->t->ev[hit], err, sizeof err) < 0) {
        signal_name((int)x->t->ev[hit].value, sig, sizeof sig);
        ex_mark_event(x, hit, check, "the stop command's %s to the daemon, pid %d, was refused "
                      "here: %s (%s)", sig, (int)x->daemon, err, error_words(err));
        return;
    }
    if (hit >= 0) {
        signal_name((int)x->t->ev[hit].value, sig, sizeof sig);
        ex_mark_event(x, hit, check, "the stop command sent %s to the daemon, pid %d, here, and "
                      "it ran on%s", sig, (int)x->daemon, x->t->ev[hit].value == SIGTERM
                      ? "" : ": SIGTERM is the signal that asks a daemon to stop");
        return;
    }
    if (last >= 0) {
        signal_name((int)x->t->ev[last].value, sig, sizeof sig);
        target_words(x, &x->t->ev[last], whom, sizeof whom);
        ex_mark_event(x, last, check, "the stop command sent %s here to %s, not to the daemon, "
                      "pid %d", sig, whom, (int)x->daemon);
        return;
    }
    ex_end_words(x, end, how, sizeof how);
    nothing_sent_words(x, stop, nothing, sizeof nothing);
    ex_mark_event(x, end, check, "the stop command %s here: it %s, and the daemon, pid %d, ran on; "
                  "%s", how, nothing, (int)x->daemon, x->ev->stopped_by_term
                  ? "the checker's own SIGTERM then stopped it"
                  : "the checker's own SIGTERM did not stop it either");
}

/* The stop command came back, or not, and the daemon ran on. */
static void stop_command_did_not_stop(struct explain *x, int check)
{
    int stop = tq_launch(x->t, TL_STOP);
    pid_t cmd = launcher_of(x, stop);
    long end = tq_exit(x->t, stop, cmd);

    if (!x->ev->stop_cmd.exited || end < 0) {
        ex_mark_proc(x, stop, cmd, check, "the stop command had not returned at the timeout, "
                     "and the daemon, pid %d, was still running", (int)x->daemon);
        return;
    }
    stop_command_missed(x, check, stop, end);
}

void ex_stops_on_sigterm(struct explain *x, int check)
{
    long sent = ex_checker_signal(x, x->first, x->daemon, SIGTERM);
    long end = ex_daemon_exit(x);
    char how[64];

    if (x->ev->stop_by_command && !x->ev->stopped) {
        stop_command_did_not_stop(x, check);
        return;
    }
    if (x->ev->stopped) {           /* new-style: stopped, but not as a service must */
        if (end < 0)
            return;
        ex_end_words(x, end, how, sizeof how);
        ex_mark_event(x, end, check, "asked to stop, the service %s here: a manager counts any "
                      "end but status 0 (or SIGTERM itself) as a failure", how);
        return;
    }
    if (sent >= 0)
        term_not_obeyed(x, check, sent, "the checker's");
}

/* The launch a pid of the run belongs to (its last record), or -1. */
static int launch_of(const struct explain *x, pid_t pid)
{
    const struct trace_proc *p = trace_find_proc(x->t, pid);

    return p ? p->launch : -1;
}

#define EX_MAX_LISTED 3     /* processes marked one by one; the others are counted */

/* A process that the sweep had to kill: the kill, or the process. who
 * says what it was ("worker", "sleep"). */
static void mark_swept(struct explain *x, int check, pid_t pid, const char *who,
                       const char *after, int count)
{
    int launch = launch_of(x, pid);
    long kill = ex_checker_act(x, launch, TC_SWEEP, pid, -1);
    char more[48] = "";

    if (launch < 0)
        return;
    if (count > 1)
        snprintf(more, sizeof more, " (%d were left)", count);
    if (kill >= 0)
        ex_mark_event(x, kill, check, "pid %d (%s of the %s) was still running %s%s: the "
                      "checker killed it here", (int)pid, who,
                      trace_launch_words(x->t->launches[launch].kind), after, more);
    else
        ex_mark_proc(x, launch, pid, check, "pid %d was still running %s%s", (int)pid, after,
                     more);
}

/* Has the list's pid at i come before? (a process listed once by each
 * name it had: "sh", then "sleep") */
static int listed_before(const struct pid_list *l, int i)
{
    for (int j = 0; j < i; j++)
        if (l->pid[j] == l->pid[i])
            return 1;
    return 0;
}

/* How many processes the list names (past EV_MAX_PIDS, as it counted). */
static int distinct(const struct pid_list *l)
{
    int n = l->count;

    for (int i = 0; i < l->count && i < EV_MAX_PIDS; i++)
        n -= listed_before(l, i);
    return n;
}

/* "launcher", "daemon", "worker": what a leftover was in its launch. */
static const char *part_in_launch(const struct explain *x, pid_t pid)
{
    int launch = launch_of(x, pid);
    const struct trace_proc *p = tq_proc(x->t, launch, pid);

    return p && p->role == TR_LAUNCHER ? "launcher" : ex_role(x, launch, pid);
}

void ex_no_leftovers(struct explain *x, int check)
{
    const struct pid_list *l = &x->ev->leftovers;

    for (int i = 0, shown = 0; i < l->count && i < EV_MAX_PIDS && shown < EX_MAX_LISTED; i++)
        if (!listed_before(l, i)) {
            mark_swept(x, check, l->pid[i], part_in_launch(x, l->pid[i]), "after the stop",
                       distinct(l));
            shown++;
        }
}

/* The stop command failed: a signal of its own refused just before (a
 * stale pid), or its end, with what it sent. */
static void stop_command_failed(struct explain *x, int check, int stop, long end)
{
    struct tq_match sent = { stop, 0, TE_KILL, real_signal, NULL };
    long last = tq_prev(x->t, end, &sent);
    char how[64], err[24], whom[160], sig[24], nothing[64];

    ex_end_words(x, end, how, sizeof how);
    if (last >= 0 && trace_sent_outcome(&x->t->ev[last], err, sizeof err) < 0) {
        signal_name((int)x->t->ev[last].value, sig, sizeof sig);
        target_words(x, &x->t->ev[last], whom, sizeof whom);
        ex_mark_event(x, last, check, "the stop command's %s failed here with %s (%s): it went to "
                      "%s; then the command %s", sig, err, error_words(err), whom, how);
        return;
    }
    nothing_sent_words(x, stop, nothing, sizeof nothing);
    ex_mark_event(x, end, check, "the stop command %s here%s%s: a stop that worked exits with "
                  "status 0", how, last < 0 ? ", and " : "", last < 0 ? nothing : "");
}

void ex_stop_command(struct explain *x, int check)
{
    const struct launch_result *l = &x->ev->stop_cmd;
    const struct pid_list *left = &x->ev->stop_cmd_left;
    int stop = tq_launch(x->t, TL_STOP);
    pid_t cmd = launcher_of(x, stop);
    long end = tq_exit(x->t, stop, cmd), kill;

    if (stop < 0)
        return;
    if (!l->exited) {
        kill = ex_checker_act(x, stop, TC_SWEEP, cmd, -1);
        if (kill >= 0)
            ex_mark_event(x, kill, check, "the stop command had not returned at the timeout: "
                          "the checker killed it here");
        else
            ex_mark_proc(x, stop, cmd, check, "the stop command had not returned at the "
                         "timeout");
        return;
    }
    if (!(WIFEXITED(l->status) && WEXITSTATUS(l->status) == 0)) {
        if (end < 0)
            return;
        stop_command_failed(x, check, stop, end);
        return;
    }
    for (int i = 0, shown = 0; i < left->count && i < EV_MAX_PIDS && shown < EX_MAX_LISTED; i++)
        if (!listed_before(left, i)) {
            mark_swept(x, check, left->pid[i], left->comm[i], "after the stop command returned",
                       distinct(left));
            shown++;
        }
}
