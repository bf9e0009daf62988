/* checks.c — the table of checks: the single source of their IDs, steps,
 * titles, explanations and judges. The order of the rows is the order of
 * every report. */
#include <string.h>

#include "checks.h"
#include "judges.h"

#define SYSV (1u << PROFILE_SYSV)
#define SEED (1u << PROFILE_SEED)
#define BOTH (SYSV | SEED)

const struct check checks[CK_COUNT] = {
    [CK_LAUNCHER_EXITS] = {
        "launcher-exits", 1, "fork, and let the parent exit",
        "the started command exits with status 0, leaving a daemon behind",
        "Whoever starts a daemon (a shell, an init script, systemd's Type=forking) "
        "waits for the command to return: it must come back, with status 0, "
        "once the daemon runs in the background.",
        "Fork; in the parent, exit with status 0 (C: _exit(0) in intermediate "
        "parents; Python: os._exit(0)). Report a failure of fork with a non-zero status.",
        BOTH, judge_launcher_exits },
    [CK_DAEMON_RUNNING] = {
        "daemon-running", 7, "the big loop",
        "a daemon process is still alive after the settle time and the inspections",
        "A daemon that exits right after starting serves nobody; usually it died "
        "on an error it could not report, because its output went nowhere.",
        "Keep the process in its main loop; log fatal errors to syslog before "
        "exiting so that the reason can be found.",
        BOTH, judge_daemon_running },
    [CK_NO_CTTY] = {
        "no-ctty", 4, "setsid",
        "the daemon has no controlling terminal",
        "A process with a controlling terminal receives the terminal's signals "
        "(SIGHUP at logout, SIGINT on Ctrl-C) and can be stopped by terminal job control.",
        "Call setsid() in a child (it fails in a process group leader); check its "
        "result. Python: os.setsid().",
        BOTH, judge_no_ctty },
    [CK_NEW_SESSION] = {
        "new-session", 4, "setsid",
        "the daemon is in a session other than the launcher's",
        "Staying in the launcher's session ties the daemon to the login that started it.",
        "Call setsid() after the first fork, and check that it did not return -1.",
        BOTH, judge_new_session },
    [CK_NOT_SESSION_LEADER] = {
        "not-session-leader", 8, "a second fork",
        "the daemon is not a session leader (its parent created the session, then forked it)",
        "A session leader that opens a terminal without O_NOCTTY acquires it as its "
        "controlling terminal. A process that is not a session leader never can.",
        "Fork a second time after setsid() and let the session leader exit "
        "(C: _exit(0); Python: os._exit(0)).",
        SYSV, judge_not_session_leader },
    [CK_SURVIVES_HANGUP] = {
        "survives-hangup", 4, "setsid",
        "the daemon is still running after the launch terminal is hung up",
        "Closing the terminal (a logout, a closed ssh connection) sends SIGHUP "
        "to the processes still attached to it, and SIGHUP's default action ends them.",
        "Detach from the terminal with setsid() in a child of the launcher "
        "(and a second fork), instead of ignoring SIGHUP.",
        BOTH, judge_survives_hangup },
    [CK_CWD] = {
        "cwd", 5, "chdir",
        "the working directory is the expected one",
        "A daemon that keeps the directory it was started in keeps that file "
        "system busy: it cannot be unmounted while the daemon runs.",
        "chdir(\"/\") and check the result (C: if (chdir(\"/\") < 0) ...; Python: os.chdir(\"/\")).",
        BOTH, judge_cwd },
    [CK_UMASK] = {
        "umask", 2, "umask",
        "the umask is the expected one",
        "The umask is inherited from whoever started the daemon, so the modes of "
        "the files it creates would depend on that person's shell.",
        "Call umask() with the value the daemon needs (the tutorial uses 0) and "
        "give each file the mode it must have (open's mode, or fchmod).",
        BOTH, judge_umask },
    [CK_STDIO] = {
        "stdio", 6, "close the standard descriptors",
        "fds 0, 1 and 2 are closed or on something the daemon opened itself, never a terminal",
        "Writing to a terminal that is gone fails or raises SIGTTOU/SIGHUP; "
        "descriptors 0-2 inherited from the launcher keep its pipes and terminals open.",
        "Open /dev/null and dup2() it onto 0, 1 and 2 (better than close(): a "
        "closed 0-2 is reused by the next open, and a stray printf lands in that file).",
        BOTH, judge_stdio },
    [CK_NO_INHERITED_FDS] = {
        "no-inherited-fds", 11, "daemon(7): close all open descriptors",
        "no descriptor handed in by the launcher is still open in the daemon",
        "An inherited descriptor keeps a file, pipe or socket of the launcher "
        "alive: a pipe's reader never sees end-of-file, a listening socket stays bound.",
        "Close every descriptor above 2 at start: close_range(3, ~0U, 0) "
        "(Python: os.closerange(3, os.sysconf(\"SC_OPEN_MAX\")) or iterate /proc/self/fd).",
        SYSV, judge_no_inherited_fds },
    [CK_SIGNALS_RESET] = {
        "signals-reset", 11, "daemon(7): reset signal handlers and mask",
        "no signal is still blocked or ignored as the launcher left it",
        "The signal mask and ignored signals survive fork and exec: a daemon "
        "started from a script that ignored SIGTERM would ignore it too.",
        "Set every signal's action to SIG_DFL and empty the mask with sigprocmask(SIG_SETMASK) "
        "(Python: signal.pthread_sigmask(signal.SIG_SETMASK, []) and signal.signal(s, SIG_DFL)).",
        SYSV, judge_signals_reset },
    [CK_PIDFILE_EXISTS] = {
        "pidfile-exists", 9, "the pidfile",
        "the pidfile exists at the moment the launcher has exited",
        "An init system reads the pidfile as soon as the start command returns; "
        "a pidfile written later is a race that it sometimes loses.",
        "Write the pidfile in the daemon, then tell the waiting launcher through "
        "a pipe that it may exit (a readiness pipe).",
        BOTH, judge_pidfile_exists },
    [CK_PIDFILE_CONTENT] = {
        "pidfile-content", 9, "the pidfile",
        "the pidfile holds exactly the daemon's pid in decimal and one newline",
        "Tools read the pidfile to signal the daemon: a wrong pid makes them kill "
        "another process, a malformed file makes them fail.",
        "Write the final process's getpid() followed by \"\\n\" (not \"/n\"), after "
        "the last fork (Python: f\"{os.getpid()}\\n\").",
        BOTH, judge_pidfile_content },
    [CK_PIDFILE_SAFE] = {
        "pidfile-safe", 9, "the pidfile",
        "the pidfile is a regular file of the user, writable by nobody else",
        "Whoever can rewrite the pidfile chooses which process the stop command kills.",
        "Create it with open(path, O_WRONLY|O_CREAT|O_NOFOLLOW|O_CLOEXEC, 0644) and "
        "fchmod(fd, 0644), so that umask(0) cannot make it world-writable.",
        SYSV, judge_pidfile_safe },
    [CK_PIDFILE_LOCKED] = {
        "pidfile-locked", 9, "the pidfile",
        "a lock on the pidfile is held while the daemon runs",
        "A held lock is what makes \"running\" true: a pid alone can be stale or reused, "
        "a lock dies with its holder.",
        "Lock the pidfile in the final process (fcntl F_SETLK write lock, or flock) "
        "and keep its descriptor open for the daemon's whole life.",
        0, judge_pidfile_locked },
    [CK_SINGLE_INSTANCE] = {
        "single-instance", 11, "start(): is it already running?",
        "a second start exits non-zero and leaves the first daemon and its pidfile untouched",
        "Two instances fight over the same resources, and the pidfile can name only one of them.",
        "Take the pidfile's lock before anything else; when it is held, exit "
        "non-zero with a message naming the running pid.",
        SYSV, judge_single_instance },
    [CK_STALE_PIDFILE] = {
        "stale-pidfile", 11, "start(): the stale pidfile",
        "a start with a stale pidfile (naming a dead pid) succeeds and rewrites it",
        "After a crash or a reboot the pidfile remains; a daemon that refuses to start "
        "because of it needs a human to delete the file.",
        "Decide by the lock, not by the file's existence: if the lock can be "
        "taken, the file is stale; truncate and rewrite it.",
        SYSV, judge_stale_pidfile },
    [CK_NO_ZOMBIES] = {
        "no-zombies", 7, "the big loop",
        "the daemon has no zombie children",
        "A child that exited stays a zombie until its parent waits for it; they "
        "pile up and exhaust the process table.",
        "Reap children in the loop: on SIGCHLD, waitpid(-1, &st, WNOHANG) until it returns 0 or -1.",
        SYSV, judge_no_zombies },
    [CK_STOPS_ON_SIGTERM] = {
        "stops-on-sigterm", 10, "stop()",
        "the stop command, or SIGTERM, ends the daemon within the timeout",
        "Shutdown and service managers send SIGTERM and wait; a daemon that "
        "ignores it is killed without cleaning up.",
        "Handle SIGTERM by setting a flag that the main loop checks; clean up "
        "and exit 0. Never ignore or block it for good.",
        BOTH, judge_stops_on_sigterm },
    [CK_PIDFILE_REMOVED] = {
        "pidfile-removed", 10, "delpid()",
        "the pidfile is gone after the daemon stopped",
        "A pidfile left behind looks like a running daemon to the next start "
        "and to monitoring tools.",
        "Remove the pidfile when handling SIGTERM (the seed's atexit handler never "
        "runs when a signal kills the process).",
        BOTH, judge_pidfile_removed },
    [CK_NO_LEFTOVERS] = {
        "no-leftovers", 10, "stop()",
        "after the stop, no process started by the candidate remains",
        "Children that outlive the daemon keep ports, files and memory, and "
        "nothing will ever stop them.",
        "On SIGTERM, signal your children and wait for them before exiting.",
        SYSV, judge_no_leftovers },
};

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
