/* checks.c — the table of checks: the single source of their IDs, steps,
 * titles, explanations and judges. The order of the rows is the order of
 * every report. */
#include <stdio.h>
#include <string.h>

#include "checks.h"
#include "judges.h"

#define SYSV (1u << PROFILE_SYSV)
#define SEED (1u << PROFILE_SEED)
#define BOTH (SYSV | SEED)

const struct check checks[CK_COUNT] = {
    [CK_LAUNCHER_EXITS] = {
        "launcher-exits", 1, "fork, and let the parent exit",
        "5, 15: fork, and exit in the original process",
        "the started command exits with status 0, leaving a daemon behind",
        "Whoever starts a daemon (a shell, an init script, systemd's Type=forking) waits "
        "for the command to return: it must come back, with status 0, once the daemon "
        "runs in the background.",
        "pid_t pid = fork(); if (pid < 0) { perror(\"fork\"); exit(1); } if (pid > 0) "
        "_exit(0); -- _exit, not exit, so stdio buffers are not flushed twice.",
        "if os.fork() > 0: os._exit(0)  (os._exit skips atexit handlers and buffered "
        "output that belong to the child).",
        BOTH, judge_launcher_exits },
    [CK_DAEMON_RUNNING] = {
        "daemon-running", 7, "the big loop",
        "",
        "a daemon process is still alive after the settle time and the inspections",
        "A daemon that exits right after starting serves nobody; usually it died on an "
        "error it could not report, because its output went nowhere.",
        "End main() in a loop that waits for work or signals (sigsuspend, poll); log "
        "fatal errors with syslog(LOG_ERR, ...) before exiting.",
        "End in a loop around signal.pause() or selectors; log fatal errors with "
        "syslog.syslog(syslog.LOG_ERR, ...).",
        BOTH, judge_daemon_running },
    [CK_NO_CTTY] = {
        "no-ctty", 4, "setsid",
        "6: setsid() in the child",
        "the daemon has no controlling terminal",
        "A process with a controlling terminal receives the terminal's signals (SIGHUP at"
        " logout, SIGINT on Ctrl-C) and can be stopped by terminal job control.",
        "if (setsid() < 0) { syslog(LOG_ERR, \"setsid: %m\"); _exit(1); } -- in a child: "
        "setsid fails in a process group leader.",
        "os.setsid() in the child after the first fork.",
        BOTH, judge_no_ctty },
    [CK_NEW_SESSION] = {
        "new-session", 4, "setsid",
        "6: setsid() in the child",
        "the daemon is in a session other than the launcher's",
        "Staying in the launcher's session ties the daemon to the login that started it.",
        "Call setsid() after the first fork and check that it did not return -1.",
        "os.setsid() after the first fork (it raises OSError on failure).",
        BOTH, judge_new_session },
    [CK_NOT_SESSION_LEADER] = {
        "not-session-leader", 8, "a second fork",
        "7, 8: fork again, the first child exits",
        "the daemon is not a session leader (its parent created the session, then forked "
        "it)",
        "A session leader that opens a terminal without O_NOCTTY acquires it as its "
        "controlling terminal. A process that is not a session leader never can.",
        "After setsid(): pid = fork(); if (pid < 0) _exit(1); if (pid > 0) _exit(0);",
        "After os.setsid(): if os.fork() > 0: os._exit(0)",
        SYSV, judge_not_session_leader },
    [CK_SURVIVES_HANGUP] = {
        "survives-hangup", 4, "setsid",
        "6: setsid() in the child",
        "the daemon is still running after the launch terminal is hung up",
        "Closing the terminal (a logout, a closed ssh connection) sends SIGHUP to the "
        "processes still attached to it, and SIGHUP's default action ends them.",
        "Detach with setsid() in a child of the launcher (and fork again); ignoring "
        "SIGHUP only hides the problem.",
        "os.setsid() in a child of the launcher, then a second os.fork().",
        BOTH, judge_survives_hangup },
    [CK_CWD] = {
        "cwd", 5, "chdir",
        "11: change to the root directory",
        "the working directory is the expected one",
        "A daemon that keeps the directory it was started in keeps that file system busy:"
        " it cannot be unmounted while the daemon runs.",
        "if (chdir(\"/\") < 0) { syslog(LOG_ERR, \"chdir: %m\"); _exit(1); }",
        "os.chdir(\"/\")",
        BOTH, judge_cwd },
    [CK_UMASK] = {
        "umask", 2, "umask",
        "10: reset the umask to 0",
        "the umask is the expected one",
        "The umask is inherited from whoever started the daemon, so the modes of the "
        "files it creates would depend on that person's shell.",
        "umask(0); then give each file the mode it must have: open(path, flags, 0644), or"
        " fchmod(fd, 0644).",
        "os.umask(0); then os.open(path, flags, 0o644) or os.fchmod(fd, 0o644).",
        BOTH, judge_umask },
    [CK_STDIO] = {
        "stdio", 6, "close the standard descriptors",
        "9: connect /dev/null to 0, 1 and 2",
        "fds 0, 1 and 2 are closed or on something the daemon opened itself, never a "
        "terminal",
        "Writing to a terminal that is gone fails or raises SIGTTOU/SIGHUP; descriptors "
        "0-2 inherited from the launcher keep its pipes and terminals open.",
        "int fd = open(\"/dev/null\", O_RDWR); dup2(fd, 0); dup2(fd, 1); dup2(fd, 2); if "
        "(fd > 2) close(fd); -- better than close(): a closed 0-2 is reused by the next "
        "open, and a stray printf lands in that file.",
        "fd = os.open(os.devnull, os.O_RDWR); for n in (0, 1, 2): os.dup2(fd, n)",
        BOTH, judge_stdio },
    [CK_NO_INHERITED_FDS] = {
        "no-inherited-fds", 11, "(not in the seed)",
        "1: close all open descriptors but 0, 1, 2",
        "no descriptor handed in by the launcher is still open in the daemon",
        "An inherited descriptor keeps a file, pipe or socket of the launcher alive: a "
        "pipe's reader never sees end-of-file, a listening socket stays bound.",
        "close_range(3, ~0U, 0) at start (Linux 5.9, glibc 2.34); elsewhere, close what "
        "/proc/self/fd lists -- never loop to RLIMIT_NOFILE, which can be a million.",
        "os.closerange(3, os.sysconf(\"SC_OPEN_MAX\")) uses close_range on Linux; or "
        "close what os.listdir(\"/proc/self/fd\") lists.",
        SYSV, judge_no_inherited_fds },
    [CK_SIGNALS_RESET] = {
        "signals-reset", 11, "(not in the seed)",
        "2, 3: reset signal handlers and the signal mask",
        "no signal is still blocked or ignored as the launcher left it",
        "The signal mask and ignored signals survive fork and exec: a daemon started from"
        " a script that ignored SIGTERM would ignore it too.",
        "sigset_t none; sigemptyset(&none); sigprocmask(SIG_SETMASK, &none, NULL); and "
        "signal(sig, SIG_DFL) for every signal from 1 to NSIG-1.",
        "signal.pthread_sigmask(signal.SIG_SETMASK, []); and signal.signal(s, "
        "signal.SIG_DFL) for s in signal.valid_signals() (but SIGKILL, SIGSTOP).",
        SYSV, judge_signals_reset },
    [CK_PIDFILE_EXISTS] = {
        "pidfile-exists", 9, "the pidfile",
        "12, 14, 15: write the pidfile, then notify the original process, which exits",
        "the pidfile exists at the moment the launcher has exited",
        "An init system reads the pidfile as soon as the start command returns; a pidfile"
        " written later is a race that it sometimes loses.",
        "Create a pipe before the first fork; the launcher blocks in read() on it; the "
        "daemon writes the pidfile, then one byte to the pipe; the launcher then exits 0.",
        "r, w = os.pipe() before the first fork; the launcher waits in os.read(r, 1); the"
        " daemon writes the pidfile, then os.write(w, b\"1\").",
        BOTH, judge_pidfile_exists },
    [CK_PIDFILE_CONTENT] = {
        "pidfile-content", 9, "the pidfile",
        "12: write the daemon's pid to a pidfile",
        "the pidfile holds exactly the daemon's pid in decimal and one newline",
        "Tools read the pidfile to signal the daemon: a wrong pid makes them kill another"
        " process, a malformed file makes them fail.",
        "After the last fork: dprintf(fd, \"%ld\\n\", (long)getpid()) -- \"\\n\", not the"
        " seed's \"/n\".",
        "After the last fork: os.write(fd, f\"{os.getpid()}\\n\".encode())",
        BOTH, judge_pidfile_content },
    [CK_PIDFILE_SAFE] = {
        "pidfile-safe", 9, "the pidfile",
        "12: write the daemon's pid to a pidfile",
        "the pidfile is a regular file of the user, writable by nobody else",
        "Whoever can rewrite the pidfile chooses which process the stop command kills.",
        "fd = open(path, O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC, 0644); fchmod(fd, 0644); --"
        " umask(0) would otherwise leave the seed's 0666.",
        "fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644); os.fchmod(fd,"
        " 0o644)",
        SYSV, judge_pidfile_safe },
    [CK_PIDFILE_LOCKED] = {
        "pidfile-locked", 9, "the pidfile",
        "12: a race-free pidfile",
        "a lock on the pidfile is held while the daemon runs",
        "A held lock is what makes \"running\" true: a pid alone can be stale or reused, "
        "a lock dies with its holder.",
        "In the final process: struct flock l = { .l_type = F_WRLCK, .l_whence = SEEK_SET"
        " }; fcntl(fd, F_SETLK, &l); keep fd open for life (fcntl locks do not survive "
        "fork: lock after it).",
        "In the final process: fcntl.lockf(fd, fcntl.LOCK_EX | fcntl.LOCK_NB) and keep fd"
        " open for life.",
        0, judge_pidfile_locked },
    [CK_SINGLE_INSTANCE] = {
        "single-instance", 9, "start(): is it already running?",
        "12: the pidfile makes a second start fail",
        "a second start exits non-zero and leaves the first daemon and its pidfile "
        "untouched",
        "Two instances fight over the same resources, and the pidfile can name only one "
        "of them.",
        "Take the lock before writing: when F_SETLK fails with EAGAIN, exit 1 with a "
        "message naming the pid in the file, without truncating it.",
        "When lockf raises BlockingIOError, exit 1 naming the running pid, and leave the "
        "file as it is.",
        SYSV, judge_single_instance },
    [CK_STALE_PIDFILE] = {
        "stale-pidfile", 11, "start(): the stale pidfile",
        "12: update the pidfile only when its pid is gone",
        "a start with a stale pidfile (naming a dead pid) succeeds and rewrites it",
        "After a crash or a reboot the pidfile remains; a daemon that refuses to start "
        "because of it needs a human to delete the file.",
        "Decide by the lock, not by the file's existence: if F_SETLK succeeds, the file "
        "is stale; ftruncate(fd, 0) and write the new pid.",
        "If lockf succeeds the file is stale: os.ftruncate(fd, 0), then write the new "
        "pid.",
        SYSV, judge_stale_pidfile },
    [CK_NO_ZOMBIES] = {
        "no-zombies", 7, "the big loop",
        "",
        "the daemon has no zombie children",
        "A child that exited stays a zombie until its parent waits for it; they pile up "
        "and exhaust the process table.",
        "On SIGCHLD (a flag, or signalfd), in the loop: while (waitpid(-1, &status, "
        "WNOHANG) > 0) continue;",
        "On SIGCHLD, in the loop: os.waitpid(-1, os.WNOHANG) until it returns (0, 0) or "
        "raises ChildProcessError.",
        SYSV, judge_no_zombies },
    [CK_STOPS_ON_SIGTERM] = {
        "stops-on-sigterm", 10, "stop()",
        "",
        "the stop command, or SIGTERM, ends the daemon within the timeout",
        "Shutdown and service managers send SIGTERM and wait; a daemon that ignores it is"
        " killed without cleaning up.",
        "A SIGTERM handler that sets a volatile sig_atomic_t flag; the loop sees it, "
        "cleans up and returns 0. Never ignore or block SIGTERM for good.",
        "signal.signal(signal.SIGTERM, handler) where handler raises SystemExit (or sets "
        "a flag the loop reads); clean up in a finally block.",
        BOTH, judge_stops_on_sigterm },
    [CK_PIDFILE_REMOVED] = {
        "pidfile-removed", 10, "delpid()",
        "",
        "the pidfile is gone after the daemon stopped",
        "A pidfile left behind looks like a running daemon to the next start and to "
        "monitoring tools.",
        "unlink(pidfile) on the way out of the main loop, after SIGTERM -- atexit() "
        "handlers do not run when a signal kills the process.",
        "os.unlink(pidfile) in the finally block the SIGTERM handler leads to -- the "
        "seed's atexit.register(delpid) never runs on SIGTERM.",
        BOTH, judge_pidfile_removed },
    [CK_NO_LEFTOVERS] = {
        "no-leftovers", 10, "stop()",
        "",
        "after the stop, no process started by the candidate remains",
        "Children that outlive the daemon keep ports, files and memory, and nothing will "
        "ever stop them.",
        "On SIGTERM, kill(child, SIGTERM) for each child, and waitpid() each before "
        "exiting.",
        "On SIGTERM, os.kill(child, signal.SIGTERM) for each child, and os.waitpid() each"
        " before exiting.",
        SYSV, judge_no_leftovers },
};

const struct step steps[STEP_COUNT] = {
    { 1, "fork, and let the parent exit", "docs/tutorial/01-fork.md" },
    { 2, "set the umask", "docs/tutorial/02-umask.md" },
    { 3, "open the log", "docs/tutorial/03-log.md" },
    { 4, "leave the session: setsid", "docs/tutorial/04-setsid.md" },
    { 5, "change directory to /", "docs/tutorial/05-chdir.md" },
    { 6, "detach the standard descriptors", "docs/tutorial/06-stdio.md" },
    { 7, "the big loop", "docs/tutorial/07-loop.md" },
    { 8, "fork a second time", "docs/tutorial/08-second-fork.md" },
    { 9, "the pidfile", "docs/tutorial/09-pidfile.md" },
    { 10, "start and stop", "docs/tutorial/10-start-stop.md" },
    { 11, "what daemon(7) adds", "docs/tutorial/11-daemon7.md" },
};

const struct step *step_find(int n)
{
    return n >= 1 && n <= STEP_COUNT ? &steps[n - 1] : NULL;
}

const struct check *check_find(const char *id)
{
    for (int i = 0; i < CK_COUNT; i++)
        if (strcmp(checks[i].id, id) == 0)
            return &checks[i];
    return NULL;
}

void checks_judge_all(const struct evidence *ev, const struct options *opt,
                      struct result results[CK_COUNT])
{
    for (int i = 0; i < CK_COUNT; i++) {
        struct result *r = &results[i];
        memset(r, 0, sizeof *r);
        checks[i].judge(ev, opt, r);
        if (r->status == ST_FAIL && !(checks[i].required & (1u << opt->profile)))
            r->status = ST_WARN;
        /* --step N: what later steps teach is not judged yet. */
        if (opt->step && checks[i].step > opt->step) {
            r->status = ST_SKIP;
            snprintf(r->message, sizeof r->message, "(comes at step %d: %s)", checks[i].step,
                     step_find(checks[i].step)->title);
        }
    }
}

int checks_exit_status(const struct result results[CK_COUNT])
{
    for (int i = 0; i < CK_COUNT; i++)
        if (results[i].status == ST_FAIL)
            return 1;
    return 0;
}

const char *status_name(enum status s)
{
    static const char *const names[] = { "pass", "fail", "warn", "skip" };
    return names[s];
}
