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
    unsigned long long starttime;   /* clock ticks after boot: with pid, a process's identity */
};

/* The fields of /proc/PID/status that the checker uses. */
struct proc_status {
    int have_umask;         /* the Umask line exists (kernel >= 4.7) */
    unsigned umask;
    uint64_t sigblk;        /* bit n-1 set: signal n blocked */
    uint64_t sigign;
    uint64_t sigcgt;
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

/* Open /proc/PID as a directory (O_PATH is not enough for openat+read).
 * -1 with errno ENOENT or ESRCH when the process is gone. */
int proc_open(pid_t pid);

/* Read a whole file below dirfd into buf (NUL-terminated, at most cap-1
 * bytes; ERANGE if it did not fit). Returns the length or -1 with errno;
 * ESRCH/ENOENT mean the process is gone. dirfd may be AT_FDCWD. */
ssize_t proc_read_file(int dirfd, const char *name, char *buf, size_t cap);

int proc_read_stat(int dirfd, struct proc_stat *out);
int proc_read_status(int dirfd, struct proc_status *out);

/* readlink of a name below dirfd ("cwd", "exe", "fd/3"), NUL-terminated,
 * cut to cap-1 bytes. Returns the length or -1 with errno. */
ssize_t proc_read_link(int dirfd, const char *name, char *buf, size_t cap);

/* Is a process alive: it exists and is not a zombie or dead. Compares the
 * start time too when starttime is non-zero, so a reused pid is not taken
 * for the process seen before. */
int proc_alive(pid_t pid, unsigned long long starttime);

#endif
