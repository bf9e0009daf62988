/* judges.c — the judges of the checks: each reads the evidence of a run and
 * says pass, fail or skip, with what was expected and what was observed,
 * in words a student can act on. */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

#include "judges.h"
#include "text.h"

#define NO_DAEMON "no daemon to inspect (see daemon-running)"
#define NO_PIDFILE "no pidfile to judge: pass --pidfile PATH, or {pidfile} in an argument"

static void vput(char *dst, const char *fmt, va_list ap)
{
    vsnprintf(dst, RESULT_TEXT, fmt, ap);
}

static void expect(struct result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(r->expected, fmt, ap);
    va_end(ap);
}

static void observe(struct result *r, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vput(r->observed, fmt, ap);
    va_end(ap);
}

/* Set the verdict with a message; the observation is set separately. */
static void verdict(struct result *r, enum status s, const char *fmt, ...)
{
    va_list ap;
    r->status = s;
    va_start(ap, fmt);
    vput(r->message, fmt, ap);
    va_end(ap);
}

static void skip(struct result *r, const char *reason)
{
    verdict(r, ST_SKIP, "%s", reason);
    observe(r, "not observed");
}

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

void describe_wait_status(int status, char *out, size_t cap)
{
    if (WIFEXITED(status))
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(out, cap, "killed by signal %d (%s)", WTERMSIG(status),
                 strsignal(WTERMSIG(status)));
    else
        snprintf(out, cap, "wait status %#x", (unsigned)status);
}

/* " It printed: \"...\"" when the command wrote something on the terminal. */
static void output_excerpt(const struct launch_result *l, char *out, size_t cap)
{
    char quoted[160];

    out[0] = '\0';
    if (l->output_len == 0)
        return;
    quote_bytes(l->output, l->output_len, quoted, sizeof quoted);
    snprintf(out, cap, "; it printed %s", quoted);
}

/* Judge one launch that must exit 0 within the timeout. 1 when it did. */
static int judge_launch(const struct launch_result *l, const char *what,
                        const struct options *opt, struct result *r)
{
    char st[96], printed[200];

    output_excerpt(l, printed, sizeof printed);
    if (!l->exited) {
        observe(r, "%s still running after %.1f s", what, opt->timeout_ms / 1000.0);
        verdict(r, ST_FAIL, "%s must return once the daemon is in the background: "
                "fork and let the parent exit", what);
        return 0;
    }
    describe_wait_status(l->status, st, sizeof st);
    observe(r, "%s %s after %ld ms%s", what, st, l->elapsed_ms, printed);
    if (!WIFEXITED(l->status) || WEXITSTATUS(l->status) != 0) {
        verdict(r, ST_FAIL, "%s must exit with status 0 once the daemon is started", what);
        return 0;
    }
    return 1;
}

void judge_launcher_exits(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    expect(r, "exit status 0 within %.1f s, a daemon left running", opt->timeout_ms / 1000.0);
    if (!judge_launch(&ev->launch, "the command", opt, r))
        return;
    /* "Left behind" is judged after the settle time, not at the launcher's
     * exit, when a child may still be on its way out or not yet forked.
     * And only from the step that adds the loop: before it, a child that
     * ends at once is what the tutorial has built so far. */
    if (!ev->daemon.found && (!opt->step || opt->step >= checks[CK_DAEMON_RUNNING].step)) {
        verdict(r, ST_FAIL, "the command exited 0 but no process of it was running %u ms "
                "later: the child must go on as the daemon", opt->settle_ms);
        return;
    }
    verdict(r, ST_PASS, "the command returned and left a daemon running");
}

void judge_daemon_running(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    expect(r, "a daemon alive %u ms after the launcher returned, and after the inspections",
           opt->settle_ms);
    if (!ev->daemon.found) {
        observe(r, "no process of the candidate was alive");
        verdict(r, ST_FAIL, "the daemon exited (or was never started); log its errors to syslog "
                "to learn why");
        return;
    }
    observe(r, "pid %d (%s) %s", (int)ev->daemon.st.pid, ev->daemon.st.comm,
            ev->alive_after_checks ? "alive" : "died during the inspections");
    if (!ev->alive_after_checks)
        verdict(r, ST_FAIL, "the daemon died while it was being inspected");
    else
        verdict(r, ST_PASS, "the daemon is running");
}

void judge_no_ctty(const struct evidence *ev, const struct options *opt, struct result *r)
{
    char tty[32];

    (void)opt;
    expect(r, "no controlling terminal (tty_nr 0)");
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    if (ev->daemon.st.tty_nr == 0) {
        observe(r, "tty_nr 0");
        { verdict(r, ST_PASS, "the daemon has no controlling terminal"); return; }
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
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    observe(r, "session %d", (int)ev->daemon.st.session);
    if (ev->daemon.st.session == ev->launch_sid)
        { verdict(r, ST_FAIL, "the daemon is still in the launcher's session: "
                       "setsid() was not called, or failed"); return; }
    verdict(r, ST_PASS, "the daemon runs in a session of its own");
}

void judge_not_session_leader(const struct evidence *ev, const struct options *opt,
                              struct result *r)
{
    (void)opt;
    expect(r, "pid different from the session id");
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    observe(r, "pid %d, session %d", (int)ev->daemon.st.pid, (int)ev->daemon.st.session);
    if (ev->daemon.st.pid == ev->daemon.st.session)
        { verdict(r, ST_FAIL, "the daemon leads its session and could acquire a "
                       "terminal by opening one: fork again after setsid()"); return; }
    verdict(r, ST_PASS, "the daemon is not a session leader");
}

void judge_survives_hangup(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    expect(r, "alive %u ms after the launch terminal was hung up", opt->settle_ms);
    if (!ev->daemon.found || !ev->alive_after_checks)
        { skip(r, NO_DAEMON); return; }
    if (!ev->hangup_ran)
        { skip(r, "the terminal was not hung up"); return; }
    observe(r, ev->survived_hangup ? "still running" : "ended by the hangup");
    if (!ev->survived_hangup)
        { verdict(r, ST_FAIL, "the daemon died when its terminal was hung up (a logout): "
                       "it is still attached to the terminal's session"); return; }
    verdict(r, ST_PASS, "the daemon survived the hangup");
}

void judge_cwd(const struct evidence *ev, const struct options *opt, struct result *r)
{
    expect(r, "%s", opt->cwd);
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    if (ev->daemon.cwd_errno) {
        observe(r, "unreadable: %s", strerror(ev->daemon.cwd_errno));
        { verdict(r, ST_FAIL, "the daemon's working directory could not be read"); return; }
    }
    observe(r, "%s", ev->daemon.cwd);
    if (!ev->daemon.cwd_is_expected)
        { verdict(r, ST_FAIL, "the daemon did not change directory: chdir(\"%s\")", opt->cwd); return; }
    verdict(r, ST_PASS, "the working directory is %s", opt->cwd);
}

void judge_umask(const struct evidence *ev, const struct options *opt, struct result *r)
{
    expect(r, "%04o", opt->umask);
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    if (!ev->daemon.status_ok || !ev->daemon.status.have_umask)
        { skip(r, "this kernel does not show the umask in /proc/PID/status"); return; }
    observe(r, "%04o", ev->daemon.status.umask);
    if (ev->daemon.status.umask == opt->umask)
        { verdict(r, ST_PASS, "the umask is %04o", opt->umask); return; }
    if (ev->daemon.status.umask == ev->hostile_umask)
        { verdict(r, ST_FAIL, "the daemon kept the umask it was started with: call umask(%04o)",
                       opt->umask); return; }
    verdict(r, ST_FAIL, "the daemon set a different umask than expected (--umask %04o)", opt->umask);
}

/* Why a standard descriptor is wrong, or NULL. */
static const char *stdio_fault(const struct fd_seen *f)
{
    if (!f)
        return NULL;
    if (f->is_launch_tty)
        return "the launch terminal";
    if (f->is_terminal)
        return "a terminal";
    if (f->sentinel)
        return "a descriptor the launcher handed in";
    return NULL;
}

void judge_stdio(const struct evidence *ev, const struct options *opt, struct result *r)
{
    char seen[RESULT_TEXT] = "";
    size_t used = 0;
    int bad = 0;

    (void)opt;
    expect(r, "0, 1, 2 closed or open on the daemon's own files (/dev/null, a log)");
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    for (int fd = 0; fd <= 2; fd++) {
        const struct fd_seen *f = daemon_fd(&ev->daemon, fd);
        const char *fault = stdio_fault(f);
        appendf(seen, sizeof seen, &used, "%s%d %s%s%s%s", fd ? ", " : "", fd,
                f ? "-> " : "closed", f ? f->target : "", fault ? " = " : "", fault ? fault : "");
        bad += fault != NULL;
    }
    observe(r, "%s", seen);
    if (bad)
        { verdict(r, ST_FAIL, "open /dev/null and dup2() it onto 0, 1 and 2"); return; }
    verdict(r, ST_PASS, "the standard descriptors are detached from the launcher");
}

void judge_no_inherited_fds(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    char seen[RESULT_TEXT] = "";
    size_t used = 0;
    int kept = 0;

    (void)opt;
    expect(r, "none of the sentinel descriptors 3, 4, 9 open");
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    if (ev->daemon.fds_errno) {
        observe(r, "unreadable: %s", strerror(ev->daemon.fds_errno));
        { verdict(r, ST_FAIL, "the daemon's descriptors could not be read"); return; }
    }
    for (int i = 0; i < ev->daemon.nfds; i++) {
        const struct fd_seen *f = &ev->daemon.fds[i];
        if (!f->sentinel)
            continue;
        appendf(seen, sizeof seen, &used, "%sfd %d -> %s", kept++ ? ", " : "", f->fd, f->target);
    }
    if (kept == 0) {
        observe(r, "%d descriptor%s open, none inherited", ev->daemon.nfds,
                ev->daemon.nfds == 1 ? "" : "s");
        { verdict(r, ST_PASS, "no inherited descriptor is open"); return; }
    }
    observe(r, "%s", seen);
    verdict(r, ST_FAIL, "close every descriptor above 2 when starting: close_range(3, ~0U, 0)");
}

void judge_signals_reset(const struct evidence *ev, const struct options *opt,
                         struct result *r)
{
    uint64_t blk, ign;
    int still_blocked, still_ignored;

    (void)opt;
    expect(r, "signal %d not blocked, signal %d not ignored", ev->blocked_sig, ev->ignored_sig);
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    if (!ev->daemon.status_ok)
        { skip(r, "the daemon's /proc/PID/status could not be read"); return; }
    blk = ev->daemon.status.sigblk;
    ign = ev->daemon.status.sigign;
    still_blocked = (int)(blk >> (ev->blocked_sig - 1)) & 1;
    still_ignored = (int)(ign >> (ev->ignored_sig - 1)) & 1;
    observe(r, "SigBlk %016llx, SigIgn %016llx: signal %d %s, signal %d %s",
            (unsigned long long)blk, (unsigned long long)ign,
            ev->blocked_sig, still_blocked ? "blocked" : "unblocked",
            ev->ignored_sig, still_ignored ? "ignored" : "default");
    if (still_blocked || still_ignored)
        { verdict(r, ST_FAIL, "reset every signal to SIG_DFL and empty the signal mask "
                       "when starting"); return; }
    verdict(r, ST_PASS, "the launcher's signal mask and ignored signals were reset");
}

void judge_pidfile_exists(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    (void)opt;
    expect(r, "%s present when the launcher exits", ev->pidfile_path);
    if (!ev->has_pidfile)
        { skip(r, NO_PIDFILE); return; }
    if (!ev->launch.exited)
        { skip(r, "the launcher did not exit, so there was no moment to judge"); return; }
    if (ev->pidfile_at_exit) {
        observe(r, "present");
        { verdict(r, ST_PASS, "the pidfile was there when the launcher returned"); return; }
    }
    if (ev->pidfile.view.exists) {
        observe(r, "absent when the launcher exited, present %u ms later", opt->settle_ms);
        { verdict(r, ST_FAIL, "the pidfile was written after the launcher returned (a race): "
                       "let the launcher wait for the daemon's readiness"); return; }
    }
    observe(r, "absent");
    verdict(r, ST_FAIL, "no pidfile was written at %s", ev->pidfile_path);
}

static const char *named_str(enum named n)
{
    switch (n) {
    case NAMED_DEAD: return "which is not running";
    case NAMED_INIT: return "which is init: a stop command would signal pid 1";
    case NAMED_CHECKER: return "which is the checker itself, not the daemon";
    case NAMED_STRANGER: return "a process that the candidate did not start";
    default: return "";
    }
}

/* Judge a pidfile's content: well formed, naming a live process of the
 * candidate. 1 when good. */
static int judge_pidfile_seen(const struct pidfile_seen *p, struct result *r)
{
    char quoted[160];

    quote_bytes(p->view.bytes, p->view.len, quoted, sizeof quoted);
    if (p->form != PIDFILE_OK) {
        observe(r, "%s", quoted);
        verdict(r, ST_FAIL, "the pidfile must hold the pid in decimal and one newline: %s",
                pidfile_form_str(p->form));
        return 0;
    }
    observe(r, "%s: pid %d %s", quoted, (int)p->pid,
            p->named == NAMED_DESCENDANT ? "(the daemon)" : named_str(p->named));
    if (p->named != NAMED_DESCENDANT) {
        verdict(r, ST_FAIL, "the pidfile must name the running daemon (write getpid() after the "
                "last fork)");
        return 0;
    }
    return 1;
}

/* Skip when there is no pidfile to look at. 1 when the caller goes on. */
static int need_pidfile(const struct evidence *ev, struct result *r)
{
    if (!ev->has_pidfile) {
        skip(r, NO_PIDFILE);
        return 0;
    }
    if (!ev->pidfile.view.exists) {
        skip(r, "the pidfile does not exist (see pidfile-exists)");
        return 0;
    }
    return 1;
}

void judge_pidfile_content(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    (void)opt;
    expect(r, "the daemon's pid in decimal, then \"\\n\"");
    if (!need_pidfile(ev, r))
        return;
    if (!S_ISREG(ev->pidfile.view.st.st_mode))
        { skip(r, "the pidfile is not a regular file (see pidfile-safe)"); return; }
    if (ev->pidfile.view.read_errno) {
        observe(r, "unreadable: %s", strerror(ev->pidfile.view.read_errno));
        { verdict(r, ST_FAIL, "the pidfile could not be read"); return; }
    }
    if (judge_pidfile_seen(&ev->pidfile, r))
        verdict(r, ST_PASS, "the pidfile names the daemon");
}

void judge_pidfile_safe(const struct evidence *ev, const struct options *opt,
                        struct result *r)
{
    const struct stat *st = &ev->pidfile.view.st;
    unsigned mode = st->st_mode & 07777;

    (void)opt;
    expect(r, "a regular file owned by uid %u, not writable by group or others",
           (unsigned)ev->uid);
    if (!need_pidfile(ev, r))
        return;
    if (S_ISLNK(st->st_mode)) {
        observe(r, "a symbolic link");
        { verdict(r, ST_FAIL, "the pidfile is a symbolic link: whoever controls its target "
                       "controls what is read and written; open it with O_NOFOLLOW"); return; }
    }
    observe(r, "%s, mode %04o, owner uid %u", S_ISREG(st->st_mode) ? "regular file" : "not a "
            "regular file", mode, (unsigned)st->st_uid);
    if (!S_ISREG(st->st_mode))
        { verdict(r, ST_FAIL, "the pidfile must be a regular file"); return; }
    if (st->st_uid != ev->uid)
        { verdict(r, ST_FAIL, "the pidfile belongs to another user"); return; }
    if (mode & 022)
        { verdict(r, ST_FAIL, "others can rewrite the pidfile and choose what stop kills: "
                       "create it with mode 0644 and fchmod(fd, 0644)"); return; }
    verdict(r, ST_PASS, "the pidfile is safe");
}

void judge_pidfile_locked(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    const struct proc_lock *l = &ev->daemon.lock;

    (void)opt;
    expect(r, "a lock held on the pidfile");
    if (!need_pidfile(ev, r))
        return;
    if (!S_ISREG(ev->pidfile.view.st.st_mode))
        { skip(r, "the pidfile is not a regular file (see pidfile-safe)"); return; }
    if (!ev->daemon.lock_held) {
        observe(r, "no lock in /proc/locks on device %u:%u inode %llu",
                major(ev->pidfile.view.st.st_dev), minor(ev->pidfile.view.st.st_dev),
                (unsigned long long)ev->pidfile.view.st.st_ino);
        { verdict(r, ST_FAIL, "lock the pidfile (fcntl F_SETLK or flock) and hold the lock "
                       "while the daemon runs"); return; }
    }
    observe(r, "%s %s lock (taken by pid %d)", l->kind, l->type, (int)l->pid);
    verdict(r, ST_PASS, "the pidfile is locked");
}

void judge_single_instance(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    char st[96], printed[200];

    expect(r, "the second start exits non-zero; the first daemon and its pidfile untouched");
    if (!ev->single_ran)
        { skip(r, ev->single_skip); return; }
    output_excerpt(&ev->second, printed, sizeof printed);
    describe_wait_status(ev->second.status, st, sizeof st);
    if (!ev->second.exited) {
        observe(r, "the second start was still running after %.1f s", opt->timeout_ms / 1000.0);
        { verdict(r, ST_FAIL, "a second start must refuse at once when the daemon runs"); return; }
    }
    if (ev->second_new.count > 0) {
        observe(r, "the second start %s and left pid %d (%s) running%s", st,
                (int)ev->second_new.pid[0], ev->second_new.comm[0], printed);
        { verdict(r, ST_FAIL, "two instances ran at once: check the pidfile's lock before "
                       "starting"); return; }
    }
    if (WIFEXITED(ev->second.status) && WEXITSTATUS(ev->second.status) == 0) {
        observe(r, "the second start %s%s", st, printed);
        { verdict(r, ST_FAIL, "a start that refuses must exit non-zero"); return; }
    }
    if (!ev->first_survived) {
        observe(r, "the second start %s; the first daemon died", st);
        { verdict(r, ST_FAIL, "the second start must leave the running daemon alone"); return; }
    }
    if (!ev->pidfile_kept) {
        observe(r, "the second start %s; %s", st, ev->pidfile_change);
        { verdict(r, ST_FAIL, "the second start must not touch the running daemon's pidfile"); return; }
    }
    observe(r, "the second start %s%s", st, printed);
    verdict(r, ST_PASS, "a second instance was refused");
}

void judge_stale_pidfile(const struct evidence *ev, const struct options *opt,
                         struct result *r)
{
    expect(r, "a start with a stale pidfile exits 0 and the pidfile names the new daemon");
    if (!ev->stale_ran)
        { skip(r, ev->stale_skip); return; }
    if (!judge_launch(&ev->third, "the start with a stale pidfile", opt, r))
        return;
    if (!ev->stale_after.view.exists) {
        observe(r, "no pidfile after the start with a stale pidfile (pid %d)", (int)ev->stale_pid);
        { verdict(r, ST_FAIL, "the daemon must rewrite a stale pidfile"); return; }
    }
    if (!S_ISREG(ev->stale_after.view.st.st_mode))
        { skip(r, "the pidfile is not a regular file (see pidfile-safe)"); return; }
    /* Whether it names the new daemon; how it is written is pidfile-content's. */
    if (ev->stale_after.named != NAMED_DESCENDANT) {
        char quoted[160];
        quote_bytes(ev->stale_after.view.bytes, ev->stale_after.view.len, quoted, sizeof quoted);
        observe(r, "the pidfile holds %s after a start with a stale one naming pid %d", quoted,
                (int)ev->stale_pid);
        { verdict(r, ST_FAIL, "take a stale pidfile over: when its lock is free, rewrite it "
                  "with the new pid"); return; }
    }
    observe(r, "stale pid %d replaced by pid %d, the new daemon", (int)ev->stale_pid,
            (int)ev->stale_after.pid);
    verdict(r, ST_PASS, "the stale pidfile was taken over");
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
    expect(r, "no zombie children");
    if (!ev->daemon.found)
        { skip(r, NO_DAEMON); return; }
    if (ev->daemon.zombies.count == 0) {
        observe(r, "no zombie child");
        { verdict(r, ST_PASS, "the daemon reaps its children"); return; }
    }
    list_pids(&ev->daemon.zombies, pids, sizeof pids);
    observe(r, "%d zombie%s: %s", ev->daemon.zombies.count,
            ev->daemon.zombies.count == 1 ? "" : "s", pids);
    verdict(r, ST_FAIL, "reap children: on SIGCHLD, waitpid(-1, &status, WNOHANG) in a loop");
}

void judge_stops_on_sigterm(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    char st[96];

    expect(r, "the daemon ends within %.1f s of %s", opt->timeout_ms / 1000.0,
           ev->stop_by_command ? "the stop command" : "SIGTERM");
    if (!ev->stop_ran)
        { skip(r, NO_DAEMON); return; }
    if (ev->stopped) {
        observe(r, "ended %ld ms after %s", ev->stop_ms,
                ev->stop_by_command ? "the stop command" : "SIGTERM");
        { verdict(r, ST_PASS, "the daemon stops when asked"); return; }
    }
    if (ev->stop_by_command && ev->stop_cmd.exited) {
        describe_wait_status(ev->stop_cmd.status, st, sizeof st);
        observe(r, "still running %.1f s later; the stop command %s",
                opt->timeout_ms / 1000.0, st);
    } else {
        observe(r, "still running %.1f s later", opt->timeout_ms / 1000.0);
    }
    verdict(r, ST_FAIL, "handle SIGTERM: clean up and exit (never ignore or block it)");
}

void judge_pidfile_removed(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    char quoted[160];

    (void)opt;
    expect(r, "no pidfile after the daemon stopped");
    if (!ev->has_pidfile)
        { skip(r, NO_PIDFILE); return; }
    if (!ev->stop_ran || !ev->stopped)
        { skip(r, "the daemon did not stop (see stops-on-sigterm)"); return; }
    if (!ev->pidfile_at_exit && !ev->pidfile.view.exists)
        { skip(r, "no pidfile was ever written (see pidfile-exists)"); return; }
    if (!ev->pidfile_after_stop) {
        observe(r, "gone");
        { verdict(r, ST_PASS, "the pidfile was removed"); return; }
    }
    quote_bytes(ev->pidfile_after_stop_bytes, strnlen(ev->pidfile_after_stop_bytes,
                sizeof ev->pidfile_after_stop_bytes), quoted, sizeof quoted);
    observe(r, "still there, holding %s", quoted);
    verdict(r, ST_FAIL, "remove the pidfile when handling SIGTERM (atexit handlers do not run "
            "when a signal kills the process)");
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
        { verdict(r, ST_PASS, "nothing was left behind"); return; }
    }
    list_pids(&ev->leftovers, pids, sizeof pids);
    observe(r, "%d left: %s", ev->leftovers.count, pids);
    if (only_second_instance(ev)) {
        verdict(r, ST_FAIL, "what was left is the second instance that the second start made "
                "(see single-instance): the stop ended only one of the two; the checker killed it");
        return;
    }
    verdict(r, ST_FAIL, "stop your children before exiting; the checker killed them");
}
