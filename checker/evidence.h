/* evidence.h — what a run saw happen, gathered phase by phase (run.c) and
 * then judged check by check (judges.c). Keeping the observation apart from
 * the verdict lets each judge be tested on evidence made up in a unit test. */
#ifndef CHECKER_EVIDENCE_H
#define CHECKER_EVIDENCE_H

#include <limits.h>
#include <sys/types.h>

#include "pidfile.h"
#include "proc.h"

#define EV_MAX_FDS 32
#define EV_MAX_PIDS 8
#define EV_OUTPUT 256

/* One launch of a command in the hostile environment. */
struct launch_result {
    int exited;             /* it exited within the timeout */
    int status;             /* its wait status, when exited */
    long elapsed_ms;        /* from the start to its exit (or to the timeout) */
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
};

/* A short list of processes, for the reports. */
struct pid_list {
    int count;              /* how many there were, even past EV_MAX_PIDS */
    pid_t pid[EV_MAX_PIDS];
    char comm[EV_MAX_PIDS][32];
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
    struct pid_list zombies;
    int lock_held;
    struct proc_lock lock;
};

/* Who the pidfile names, as far as the checker can tell. */
enum named {
    NAMED_NOTHING,          /* no valid pid to look at */
    NAMED_DESCENDANT,       /* a live process the candidate started */
    NAMED_DEAD,             /* no such process */
    NAMED_INIT,             /* pid 1 */
    NAMED_CHECKER,          /* the checker itself */
    NAMED_STRANGER          /* a live process the candidate did not start */
};

struct pidfile_seen {
    struct pidfile_view view;
    enum pidfile_form form;
    pid_t pid;
    enum named named;
};

struct evidence {
    /* the set-up */
    int has_pidfile;
    char pidfile_path[PATH_MAX];
    uid_t uid;
    pid_t checker_pid;
    unsigned hostile_umask;
    int blocked_sig, ignored_sig;

    /* 1: launch */
    struct launch_result launch;
    int pidfile_at_exit;        /* the pidfile existed when the launcher was reaped */
    pid_t launch_sid;           /* the session of the launch terminal */

    /* 2: inspection */
    struct pidfile_seen pidfile;
    struct daemon_seen daemon;
    int alive_after_checks;

    /* 3: second start */
    int single_ran;
    char single_skip[128];
    struct launch_result second;
    struct pid_list second_new;     /* processes it left outside the daemon's tree */
    int first_survived;
    int pidfile_kept;               /* same inode and bytes */
    char pidfile_change[128];

    /* 4: hangup */
    int hangup_ran;
    int survived_hangup;

    /* 5: stop */
    int stop_ran;
    int stop_by_command;
    struct launch_result stop_cmd;
    int stopped;
    long stop_ms;
    int pidfile_after_stop;         /* still there after the stop */
    char pidfile_after_stop_bytes[64];

    /* 6: stale pidfile */
    int stale_ran;
    char stale_skip[128];
    pid_t stale_pid;
    struct launch_result third;
    struct pidfile_seen stale_after;

    /* 7: leftovers (processes of any launch alive after its stop) */
    struct pid_list leftovers;

    long elapsed_ms;
};

/* The daemon's descriptor number fd, or NULL when it is closed. */
static inline const struct fd_seen *daemon_fd(const struct daemon_seen *d, int fd)
{
    for (int i = 0; i < d->nfds; i++)
        if (d->fds[i].fd == fd)
            return &d->fds[i];
    return NULL;
}

#endif
