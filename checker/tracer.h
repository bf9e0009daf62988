/* tracer.h — following every process of the candidate with ptrace, for
 * --trace, and filling the record of trace.h.
 *
 * The tracer owns no event loop and never waits on its own: the checker
 * reaps with waitpid(-1, &status, __WALL | WNOHANG) when SIGCHLD arrives
 * and hands every result to tracer_on_wait(). How a launch is traced:
 *
 *   checker                              launcher (forked by the holder)
 *   go = pipe2(O_CLOEXEC)
 *   fork holder -> fork launcher  ...    hostile set-up
 *                                        tracer_child_go(tr, go[0])  (blocks)
 *   learn the launcher's pid
 *   ok = tracer_seize(tr, pid, launch) == 0
 *   tracer_go(tr, go[1], ok)   ------->  reads the byte; traced with the
 *                                        filter: installs it; returns
 *                                        execv(...)
 *
 * The launcher is seized before it execs the candidate, so nothing the
 * candidate does escapes (no race with its first fork). In filter mode a
 * seccomp filter makes only the system calls that matter stop; it stays
 * in every descendant for life, and a filtered call of a process that no
 * tracer follows fails with ENOSYS: so a traced process is never
 * detached, only killed (tracer_finish) — PTRACE_O_EXITKILL does it if
 * the checker dies.
 *
 * The go pipe is O_CLOEXEC (the candidate never sees it), and its read end
 * must survive the launcher's set-up (not on 0-2 nor on a sentinel's
 * number). Without --trace there is no go pipe and nothing here is called.
 *
 * What the caller must guarantee:
 *   - every waitpid() result of the checker goes to tracer_on_wait(), the
 *     checker's own helpers' included (they are ignored): a traced process
 *     whose exit the tracer never sees keeps its pid reserved, and one
 *     reaped behind the tracer's back would leave a stale entry. A
 *     waitid(WEXITED) without __WALL consumes ptrace stops too (as
 *     CLD_TRAPPED): it must not be used while tracing;
 *   - never block waiting for one process (waitpid on a pid, waitid on a
 *     pidfd) unless nothing traced can be in its way: a tracee's stop
 *     waits for the tracer, and since Linux 6.1 even SIGKILL does not take
 *     a tracee out of its exit stop;
 *   - drain the waits (SIGCHLD) before reading /proc: a traced process's
 *     exit reaches its real parent only after the tracer has seen it, and
 *     a stop waits for the tracer (state 't' meanwhile);
 *   - at the end, kill and reap the candidate as usual, then call
 *     tracer_finish(), which kills and reaps whatever is still traced. */
#ifndef CHECKER_TRACER_H
#define CHECKER_TRACER_H

#include <sys/types.h>

#include "trace.h"

#define TRACER_MAX_SENTINELS 8
#define TRACER_MAX_SIGNALS 8

/* TRACER_AUTO is the filter, as root and as an ordinary user alike: it
 * stops 4-6 times less often than PTRACE_SYSCALL (tests/trace/bench.py).
 * An ordinary user's launcher sets no_new_privs for it, which changes
 * nothing that ptrace by an unprivileged tracer had not changed already
 * (set-user-ID programs run without their privileges either way); the
 * trace says so. */
enum tracer_mode {
    TRACER_AUTO,        /* the recommended mode: the filter where it can be installed */
    TRACER_FILTER,      /* a seccomp filter, PTRACE_CONT between the calls that matter */
    TRACER_SYSCALL      /* PTRACE_SYSCALL: every system call stops twice */
};

struct tracer_config {
    enum tracer_mode mode;
    const char *pidfile;            /* the pidfile's path, or NULL */
    int sentinel_fds[TRACER_MAX_SENTINELS];    /* descriptors planted at launch */
    int nsentinel_fds;
    int watched_sigs[TRACER_MAX_SIGNALS];      /* the sentinel signals: their
                                       handling and masking are recorded,
                                       as SIGHUP's and SIGTERM's always are */
    int nwatched_sigs;
    size_t max_tasks;               /* threads followed with their state (0: 4096);
                                       past it, stops are only resumed */
};

struct tracer;

/* A tracer that fills rec (trace_init'ed by the caller, who frees it).
 * NULL with errno on failure. rec->mode says the mode chosen. */
struct tracer *tracer_new(const struct tracer_config *cfg, struct trace *rec);
void tracer_free(struct tracer *tr);

/* Begin a launch whose terminal is the character device tty (0: none):
 * its index in rec->launches, or -1 with ENOSPC. */
int tracer_launch(struct tracer *tr, enum trace_launch_kind kind, dev_t tty);

/* Attach to the launcher, waiting in tracer_child_go() (so not yet
 * exec'ed). 0, or -1 with errno: EPERM when it is already traced by
 * another tracer (the checker itself under strace -f), which the record
 * tells; the launch then goes on untraced. */
int tracer_seize(struct tracer *tr, pid_t pid, int launch);

/* Checker side of the handshake: tell the launcher whether it is traced
 * (seized: the result of tracer_seize was 0) and how. 0, or -1 with errno. */
int tracer_go(const struct tracer *tr, int go_fd, int seized);

/* Launcher side, between fork and exec (system calls only): wait for the
 * go byte, install the filter when told to. 1 traced, 0 not traced (no
 * byte: the checker is gone or does not trace), -1 with errno when the
 * read failed. A filter that cannot be installed is no error: the tracer
 * sees that it stops nowhere and stops at every system call instead. */
int tracer_child_go(const struct tracer *tr, int go_fd);

/* One result of the checker's waitpid(-1, &status, __WALL | WNOHANG).
 * 1: a ptrace stop, recorded and resumed (nothing else to do); 0: not a
 * stop (an exit, recorded when the process was traced; or a process the
 * tracer does not know). Bounded work, never blocks. */
int tracer_on_wait(struct tracer *tr, pid_t pid, int status);

/* The real parent of a traced process that has just ended, as seen when
 * it exited: the checker's own pid means the wait reaped it; another pid
 * means the wait was only the tracer's notice, and the zombie now waits
 * for that parent. 0 when unknown. Remembers the last 64 exits. */
pid_t tracer_exit_parent(const struct tracer *tr, pid_t pid);

/* A signal that one of pid's threads was resumed with, and has not yet
 * stopped again since: handed back to the kernel by the tracer, it is no
 * longer pending in /proc, yet it may be on its way to ending the
 * process. 0 when none. */
int tracer_signal_in_flight(const struct tracer *tr, pid_t pid);

/* How many threads are traced now. */
int tracer_live(const struct tracer *tr);

/* The end: kill every process still traced and reap it, for at most
 * about a second. 0, or -1 with EBUSY when some could not be reaped (the
 * checker's exit then kills them: PTRACE_O_EXITKILL). */
int tracer_finish(struct tracer *tr);

#endif
