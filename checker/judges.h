/* judges.h — one function per check, turning evidence into a result.
 * They are named in the table of checks (checks.c) and nowhere else:
 * judges.c (the process and its descriptors, the stop), judges_pidfile.c
 * (the pidfile and single instances), judges_service.c (new-style). */
#ifndef CHECKER_JUDGES_H
#define CHECKER_JUDGES_H

#include "checks.h"

judge_fn judge_launcher_exits, judge_daemon_running, judge_no_ctty,
    judge_new_session, judge_not_session_leader, judge_survives_hangup,
    judge_cwd, judge_umask, judge_stdio, judge_no_inherited_fds,
    judge_signals_reset, judge_pidfile_exists, judge_pidfile_content,
    judge_pidfile_safe, judge_pidfile_locked, judge_single_instance,
    judge_stale_pidfile, judge_no_zombies, judge_stops_on_sigterm,
    judge_pidfile_removed, judge_no_leftovers, judge_stdio_open, judge_stop_command,
    judge_stays_foreground, judge_notify_ready, judge_notify_stopping,
    judge_reload_on_sighup, judge_socket_activation, judge_watchdog,
    judge_logs_to_stderr;

/* Why an open standard descriptor is wrong (stdio's rule, in the
 * reports' words), or NULL. */
const char *stdio_fault(const struct fd_seen *f);

/* "pts/3", "tty1", or "4:64": a tty_nr from /proc/PID/stat made readable. */
void tty_name(int tty_nr, char *out, size_t cap);

#endif
