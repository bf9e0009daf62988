/* judges.c — the judges of the classic checks: each reads the evidence of
 * a run and says pass or fail, with what was expected and what was
 * observed, in words a student can act on. What a check needs before it
 * applies (a daemon, a pidfile, a stop that ran) is the table's column,
 * checked before a judge is called (checks.c). */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "judge_text.h"
#include "judges.h"
#include "text.h"

void tty_name(int tty_nr, char *out, size_t cap)
{
    unsigned major = ((unsigned)tty_nr >> 8) & 0xfff;
    unsigned minor = ((unsigned)tty_nr & 0xff) | (((unsigned)tty_nr >> 12) & 0xfff00);

    if (major >= 136 && major <= 143)
        snprintf(out, cap, "pts/%u", (major - 136) * 256 + minor);
    else if (major == 4 && minor < 64)
        snprintf(out, cap, "tty%u", minor);
    else
        snprintf(out, cap, "%u:%u", major, minor);
}

void judge_launcher_exits(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    expect(r, "exit status 0 within %.1f s, leaving a process behind",
           opt->timeout_ms / 1000.0);
    if (!judge_launch(&ev->launch, "the command", GOAL_STARTED, opt, r))
        return;
    if (!ev->launch.left_behind) {
        observe_more(r, "; no process of it outlived it");
        verdict(r, ST_FAIL, "the command left nothing behind: fork(), let the parent exit, "
                "and let the child go on as the daemon");
        return;
    }
    verdict(r, ST_PASS, "the command returned and left %d process%s behind",
            ev->launch.left_behind, ev->launch.left_behind == 1 ? "" : "es");
}

/* What a dead daemon's wait status asks of its author. */
static const char *advice_for_end(int status)
{
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGPIPE)
        return "it wrote to a pipe nobody reads any more (the launcher's readiness pipe, "
               "after the launcher left?): write before the reader goes, or ignore SIGPIPE "
               "and handle EPIPE";
    if (WIFSIGNALED(status) && WTERMSIG(status) == SIGHUP)
        return "the terminal's hangup killed it: it is still attached to the launch "
               "terminal's session (setsid)";
    if (WIFSIGNALED(status))
        return "find what raised the signal (a core dump or a debugger shows where)";
    if (WEXITSTATUS(status) == 0)
        return "its main function returned: end it in a loop that waits for work or "
               "signals";
    return "it gave up on an error: report fatal errors where someone reads them (the "
           "launcher's stderr before it returns, a log file after)";
}

/* A death that only a fault explains, whoever asked the daemon to stop. */
static int crashed(int status)
{
    static const int faults[] = { SIGPIPE, SIGSEGV, SIGBUS, SIGILL, SIGFPE, SIGABRT, SIGSYS,
                                  SIGTRAP, SIGXCPU, SIGXFSZ };

    if (!WIFSIGNALED(status))
        return 0;
    for (size_t i = 0; i < sizeof faults / sizeof *faults; i++)
        if (WTERMSIG(status) == faults[i])
            return 1;
    return 0;
}

/* The daemon is judged running when it lived until the checker asked it
 * to stop (the hangup's SIGHUP is survives-hangup's business) and did not
 * crash on the way: judged on its whole life, so that when the checker
 * looks (--settle 0, a loaded machine) changes nothing. */
void judge_daemon_running(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    char how[96] = "";

    expect(r, "a daemon alive %u ms after the launcher returned, and until it is asked to "
           "stop", opt->settle_ms);
    if (ev->daemon_end.seen)
        describe_wait_status(ev->daemon_end.status, how, sizeof how);
    if (!ev->daemon.found) {
        if (!ev->daemon_end.seen) {
            observe(r, "no process of the command was alive");
            verdict(r, ST_FAIL, "no daemon was ever seen running (see launcher-exits)");
            return;
        }
        observe(r, "no process of the command was alive: pid %d (%s) %s",
                (int)ev->daemon_end.pid, ev->daemon_end.comm, how);
        verdict(r, ST_FAIL, "the daemon %s: %s", how, advice_for_end(ev->daemon_end.status));
        return;
    }
    if (ev->hangup_ran && !ev->survived_hangup) {
        observe(r, "pid %d (%s) alive until the terminal was hung up", (int)ev->daemon.st.pid,
                ev->daemon.st.comm);
        verdict(r, ST_PASS, "the daemon ran until the hangup (see survives-hangup)");
        return;
    }
    if (!daemon_lived(ev)) {
        observe(r, "pid %d (%s) ended by itself before it was asked to stop%s%s",
                (int)ev->daemon.st.pid, ev->daemon.st.comm, how[0] ? ": " : "", how);
        verdict(r, ST_FAIL, "the daemon ended on its own%s%s", how[0] ? ": " : "",
                ev->daemon_end.seen ? advice_for_end(ev->daemon_end.status) : "");
        return;
    }
    if (ev->daemon_end.seen && crashed(ev->daemon_end.status)) {
        observe(r, "pid %d (%s) %s", (int)ev->daemon.st.pid, ev->daemon.st.comm, how);
        verdict(r, ST_FAIL, "the daemon crashed: %s", advice_for_end(ev->daemon_end.status));
        return;
    }
    observe(r, "pid %d (%s) alive until it was asked to stop", (int)ev->daemon.st.pid,
            ev->daemon.st.comm);
    verdict(r, ST_PASS, "the daemon is running");
}

void judge_no_ctty(const struct evidence *ev, const struct options *opt, struct result *r)
{
    char tty[32];

    (void)opt;
    expect(r, "no controlling terminal (tty_nr 0)");
    if (ev->daemon.st.tty_nr == 0) {
        observe(r, "tty_nr 0");
        verdict(r, ST_PASS, "the daemon has no controlling terminal");
        return;
    }
    tty_name(ev->daemon.st.tty_nr, tty, sizeof tty);
    observe(r, "tty_nr %d (%s)", ev->daemon.st.tty_nr, tty);
    verdict(r, ST_FAIL, "the daemon still has the launch terminal %s as its controlling "
            "terminal: call setsid() in the child", tty);
}

void judge_new_session(const struct evidence *ev, const struct options *opt,
                       struct result *r)
{
    (void)opt;
    expect(r, "a session other than the launcher's (%d)", (int)ev->launch_sid);
    observe(r, "session %d", (int)ev->daemon.st.session);
    if (ev->daemon.st.session == ev->launch_sid) {
        verdict(r, ST_FAIL, "the daemon is still in the launcher's session: setsid() was not "
                "called, or failed");
        return;
    }
    verdict(r, ST_PASS, "the daemon runs in a session of its own");
}

void judge_not_session_leader(const struct evidence *ev, const struct options *opt,
                              struct result *r)
{
    (void)opt;
    expect(r, "pid different from the session id");
    observe(r, "pid %d, session %d", (int)ev->daemon.st.pid, (int)ev->daemon.st.session);
    if (ev->daemon.st.pid == ev->daemon.st.session) {
        verdict(r, ST_FAIL, "the daemon leads its session and could acquire a terminal by "
                "opening one: fork again after setsid(), and let the session leader exit");
        return;
    }
    verdict(r, ST_PASS, "the daemon is not a session leader");
}

void judge_survives_hangup(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    expect(r, "alive %u ms after the launch terminal was hung up", opt->settle_ms);
    if (!ev->hangup_ran) {
        skip(r, "the daemon was not running any more when the terminal was to be hung up "
             "(see daemon-running)");
        return;
    }
    observe(r, ev->survived_hangup ? "still running" : "ended by the hangup");
    if (!ev->survived_hangup) {
        verdict(r, ST_FAIL, "the daemon died when its terminal was hung up (a logout): it is "
                "still attached to the terminal's session: setsid() in a child");
        return;
    }
    verdict(r, ST_PASS, "the daemon survived the hangup");
}

void judge_cwd(const struct evidence *ev, const struct options *opt, struct result *r)
{
    expect(r, "%s", opt->cwd);
    if (ev->daemon.cwd_errno) {
        observe(r, "unreadable: %s", strerror(ev->daemon.cwd_errno));
        verdict(r, ST_FAIL, "the daemon's working directory could not be read");
        return;
    }
    observe(r, "%s", ev->daemon.cwd);
    if (!ev->daemon.cwd_is_expected) {
        verdict(r, ST_FAIL, "the daemon did not change directory: chdir(\"%s\")", opt->cwd);
        return;
    }
    verdict(r, ST_PASS, "the working directory is %s", opt->cwd);
}

void judge_umask(const struct evidence *ev, const struct options *opt, struct result *r)
{
    expect(r, "%04o", opt->umask);
    if (!ev->daemon.status.have_umask) {
        skip(r, "this kernel does not show the umask in /proc/PID/status");
        return;
    }
    observe(r, "%04o", ev->daemon.status.umask);
    if (ev->daemon.status.umask == opt->umask) {
        verdict(r, ST_PASS, "the umask is %04o", opt->umask);
        return;
    }
    if (ev->daemon.status.umask == ev->hostile_umask) {
        verdict(r, ST_FAIL, "the daemon kept the umask it was started with: call umask(%04o)",
                opt->umask);
        return;
    }
    verdict(r, ST_FAIL, "the daemon set a different umask than expected (--umask %04o)",
            opt->umask);
}

/* Why an open standard descriptor is wrong, or NULL. A regular file open
 * for reading and writing is the daemon's data (a state file, the
 * pidfile): a stray printf must never land in it. */
const char *stdio_fault(const struct fd_seen *f)
{
    if (f->is_launch_tty)
        return "the launch terminal";
    if (f->is_terminal)
        return "a terminal";
    if (f->sentinel)
        return "a descriptor the launcher handed in";
    if (f->is_pidfile)
        return "the pidfile";
    if (f->is_regular && f->have_flags && (f->flags & O_ACCMODE) == O_RDWR)
        return "a file open for reading and writing";
    return NULL;
}

void judge_stdio(const struct evidence *ev, const struct options *opt, struct result *r)
{
    char seen[RESULT_TEXT] = "";
    size_t used = 0;
    int bad = 0;

    (void)opt;
    expect(r, "0, 1, 2 on what the daemon opened itself (/dev/null, a write-only log), never "
           "a terminal, an inherited descriptor, the pidfile or a read-write file");
    for (int fd = 0; fd <= 2; fd++) {
        const struct fd_seen *f = daemon_fd(&ev->daemon, fd);
        const char *fault = f ? stdio_fault(f) : NULL;

        appendf(seen, sizeof seen, &used, "%s%d %s%s%s%s", fd ? ", " : "", fd,
                f ? "-> " : "closed", f ? f->target : "", fault ? " = " : "",
                fault ? fault : "");
        bad += fault != NULL;
    }
    observe(r, "%s", seen);
    if (bad) {
        verdict(r, ST_FAIL, "open /dev/null and dup2() it onto 0, 1 and 2, before opening "
                "anything else");
        return;
    }
    verdict(r, ST_PASS, "the standard descriptors are detached from the launcher");
}

void judge_stdio_open(const struct evidence *ev, const struct options *opt, struct result *r)
{
    char seen[RESULT_TEXT] = "";
    size_t used = 0;
    int closed = 0;

    (void)opt;
    expect(r, "0, 1 and 2 open (on /dev/null at least)");
    for (int fd = 0; fd <= 2; fd++)
        if (!daemon_fd(&ev->daemon, fd))
            appendf(seen, sizeof seen, &used, "%sfd %d closed", closed++ ? ", " : "", fd);
    if (!closed) {
        observe(r, "0, 1 and 2 open");
        verdict(r, ST_PASS, "no standard descriptor is left for the next open() to take");
        return;
    }
    observe(r, "%s", seen);
    verdict(r, ST_FAIL, "a closed 0-2 is taken by the next open(), and a stray printf then "
            "writes into that file: put /dev/null on 0, 1 and 2 instead of closing them");
}

void judge_no_inherited_fds(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    char seen[RESULT_TEXT] = "", planted[64] = "";
    size_t used = 0, pused = 0;
    int kept = 0;

    (void)opt;
    for (int i = 0; i < SENTINEL_FDS; i++)
        appendf(planted, sizeof planted, &pused, "%s%d",
                i == 0 ? "" : i == SENTINEL_FDS - 1 ? " and " : ", ", ev->sentinel_fd[i]);
    expect(r, "none of the sentinel descriptors %s open", planted);
    if (ev->daemon.fds_errno) {
        observe(r, "unreadable: %s", strerror(ev->daemon.fds_errno));
        verdict(r, ST_FAIL, "the daemon's descriptors could not be read");
        return;
    }
    for (int i = 0; i < ev->daemon.nfds; i++) {
        const struct fd_seen *f = &ev->daemon.fds[i];
        if (f->sentinel)
            appendf(seen, sizeof seen, &used, "%sfd %d -> %s", kept++ ? ", " : "", f->fd,
                    f->target);
    }
    if (kept == 0) {
        observe(r, "%d descriptor%s open, none inherited", ev->daemon.nfds,
                ev->daemon.nfds == 1 ? "" : "s");
        verdict(r, ST_PASS, "no inherited descriptor is open");
        return;
    }
    observe(r, "%s", seen);
    verdict(r, ST_FAIL, "close every descriptor above 2 when starting: close_range(3, ~0U, 0)");
}

void judge_signals_reset(const struct evidence *ev, const struct options *opt,
                         struct result *r)
{
    uint64_t blk = ev->daemon.status.sigblk, ign = ev->daemon.status.sigign;
    int still_blocked = (int)(blk >> (ev->blocked_sig - 1)) & 1;
    int still_ignored = (int)(ign >> (ev->ignored_sig - 1)) & 1;
    char blocked[32], ignored[32];

    (void)opt;
    signal_name(ev->blocked_sig, blocked, sizeof blocked);
    signal_name(ev->ignored_sig, ignored, sizeof ignored);
    expect(r, "%s not blocked, %s not ignored", blocked, ignored);
    observe(r, "SigBlk %016llx, SigIgn %016llx: %s %s, %s %s", (unsigned long long)blk,
            (unsigned long long)ign, blocked, still_blocked ? "blocked" : "unblocked",
            ignored, still_ignored ? "ignored" : "default");
    if (still_blocked || still_ignored) {
        verdict(r, ST_FAIL, "reset every signal to SIG_DFL and empty the signal mask when "
                "starting: the launcher's %s survived fork and exec",
                still_blocked && still_ignored ? "mask and ignored signal"
                : still_blocked ? "mask" : "ignored signal");
        return;
    }
    verdict(r, ST_PASS, "the launcher's signal mask and ignored signals were reset");
}

static void list_pids(const struct pid_list *l, char *out, size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (int i = 0; i < l->count && i < EV_MAX_PIDS; i++)
        appendf(out, cap, &used, "%s%d (%s)", i ? ", " : "", (int)l->pid[i], l->comm[i]);
    if (l->count > EV_MAX_PIDS)
        appendf(out, cap, &used, " and %d more", l->count - EV_MAX_PIDS);
}

void judge_no_zombies(const struct evidence *ev, const struct options *opt,
                      struct result *r)
{
    char pids[RESULT_TEXT];

    (void)opt;
    const struct daemon_seen *d = &ev->daemon;

    expect(r, "no zombie children");
    if (d->zombies.count == 0) {
        if (d->zombies_seen && d->zombies_looked)
            observe(r, "no zombie child left: the %d seen at the inspection %s reaped by the "
                    "daemon before the stop", d->zombies_seen, d->zombies_seen == 1 ? "was" : "were");
        else
            observe(r, "no zombie child");
        verdict(r, ST_PASS, "the daemon reaps its children");
        return;
    }
    list_pids(&d->zombies, pids, sizeof pids);
    observe(r, "%d zombie%s: %s", d->zombies.count, d->zombies.count == 1 ? "" : "s", pids);
    if (d->zombies_looked)
        observe_more(r, ", still unreaped %ld ms after the inspection", d->zombies_after_ms);
    verdict(r, ST_FAIL, "reap children: on SIGCHLD, waitpid(-1, &status, WNOHANG) in a loop");
}

void judge_stops_on_sigterm(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    const char *asked = ev->stop_by_command ? "the stop command" : "SIGTERM";
    char st[96];

    expect(r, "the daemon ends within %.1f s of %s", opt->timeout_ms / 1000.0, asked);
    if (ev->stopped) {
        observe(r, "ended %ld ms after %s", ev->stop_ms, asked);
        if (ev->daemon_end.seen) {
            describe_wait_status(ev->daemon_end.status, st, sizeof st);
            observe_more(r, ": %s", st);
        }
        /* A service's exit status is its manager's verdict on the stop. */
        if (opt->profile == PROFILE_NEW_STYLE && ev->daemon_end.seen &&
            !(WIFEXITED(ev->daemon_end.status) && WEXITSTATUS(ev->daemon_end.status) == 0) &&
            !(WIFSIGNALED(ev->daemon_end.status) && WTERMSIG(ev->daemon_end.status) == SIGTERM)) {
            verdict(r, ST_FAIL, "a service asked to stop exits with status 0 (or dies of the "
                    "SIGTERM itself): a manager marks any other end as a failure");
            return;
        }
        verdict(r, ST_PASS, "the daemon stops when asked");
        return;
    }
    if (ev->stop_by_command) {
        if (ev->stop_cmd.exited) {
            describe_wait_status(ev->stop_cmd.status, st, sizeof st);
            observe(r, "still running %.1f s after the stop command, which %s",
                    opt->timeout_ms / 1000.0, st);
        } else {
            observe(r, "still running %.1f s after the stop command, which had not returned",
                    opt->timeout_ms / 1000.0);
        }
        if (ev->stopped_by_term) {
            observe_more(r, "; the checker's own SIGTERM then ended it");
            verdict(r, ST_FAIL, "the daemon stops on SIGTERM, but the stop command did not send"
                    " it to the daemon: check the pid it reads and the signal it sends");
            return;
        }
        observe_more(r, "; the checker's own SIGTERM did not end it either");
    } else {
        observe(r, "still running %.1f s after SIGTERM", opt->timeout_ms / 1000.0);
    }
    verdict(r, ST_FAIL, "handle SIGTERM: clean up and exit (never ignore or block it)");
}

void judge_pidfile_removed(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    char quoted[160];

    (void)opt;
    expect(r, "no pidfile after the daemon stopped");
    if (!ev->pidfile_at_exit && !ev->pidfile.view.exists &&
        !ev->pidfile_before_stop.view.exists) {
        skip(r, "no pidfile was ever written (see pidfile-exists)");
        return;
    }
    if (!ev->pidfile_after_stop) {
        observe(r, "gone");
        verdict(r, ST_PASS, "the pidfile was removed");
        return;
    }
    quote_bytes(ev->pidfile_after_stop_bytes, strnlen(ev->pidfile_after_stop_bytes,
                sizeof ev->pidfile_after_stop_bytes), quoted, sizeof quoted);
    observe(r, "still there, holding %s", quoted);
    verdict(r, ST_FAIL, "remove the pidfile when handling SIGTERM, in the main loop (atexit "
            "handlers do not run when a signal kills the process)");
}

static int listed(const struct pid_list *l, pid_t pid)
{
    for (int i = 0; i < l->count && i < EV_MAX_PIDS; i++)
        if (l->pid[i] == pid)
            return 1;
    return 0;
}

/* Were the leftovers all started by the second start of single-instance? */
static int only_second_instance(const struct evidence *ev)
{
    if (ev->leftovers.count > EV_MAX_PIDS || ev->second_new.count == 0)
        return 0;
    for (int i = 0; i < ev->leftovers.count; i++)
        if (!listed(&ev->second_new, ev->leftovers.pid[i]))
            return 0;
    return 1;
}

void judge_no_leftovers(const struct evidence *ev, const struct options *opt,
                        struct result *r)
{
    char pids[RESULT_TEXT];

    (void)opt;
    expect(r, "no process of the candidate left after the stop");
    if (ev->leftovers.count == 0) {
        observe(r, "none");
        verdict(r, ST_PASS, "nothing was left behind");
        return;
    }
    list_pids(&ev->leftovers, pids, sizeof pids);
    observe(r, "%d left: %s", ev->leftovers.count, pids);
    if (only_second_instance(ev)) {
        verdict(r, ST_FAIL, "what was left is the second instance that the second start made "
                "(see single-instance): the stop ended only one of the two; the checker "
                "killed it");
        return;
    }
    verdict(r, ST_FAIL, "stop your children before exiting (SIGTERM each, then waitpid each); "
            "the checker killed them");
}

void judge_stop_command(const struct evidence *ev, const struct options *opt,
                        struct result *r)
{
    char pids[RESULT_TEXT];

    expect(r, "the stop command exits 0 within %.1f s and leaves none of its own processes",
           opt->timeout_ms / 1000.0);
    if (!judge_launch(&ev->stop_cmd, "the stop command", GOAL_STOPPED, opt, r))
        return;
    if (ev->stop_cmd_left.count > 0) {
        list_pids(&ev->stop_cmd_left, pids, sizeof pids);
        observe_more(r, "; it left %s running", pids);
        verdict(r, ST_FAIL, "the stop command must not leave processes of its own behind: wait "
                "for what it starts (no '&'); the checker killed them");
        return;
    }
    verdict(r, ST_PASS, "the stop command did its job and left nothing behind");
}
