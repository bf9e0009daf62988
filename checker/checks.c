/* checks.c — the table of checks: the single source of their IDs, steps,
 * titles, explanations and judges. The order of the rows is the order of
 * every report. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "checks.h"
#include "judges.h"
#include "trace_explain_parts.h"

#define SYSV (1u << PROFILE_SYSV)
#define SEED (1u << PROFILE_SEED)
#define NEW (1u << PROFILE_NEW_STYLE)
#define CLASSIC (SYSV | SEED)
#define ALL (SYSV | SEED | NEW)

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
        CLASSIC, CLASSIC, 0,
        judge_launcher_exits, ex_launcher_exits },
    [CK_DAEMON_RUNNING] = {
        "daemon-running", 1, "the big loop",
        "",
        "a daemon process is alive after the settle time and until it is asked to stop",
        "A daemon that exits right after starting serves nobody; usually it died on an "
        "error it could not report, because its output went nowhere.",
        "End main() in a loop that waits for work or signals (sigsuspend, poll); log "
        "fatal errors with syslog(LOG_ERR, ...) before exiting.",
        "End in a loop around signal.pause() or selectors; log fatal errors with "
        "syslog.syslog(syslog.LOG_ERR, ...).",
        ALL, CLASSIC | NEW, 0,
        judge_daemon_running, ex_daemon_running },
    [CK_NO_CTTY] = {
        "no-ctty", 4, "setsid",
        "6: setsid() in the child",
        "the daemon has no controlling terminal",
        "A process with a controlling terminal receives the terminal's signals (SIGHUP at"
        " logout, SIGINT on Ctrl-C) and can be stopped by terminal job control.",
        "if (setsid() < 0) { syslog(LOG_ERR, \"setsid: %m\"); _exit(1); } -- in a child: "
        "setsid fails in a process group leader.",
        "os.setsid() in the child after the first fork.",
        CLASSIC, CLASSIC, NEED_DAEMON,
        judge_no_ctty, ex_session },
    [CK_NEW_SESSION] = {
        "new-session", 4, "setsid",
        "6: setsid() in the child",
        "the daemon is in a session other than the launcher's",
        "Staying in the launcher's session ties the daemon to the login that started it.",
        "Call setsid() after the first fork and check that it did not return -1.",
        "os.setsid() after the first fork (it raises OSError on failure).",
        CLASSIC, CLASSIC, NEED_DAEMON,
        judge_new_session, ex_session },
    [CK_NOT_SESSION_LEADER] = {
        "not-session-leader", 8, "a second fork",
        "7, 8: fork again, the first child exits",
        "the daemon is not a session leader (its parent created the session, then forked "
        "it)",
        "A session leader that opens a terminal without O_NOCTTY acquires it as its "
        "controlling terminal. A process that is not a session leader never can.",
        "After setsid(): pid = fork(); if (pid < 0) _exit(1); if (pid > 0) _exit(0);",
        "After os.setsid(): if os.fork() > 0: os._exit(0)",
        CLASSIC, SYSV, NEED_DAEMON,
        judge_not_session_leader, ex_not_session_leader },
    [CK_SURVIVES_HANGUP] = {
        "survives-hangup", 4, "setsid",
        "6: setsid() in the child",
        "the daemon is still running after the launch terminal is hung up",
        "Closing the terminal (a logout, a closed ssh connection) sends SIGHUP to the "
        "processes still attached to it, and SIGHUP's default action ends them.",
        "Detach with setsid() in a child of the launcher (and fork again); ignoring "
        "SIGHUP only hides the problem.",
        "os.setsid() in a child of the launcher, then a second os.fork().",
        CLASSIC, CLASSIC, NEED_DAEMON,
        judge_survives_hangup, ex_survives_hangup },
    [CK_CWD] = {
        "cwd", 5, "chdir",
        "11: change to the root directory",
        "the working directory is the expected one",
        "A daemon that keeps the directory it was started in keeps that file system busy:"
        " it cannot be unmounted while the daemon runs.",
        "if (chdir(\"/\") < 0) { syslog(LOG_ERR, \"chdir: %m\"); _exit(1); }",
        "os.chdir(\"/\")",
        CLASSIC, CLASSIC, NEED_DAEMON,
        judge_cwd, ex_cwd },
    [CK_UMASK] = {
        "umask", 2, "umask",
        "10: reset the umask to 0",
        "the umask is the expected one",
        "The umask is inherited from whoever started the daemon, so the modes of the "
        "files it creates would depend on that person's shell.",
        "umask(0); then give each file the mode it must have: open(path, flags, 0644), or"
        " fchmod(fd, 0644).",
        "os.umask(0); then os.open(path, flags, 0o644) or os.fchmod(fd, 0o644).",
        CLASSIC, CLASSIC, NEED_DAEMON | NEED_STATUS,
        judge_umask, ex_umask },
    [CK_STDIO] = {
        "stdio", 6, "close the standard descriptors",
        "9: connect /dev/null to 0, 1 and 2",
        "fds 0, 1 and 2 are on something the daemon opened itself: never a terminal, an "
        "inherited descriptor, the pidfile, or a file open for reading and writing",
        "Writing to a terminal that is gone fails or raises SIGTTOU/SIGHUP; descriptors "
        "0-2 inherited from the launcher keep its pipes and terminals open; and a stray "
        "printf or perror lands on whatever 0-2 are open on, so they must never be the "
        "daemon's data (a log opened write-only or append-only is fine).",
        "int fd = open(\"/dev/null\", O_RDWR); dup2(fd, 0); dup2(fd, 1); dup2(fd, 2); if "
        "(fd > 2) close(fd); -- better than close(): a closed 0-2 is reused by the next "
        "open, and a stray printf lands in that file.",
        "fd = os.open(os.devnull, os.O_RDWR); for n in (0, 1, 2): os.dup2(fd, n)",
        CLASSIC, CLASSIC, NEED_DAEMON,
        judge_stdio, ex_stdio },
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
        CLASSIC, SYSV, NEED_DAEMON,
        judge_no_inherited_fds, ex_no_inherited_fds },
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
        CLASSIC, SYSV, NEED_DAEMON | NEED_STATUS,
        judge_signals_reset, ex_signals_reset },
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
        ALL, CLASSIC, NEED_PIDFILE | NEED_LAUNCH_EXITED,
        judge_pidfile_exists, ex_pidfile_exists },
    [CK_PIDFILE_CONTENT] = {
        "pidfile-content", 9, "the pidfile",
        "12: write the daemon's pid to a pidfile",
        "the pidfile holds exactly the daemon's pid in decimal and one newline",
        "Tools read the pidfile to signal the daemon: a wrong pid makes them kill another"
        " process, a malformed file makes them fail.",
        "After the last fork: dprintf(fd, \"%ld\\n\", (long)getpid()) -- \"\\n\", not the"
        " seed's \"/n\".",
        "After the last fork: os.write(fd, f\"{os.getpid()}\\n\".encode())",
        ALL, CLASSIC, NEED_PIDFILE | NEED_PIDFILE_SEEN | NEED_PIDFILE_FILE | NEED_DAEMON,
        judge_pidfile_content, ex_pidfile_content },
    [CK_PIDFILE_SAFE] = {
        "pidfile-safe", 9, "the pidfile",
        "12: write the daemon's pid to a pidfile",
        "the pidfile is a regular file of the user, writable by nobody else",
        "Whoever can rewrite the pidfile chooses which process the stop command kills.",
        "fd = open(path, O_RDWR|O_CREAT|O_NOFOLLOW|O_CLOEXEC, 0644); fchmod(fd, 0644); --"
        " umask(0) would otherwise leave the seed's 0666.",
        "fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_NOFOLLOW, 0o644); os.fchmod(fd,"
        " 0o644)",
        ALL, SYSV, NEED_PIDFILE | NEED_PIDFILE_SEEN,
        judge_pidfile_safe, ex_pidfile_safe },
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
        ALL, 0, NEED_PIDFILE | NEED_PIDFILE_SEEN | NEED_PIDFILE_FILE | NEED_DAEMON,
        judge_pidfile_locked, ex_pidfile_locked },
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
        CLASSIC, SYSV, NEED_DAEMON,
        judge_single_instance, ex_single_instance },
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
        CLASSIC, SYSV, NEED_PIDFILE | NEED_DAEMON,
        judge_stale_pidfile, ex_stale_pidfile },
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
        ALL, SYSV | NEW, NEED_DAEMON,
        judge_no_zombies, ex_no_zombies },
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
        ALL, CLASSIC | NEW, NEED_STOP_RAN,
        judge_stops_on_sigterm, ex_stops_on_sigterm },
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
        ALL, CLASSIC, NEED_PIDFILE | NEED_STOP_RAN | NEED_STOPPED,
        judge_pidfile_removed, ex_pidfile_removed },
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
        ALL, SYSV | NEW, 0,
        judge_no_leftovers, ex_no_leftovers },
    [CK_STDIO_OPEN] = {
        "stdio-open", 6, "close the standard descriptors",
        "9: connect /dev/null to 0, 1 and 2",
        "none of fds 0, 1 and 2 is closed",
        "A closed standard descriptor is the lowest free number: the daemon's next open() "
        "lands on it, and a stray printf or perror (its own, or a library's) then writes "
        "into that file: the log, a state file, the pidfile.",
        "int fd = open(\"/dev/null\", O_RDWR); dup2(fd, 0); dup2(fd, 1); dup2(fd, 2); if "
        "(fd > 2) close(fd); -- never close(0..2) and leave them closed, as the seed does.",
        "fd = os.open(os.devnull, os.O_RDWR); for n in (0, 1, 2): os.dup2(fd, n); and "
        "os.close(fd) if fd > 2 -- never leave 0-2 closed.",
        CLASSIC, SYSV, NEED_DAEMON,
        judge_stdio_open, ex_stdio_open },
    [CK_STOP_COMMAND] = {
        "stop-command", 10, "stop()",
        "",
        "the --stop-command exits 0 within the timeout and leaves no process of its own "
        "running",
        "An init script or a service manager runs the stop command and trusts its exit "
        "status: one that hangs blocks a shutdown, one that fails says the daemon is still"
        " up, one that leaves processes behind leaks them at every stop.",
        "Read the pid from the pidfile, kill(pid, SIGTERM), then wait for that process to "
        "end (poll a pidfd_open(pid) descriptor, with a bound); exit 0 once it ended, 1 "
        "otherwise; start nothing in the background.",
        "os.kill(pid, signal.SIGTERM), then wait with a bound until os.kill(pid, 0) raises"
        " ProcessLookupError; sys.exit(0) once it ended, sys.exit(1) otherwise.",
        ALL, SYSV, NEED_STOP_COMMAND | NEED_STOP_RAN,
        judge_stop_command, ex_stop_command },
    [CK_STAYS_FOREGROUND] = {
        "stays-foreground", 12, "(not in the seed)",
        "new-style: do not fork away, stay in the foreground",
        "the started process is the service: it neither exits nor forks the service away",
        "A service manager supervises the process it started: a service that forks away "
        "and exits looks finished to it, and the real process escapes its supervision.",
        "Under a service manager, do not daemonize: no fork, no setsid, no pidfile; run "
        "the main loop in the started process (mydaemon run).",
        "Under a service manager, skip the Daemon class's daemonize(): call run() in the "
        "started process.",
        NEW, NEW, NEED_DAEMON,
        judge_stays_foreground, ex_stays_foreground },
    [CK_NOTIFY_READY] = {
        "notify-ready", 12, "(not in the seed)",
        "new-style: notify the manager when ready (sd_notify READY=1)",
        "READY=1 arrives on NOTIFY_SOCKET from the main process, once the service can "
        "serve",
        "With Type=notify the manager starts what depends on the service when READY=1 "
        "arrives: sent too early, clients meet a service that does not listen yet; sent "
        "from another process, the manager refuses it (NotifyAccess=main).",
        "Once the listening socket is open, send \"READY=1\" from the main process as one "
        "datagram to the AF_UNIX address in $NOTIFY_SOCKET (a leading '@' means an "
        "abstract address: a NUL byte, and a length that counts only the bytes used).",
        "sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM); sock.sendto(b\"READY=1\", "
        "addr), addr being $NOTIFY_SOCKET with a leading '@' replaced by '\\0'.",
        NEW, NEW, 0,
        judge_notify_ready, ex_notify_ready },
    [CK_NOTIFY_STOPPING] = {
        "notify-stopping", 12, "(not in the seed)",
        "new-style: say STOPPING=1 when stopping",
        "on SIGTERM, STOPPING=1 arrives before the main process exits",
        "STOPPING=1 tells the manager that the exit which follows is the stop it asked for"
        ", and shows the service as deactivating while it cleans up.",
        "In the SIGTERM path of the main loop: send \"STOPPING=1\", clean up, return 0.",
        "In the SIGTERM handler's flag path: send b\"STOPPING=1\", clean up, sys.exit(0).",
        NEW, 0, NEED_STOP_RAN,
        judge_notify_stopping, ex_notify_stopping },
    [CK_RELOAD_ON_SIGHUP] = {
        "reload-on-sighup", 12, "(not in the seed)",
        "new-style: reload on SIGHUP",
        "on SIGHUP the service survives; a RELOADING=1 carries MONOTONIC_USEC= and a "
        "READY=1 follows it",
        "SIGHUP means \"reload\" to a service (ExecReload=kill -HUP $MAINPID; "
        "Type=notify-reload sends it itself and waits for RELOADING=1, then READY=1): a "
        "service that dies of it, or never says it finished, fails its reload.",
        "Catch SIGHUP (set a flag); in the loop send \"RELOADING=1\\nMONOTONIC_USEC=<CLOCK_"
        "MONOTONIC in microseconds>\", read the configuration again, then send \"READY=1\".",
        "signal.signal(signal.SIGHUP, handler) setting a flag; in the loop send RELOADING=1"
        " with MONOTONIC_USEC=time.monotonic_ns() // 1000, reload, then READY=1.",
        NEW, 0, NEED_DAEMON,
        judge_reload_on_sighup, ex_reload_on_sighup },
    [CK_SOCKET_ACTIVATION] = {
        "socket-activation", 12, "(not in the seed)",
        "new-style: take the listening socket from the manager (sd_listen_fds)",
        "the service serves on the passed descriptor 3 and opens no listening socket of "
        "its own on that address",
        "With socket activation the manager holds the listening socket: the service can "
        "start on demand and restart without refusing a connection; binding its own "
        "socket fails (address in use) or races the manager.",
        "If getenv(\"LISTEN_PID\") is getpid() and LISTEN_FDS >= 1, accept() on descriptor"
        " 3 (SD_LISTEN_FDS_START) instead of socket(), bind() and listen(); then unset "
        "LISTEN_PID, LISTEN_FDS and LISTEN_FDNAMES.",
        "If os.environ.get(\"LISTEN_PID\") == str(os.getpid()): sock = socket.socket("
        "fileno=3) and accept() on it; del the LISTEN_* variables.",
        NEW, NEW, NEED_SOCKET_ACTIVATION | NEED_DAEMON,
        judge_socket_activation, ex_socket_activation },
    [CK_WATCHDOG] = {
        "watchdog", 12, "(not in the seed)",
        "new-style: ping the watchdog (sd_watchdog_enabled)",
        "WATCHDOG=1 arrives from the main process at least every MS between READY=1 and "
        "SIGTERM",
        "With WatchdogSec= the manager kills and restarts a service whose pings stop: a "
        "hung main loop is caught only if the main loop itself pings.",
        "When $WATCHDOG_USEC is set (and $WATCHDOG_PID is unset or getpid()), send "
        "\"WATCHDOG=1\" from the main loop every WATCHDOG_USEC / 2 (its poll timeout, or a "
        "timerfd).",
        "When WATCHDOG_USEC is set, send b\"WATCHDOG=1\" from the main loop every "
        "int(WATCHDOG_USEC) / 2e6 seconds (the selector's timeout).",
        NEW, NEW, NEED_WATCHDOG | NEED_DAEMON,
        judge_watchdog, ex_watchdog },
    [CK_LOGS_TO_STDERR] = {
        "logs-to-stderr", 12, "(not in the seed)",
        "new-style: log to stderr, the journal",
        "stdout and stderr are still the pipe the service manager handed in (the journal)",
        "Under a service manager, stderr is the journal: a service that sends it to "
        "/dev/null or a file hides its errors from journalctl and from the unit's status.",
        "Leave descriptors 1 and 2 as they were given; write log lines to stderr (a "
        "\"<3>\" prefix gives the priority, sd-daemon(3)).",
        "Leave sys.stderr as it is and log to it (logging.StreamHandler()).",
        NEW, 0, NEED_DAEMON,
        judge_logs_to_stderr, ex_logs_to_stderr },
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
    { 12, "new-style: under a service manager", "docs/tutorial/12-new-style.md" },
};

static const char *const need_reasons[NEED_COUNT] = {
    "no daemon that ran until it was asked to stop (see daemon-running)",
    "the daemon's /proc/PID/status could not be read",
    "no pidfile to judge: pass --pidfile PATH, or {pidfile} in an argument",
    "the pidfile does not exist (see pidfile-exists)",
    "the pidfile is not a regular file (see pidfile-safe)",
    "the launcher did not exit (new-style: READY=1 never came), so there was no moment to judge",
    "no daemon was running to stop (see daemon-running)",
    "the daemon did not stop (see stops-on-sigterm)",
    "no --stop-command given",
    "without --socket-activation",
    "without --watchdog MS",
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

const char *need_reason(enum need n)
{
    for (int i = 0; i < NEED_COUNT; i++)
        if (n == 1u << i)
            return need_reasons[i];
    return "an unknown need";
}

int daemon_lived(const struct evidence *ev)
{
    return ev->daemon.found && ev->alive_after_checks &&
           (ev->stop_ran || (ev->hangup_ran && !ev->survived_hangup) ||
            (ev->svc.sighup_ran && !ev->svc.survived_sighup));
}

static int need_met(enum need n, const struct evidence *ev, const struct options *opt)
{
    switch (n) {
    case NEED_DAEMON:           return daemon_lived(ev);
    case NEED_STATUS:           return ev->daemon.status_ok;
    case NEED_PIDFILE:          return ev->has_pidfile;
    case NEED_PIDFILE_SEEN:     return ev->pidfile.view.exists;
    case NEED_PIDFILE_FILE:     return S_ISREG(ev->pidfile.view.st.st_mode);
    case NEED_LAUNCH_EXITED:    return ev->launch.exited;
    case NEED_STOP_RAN:         return ev->stop_ran;
    case NEED_STOPPED:          return ev->stopped || ev->stopped_by_term;
    case NEED_STOP_COMMAND:     return opt->stop_command != NULL;
    case NEED_SOCKET_ACTIVATION: return opt->socket_activation;
    case NEED_WATCHDOG:         return opt->watchdog_ms != 0;
    case NEED_COUNT:            break;
    }
    return 0;
}

unsigned unmet_need(const struct check *c, const struct evidence *ev, const struct options *opt)
{
    for (int i = 0; i < NEED_COUNT; i++)
        if (c->needs & (1u << i) && !need_met((enum need)(1u << i), ev, opt))
            return 1u << i;
    return 0;
}

static void skip_with(struct result *r, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void skip_with(struct result *r, const char *fmt, ...)
{
    va_list ap;

    r->status = ST_SKIP;
    snprintf(r->observed, sizeof r->observed, "not observed");
    va_start(ap, fmt);
    vsnprintf(r->message, sizeof r->message, fmt, ap);
    va_end(ap);
}

int check_judged_elsewhere(const struct check *c, enum profile p)
{
    if (c->judged & (1u << p) || p == PROFILE_NEW_STYLE)
        return -1;
    for (int q = 0; q < PROFILE_COUNT; q++)
        if (c->judged & (1u << q))
            return q;
    return -1;
}

/* Why a profile does not judge a check. */
static const char *not_judged_reason(const struct check *c, enum profile p)
{
    int elsewhere = check_judged_elsewhere(c, p);

    if (elsewhere < 0)
        return "(not in the new-style profile: the service manager does this)";
    return elsewhere == PROFILE_NEW_STYLE ? "(a new-style check: --profile new-style)"
                                          : "(not in this profile)";
}

void checks_judge_all(const struct evidence *ev, const struct options *opt,
                      struct result results[CK_COUNT])
{
    for (int i = 0; i < CK_COUNT; i++) {
        const struct check *c = &checks[i];
        struct result *r = &results[i];
        unsigned need;

        memset(r, 0, sizeof *r);
        if (!(c->judged & (1u << opt->profile))) {
            skip_with(r, "%s", not_judged_reason(c, opt->profile));
            continue;
        }
        /* --step N: what later steps teach is not judged yet. */
        if (opt->step && c->step > opt->step) {
            skip_with(r, "(comes at step %d: %s)", c->step, step_find(c->step)->title);
            continue;
        }
        if ((need = unmet_need(c, ev, opt)) != 0) {
            skip_with(r, "%s", need_reason((enum need)need));
            continue;
        }
        c->judge(ev, opt, r);
        if (r->status == ST_FAIL && !(c->required & (1u << opt->profile)))
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
