/* trace_explain_parts.h — what the files of trace_explain share: the
 * run's facts gathered once, one finder per check, and how a finder marks
 * what it found. Internal to trace_explain*.c.
 *
 * A finder looks, in the record, for what explains its check's failure,
 * and marks it with one sentence in words a student can act on: pids,
 * and times in ms since the launch began (the timeline's). When the
 * record does not show it, the finder marks nothing: no mark is better
 * than a wrong one. */
#ifndef CHECKER_TRACE_EXPLAIN_PARTS_H
#define CHECKER_TRACE_EXPLAIN_PARTS_H

#include "checks.h"
#include "evidence.h"
#include "trace.h"
#include "trace_query.h"

struct explain {
    struct trace *t;
    const struct evidence *ev;
    const struct result *results;
    int first;                  /* the first start's launch (the service's), or -1 */
    pid_t daemon;               /* the daemon the checker judged, or 0 */
    struct tq_line line;        /* the daemon and its ancestors in the first start */
};

/* Mark an event (ignored when event < 0), or a process of a launch (pid
 * 0: the whole launch; ignored when the record lacks it), with a sentence. Whether the table had room is
 * not the finder's business: a mark that does not fit is left out. */
void ex_mark_event(struct explain *x, long event, int check, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
void ex_mark_proc(struct explain *x, int launch, pid_t pid, int check, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));

/* The words of a process's role in its launch ("intermediate", "worker",
 * "second start": trace_words.h), "process" when unknown. */
const char *ex_role(const struct explain *x, int launch, pid_t pid);

/* How a process ended, from its TE_EXIT event, as the predicate of a
 * sentence: "exited with status 1", "was killed by SIGPIPE". */
void ex_end_words(const struct explain *x, long event, char *buf, size_t cap);

/* The last event of a kind (an enum trace_kind, -1 for any) in the
 * daemon's line (see tq_line_last), with an optional test; -1 when none,
 * or when there is no daemon. */
long ex_line_last(const struct explain *x, int kind,
                  int (*test)(const struct trace_event *e, const void *arg), const void *arg);

/* The last step in the daemon's line that put something on fd or closed
 * it (an open, a dup, a close), or -1. */
long ex_line_last_on_fd(const struct explain *x, int fd);

/* The daemon's own end, in the first start, or -1. */
long ex_daemon_exit(const struct explain *x);

/* The checker's act (TE_CHECKER) of a kind on a pid (0: any) in a launch:
 * the first after `after`, or -1. */
long ex_checker_act(const struct explain *x, int launch, enum trace_checker_act act, pid_t pid,
                    long after);

/* The checker's first signal sig to pid in a launch, or -1. */
long ex_checker_signal(const struct explain *x, int launch, pid_t pid, int sig);

/* Is a signal's bit set in a /proc mask (SigBlk, SigIgn)? */
int ex_sig_in(unsigned long long mask, int sig);

/* The finders, by file. */
explain_fn ex_launcher_exits, ex_daemon_running, ex_survives_hangup, ex_stops_on_sigterm,
    ex_no_leftovers, ex_stop_command;                           /* trace_explain_life.c */
explain_fn ex_session, ex_not_session_leader, ex_cwd, ex_umask, ex_stdio, ex_stdio_open,
    ex_no_inherited_fds, ex_signals_reset, ex_no_zombies;       /* trace_explain_state.c */
explain_fn ex_pidfile_exists, ex_pidfile_content, ex_pidfile_safe, ex_pidfile_locked,
    ex_single_instance, ex_stale_pidfile, ex_pidfile_removed;   /* trace_explain_pidfile.c */
explain_fn ex_stays_foreground, ex_notify_ready, ex_notify_stopping, ex_reload_on_sighup,
    ex_socket_activation, ex_watchdog, ex_logs_to_stderr;       /* trace_explain_service.c */

#endif
