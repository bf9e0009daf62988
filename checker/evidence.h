/* evidence.h — what a run saw happen, gathered phase by phase (run.c) and
 * then judged check by check (judges.c). The evidence holds facts only:
 * numbers, pids, flags, enums, and bytes the candidate wrote; the judges
 * alone put them into words. Keeping the observation apart from the
 * verdict lets each judge be tested on evidence made up in a unit test. */
#ifndef CHECKER_EVIDENCE_H
#define CHECKER_EVIDENCE_H

#include <limits.h>
#include <sys/types.h>

#include "hostile.h"
#include "pidfile.h"
#include "proc.h"

#define EV_MAX_FDS 32
#define EV_MAX_PIDS 8
#define EV_OUTPUT 256

/* A file's identity. */
struct object_id {
    dev_t dev;
    ino_t ino;
};

/* One launch of a command. */
struct launch_result {
    int exited;             /* it exited within the timeout */
    int status;             /* its wait status, when exited */
    long elapsed_ms;        /* from the start to its exit (or to the timeout) */
    int left_behind;        /* processes of this launch that the checker adopted when
                               the launcher ended: alive, or ended and reaped by it */
    char output[EV_OUTPUT]; /* the first bytes it wrote on the terminal */
    size_t output_len;
};

/* One descriptor of the daemon. */
struct fd_seen {
    int fd;
    char target[PATH_MAX];  /* readlink of /proc/PID/fd/N */
    int is_terminal;
    int is_launch_tty;      /* the terminal the checker launched it on */
    int sentinel;           /* one of the descriptors the checker planted */
    int is_pidfile;         /* the pidfile itself */
    int is_journal;         /* new-style: the journal pipe the checker handed in */
    unsigned long long socket_inode;    /* a socket's inode, or 0 */
    int is_regular;         /* a regular file */
    int have_flags;         /* flags below were read from fdinfo */
    unsigned flags;         /* open flags: O_ACCMODE, O_APPEND */
};

/* A short list of processes, for the reports. */
struct pid_list {
    int count;              /* how many there were, even past EV_MAX_PIDS */
    pid_t pid[EV_MAX_PIDS];
    char comm[EV_MAX_PIDS][32];
};

/* How a process ended, as the checker saw it (it reaped it). */
struct process_end {
    int seen;               /* 0: not seen to end */
    pid_t pid;
    char comm[32];
    int status;             /* its wait status */
};

/* A zombie child of the daemon, as the inspection saw it: pid and start
 * time, so that a later look finds the very same process. */
struct zombie_seen {
    pid_t pid;
    unsigned long long starttime;
    char comm[32];
};

struct daemon_seen {
    int found;
    struct proc_stat st;
    int status_ok;
    struct proc_status status;
    char cwd[PATH_MAX];
    int cwd_errno;
    int cwd_is_expected;    /* same directory (device and inode) as --cwd */
    int nfds;
    int fds_errno;
    struct fd_seen fds[EV_MAX_FDS];
    long inspected_ms;      /* when it was inspected, in ms since the run's start */
    int zombies_seen;       /* its zombie children at the inspection, all counted */
    struct zombie_seen zombie[EV_MAX_PIDS];     /* the first of them */
    int zombies_looked;     /* the later look at them was made (before the stop) */
    long zombies_after_ms;  /* ... this long after the inspection */
    struct pid_list zombies;    /* those that count: the same process still a zombie at
                                   the later look and a timeout after it, or left for
                                   the checker to reap when the daemon died */
    int lock_held;
    pid_t lock_holder;      /* the process whose descriptor holds it, 0 when only the
                               kernel's answer is known */
    struct proc_lock lock;
};

/* Who the pid in the pidfile is, as far as the checker can tell. */
enum pid_owner {
    OWNER_NONE,             /* no valid pid to look at */
    OWNER_DESCENDANT,       /* a live process the candidate started */
    OWNER_DEAD,             /* no such process */
    OWNER_INIT,             /* pid 1 */
    OWNER_CHECKER,          /* the checker itself */
    OWNER_STRANGER          /* a live process the candidate did not start */
};

struct pidfile_seen {
    struct pidfile_view view;
    enum pidfile_form form;
    pid_t pid;
    enum pid_owner owner;
};

/* What a second start did to the first daemon's pidfile. */
enum pidfile_change {
    PIDFILE_KEPT,           /* same inode, same bytes (or still absent) */
    PIDFILE_APPEARED,       /* there was none before */
    PIDFILE_REMOVED,
    PIDFILE_REPLACED,       /* another inode */
    PIDFILE_REWRITTEN       /* same inode, other bytes */
};

#define EV_JOURNAL 4096

/* What a service's journal shows of its use of NOTIFY_SOCKET: evidence
 * that the address's form mattered when nothing arrived. */
enum journal_hint {
    JOURNAL_NAMES_NOTIFY = 1u << 0,     /* it names NOTIFY_SOCKET, or its address:
                                           the service read the variable */
    JOURNAL_NOTIFY_ENOENT = 1u << 1     /* a line about notifying says "No such file
                                           or directory": a send to a file name failed */
};

/* What a new-style run saw (--profile new-style): the service started as
 * a service manager starts one, its sd_notify datagrams, its journal. */
struct service_seen {
    int ran;
    pid_t started;              /* the process the checker started */
    long ready_ms;              /* READY=1's arrival since the start, -1 when none came */
    pid_t ready_sender;
    pid_t mainpid;              /* the process MAINPID= named, 0 when none */
    int mainpid_valid;          /* it named a live descendant */
    pid_t main;                 /* the main process: MAINPID's, else the started one */
    int started_alive;          /* the started process was alive after the settle time */
    int started_ended_early;    /* it ended before it was asked to stop */
    struct process_end started_end;
    int connect_tried;          /* --socket-activation: a connection made at READY=1 */
    int connect_accepted;       /* ... and the service accepted it in time */
    long accept_ms;             /* how long after READY=1 */
    int accepted_later;         /* ... or only later, before the stop */
    int own_listener;           /* a listening TCP socket of its own, besides fd 3 */
    unsigned own_listener_port;
    int journal_fds;            /* how many of fds 1 and 2 are still the journal pipe */
    char fd1[PATH_MAX], fd2[PATH_MAX];  /* where they point instead */
    int sighup_ran;
    int survived_sighup;
    long sighup_ms;             /* when SIGHUP was sent, since the start */
    long term_ms;               /* when SIGTERM (or the stop command) was sent, -1 never */
    long exit_ms;               /* when the main process's end was seen, -1 never */
    int exit_status;            /* its wait status, when exit_ms >= 0 and known */
    int exit_known;
    char journal[EV_JOURNAL];   /* the last bytes of its stdout and stderr */
    size_t journal_len;
    size_t journal_total;       /* every byte it wrote there */
    unsigned journal_hints;     /* enum journal_hint bits, read in those bytes */
};

struct notify_record;

struct evidence {
    /* the set-up */
    int has_pidfile;
    char pidfile_path[PATH_MAX];
    uid_t uid;
    pid_t checker_pid;
    unsigned hostile_umask;
    int blocked_sig, ignored_sig;
    int sentinel_fd[SENTINEL_FDS];

    /* 1: launch */
    struct launch_result launch;
    int pidfile_at_exit;        /* the pidfile existed when the launcher was reaped */
    pid_t launch_sid;           /* the session of the launch terminal */

    /* 2: inspection (the pidfile waited for, when the launcher left none) */
    struct pidfile_seen pidfile;
    long pidfile_wait_ms;       /* how long it took to appear after the launcher's exit */
    struct daemon_seen daemon;
    int alive_after_checks;
    struct process_end daemon_end;  /* the daemon's end, or, when none was found alive,
                                       the end of the first start's last process */

    /* 3: second start */
    int single_ran;
    struct launch_result second;
    struct pid_list second_new;     /* processes it left running outside the daemon's tree */
    int first_survived;
    enum pidfile_change pidfile_change;
    unsigned long long ino_before, ino_after;

    /* 4: hangup */
    int hangup_ran;
    int survived_hangup;

    /* 5: stop */
    struct pidfile_seen pidfile_before_stop;    /* looked at again: it may have come late */
    int stop_ran;
    int stop_by_command;
    struct launch_result stop_cmd;
    struct pid_list stop_cmd_left;  /* the stop command's own processes left running */
    int stopped;
    long stop_ms;
    int term_after_command;         /* the stop command did not stop it: the checker's
                                       own SIGTERM was tried (stopped_by_term says how) */
    int stopped_by_term;
    int pidfile_after_stop;         /* still there after the stop */
    char pidfile_after_stop_bytes[64];

    /* 6: stale pidfile */
    int stale_ran;
    pid_t stale_pid;
    struct launch_result third;
    struct pidfile_seen stale_after;

    /* 7: leftovers (processes of any start alive after its stop) */
    struct pid_list leftovers;

    /* new-style */
    struct service_seen svc;
    const struct notify_record *notify;     /* every datagram (owned by the run's output) */

    long elapsed_ms;
};

/* Add a process to a short report list (counted even when not kept). */
void pid_list_add(struct pid_list *l, pid_t pid, const char *comm);

/* The enum journal_hint bits that len bytes of a journal show, for the
 * NOTIFY_SOCKET value `address` ("@name" or a path; may be NULL). */
unsigned journal_notify_hints(const char *journal, size_t len, const char *address);

/* The daemon's descriptor number fd, or NULL when it is closed. */
static inline const struct fd_seen *daemon_fd(const struct daemon_seen *d, int fd)
{
    for (int i = 0; i < d->nfds; i++)
        if (d->fds[i].fd == fd)
            return &d->fds[i];
    return NULL;
}

#endif
