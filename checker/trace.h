/* trace.h — what each process of the candidate did, in order (--trace).
 *
 * The tracer (tracer.c) records events while a run goes on: every process
 * the candidate creates in every launch of the run, and what it did that a
 * daemon's correctness depends on. The text timeline (trace_text.c) and
 * the picture (trace_html.c) read this record; neither sees the tracer.
 * trace.c keeps the record: bounded appends, lookups, roles.
 *
 * Times are microseconds on CLOCK_MONOTONIC since the run started, so that
 * every launch shares one axis; a launch's own times are `us - t0_us`. */
#ifndef CHECKER_TRACE_H
#define CHECKER_TRACE_H

#include <stddef.h>
#include <sys/types.h>

#define TRACE_MAX_LAUNCHES 8
#define TRACE_DETAIL 128

/* Which launch of the run a process belongs to. */
enum trace_launch_kind {
    TL_START,           /* the first start */
    TL_SECOND,          /* the second start (single-instance) */
    TL_STOP,            /* the stop command */
    TL_STALE,           /* the start with a stale pidfile */
    TL_SERVICE          /* new-style: the one start, as a service manager does */
};

/* A process's part in its launch, as far as the trace could tell. */
enum trace_role {
    TR_LAUNCHER,        /* the launch's first process */
    TR_INTERMEDIATE,    /* forked, then exited while the launch went on */
    TR_DAEMON,          /* the daemon the checker judged */
    TR_WORKER,          /* a descendant of the daemon */
    TR_STOPPER,         /* a process of the stop command */
    TR_OTHER
};

enum trace_kind {
    TE_SPAWN,           /* fork, vfork or clone of a new process: value = the child's pid */
    TE_EXEC,            /* execve: detail = the program */
    TE_SETSID,          /* value = the new session id, or -errno */
    TE_SETPGID,         /* value = the new process group, or -errno */
    TE_CHDIR,           /* chdir or fchdir: detail = the directory */
    TE_UMASK,           /* value = the new umask */
    TE_OPEN,            /* of /dev/null, a terminal or the pidfile: value = fd, detail = path */
    TE_DUP,             /* dup2, dup3 or fcntl F_DUPFD onto 0-2 or a sentinel: value = new fd */
    TE_CLOSE,           /* close or close_range of 0-2 or a sentinel: value = fd (first of a range) */
    TE_PIDFILE_WRITE,   /* a write to the pidfile: detail = the bytes, quoted */
    TE_LOCK,            /* fcntl F_SETLK/F_SETLKW/F_OFD_SETLK or flock: value = fd */
    TE_SIGACTION,       /* a change to a sentinel signal, SIGHUP or SIGTERM: value = the signal */
    TE_SIGMASK,         /* a change of the signal mask that touches a sentinel signal */
    TE_SIGNAL,          /* a signal delivered to the process: value = the signal */
    TE_NOTIFY,          /* an sd_notify datagram it sent: detail = the message */
    TE_EXIT,            /* it ended: value = the wait status */
    TE_CHECKER,         /* what the checker did here: hang-up, SIGTERM, stop command */
    TE_UNSEEN,          /* what the trace could not see from here on (a setuid exec,
                           already traced, a lost stop): detail says what */
    TE_NOTE,            /* what the trace itself changed or how it traced here
                           (no_new_privs set for its filter, every system call
                           stopped): nothing is hidden, detail says what */
    TE_KILL,            /* a signal it sent (kill, tkill, tgkill, rt_sigqueueinfo,
                           rt_tgsigqueueinfo, pidfd_send_signal): value = the
                           signal, arg = the target */
    TE_UNLINK           /* the pidfile's name removed or replaced (unlink,
                           unlinkat, rename): value = 0 or -errno, arg = how */
};

/* How a TE_UNLINK touched the pidfile's name (its arg). */
enum trace_unlink_how {
    TU_REMOVED,         /* unlink or unlinkat of the pidfile */
    TU_MOVED_AWAY,      /* the pidfile renamed to another name */
    TU_REPLACED,        /* another file renamed onto the pidfile's name */
    TU_ELSEWHERE        /* a file of the pidfile's name in another directory (a
                           relative path from another working directory): not
                           the pidfile */
};

/* What the checker did (TE_CHECKER's arg): the picture draws a hang-up
 * across every lane, a signal down to its target, the stop command down to
 * its own lane. */
enum trace_checker_act {
    TC_OTHER,           /* detail says what */
    TC_HANGUP,          /* hung up the launch's terminal */
    TC_SIGNAL,          /* sent the signal value to pid */
    TC_STOP_COMMAND,    /* ran the stop command: its launch's first process */
    TC_SWEEP            /* killed pid, left over at the end of the run */
};

/* How the processes were traced. */
enum trace_mode {
    TM_OFF,             /* not traced */
    TM_FILTER,          /* a seccomp filter stops only the system calls that matter */
    TM_SYSCALL          /* every system call stops (PTRACE_SYSCALL) */
};

/* The record's bounds when trace_init is given 0. */
#define TRACE_DEFAULT_MAX_EVENTS 20000
#define TRACE_DEFAULT_MAX_PROCS 4000

struct trace_event {
    long long us;       /* since the run started */
    int launch;         /* index in trace.launches */
    pid_t pid;          /* the process it happened in (0 for TE_CHECKER on no process) */
    pid_t ppid;         /* its parent at that moment */
    enum trace_kind kind;
    long long value;    /* as the kind says */
    char detail[TRACE_DETAIL];  /* the words a reader needs: "fork -> 1234",
                                   "/dev/null as fd 0", "\"1234\\n\"" */
    int check;          /* the check (enum check_id) this event explains, or -1 */
    long long arg;      /* a second number, for the kinds that have one (below); else 0 */
};

/* What the renderers (trace_words.c) read in value, arg and detail, where
 * the list above leaves it open. detail is raw data from the candidate
 * (a path, a program, bytes already quoted): the renderers make the words
 * and escape them for each format, so the tracer never does.
 *   TE_SPAWN   detail: the call ("fork", "vfork", "clone"; "" reads fork);
 *              value: the child's pid
 *   TE_EXEC    detail: the program; value: 0, or -errno when it failed
 *   TE_OPEN, TE_DUP, TE_CLOSE, TE_LOCK: detail is the tracer's whole
 *              sentence, saying what each descriptor is (/dev/null, the
 *              terminal, a sentinel, the pidfile); the renderers print
 *              it as it is, and put the numbers in words only when it
 *              is empty:
 *   TE_OPEN    value: the fd, or -errno
 *   TE_DUP     value: the new fd; arg: the old fd (-1 when unknown)
 *   TE_CLOSE   value: the fd; arg: the last fd of a range (close_range;
 *              INT_MAX for "to the end"), else = value
 *   TE_LOCK    value: the fd, or -errno when the lock was refused; arg: 1
 *              when the file is the pidfile, else 0
 *   TE_PIDFILE_WRITE detail: the bytes, quoted, and where they went
 *   TE_SIGACTION value: the signal; arg: 0 default, 1 ignored, 2 a handler
 *   TE_SIGMASK detail: what changed ("SIGRTMIN+2 unblocked"); may be empty
 *   TE_SIGNAL  value: the signal
 *   TE_CHECKER arg: what it did (enum trace_checker_act); value: the
 *              signal sent, 0 for none; pid: its target, 0 for none;
 *              detail: the words, when the act's own are not enough
 *   TE_UNSEEN  detail: why, in words ("a setuid program was executed")
 *   TE_KILL    value: the signal (0: a probe); arg: the target as the call
 *              named it: a pid, -pgid for a process group, 0 its own
 *              group, -1 every process it may signal; tgkill's process
 *              (not its thread); pidfd_send_signal's process behind the
 *              descriptor, 0 when unknown. detail: the tracer's whole
 *              sentence: the call and its target, ", the pidfile's pid"
 *              when the target is the pid the pidfile holds (or last
 *              held, as the tracer read it), then ": done" or ": ESRCH"
 *              (the result, once the call returned; nothing when it never
 *              did), then " (and N more times, until T ms)" when the same
 *              call to the same target, with the same result, came again
 *              and again (a stop loop): recorded twice, then counted.
 *              Recorded for a signal that ends, stops or probes a process
 *              (0, SIGHUP, SIGINT, SIGQUIT, SIGKILL, SIGTERM), whoever the
 *              target; for any other signal only when the target is a
 *              process of the run, and only by kill, rt_sigqueueinfo or
 *              pidfd_send_signal (a thread's internal signals, SIGURG for
 *              a runtime's preemption, are not worth a stop)
 *   TE_UNLINK  value: 0, or -errno when the call failed; arg: how (enum
 *              trace_unlink_how); detail: the tracer's whole sentence, with
 *              the paths as the call gave them ("unlinkat(fd 4
 *              /tmp/checker.X, \"daemon.pid\"), the pidfile: done"). The
 *              pidfile is found by its directory (device and inode, through
 *              the caller's working directory or dirfd) and its last name,
 *              so that a relative path or a dirfd is recognised */

struct trace_proc {
    pid_t pid;
    pid_t ppid;         /* its parent when it was created */
    int launch;
    enum trace_role role;
    long long start_us; /* created (or first seen) */
    long long end_us;   /* ended, or -1 when still alive at the end of the trace */
    pid_t sid, pgid;    /* at creation; changes are TE_SETSID/TE_SETPGID events */
    int status;         /* its wait status, when end_us >= 0 */
    pid_t exit_ppid;    /* its real parent when it ended (0: unknown) */
    char comm[32];
};

struct trace_launch {
    enum trace_launch_kind kind;
    long long t0_us;    /* when it started, on the run's axis */
    pid_t first;        /* its first process (the launcher), or 0 */
};

/* A failed check and what explains it: an event, or a process (or a whole
 * launch) in which something that should have happened never did. */
#define TRACE_MAX_MARKS 64
#define TRACE_WHY 256

struct trace_mark {
    long event;         /* index in trace.ev, or -1 */
    int launch;         /* with event -1: the launch it concerns */
    pid_t pid;          /* with event -1: the process it concerns, or 0 for the launch */
    int check;          /* enum check_id */
    char why[TRACE_WHY];    /* one sentence, for the student: what went wrong here */
};

struct trace {
    struct trace_launch launches[TRACE_MAX_LAUNCHES];
    int nlaunches;
    struct trace_event *ev;
    size_t nev, ev_cap;
    struct trace_proc *procs;
    size_t nprocs, procs_cap;
    size_t dropped;     /* events not kept past the bound (a fork loop) */
    struct trace_mark marks[TRACE_MAX_MARKS];
    int nmarks;
    size_t ev_max, procs_max;   /* the bounds */
    size_t procs_dropped;       /* processes not kept past the bound */
    size_t stops;               /* ptrace stops taken: what the trace cost */
    long long t0_mono_us;       /* CLOCK_MONOTONIC when the run started */
    enum trace_mode mode;
};

/* Tie a failed check to the event that explains it, with the sentence the
 * renderers print beside it (the checker decides which event that is). A
 * mark also sets the event's `check` when that is still -1. 0, or -1 with
 * errno ENOSPC (the table is full) or EINVAL (no such event). */
int trace_mark_event(struct trace *t, size_t event, int check, const char *why);
/* The same for a failure that no event explains, because a step was never
 * taken (inherited descriptors never closed): it is shown on the process
 * that should have taken it (pid), or on the launch (pid 0). */
int trace_mark_process(struct trace *t, int launch, pid_t pid, int check, const char *why);

/* An empty record whose clock starts now; 0 bounds take the defaults. */
void trace_init(struct trace *t, size_t max_events, size_t max_procs);
void trace_free(struct trace *t);

/* Microseconds on the run's axis, now. */
long long trace_now(const struct trace *t);

/* A new launch, its clock starting now: its index, or -1 (ENOSPC). */
int trace_add_launch(struct trace *t, enum trace_launch_kind kind);

/* Append an event stamped now, detail from a printf format (NULL: empty).
 * Its index, or -1 when the bound is reached (counted in `dropped`) or
 * memory is short (ENOMEM). */
long trace_add_event(struct trace *t, int launch, pid_t pid, pid_t ppid,
                     enum trace_kind kind, long long value, const char *fmt, ...)
    __attribute__((format(printf, 7, 8)));

/* Append a process created now: its index, or -1 past the bound (counted
 * in `procs_dropped`) or on ENOMEM. */
long trace_add_proc(struct trace *t, int launch, pid_t pid, pid_t ppid);

/* The last process recorded with this pid, or NULL. */
struct trace_proc *trace_find_proc(struct trace *t, pid_t pid);

/* Give the processes of one launch their roles, once the checker knows
 * which one is the daemon (0: none): its descendants are workers, those
 * that ended before it intermediates; a stop command's are stoppers. */
void trace_assign_roles(struct trace *t, int launch, pid_t daemon);

/* Short names for machines (the JSON, tests): "start", "second", ...;
 * "launcher", "worker", ... The words a reader gets are trace_words.h's. */
const char *trace_launch_name(enum trace_launch_kind kind);
const char *trace_role_name(enum trace_role role);

#endif
