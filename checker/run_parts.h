/* run_parts.h — what the two kinds of run share (run.c): the run's state,
 * its errors, its waits, the stop and the sweep. The classic phases are in
 * run_classic.c, the new-style ones in run_service.c. Not a public
 * interface: run.h is. */
#ifndef CHECKER_RUN_PARTS_H
#define CHECKER_RUN_PARTS_H

#include <limits.h>
#include <stddef.h>

#include "command.h"
#include "evidence.h"
#include "hostile.h"
#include "inspect.h"
#include "launch.h"
#include "notify.h"
#include "options.h"
#include "scratch.h"
#include "svclaunch.h"
#include "trace.h"
#include "tracer.h"
#include "tracker.h"

struct run {
    const struct options *opt;
    struct evidence *ev;
    struct tracker t;
    struct scratch sc;
    struct command *cmd;
    struct hostile h;
    struct hostile stop_h;      /* the same, but in the checker's directory */
    char here[PATH_MAX];
    struct launch first;
    struct inspect_ref ref;
    struct tracked daemon;      /* the daemon of the first launch */
    int have_daemon;
    pid_t stale_daemon;         /* the daemon of the stale-pidfile start, or 0 */
    char *err;
    size_t errlen;
    long start_ms;              /* the run's start: the notify record's zero */

    /* new-style */
    struct notify *notify;      /* the receiver (its record outlives the run) */
    int listener;               /* --socket-activation's socket, or -1 */
    int client;                 /* the connection made at READY=1, or -1 */
    unsigned port;
    struct service svc;
    struct service_env env;

    /* --trace */
    struct tracer *tracer;      /* NULL: untraced */
    struct trace *trace;        /* the record (run_output's: it outlives the run) */
};


/* A one-line message in r->err; -1. */
int run_fail(struct run *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* A failed wait: the checker was interrupted, or a system call failed. */
int run_wait_failed(struct run *r, const char *what);

/* now_ms() + ms. */
long run_deadline(unsigned ms);

int run_scan(struct run *r, struct procset *now);

/* Wait for the settle time (nothing at --settle 0). */
int run_settle(struct run *r);

/* The first live process of origin in now that is not in not_in (may be NULL). */
const struct tracked *run_alive_of(const struct procset *now, enum origin origin,
                                   const struct procset *not_in);

/* Wait until done() holds for the pidfile, or no process of origin is left
 * alive to change it, or the deadline passes. 0, or -1 (message set). */
int run_wait_for_pidfile(struct run *r, enum origin origin, long deadline,
                         int (*done)(const struct pidfile_view *, const void *),
                         const void *arg);

/* A pidfd on a process of origin that could still act: a live one, or
 * else one on its way out (exiting, or a zombie) whose end is not yet in
 * `gone`, since what it forked just before may be missing from the scan;
 * *picked is that process (add it to `gone` once its pidfd is readable).
 * -1: none is left (errno 0), or the pidfd could not be made (errno set). */
int run_pidfd_of(struct run *r, enum origin origin, const struct procset *gone,
                 struct tracked *picked);

/* done() for run_wait_for_pidfile: it exists and is not empty. */
int run_pidfile_written(const struct pidfile_view *v, const void *arg);

/* The later look at the zombie children the inspection saw (made before
 * the stop): the daemon's `zombies` become those it left unreaped. 0, or
 * -1 (message set). */
int run_look_again_at_zombies(struct run *r);

/* Is the first launch's daemon still alive? */
int run_daemon_alive(const struct run *r);

/* Wait, until the deadline, for the processes of a launch that are on
 * their way out; what still runs then (outside `before` and the daemon's
 * tree) is added to `left`. 0, or -1 (message set). */
int run_settle_launch(struct run *r, enum origin origin, const struct procset *before,
                      long deadline, struct pid_list *left);

/* Ask daemon d to stop (the stop command, or SIGTERM) and wait for it;
 * when a stop command did not stop it, the checker's own SIGTERM is
 * tried. 0, or -1 (message set). */
int run_stop_daemon(struct run *r, const struct tracked *d, struct launch_result *cmd,
                    int *stopped, long *ms, int *term_tried, int *stopped_by_term);

/* What the pidfile holds, NUL-terminated in bytes; 0 when it is gone. */
int run_pidfile_left(const char *path, char *bytes, size_t cap);

/* End what the run's starts left running, counting it: the stop command's
 * processes in stop_cmd_left, the candidate's (but `exempt`) in leftovers. */
int run_sweep(struct run *r, const struct tracked *exempt);

/* --trace (run_trace.c); each does nothing without it. Begin: the tracer
 * and the tracker's hooks, after the set-up (0, or -1 with the message). */
int run_trace_begin(struct run *r, struct trace *rec);
/* How a launch of origin is traced: NULL when it is not. */
const struct launch_trace *run_trace_launch(struct run *r, enum origin origin,
                                            struct launch_trace *buf);
/* What the checker did, written where it happened. */
void run_trace_hangup(struct run *r, const struct launch *l);
void run_trace_stop_command(struct run *r, const struct launch *stopper);
/* After the sweep: every traced process ended, the roles given. */
void run_trace_end(struct run *r);

/* The phases of each kind of run, after the common set-up. */
int run_classic(struct run *r);
int run_service(struct run *r);

#endif
