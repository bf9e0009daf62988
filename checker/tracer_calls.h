/* tracer_calls.h — two kinds of system call by which a traced process
 * acts on others, read for the tracer (tracer.c): the signals it sends
 * (kill, tkill, tgkill, rt_sigqueueinfo, rt_tgsigqueueinfo,
 * pidfd_send_signal) and the calls that remove or replace a name (unlink,
 * unlinkat, rename, renameat, renameat2), and the words the record keeps
 * for them (trace.h, TE_KILL and TE_UNLINK).
 *
 * What a call's registers and /proc say, nothing more: no state, no
 * record; the tracer reads the tracee's memory and keeps the rest. */
#ifndef CHECKER_TRACER_CALLS_H
#define CHECKER_TRACER_CALLS_H

#include <limits.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The signals worth a stop whoever the target, and for the calls that
 * name a thread the only ones: what ends, stops or reloads a process.
 * (0, the probe, matters too, but only to a process: sent_matters.) */
extern const int sent_stop_signals[];
extern const size_t sent_nstop_signals;

/* A signal being sent, as its call names it. */
struct sent_call {
    const char *call;           /* "kill", "tgkill", ... */
    int sig;
    pid_t target;               /* as trace.h's TE_KILL arg: a pid, -pgid, 0, -1;
                                   the process of a thread; 0 when unknown */
    pid_t thread;               /* the thread the call names, else 0 */
    int pidfd;                  /* pidfd_send_signal's descriptor, else -1 */
    int ended;                  /* the pidfd's process had already ended */
};

/* Is nr a call that sends a signal? 2 when it names a thread (tkill,
 * tgkill, rt_tgsigqueueinfo), 1 when a process, 0 when neither. */
int sent_call_kind(uint64_t nr);

/* Where its signal is in its arguments (the filter tests it there). */
int sent_sig_arg(uint64_t nr);

/* Decode such a call made by thread tid (its pidfd and a thread's process
 * looked up in /proc): 0, or -1 when nr is not one. */
int sent_decode(pid_t tid, uint64_t nr, const uint64_t *args, struct sent_call *k);

/* Is the signal worth recording whoever its target: 0 (a probe), or one
 * of sent_stop_signals? */
int sent_matters(int sig);

/* The sentence before its result: "kill(4567, SIGTERM) to the pidfile's
 * pid" (pidfile_pid: the pid the pidfile holds or last held, 0 when
 * unknown). */
void sent_words(const struct sent_call *k, pid_t pidfile_pid, char *buf, size_t cap);

/* The pid a pidfile holds now: its leading decimal digits, read without
 * following a symlink and without blocking (a FIFO planted there). 0 when
 * there is none. */
pid_t pidfile_pid_now(const char *path);

/* Where the pidfile is: its directory (found by device and inode, so that
 * any path to it matches) and its last name. */
struct pidfile_place {
    char dir[PATH_MAX];         /* as given: where to look the directory up again */
    const char *base;           /* into the pidfile's path */
    int known;                  /* dev and ino were read */
    dev_t dev;
    ino_t ino;
};

/* Set up from the pidfile's path; the directory may not exist yet (it is
 * looked up again when needed). 0, or -1 with EINVAL for an empty name. */
int pidfile_place_init(struct pidfile_place *pf, const char *pidfile);

/* A call that removes or replaces names. */
struct name_call {
    const char *call;           /* "unlink", "unlinkat", "rename", ... */
    int npaths;                 /* 1 (unlink), 2 (rename: from, to) */
    int dirfd[2];               /* AT_FDCWD, or the directory descriptor */
    uint64_t path[2];           /* the paths' addresses in the tracee */
    int exchange;               /* renameat2 RENAME_EXCHANGE: both names stay */
};

/* Is nr one of the calls that remove or replace a name? */
int name_call_is(uint64_t nr);

/* Is nr such a call, and what does it name? 0, or -1 when it is not one,
 * or one that removes a directory (unlinkat AT_REMOVEDIR). */
int name_call_decode(uint64_t nr, const uint64_t *args, struct name_call *c);

enum name_match {
    NM_OTHER,                   /* another name */
    NM_PIDFILE,                 /* the pidfile */
    NM_ELSEWHERE                /* the pidfile's last name, in another directory */
};

/* What path, given by thread tid relative to dirfd (AT_FDCWD: its working
 * directory; ignored for an absolute path, which starts from its root),
 * names. Its directory is looked up through /proc/TID/{cwd,fd/N,root}, as
 * the call itself would find it; the last name is compared as given (the
 * call does not follow it). NM_OTHER when it cannot be told. */
enum name_match name_match(pid_t tid, int dirfd, const char *path, struct pidfile_place *pf);

/* "unlinkat(fd 4 /tmp/checker.X, \"daemon.pid\")": the call and its
 * paths as given (a descriptor named with where it points). */
void name_call_words(pid_t tid, const struct name_call *c, const char *const paths[2],
                     char *buf, size_t cap);

#endif
