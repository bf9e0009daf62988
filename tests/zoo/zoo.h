/* zoo.h — the zoo's one daemon recipe, with a switch for every step.
 *
 * The zoo (tests/zoo/daemons/) is a set of tiny programs that the checker's
 * end-to-end test (tests/zoo/run.py) judges. Each one starts from
 * zoo_correct, gets exactly one step wrong, and hands the recipe to
 * zoo_main(), so the daemons differ in that one step and in nothing else.
 *
 * Every zoo program is used as
 *     NAME [PIDFILE [PID]]     start; PID is the number the "argument"
 *                              pidfile variant writes
 *     NAME PIDFILE stop        SIGTERM the pid in PIDFILE, wait for its end
 */
#ifndef ZOO_H
#define ZOO_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* How the first child leaves the launcher's session. */
enum zoo_session {
    ZOO_SETSID,         /* a new session, without a terminal */
    ZOO_SESSION_KEEP,   /* stays in the launcher's session and group */
    ZOO_SETPGID         /* only a new process group: keeps the terminal */
};

/* What becomes of descriptors 0, 1 and 2. */
enum zoo_stdio {
    ZOO_STDIO_DEVNULL,  /* all three on /dev/null */
    ZOO_STDIO_KEEP,     /* left on whatever the launcher had (a terminal) */
    ZOO_STDIO_CLOSE,    /* closed, so the next open() reuses 0 */
    ZOO_STDIO_DATA      /* closed, then the daemon's log (write-only), a state
                           file (read-write) and its pidfile land on 0, 1, 2 */
};

/* How the daemon makes sure it is the only instance. */
enum zoo_guard {
    ZOO_GUARD_LOCK,     /* fcntl write lock held for life; busy: refuse */
    ZOO_GUARD_PID,      /* no lock: refuse when the pidfile names a live pid */
    ZOO_GUARD_NONE,     /* takes the lock when free, carries on when busy */
    ZOO_GUARD_FLOCK_INHERITED   /* the first child takes a flock() and exits; the
                                   daemon holds the lock through the inherited fd
                                   (daemonize -p F -l F does this) */
};

/* Which pid the pidfile gets. */
enum zoo_pid {
    ZOO_PID_SELF,           /* the daemon's own */
    ZOO_PID_INTERMEDIATE,   /* the first child, dead by then */
    ZOO_PID_INIT,           /* 1 */
    ZOO_PID_PARENT,         /* the daemon's parent once the first child
                               has gone: the subreaper that adopted it */
    ZOO_PID_ARGUMENT        /* the PID given on the command line */
};

struct zoo_recipe {
    bool close_fds;         /* close every inherited descriptor above 2 */
    bool reset_signals;     /* empty signal mask, default dispositions */
    bool start_daemon;      /* the launcher starts a daemon at all */
    bool detach;            /* fork away from the launcher (else foreground) */
    enum zoo_session session;
    bool second_fork;       /* give up session leadership */
    enum zoo_stdio stdio;
    bool set_umask;         /* umask(0) */
    const char *workdir;    /* where to chdir; NULL: stay */
    bool late_pidfile;      /* the launcher returns at once and the pidfile
                               is written only after it has been reaped */
    int late_ms;            /* ... and that much start-up work later */
    bool leader_thread;     /* with late_pidfile: the first child's main thread
                               exits at once, and another of its threads forks
                               the daemon after the start-up work, so that
                               meanwhile /proc shows the session leader as a
                               zombie with no child */
    bool die_after_ready;   /* once the launcher is gone, writes to the
                               readiness pipe again: killed by SIGPIPE */
    bool refuse_existing;   /* the launcher refuses when a pidfile exists */
    enum zoo_guard guard;
    mode_t pidfile_mode;    /* creation mode (under the daemon's umask) */
    enum zoo_pid pidfile_pid;
    bool pidfile_newline;
    bool pidfile_symlink;   /* PIDFILE is a symlink to PIDFILE.real */
    bool startup_job;       /* runs a one-shot child before it is ready */
    bool reap;              /* reaps its children on SIGCHLD */
    bool reap_on_poke;      /* reaps them only when a second start pokes the
                               running daemon (SIGUSR1) before it refuses */
    int workers;            /* long-lived children, up to ZOO_MAX_WORKERS */
    bool stop_workers;      /* on SIGTERM, stops and reaps them first */
    bool ignore_sigterm;
    bool remove_pidfile;    /* on SIGTERM, before exiting */
};

#define ZOO_MAX_WORKERS 64

/* Every step done right. */
extern const struct zoo_recipe zoo_correct;

/* Runs the recipe as a main() would: returns the launcher's exit status;
 * the processes it forks never return. */
int zoo_main(const struct zoo_recipe *r, int argc, char **argv);

/* The steps. Each returns -1 with errno on failure and prints nothing. */
int zoo_close_inherited(void);
int zoo_reset_signals(void);
int zoo_stdio_to_null(void);
int zoo_stdio_close(void);
int zoo_stdio_data_files(const char *pidfile);
int zoo_pidfile_open(const char *path, mode_t mode);
int zoo_pidfile_lock(const char *path, mode_t mode);
int zoo_pidfile_busy(const char *path);
int zoo_pidfile_read(const char *path, pid_t *pid);
int zoo_pidfile_names_live(int fd);
int zoo_pidfile_write(int fd, pid_t pid, bool newline);
int zoo_pidfile_remove(const char *path, int fd);
int zoo_symlink_replace(const char *target, const char *path);
int zoo_wait_pidfd(int pidfd, short event, int timeout_ms);

#endif
