/* check_proc.c — unit tests of checker/proc.c: the /proc parsers fed
 * hostile text (names with spaces, parentheses and newlines, files cut
 * anywhere), and the readers run against real processes: this one, a
 * zombie, a reaped child and one that vanishes between two reads. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "proc.h"
#include "unit_tmpdir.h"

#define STAT_STARTTIME 987654ULL

/* A stat line as the kernel writes it (52 fields), with the name and state
 * chosen by the test; ppid 1, pgrp 4240, session 4239, tty 34817, tpgid -1. */
static size_t make_stat(char *buf, size_t cap, const char *comm, char state)
{
    int n = snprintf(buf, cap,
                     "4242 (%s) %c 1 4240 4239 34817 -1 4194624 120 0 0 0 3 1 0 0 20 0 1 0 "
                     "987654 2465792 220 18446744073709551615 1 1 0 0 0 0 0 4096 0 0 0 0 "
                     "17 3 0 0 0 0 0 0 0 0 0 0 0 0 0\n", comm, state);

    ck_assert(n > 0 && (size_t)n < cap);
    return (size_t)n;
}

/* Parse a stat line built around comm, and check that every field landed. */
static void check_comm_round_trip(const char *comm)
{
    char buf[512];
    struct proc_stat st;
    size_t len = make_stat(buf, sizeof buf, comm, 'S');

    ck_assert_int_eq(proc_stat_parse(buf, len, &st), 0);
    ck_assert_int_eq(st.pid, 4242);
    ck_assert_str_eq(st.comm, comm);
    ck_assert_int_eq(st.state, 'S');
    ck_assert_int_eq(st.ppid, 1);
    ck_assert_int_eq(st.pgrp, 4240);
    ck_assert_int_eq(st.session, 4239);
    ck_assert_int_eq(st.tty_nr, 34817);
    ck_assert_int_eq(st.tpgid, -1);
    ck_assert_int_eq(st.num_threads, 1);
    ck_assert_uint_eq(st.starttime, STAT_STARTTIME);
}

START_TEST(stat_plain_name)
{
    check_comm_round_trip("sshd");
}
END_TEST

START_TEST(stat_name_with_space)
{
    check_comm_round_trip("a b");
}
END_TEST

START_TEST(stat_name_with_parens)
{
    check_comm_round_trip("x) (y");
}
END_TEST

START_TEST(stat_name_is_close_paren)
{
    check_comm_round_trip(")");
}
END_TEST

START_TEST(stat_name_is_two_open_parens)
{
    check_comm_round_trip("((");
}
END_TEST

/* The 15 characters the kernel keeps, shaped to look like the fields. */
START_TEST(stat_name_imitating_fields)
{
    check_comm_round_trip(") 1 2 3 (abcdef");
}
END_TEST

START_TEST(stat_name_with_newline)
{
    check_comm_round_trip("a\nb) Z 9 (");
}
END_TEST

START_TEST(stat_empty_name)
{
    check_comm_round_trip("");
}
END_TEST

START_TEST(stat_zombie_state)
{
    char buf[512];
    struct proc_stat st;
    size_t len = make_stat(buf, sizeof buf, "defunct", 'Z');

    ck_assert_int_eq(proc_stat_parse(buf, len, &st), 0);
    ck_assert_int_eq(st.state, 'Z');
}
END_TEST

static const char status_text[] =
    "Name:\tmydaemon\n"
    "Umask:\t0022\n"
    "State:\tS (sleeping)\n"
    "Pid:\t4242\n"
    "VmRSS:\t    1536 kB\n"
    "SigQ:\t0/31457\n"
    "SigPnd:\t0000000000000000\n"
    "ShdPnd:\t0000000000000000\n"
    "SigBlk:\t0000000400000000\n"
    "SigIgn:\t0000000800001000\n"
    "SigCgt:\t0000000000004a02\n"
    "voluntary_ctxt_switches:\t17\n"
    "nonvoluntary_ctxt_switches:\t3\n";

START_TEST(status_fields)
{
    struct proc_status s;

    ck_assert_int_eq(proc_status_parse(status_text, sizeof status_text - 1, &s), 0);
    ck_assert_int_eq(s.have_umask, 1);
    ck_assert_uint_eq(s.umask, 022);
    ck_assert_uint_eq(s.sigblk, 0x400000000ULL);
    ck_assert_uint_eq(s.sigign, 0x800001000ULL);
    ck_assert_uint_eq(s.sigcgt, 0x4a02);
    ck_assert_int_eq(s.voluntary_ctxt_switches, 17);
    ck_assert_int_eq(s.vmrss_kb, 1536);
}
END_TEST

/* Kernels before 4.7 have no Umask line; zombies have no VmRSS. */
START_TEST(status_without_optional_lines)
{
    static const char text[] = "Name:\tzombie\nState:\tZ (zombie)\nSigBlk:\t0000000000000001\n";
    struct proc_status s;

    ck_assert_int_eq(proc_status_parse(text, sizeof text - 1, &s), 0);
    ck_assert_int_eq(s.have_umask, 0);
    ck_assert_uint_eq(s.umask, 0);
    ck_assert_uint_eq(s.sigblk, 1);
    ck_assert_uint_eq(s.sigign, 0);
    ck_assert_int_eq(s.voluntary_ctxt_switches, -1);
    ck_assert_int_eq(s.vmrss_kb, -1);
}
END_TEST

static const char locks_text[] =
    "1: POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF\n"
    "1: -> POSIX  ADVISORY  WRITE 77 00:1a:9999 0 EOF\n"
    "2: FLOCK  ADVISORY  WRITE 99 fd:01:12 0 EOF\n"
    "3: OFDLCK ADVISORY  READ  -1 08:02:77 0 EOF\n"
    "3:  -> OFDLCK ADVISORY  WRITE -1 08:02:88 0 EOF\n"
    "4: POSIX  ADVISORY  READ  555 103:1a:42 100 199\n"
    "5: LEASE  ACTIVE    READ  600 00:1a:800 0 EOF\n"
    "6: DELEG  ACTIVE    READ  700 <none>:0 0 EOF\n";

static int find_lock(unsigned maj, unsigned min, unsigned long long ino, struct proc_lock *lk)
{
    return proc_locks_find(locks_text, sizeof locks_text - 1, makedev(maj, min), (ino_t)ino, lk);
}

START_TEST(locks_posix)
{
    struct proc_lock lk;

    ck_assert_int_eq(find_lock(0, 0x1a, 5678, &lk), 1);
    ck_assert_str_eq(lk.kind, "POSIX");
    ck_assert_str_eq(lk.type, "WRITE");
    ck_assert_int_eq(lk.pid, 1234);
    ck_assert_uint_eq(lk.major, 0);
    ck_assert_uint_eq(lk.minor, 0x1a);
    ck_assert_uint_eq(lk.ino, 5678);
}
END_TEST

START_TEST(locks_flock_hex_device)
{
    struct proc_lock lk;

    ck_assert_int_eq(find_lock(0xfd, 1, 12, &lk), 1);
    ck_assert_str_eq(lk.kind, "FLOCK");
    ck_assert_int_eq(lk.pid, 99);
}
END_TEST

START_TEST(locks_ofd_has_no_pid)
{
    struct proc_lock lk;

    ck_assert_int_eq(find_lock(8, 2, 77, &lk), 1);
    ck_assert_str_eq(lk.kind, "OFDLCK");
    ck_assert_str_eq(lk.type, "READ");
    ck_assert_int_eq(lk.pid, -1);
}
END_TEST

/* A process waiting for a lock does not hold it, whatever the indent. */
START_TEST(locks_waiters_skipped)
{
    struct proc_lock lk;

    ck_assert_int_eq(find_lock(0, 0x1a, 9999, &lk), 0);
    ck_assert_int_eq(find_lock(8, 2, 88, &lk), 0);
}
END_TEST

START_TEST(locks_not_found)
{
    struct proc_lock lk;

    ck_assert_int_eq(find_lock(0, 0x1b, 5678, &lk), 0);     /* same inode, other device */
    ck_assert_int_eq(find_lock(0, 0x1a, 5679, &lk), 0);
    ck_assert_int_eq(proc_locks_find("", 0, makedev(0, 0x1a), 5678, &lk), 0);
}
END_TEST

/* Device numbers above 255 print as more hex digits; a lease counts. */
START_TEST(locks_wide_major_and_lease)
{
    struct proc_lock lk;

    ck_assert_int_eq(find_lock(0x103, 0x1a, 42, &lk), 1);
    ck_assert_int_eq(lk.pid, 555);
    ck_assert_int_eq(find_lock(0, 0x1a, 800, &lk), 1);
    ck_assert_str_eq(lk.kind, "LEASE");
}
END_TEST

START_TEST(locks_last_line_without_newline)
{
    static const char text[] = "1: POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF";
    struct proc_lock lk;

    ck_assert_int_eq(proc_locks_find(text, sizeof text - 1, makedev(0, 0x1a), 5678, &lk), 1);
}
END_TEST

/* Every cut of a stat line that ends before the start time is malformed. */
START_TEST(stat_cut_anywhere)
{
    char buf[512];
    size_t len = make_stat(buf, sizeof buf, "a b", 'S'), n;
    const char *start = strstr(buf, " 987654 ");
    size_t after_starttime = (size_t)(start - buf) + strlen(" 987654");
    struct proc_stat st;

    ck_assert_uint_lt(after_starttime, len);
    for (n = 0; n <= after_starttime; n++) {
        errno = 0;
        ck_assert_msg(proc_stat_parse(buf, n, &st) == -1, "accepted a cut at %zu", n);
        ck_assert_int_eq(errno, EINVAL);
    }
    ck_assert_int_eq(proc_stat_parse(buf, after_starttime + 1, &st), 0);
    ck_assert_uint_eq(st.starttime, STAT_STARTTIME);
}
END_TEST

/* Found by tests/fuzz/fuzz_proc_status: a file cut inside a line, a mask
 * cut inside its digits included, must be refused, as a stat line cut
 * inside starttime is, not read as a smaller value. */
START_TEST(status_cut_inside_a_line)
{
    struct proc_status s;
    size_t n;

    for (n = 1; n < sizeof status_text - 1; n++) {
        if (status_text[n - 1] == '\n')
            continue;       /* a cut between lines cannot be told from a shorter file */
        errno = 0;
        ck_assert_msg(proc_status_parse(status_text, n, &s) == -1, "accepted a cut at %zu", n);
        ck_assert_int_eq(errno, EINVAL);
    }
    errno = 0;
    ck_assert_int_eq(proc_status_parse("SigBlk:\t00000004", 16, &s), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(stat_empty_buffer)
{
    struct proc_stat st;

    errno = 0;
    ck_assert_int_eq(proc_stat_parse("", 0, &st), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* A name longer than the field is cut, the rest still parses. */
START_TEST(stat_long_name_cut)
{
    char comm[100], buf[512];
    struct proc_stat st;
    size_t len;

    memset(comm, 'n', sizeof comm - 1);
    comm[sizeof comm - 1] = '\0';
    comm[10] = ')';
    len = make_stat(buf, sizeof buf, comm, 'R');
    ck_assert_int_eq(proc_stat_parse(buf, len, &st), 0);
    ck_assert_uint_eq(strlen(st.comm), sizeof st.comm - 1);
    ck_assert_int_eq(memcmp(st.comm, comm, sizeof st.comm - 1), 0);
    ck_assert_int_eq(st.state, 'R');
    ck_assert_uint_eq(st.starttime, STAT_STARTTIME);
}
END_TEST

/* The parser must not read past len, so no NUL is needed after the text. */
START_TEST(stat_not_nul_terminated)
{
    char buf[512];
    size_t len = make_stat(buf, sizeof buf, "x", 'S');
    char *exact = malloc(len);
    struct proc_stat st;

    ck_assert_ptr_nonnull(exact);
    memcpy(exact, buf, len);
    ck_assert_int_eq(proc_stat_parse(exact, len, &st), 0);
    free(exact);
}
END_TEST

START_TEST(status_full_masks)
{
    static const char text[] = "SigBlk:\tffffffffffffffff\nSigIgn:\tFFFFFFFFFFFFFFFF\nUmask:\t0777\n";
    struct proc_status s;

    ck_assert_int_eq(proc_status_parse(text, sizeof text - 1, &s), 0);
    ck_assert_uint_eq(s.sigblk, UINT64_MAX);
    ck_assert_uint_eq(s.sigign, UINT64_MAX);
    ck_assert_uint_eq(s.umask, 0777);
}
END_TEST

START_TEST(status_empty)
{
    struct proc_status s;

    ck_assert_int_eq(proc_status_parse("", 0, &s), 0);
    ck_assert_int_eq(s.have_umask, 0);
    ck_assert_int_eq(s.vmrss_kb, -1);
}
END_TEST

/* A file of exactly cap-1 bytes fits; one byte more is ERANGE. */
START_TEST(read_file_exact_fit)
{
    char path[4096], buf[8];
    int fd = open(unit_path(path, sizeof path, "seven"), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "1234567", 7), 7);
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_eq(proc_read_file(AT_FDCWD, path, buf, sizeof buf), 7);
    ck_assert_str_eq(buf, "1234567");
    errno = 0;
    ck_assert_int_eq(proc_read_file(AT_FDCWD, path, buf, 7), -1);
    ck_assert_int_eq(errno, ERANGE);
}
END_TEST

START_TEST(read_link_cut)
{
    char buf[4];
    int fd = proc_open(getpid());

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_read_link(fd, "exe", buf, sizeof buf), 3);
    ck_assert_int_eq(buf[3], '\0');
    ck_assert_int_eq(buf[0], '/');
    ck_assert_int_eq(close(fd), 0);
}
END_TEST

static void check_stat_rejected(const char *text)
{
    struct proc_stat st;

    errno = 0;
    ck_assert_msg(proc_stat_parse(text, strlen(text), &st) == -1, "accepted: %s", text);
    ck_assert_int_eq(errno, EINVAL);
}

START_TEST(stat_malformed)
{
    check_stat_rejected("4242 x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242 (x S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242 )x( S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("abc (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242(x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242 (x)S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242 (x) S x 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 1x 20\n");
    check_stat_rejected("4242 (x) S 1 2 3 4 99999999999 6 7 8 9 10 11 12 13 14 15 16 17 18 19 20\n");
    check_stat_rejected("4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 -19 20\n");
    check_stat_rejected("4242 (x) S 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18 "
                        "99999999999999999999 20\n");
}
END_TEST

static void check_status_rejected(const char *text)
{
    struct proc_status s;

    errno = 0;
    ck_assert_msg(proc_status_parse(text, strlen(text), &s) == -1, "accepted: %s", text);
    ck_assert_int_eq(errno, EINVAL);
}

START_TEST(status_malformed)
{
    check_status_rejected("Umask:\t0029\n");
    check_status_rejected("Umask:\t01000\n");
    check_status_rejected("Umask:\t\n");
    check_status_rejected("SigBlk:\tzz\n");
    check_status_rejected("SigBlk:\t10000000000000000\n");    /* 65 bits */
    check_status_rejected("SigIgn:\t00ff 1\n");
    check_status_rejected("voluntary_ctxt_switches:\t-1\n");
    check_status_rejected("VmRSS:\t12 MB\n");
}
END_TEST

START_TEST(locks_malformed)
{
    static const char *const bad[] = {
        "POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF\n",
        "x: POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF\n",
        "1: POSIX  ADVISORY  WRITE 1234 00:1a 0 EOF\n",
        "1: POSIX  ADVISORY  WRITE 1234 0g:1a:5678 0 EOF\n",
        "1: POSIX  ADVISORY  WRITE 1234 00:1a:56x8 0 EOF\n",
        "1: POSIX  ADVISORY  WRITE pid 00:1a:5678 0 EOF\n",
        "1: POSIX  ADVISORY  WRITE 1234 00:1a:5678\n",
        "1: POSIX  ADVISORY  WRITE 1234 00:1a:5678 0 EOF extra\n",
        "1: POSIX_LONG_KIND_NAME ADVISORY WRITE 1234 00:1a:5678 0 EOF\n",
    };
    struct proc_lock lk;
    size_t i;

    for (i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        errno = 0;
        ck_assert_msg(proc_locks_find(bad[i], strlen(bad[i]), makedev(0, 0x1a), 5678, &lk) == -1,
                      "accepted: %s", bad[i]);
        ck_assert_int_eq(errno, EINVAL);
    }
}
END_TEST

START_TEST(read_file_missing)
{
    char buf[16];

    errno = 0;
    ck_assert_int_eq(proc_read_file(AT_FDCWD, "/proc/self/no-such-file", buf, sizeof buf), -1);
    ck_assert_int_eq(errno, ENOENT);
    ck_assert_int_eq(proc_read_file(AT_FDCWD, "/proc/self/stat", buf, 0), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(open_bad_pid)
{
    errno = 0;
    ck_assert_int_eq(proc_open(0), -1);
    ck_assert_int_eq(errno, EINVAL);
    ck_assert_int_eq(proc_open(-5), -1);
    ck_assert_int_eq(errno, EINVAL);
    /* Doubt is never "alive": callers may signal what this calls alive. */
    ck_assert_int_eq(proc_alive(0, 0), 0);
    ck_assert_int_eq(proc_alive(-1, 0), 0);
}
END_TEST

/* Read this very process: the parsers must agree with the kernel. */
START_TEST(live_self_stat)
{
    struct proc_stat st;
    char comm[64];
    int fd = proc_open(getpid());
    ssize_t n;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_read_stat(fd, &st), 0);
    ck_assert_int_eq(st.pid, getpid());
    ck_assert_int_eq(st.ppid, getppid());
    ck_assert_int_eq(st.pgrp, getpgrp());
    ck_assert_int_eq(st.session, getsid(0));
    ck_assert_int_eq(st.state, 'R');
    ck_assert_int_eq(st.num_threads, 1);
    ck_assert_uint_gt(st.starttime, 0);
    n = proc_read_file(fd, "comm", comm, sizeof comm);
    ck_assert_int_gt(n, 0);
    comm[n - 1] = '\0';         /* the kernel ends it with a newline */
    ck_assert_str_eq(st.comm, comm);
    ck_assert_int_eq(close(fd), 0);
}
END_TEST

START_TEST(live_self_status)
{
    struct proc_status s;
    sigset_t set, old;
    mode_t old_umask = umask(027);
    int fd = proc_open(getpid());

    ck_assert_int_ge(fd, 0);
    sigemptyset(&set);
    sigaddset(&set, SIGRTMIN + 3);
    ck_assert_int_eq(sigprocmask(SIG_BLOCK, &set, &old), 0);
    ck_assert_ptr_ne(signal(SIGRTMIN + 4, SIG_IGN), SIG_ERR);

    ck_assert_int_eq(proc_read_status(fd, &s), 0);
    ck_assert_int_eq(s.have_umask, 1);
    ck_assert_uint_eq(s.umask, 027);
    ck_assert(s.sigblk & (1ULL << (SIGRTMIN + 3 - 1)));
    ck_assert(s.sigign & (1ULL << (SIGRTMIN + 4 - 1)));
    ck_assert_int_ge(s.voluntary_ctxt_switches, 0);
    ck_assert_int_gt(s.vmrss_kb, 0);

    ck_assert_ptr_ne(signal(SIGRTMIN + 4, SIG_DFL), SIG_ERR);
    ck_assert_int_eq(sigprocmask(SIG_SETMASK, &old, NULL), 0);
    umask(old_umask);
    ck_assert_int_eq(close(fd), 0);
}
END_TEST

START_TEST(live_self_cwd)
{
    char link[4096], cwd[4096];
    int fd = proc_open(getpid());

    ck_assert_int_ge(fd, 0);
    ck_assert_ptr_nonnull(getcwd(cwd, sizeof cwd));
    ck_assert_int_eq(proc_read_link(fd, "cwd", link, sizeof link), (ssize_t)strlen(cwd));
    ck_assert_str_eq(link, cwd);
    ck_assert_int_eq(close(fd), 0);
}
END_TEST

START_TEST(live_self_alive)
{
    struct proc_stat st;
    int fd = proc_open(getpid());

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_read_stat(fd, &st), 0);
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_eq(proc_alive(getpid(), 0), 1);
    ck_assert_int_eq(proc_alive(getpid(), st.starttime), 1);
    /* Same pid, another start time: another process, for all we know. */
    ck_assert_int_eq(proc_alive(getpid(), st.starttime + 1), 0);
}
END_TEST

static pid_t fork_exiting_child(void)
{
    pid_t pid = fork();

    ck_assert_int_ge(pid, 0);
    if (pid == 0)
        _exit(0);
    return pid;
}

/* A child that blocks until its pipe is closed (or it is killed). */
static pid_t fork_waiting_child(int *release_fd)
{
    int p[2];
    pid_t pid;

    ck_assert_int_eq(pipe2(p, O_CLOEXEC), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (pid == 0) {
        char c;

        close(p[1]);
        _exit(read(p[0], &c, 1) < 0);
    }
    ck_assert_int_eq(close(p[0]), 0);
    *release_fd = p[1];
    return pid;
}

static void reap(pid_t pid)
{
    ck_assert_int_eq(waitpid(pid, NULL, 0), pid);
}

START_TEST(live_reaped_child)
{
    pid_t pid = fork_exiting_child();

    reap(pid);
    errno = 0;
    ck_assert_int_eq(proc_open(pid), -1);
    ck_assert_msg(errno == ENOENT || errno == ESRCH, "errno %d", errno);
    ck_assert_int_eq(proc_alive(pid, 0), 0);
}
END_TEST

START_TEST(live_zombie_child)
{
    pid_t pid = fork_exiting_child();
    siginfo_t si;
    struct proc_stat st;
    int fd;

    /* WNOWAIT: wait for the exit but leave the zombie in place. */
    ck_assert_int_eq(waitid(P_PID, (id_t)pid, &si, WEXITED | WNOWAIT), 0);
    ck_assert_int_eq(proc_alive(pid, 0), 0);
    fd = proc_open(pid);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_read_stat(fd, &st), 0);
    ck_assert_int_eq(st.state, 'Z');
    ck_assert_int_eq(st.pid, pid);
    ck_assert_int_eq(close(fd), 0);
    reap(pid);
}
END_TEST

/* The directory was opened while the process lived; then it died and was
 * reaped. Reads through the old descriptor must say "gone" (ESRCH on the
 * kernels we ran, ENOENT is accepted too), never show another process. */
START_TEST(live_vanished_mid_read)
{
    int release, fd;
    pid_t pid = fork_waiting_child(&release);
    struct proc_stat st;
    struct proc_status s;
    char link[256];

    fd = proc_open(pid);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(proc_read_stat(fd, &st), 0);
    ck_assert_int_eq(st.pid, pid);
    ck_assert_int_eq(kill(pid, SIGKILL), 0);
    reap(pid);
    ck_assert_int_eq(close(release), 0);

    errno = 0;
    ck_assert_int_eq(proc_read_stat(fd, &st), -1);
    ck_assert_msg(errno == ESRCH || errno == ENOENT, "stat errno %d", errno);
    errno = 0;
    ck_assert_int_eq(proc_read_status(fd, &s), -1);
    ck_assert_msg(errno == ESRCH || errno == ENOENT, "status errno %d", errno);
    errno = 0;
    ck_assert_int_eq(proc_read_link(fd, "cwd", link, sizeof link), -1);
    ck_assert_msg(errno == ESRCH || errno == ENOENT, "cwd errno %d", errno);
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_eq(proc_alive(pid, st.starttime), 0);
}
END_TEST

/* Take a lock with lock_fn on a fresh file, find it in the real
 * /proc/locks by the file's device and inode. */
static void check_real_lock(const char *name, int (*lock_fn)(int), const char *kind, pid_t pid)
{
    enum { LOCKS_CAP = 1 << 20 };
    char path[4096];
    char *buf = malloc(LOCKS_CAP);
    struct proc_lock lk;
    struct stat st;
    ssize_t n;
    int fd = open(unit_path(path, sizeof path, name), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);

    ck_assert_ptr_nonnull(buf);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(fstat(fd, &st), 0);
    ck_assert_int_eq(lock_fn(fd), 0);
    n = proc_read_file(AT_FDCWD, "/proc/locks", buf, LOCKS_CAP);
    ck_assert_int_ge(n, 0);
    ck_assert_int_eq(proc_locks_find(buf, (size_t)n, st.st_dev, st.st_ino, &lk), 1);
    ck_assert_str_eq(lk.kind, kind);
    ck_assert_str_eq(lk.type, "WRITE");
    ck_assert_int_eq(lk.pid, pid);
    ck_assert_uint_eq(lk.ino, st.st_ino);
    ck_assert_int_eq(close(fd), 0);
    /* Closed: the lock is gone from the table. */
    n = proc_read_file(AT_FDCWD, "/proc/locks", buf, LOCKS_CAP);
    ck_assert_int_ge(n, 0);
    ck_assert_int_eq(proc_locks_find(buf, (size_t)n, st.st_dev, st.st_ino, &lk), 0);
    free(buf);
}

static int posix_lock(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    return fcntl(fd, F_SETLK, &fl);
}

static int ofd_lock(int fd)
{
    struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };

    return fcntl(fd, F_OFD_SETLK, &fl);
}

static int bsd_lock(int fd)
{
    return flock(fd, LOCK_EX | LOCK_NB);
}

START_TEST(live_real_posix_lock)
{
    check_real_lock("posix.lock", posix_lock, "POSIX", getpid());
}
END_TEST

START_TEST(live_real_ofd_lock)
{
    check_real_lock("ofd.lock", ofd_lock, "OFDLCK", -1);
}
END_TEST

START_TEST(live_real_flock)
{
    check_real_lock("flock.lock", bsd_lock, "FLOCK", getpid());
}
END_TEST


/* ---- fdinfo, /proc/net/tcp, socket links, ending processes ---- */

START_TEST(fdinfo_flags_and_lock)
{
    static const char text[] =
        "pos:\t0\nflags:\t0100002\nmnt_id:\t25\nino:\t1234\n"
        "lock:\t1: FLOCK  ADVISORY  WRITE 0 00:2a:1234 0 EOF\n";
    struct proc_fdinfo info;

    ck_assert_int_eq(proc_fdinfo_parse(text, sizeof text - 1, &info), 0);
    ck_assert_int_eq(info.have_flags, 1);
    ck_assert_uint_eq(info.flags, 0100002);
    ck_assert_int_eq(info.locked, 1);
    ck_assert_str_eq(info.lock.kind, "FLOCK");
    ck_assert_int_eq(info.lock.pid, 0);     /* a taker not seen from this namespace */
    ck_assert_uint_eq(info.lock.ino, 1234);
}
END_TEST

START_TEST(fdinfo_waiter_and_no_lock)
{
    static const char waiter[] =
        "flags:\t02\nlock:\t1: -> POSIX  ADVISORY  WRITE 77 08:01:99 0 EOF\n";
    static const char none[] = "pos:\t5\nflags:\t01\n";
    struct proc_fdinfo info;

    ck_assert_int_eq(proc_fdinfo_parse(waiter, sizeof waiter - 1, &info), 0);
    ck_assert_int_eq(info.locked, 0);
    ck_assert_int_eq(proc_fdinfo_parse(none, sizeof none - 1, &info), 0);
    ck_assert_int_eq(info.locked, 0);
    ck_assert_uint_eq(info.flags, 01);
    ck_assert_int_eq(proc_fdinfo_parse("", 0, &info), 0);
    ck_assert_int_eq(info.have_flags, 0);
}
END_TEST

START_TEST(fdinfo_malformed)
{
    static const char *const bad[] = {
        "flags:\t0100009\n", "flags:\tx\n", "flags:\t0 1\n",
        "lock:\t1: FLOCK\n", "lock:\tnot a lock line at all\n",
    };

    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        struct proc_fdinfo info;
        errno = 0;
        ck_assert_msg(proc_fdinfo_parse(bad[i], strlen(bad[i]), &info) == -1, "%s", bad[i]);
        ck_assert_int_eq(errno, EINVAL);
    }
}
END_TEST

START_TEST(net_tcp_listeners)
{
    static const char v4[] =
        "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 0100007F:89BF 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 1197308 1 0 100 0 0 10 0\n"
        "   1: 0100007F:93ED 0100007F:1F90 01 00000000:00000000 00:00000000 00000000     0        0 1191413 1 0 100 0 0 10 0\n";
    static const char v6[] =
        "  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
        "   0: 00000000000000000000000001000000:1F90 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 55 1";
    struct proc_tcp_listener l[4];

    ck_assert_int_eq(proc_tcp_listeners(v4, sizeof v4 - 1, l, 4), 1);
    ck_assert_uint_eq(l[0].port, 0x89BF);
    ck_assert_uint_eq(l[0].inode, 1197308);
    ck_assert_int_eq(proc_tcp_listeners(v6, sizeof v6 - 1, l, 4), 1);
    ck_assert_uint_eq(l[0].port, 0x1F90);
    ck_assert_uint_eq(l[0].inode, 55);
    ck_assert_int_eq(proc_tcp_listeners(v4, sizeof v4 - 1, l, 0), 1);   /* counted past cap */
    errno = 0;
    ck_assert_int_eq(proc_tcp_listeners("h\n   0: nonsense\n", 17, l, 4), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(socket_link_inode)
{
    unsigned long long ino = 0;

    ck_assert_int_eq(proc_socket_inode("socket:[12345]", &ino), 0);
    ck_assert_uint_eq(ino, 12345);
    ck_assert_int_eq(proc_socket_inode("socket:[]", &ino), -1);
    ck_assert_int_eq(proc_socket_inode("socket:[12", &ino), -1);
    ck_assert_int_eq(proc_socket_inode("pipe:[12]", &ino), -1);
    ck_assert_int_eq(proc_socket_inode("/dev/null", &ino), -1);
    ck_assert_int_eq(proc_socket_inode("socket:[1x]", &ino), -1);
    /* Found by fuzz_proc_net_tcp: a blank before the digits passed. */
    ck_assert_int_eq(proc_socket_inode("socket:[\t5]", &ino), -1);
    ck_assert_int_eq(proc_socket_inode("socket:[ 5]", &ino), -1);
}
END_TEST

START_TEST(ending_process)
{
    struct proc_stat st = { .state = 'S' };
    struct proc_status status = { 0 };

    ck_assert_int_eq(proc_is_ending(&st, &status), 0);
    st.flags = PROC_PF_EXITING;
    ck_assert_int_eq(proc_is_ending(&st, &status), 1);
    st.flags = 0;
    status.sigpnd = 1ull << (SIGKILL - 1);
    ck_assert_int_eq(proc_is_ending(&st, &status), 1);
    status.sigpnd = 0;
    status.shdpnd = 1ull << (SIGHUP - 1);               /* default: terminate */
    ck_assert_int_eq(proc_is_ending(&st, &status), 1);
    status.sigcgt = 1ull << (SIGHUP - 1);               /* caught: it lives on */
    ck_assert_int_eq(proc_is_ending(&st, &status), 0);
    status.sigcgt = 0;
    status.sigblk = 1ull << (SIGHUP - 1);               /* blocked: not yet */
    ck_assert_int_eq(proc_is_ending(&st, &status), 0);
    status = (struct proc_status){ .shdpnd = 1ull << (SIGCHLD - 1) };   /* ignored by default */
    ck_assert_int_eq(proc_is_ending(&st, &status), 0);
    ck_assert_int_eq(proc_state_alive('S'), 1);
    ck_assert_int_eq(proc_state_alive('Z'), 0);
    ck_assert_int_eq(proc_state_alive('x'), 0);
}
END_TEST

/* A flock taken in this process, seen through its own fdinfo. The file is
 * made in the test's scratch directory, never in the tree it runs from. */
START_TEST(live_fdinfo_flock)
{
    char path[4096];
    int fd = open(unit_path(path, sizeof path, "fdinfo.lock"),
                  O_RDWR | O_CREAT | O_CLOEXEC, 0644), dir;
    struct proc_fdinfo info;

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(flock(fd, LOCK_EX), 0);
    dir = proc_open(getpid());
    ck_assert_int_ge(dir, 0);
    ck_assert_int_eq(proc_read_fdinfo(dir, fd, &info), 0);
    ck_assert_int_eq(info.locked, 1);
    ck_assert_str_eq(info.lock.kind, "FLOCK");
    ck_assert_uint_eq(info.flags & O_ACCMODE, O_RDWR);
    close(dir);
    close(fd);
}
END_TEST

static Suite *proc_suite(void)
{
    Suite *s = suite_create("proc");
    TCase *core = tcase_create("Core");
    TCase *limits = tcase_create("Limits");
    TCase *errors = tcase_create("Errors");
    TCase *live = tcase_create("Live");

    tcase_set_timeout(core, 5);
    tcase_add_test(core, stat_plain_name);
    tcase_add_test(core, stat_name_with_space);
    tcase_add_test(core, stat_name_with_parens);
    tcase_add_test(core, stat_name_is_close_paren);
    tcase_add_test(core, stat_name_is_two_open_parens);
    tcase_add_test(core, stat_name_imitating_fields);
    tcase_add_test(core, stat_name_with_newline);
    tcase_add_test(core, stat_empty_name);
    tcase_add_test(core, stat_zombie_state);
    tcase_add_test(core, status_fields);
    tcase_add_test(core, status_without_optional_lines);
    tcase_add_test(core, locks_posix);
    tcase_add_test(core, locks_flock_hex_device);
    tcase_add_test(core, locks_ofd_has_no_pid);
    tcase_add_test(core, locks_waiters_skipped);
    tcase_add_test(core, locks_not_found);
    tcase_add_test(core, fdinfo_flags_and_lock);
    tcase_add_test(core, fdinfo_waiter_and_no_lock);
    tcase_add_test(core, net_tcp_listeners);
    tcase_add_test(core, socket_link_inode);
    tcase_add_test(core, ending_process);
    suite_add_tcase(s, core);

    tcase_set_timeout(limits, 5);
    tcase_add_unchecked_fixture(limits, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(limits, stat_cut_anywhere);
    tcase_add_test(limits, stat_empty_buffer);
    tcase_add_test(limits, status_cut_inside_a_line);
    tcase_add_test(limits, stat_long_name_cut);
    tcase_add_test(limits, stat_not_nul_terminated);
    tcase_add_test(limits, status_full_masks);
    tcase_add_test(limits, status_empty);
    tcase_add_test(limits, locks_wide_major_and_lease);
    tcase_add_test(limits, locks_last_line_without_newline);
    tcase_add_test(limits, read_file_exact_fit);
    tcase_add_test(limits, read_link_cut);
    suite_add_tcase(s, limits);

    tcase_set_timeout(errors, 5);
    tcase_add_test(errors, stat_malformed);
    tcase_add_test(errors, status_malformed);
    tcase_add_test(errors, locks_malformed);
    tcase_add_test(errors, fdinfo_malformed);
    tcase_add_test(errors, read_file_missing);
    tcase_add_test(errors, open_bad_pid);
    suite_add_tcase(s, errors);

    tcase_set_timeout(live, 10);
    tcase_add_unchecked_fixture(live, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(live, live_self_stat);
    tcase_add_test(live, live_self_status);
    tcase_add_test(live, live_self_cwd);
    tcase_add_test(live, live_self_alive);
    tcase_add_test(live, live_reaped_child);
    tcase_add_test(live, live_zombie_child);
    tcase_add_test(live, live_vanished_mid_read);
    tcase_add_test(live, live_real_posix_lock);
    tcase_add_test(live, live_real_ofd_lock);
    tcase_add_test(live, live_real_flock);
    tcase_add_test(live, live_fdinfo_flock);
    suite_add_tcase(s, live);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(proc_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
