/* proc.h — reading one process's state from /proc.
 *
 * Parsing is separated from reading so that the parsers can be fed hostile
 * input in unit tests: a command name holding spaces and ')', a truncated
 * file, a process that vanished between two reads. Reading goes through a
 * directory descriptor on /proc/PID, opened once, so that every file read
 * describes the same process even if its pid is reused meanwhile. */
#ifndef CHECKER_PROC_H
#define CHECKER_PROC_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The kernel's PF_EXITING (include/linux/sched.h), set in the stat line's
 * flags as a process's exit begins. */
#define PROC_PF_EXITING 0x00000004u

/* The fields of /proc/PID/stat that the checker uses. */
struct proc_stat {
    pid_t pid;
    char comm[64];          /* between the first '(' and the last ')', cut to fit */
    char state;             /* R S D Z T t X I ... */
    pid_t ppid;
    pid_t pgrp;
    pid_t session;
    int tty_nr;
    pid_t tpgid;
    unsigned flags;         /* the kernel's PF_* flags: PF_EXITING while it exits */
    int num_threads;        /* live threads; 1 lets a walk skip listing /proc/PID/task */
    unsigned long long starttime;   /* clock ticks after boot: with pid, a process's identity */
};

/* The fields of /proc/PID/status that the checker uses. */
struct proc_status {
    int have_umask;         /* the Umask line exists (kernel >= 4.7) */
    unsigned umask;
    uint64_t sigblk;        /* bit n-1 set: signal n blocked */
    uint64_t sigign;
    uint64_t sigcgt;
    uint64_t sigpnd;        /* pending for its main thread */
    uint64_t shdpnd;        /* pending for the whole process */
    long voluntary_ctxt_switches;   /* -1 when absent */
    long vmrss_kb;                  /* -1 when absent (kernel threads, zombies) */
};

/* One line of /proc/locks that is held (not a blocked waiter "->"). */
struct proc_lock {
    char kind[12];          /* POSIX, FLOCK, OFDLCK, ... */
    char type[8];           /* READ, WRITE */
    pid_t pid;              /* -1 for OFD locks; the pid that took it, not today's holder */
    unsigned major, minor;
    unsigned long long ino;
};

/* What /proc/PID/fdinfo/N says of one descriptor. */
struct proc_fdinfo {
    int have_flags;
    unsigned flags;         /* the open flags, O_ACCMODE among them */
    int locked;             /* a "lock:" line of a held lock was found */
    struct proc_lock lock;  /* the first such lock */
};

/* One definition of "alive" for every reader of a state letter: not a
 * zombie, not dead (X, and x on kernels from 2.6.33 to 3.13). */
int proc_state_alive(char state);

/* Parse the text of /proc/PID/stat. 0 on success; -1 with errno EINVAL when
 * the text is malformed or cut before the starttime field. */
int proc_stat_parse(const char *buf, size_t len, struct proc_stat *out);

/* Parse the text of /proc/PID/status. Missing lines leave their defaults
 * (have_umask 0, masks 0, counters -1). -1 with EINVAL on a malformed value
 * or a last line cut before its newline. */
int proc_status_parse(const char *buf, size_t len, struct proc_status *out);

/* Find a held lock on the file (dev, ino) in the text of /proc/locks.
 * 1 and *out filled when found, 0 when not, -1 EINVAL on a malformed line. */
int proc_locks_find(const char *buf, size_t len, dev_t dev, ino_t ino,
                    struct proc_lock *out);

/* Parse the text of /proc/PID/fdinfo/N: its flags, and the locks held
 * through it ("lock:" lines, which the kernel prints like /proc/locks and
 * shows whoever took the lock, inside a PID namespace too). -1 with EINVAL
 * on a malformed value. */
int proc_fdinfo_parse(const char *buf, size_t len, struct proc_fdinfo *out);

/* A listening TCP socket, as /proc/net/tcp or tcp6 lists it. */
struct proc_tcp_listener {
    unsigned port;
    unsigned long long inode;
};

/* The listening sockets (state 0A) in the text of /proc/net/tcp or
 * /proc/net/tcp6 (the header line is skipped): up to cap of them in out.
 * Their number, even past cap, or -1 with EINVAL on a malformed line. */
long proc_tcp_listeners(const char *buf, size_t len, struct proc_tcp_listener *out, size_t cap);

/* The inode of a descriptor's link target "socket:[12345]": 0 and *ino, or
 * -1 with EINVAL when the target is not a socket's. */
int proc_socket_inode(const char *target, unsigned long long *ino);

/* Is the process on its way out: exiting already (PF_EXITING), or with a
 * signal pending that will end it (SIGKILL, or a signal it neither
 * blocks, catches nor ignores and whose default action terminates)? Such
 * a process is not "alive" for any verdict: the caller waits for its end. */
int proc_is_ending(const struct proc_stat *st, const struct proc_status *status);

/* The signal half of proc_is_ending: a signal pending that will end the
 * process. For a leader whose main thread has ended (a zombie with live
 * threads), whose own PF_EXITING says nothing of its group. */
int proc_fatal_pending(const struct proc_status *status);

/* Would sig, delivered now, end the process (SIGKILL, or a signal it
 * neither blocks, catches nor ignores and whose default action
 * terminates)? */
int proc_signal_ends(const struct proc_status *status, int sig);

/* Open /proc/PID as a directory (O_PATH is not enough for openat+read).
 * -1 with errno ENOENT or ESRCH when the process is gone. */
int proc_open(pid_t pid);

/* Read a whole file below dirfd into buf (NUL-terminated, at most cap-1
 * bytes; ERANGE if it did not fit). Returns the length or -1 with errno;
 * ESRCH/ENOENT mean the process is gone. dirfd may be AT_FDCWD. */
ssize_t proc_read_file(int dirfd, const char *name, char *buf, size_t cap);

/* A whole file of unknown size (/proc/net/tcp): a buffer of its own
 * (free it), NUL-terminated, *len its length. NULL with errno (ERANGE past
 * max bytes). */
char *proc_read_alloc(const char *path, size_t *len, size_t max);

int proc_read_stat(int dirfd, struct proc_stat *out);
/* The stat file at name below dirfd: "stat" below /proc/PID, or "PID/stat"
 * below /proc, one openat and one read where a scan reads many. */
int proc_read_stat_at(int dirfd, const char *name, struct proc_stat *out);
int proc_read_status(int dirfd, struct proc_status *out);
/* fd/N's fdinfo, below a /proc/PID directory descriptor. */
int proc_read_fdinfo(int dirfd, int fd, struct proc_fdinfo *out);

/* readlink of a name below dirfd ("cwd", "exe", "fd/3"), NUL-terminated,
 * cut to cap-1 bytes. Returns the length or -1 with errno. */
ssize_t proc_read_link(int dirfd, const char *name, char *buf, size_t cap);

/* The stat and status of the very process (pid, starttime) while it is
 * alive: 1 and both filled, or 0 when it is gone, a zombie, another
 * process under the same pid, or unreadable. */
int proc_read_live(pid_t pid, unsigned long long starttime, struct proc_stat *st,
                   struct proc_status *status);

/* Is a process alive: it exists and is not a zombie or dead. Compares the
 * start time too when starttime is non-zero, so a reused pid is not taken
 * for the process seen before. */
int proc_alive(pid_t pid, unsigned long long starttime);

#endif
