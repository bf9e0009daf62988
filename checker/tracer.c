/* tracer.c — ptrace and a seccomp filter behind --trace (see tracer.h).
 *
 * Every thread of the candidate is a tracee; its stops arrive through the
 * checker's waitpid() and are handled here one at a time: decoded with
 * PTRACE_GET_SYSCALL_INFO (no register layout is written by hand), turned
 * into events of the record, and resumed exactly as the process would have
 * run untraced: signals re-injected, group-stops kept with PTRACE_LISTEN,
 * exit statuses untouched.
 *
 * State is kept per thread (a system call in flight, the watched part of
 * its signal mask) and per process (what its descriptors 0-2, the
 * sentinels, the pidfile, /dev/null and terminals are), in two fixed hash
 * tables: past their bound a stop is still resumed correctly, only not
 * recorded. */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "proc.h"
#include "tracer.h"
#include "tracer_calls.h"

#if defined(__x86_64__)
# define NATIVE_ARCH AUDIT_ARCH_X86_64
#elif defined(__aarch64__)
# define NATIVE_ARCH AUDIT_ARCH_AARCH64
#elif defined(__riscv) && __riscv_xlen == 64
# define NATIVE_ARCH AUDIT_ARCH_RISCV64
#elif defined(__powerpc64__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
# define NATIVE_ARCH AUDIT_ARCH_PPC64LE
#elif defined(__s390x__)
# define NATIVE_ARCH AUDIT_ARCH_S390X
#else
# define NATIVE_ARCH 0u         /* unknown: no filter, every call decoded as native */
#endif

#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
# define LO_WORD 0
# define HI_WORD 4
#else
# define LO_WORD 4
# define HI_WORD 0
#endif

#define TRACER_FDS 16           /* descriptors that matter, per process */
#define TRACER_PATH 192         /* an open()'s path kept until its result */
#define TRACER_FILTER_MAX 128   /* BPF instructions */
#define TRACER_RECENT 64        /* exits remembered for tracer_exit_parent */
#define LOW_FD_LIMIT 64         /* close/write on a higher descriptor never stops */
#define WRITE_SHOWN 40          /* bytes of a pidfile write quoted in the record */
#define SENT_SHOWN 2            /* the same signal sent again: recorded this often, then counted */

/* The go byte: whether and how the launcher is traced. */
#define GO_UNTRACED 'N'
#define GO_FILTER 'F'
#define GO_SYSCALL 'S'

enum fd_kind { FD_OTHER, FD_NULL, FD_TTY, FD_PIDFILE, FD_SENTINEL };

struct fdslot {
    int fd;
    unsigned char kind;
    dev_t dev;
    ino_t ino;
};

/* The last signals a process sent, for folding a loop (a stop command
 * that sends SIGTERM until the pid is gone; a liveness probe): the same
 * call, signal and target, with the same result, is recorded SENT_SHOWN
 * times in a row, and the rest is counted on the last one recorded. */
struct sent_run {
    uint64_t nr;
    int sig;
    pid_t target;
    long ev;                    /* the last event of the run, or -1 */
    int shown;                  /* recorded in a row */
    int err;                    /* its result: 0, an errno, -1 before it returned */
    long more;                  /* repeats counted on it */
    size_t len;                 /* its detail before the count's words */
};

/* What the entry of a call in flight left for its exit. */
enum pending_call { PC_NONE, PC_SENT, PC_SENT_REPEAT, PC_NAME };

/* A thread group. The key comes first: the hash tables read it there. */
struct tproc {
    pid_t pid;
    int launch;
    long rec;                   /* index in rec->procs, or -1 */
    long spawn_ev;              /* index of the event that created it, or -1 */
    pid_t ppid;
    unsigned long ppid_gen;     /* ppid is fresh while this equals exits_gen */
    pid_t exit_ppid;            /* read at PTRACE_EVENT_EXIT, 0 before */
    unsigned char filter;       /* the seccomp filter is on in this process */
    unsigned char exec_stop;    /* the filter stopped its execve */
    unsigned char before_exec;  /* the launcher, still the checker's copy */
    unsigned char arch_noted;
    int nfds;
    struct fdslot fds[TRACER_FDS];
    struct sent_run sent;
};

struct ttask {
    pid_t tid;
    pid_t tgid;
    uint64_t blocked;           /* the watched signals it blocks, bit n-1 for n */
    unsigned char want_exit;    /* a call whose result matters is in flight */
    int in_flight;              /* the signal it was resumed with, until its next stop */
    uint64_t nr, args[6];
    long aux;                   /* what the entry read for the exit (a lock type; how a
                                   name call touches the pidfile) */
    enum pending_call pending;  /* a signal or a name call in flight */
    long pending_ev;            /* PC_SENT: the event its result completes */
    char path[TRACER_PATH];     /* an open's path; a name call's words */
};

struct recent_exit {
    pid_t pid, ppid;
    long spawn_ev;              /* the event that recorded its creation, or -1 */
};

struct tracer {
    struct trace *rec;
    enum trace_mode mode;
    pid_t self;
    int self_nnp;
    long page;
    dev_t devnull;
    dev_t tty[TRACE_MAX_LAUNCHES];
    int has_pidfile;
    char pidfile[PATH_MAX];
    const char *pidfile_base;
    struct pidfile_place place; /* the pidfile's directory and name, for unlink and rename */
    pid_t pidfile_pid;          /* the pid the pidfile held when last read, 0 unknown */
    int sentinel_fds[TRACER_MAX_SENTINELS];
    int nsentinel_fds;
    uint64_t watched;
    struct ttask *tasks;
    struct tproc *procs;
    size_t cap, max, ntasks, nprocs;
    unsigned long exits_gen;
    struct recent_exit recent[TRACER_RECENT];
    unsigned nrecent;
    struct sock_filter filter[TRACER_FILTER_MAX];
    unsigned short filter_len;
};

/* ---- hash tables keyed by the pid_t at the start of each entry ---- */

static size_t home_of(pid_t key, size_t cap)
{
    return ((uint32_t)key * 2654435761u) & (cap - 1);
}

static void *tab_at(void *base, size_t size, size_t i)
{
    return (char *)base + i * size;
}

static void *tab_find(void *base, size_t size, size_t cap, pid_t key)
{
    size_t i = home_of(key, cap);

    for (size_t n = 0; n < cap; n++, i = (i + 1) & (cap - 1)) {
        pid_t *k = tab_at(base, size, i);
        if (*k == key)
            return k;
        if (*k == 0)
            return NULL;
    }
    return NULL;
}

/* A zeroed entry for key; the caller keeps the count below the capacity. */
static void *tab_insert(void *base, size_t size, size_t cap, pid_t key)
{
    size_t i = home_of(key, cap);

    for (size_t n = 0; n < cap; n++, i = (i + 1) & (cap - 1)) {
        pid_t *k = tab_at(base, size, i);
        if (*k == 0) {
            memset(k, 0, size);
            *k = key;
            return k;
        }
    }
    return NULL;
}

/* Remove with backward shifting, so lookups never need tombstones. Other
 * entries may move: pointers into the table are stale afterwards. */
static void tab_remove(void *base, size_t size, size_t cap, void *entry)
{
    size_t hole = (size_t)((char *)entry - (char *)base) / size, j = hole;

    memset(entry, 0, size);
    for (;;) {
        pid_t *k;
        size_t home;

        j = (j + 1) & (cap - 1);
        k = tab_at(base, size, j);
        if (*k == 0)
            return;
        home = home_of(*k, cap);
        /* Move it back unless its home lies cyclically in (hole, j]. */
        if (hole < j ? (home <= hole || home > j) : (home <= hole && home > j)) {
            memcpy(tab_at(base, size, hole), k, size);
            memset(k, 0, size);
            hole = j;
        }
    }
}

static struct ttask *task_find(struct tracer *tr, pid_t tid)
{
    return tab_find(tr->tasks, sizeof *tr->tasks, tr->cap, tid);
}

static struct tproc *proc_find(struct tracer *tr, pid_t pid)
{
    return tab_find(tr->procs, sizeof *tr->procs, tr->cap, pid);
}

static void task_drop(struct tracer *tr, struct ttask *t)
{
    tab_remove(tr->tasks, sizeof *tr->tasks, tr->cap, t);
    tr->ntasks--;
}

static void proc_drop(struct tracer *tr, struct tproc *p)
{
    tab_remove(tr->procs, sizeof *tr->procs, tr->cap, p);
    tr->nprocs--;
}

/* ---- reading /proc and the tracee's memory ---- */

static ssize_t read_proc(pid_t pid, const char *name, char *buf, size_t cap)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    return proc_read_file(AT_FDCWD, path, buf, cap);
}

static ssize_t link_proc(pid_t pid, const char *name, char *buf, size_t cap)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/%s", (int)pid, name);
    return proc_read_link(AT_FDCWD, path, buf, cap);
}

static int stat_fd(pid_t tid, int fd, struct stat *st)
{
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/fd/%d", (int)tid, fd);
    return stat(path, st);
}

/* The value after "Key:" in a /proc status text, or NULL. */
static const char *status_field(const char *text, const char *key)
{
    size_t len = strlen(key);

    const char *line = text;

    while (line && *line) {
        if (strncmp(line, key, len) == 0 && line[len] == ':')
            return line + len + 1;
        line = strchr(line, '\n');
        if (line)
            line++;
    }
    return NULL;
}

static long long status_number(const char *text, const char *key, int base, long long dflt)
{
    const char *v = status_field(text, key);

    return v ? strtoll(v, NULL, base) : dflt;
}

/* The second number of a line such as "Uid:\t1000\t1000\t1000\t1000". */
static long long status_second(const char *text, const char *key)
{
    const char *v = status_field(text, key);
    char *end;

    if (!v)
        return -1;
    strtoll(v, &end, 10);
    return strtoll(end, NULL, 10);
}

/* The parent and group/session of a process now; 0 on failure. */
static int read_stat(pid_t pid, struct proc_stat *st)
{
    char buf[1024];
    ssize_t n = read_proc(pid, "stat", buf, sizeof buf);

    if (n < 0 || proc_stat_parse(buf, (size_t)n, st) < 0) {
        memset(st, 0, sizeof *st);
        return -1;
    }
    return 0;
}

static ssize_t peek(pid_t tid, uint64_t addr, void *buf, size_t len)
{
    struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };

    return process_vm_readv(tid, &local, 1, &remote, 1, 0);
}

/* A NUL-terminated string of the tracee, cut to cap-1 bytes. Read page by
 * page: process_vm_readv stops at the first page it cannot read. */
static int peek_string(const struct tracer *tr, pid_t tid, uint64_t addr, char *buf, size_t cap)
{
    size_t got = 0;

    buf[0] = '\0';
    if (!addr)
        return -1;
    while (got + 1 < cap) {
        size_t page_left = (size_t)tr->page - ((addr + got) & (uint64_t)(tr->page - 1));
        size_t want = cap - 1 - got < page_left ? cap - 1 - got : page_left;
        ssize_t n = peek(tid, addr + got, buf + got, want);

        if (n <= 0)
            break;
        if (memchr(buf + got, '\0', (size_t)n))
            return 0;
        got += (size_t)n;
    }
    buf[got] = '\0';
    return got ? 0 : -1;
}

/* ---- words for the record ---- */

static const char *sig_name(int sig, char *buf, size_t cap)
{
    const char *abbrev;

    if (sig >= SIGRTMIN && sig <= SIGRTMAX) {
        snprintf(buf, cap, "SIGRTMIN+%d", sig - SIGRTMIN);
        return buf;
    }
    abbrev = sigabbrev_np(sig);
    if (abbrev)
        snprintf(buf, cap, "SIG%s", abbrev);
    else
        snprintf(buf, cap, "signal %d", sig);
    return buf;
}

static const char *err_name(int e)
{
    const char *name = e > 0 ? strerrorname_np(e) : NULL;

    return name ? name : "error";
}

static void describe_status(int status, char *buf, size_t cap)
{
    char name[24];

    if (WIFEXITED(status))
        snprintf(buf, cap, "exit %d", WEXITSTATUS(status));
    else if (WIFSIGNALED(status))
        snprintf(buf, cap, "killed by %s%s", sig_name(WTERMSIG(status), name, sizeof name),
                 WCOREDUMP(status) ? " (core dumped)" : "");
    else
        snprintf(buf, cap, "status 0x%x", (unsigned)status);
}

static void open_flags_text(long flags, char *buf, size_t cap)
{
    static const struct { long bit; const char *name; } bits[] = {
        { O_CREAT, "O_CREAT" }, { O_EXCL, "O_EXCL" }, { O_TRUNC, "O_TRUNC" },
        { O_APPEND, "O_APPEND" }, { O_NOCTTY, "O_NOCTTY" }, { O_NOFOLLOW, "O_NOFOLLOW" },
        { O_CLOEXEC, "O_CLOEXEC" },
    };
    const char *mode = (flags & O_ACCMODE) == O_WRONLY ? "O_WRONLY"
                     : (flags & O_ACCMODE) == O_RDWR ? "O_RDWR" : "O_RDONLY";
    size_t len = (size_t)snprintf(buf, cap, "%s", mode);

    for (size_t i = 0; i < sizeof bits / sizeof *bits && len < cap; i++)
        if (flags & bits[i].bit)
            len += (size_t)snprintf(buf + len, cap - len, "|%s", bits[i].name);
}

/* Bytes as a C string literal, cut to fit. */
static void quote_bytes(const unsigned char *s, size_t n, char *buf, size_t cap)
{
    size_t len = 0;

    if (cap < 8)
        return;
    buf[len++] = '"';
    for (size_t i = 0; i < n && len + 6 < cap; i++) {
        if (s[i] == '\n')
            len += (size_t)snprintf(buf + len, cap - len, "\\n");
        else if (s[i] == '"' || s[i] == '\\')
            len += (size_t)snprintf(buf + len, cap - len, "\\%c", s[i]);
        else if (s[i] >= 0x20 && s[i] < 0x7f)
            buf[len++] = (char)s[i];
        else
            len += (size_t)snprintf(buf + len, cap - len, "\\x%02x", s[i]);
    }
    buf[len++] = '"';
    buf[len] = '\0';
}

/* ---- recording ---- */

/* The process's real parent now: read again after any exit, since an
 * exit reparents the children of the one that ended. */
static pid_t current_ppid(struct tracer *tr, struct tproc *p)
{
    if (p->ppid_gen != tr->exits_gen) {
        struct proc_stat st;
        if (read_stat(p->pid, &st) == 0)
            p->ppid = st.ppid;
        p->ppid_gen = tr->exits_gen;
    }
    return p->ppid;
}

static long record(struct tracer *tr, struct tproc *p, enum trace_kind kind, long long value,
                   const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static long record(struct tracer *tr, struct tproc *p, enum trace_kind kind, long long value,
                   const char *fmt, ...)
{
    char detail[TRACE_DETAIL];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(detail, sizeof detail, fmt, ap);
    va_end(ap);
    return trace_add_event(tr->rec, p->launch, p->pid, current_ppid(tr, p), kind, value,
                           "%s", detail);
}

/* The second number of event i, for the kinds that have one (trace.h). */
static void event_arg(struct tracer *tr, long i, long long arg)
{
    if (i >= 0 && (size_t)i < tr->rec->nev)
        tr->rec->ev[i].arg = arg;
}

/* ---- the descriptors that matter ---- */

static struct fdslot *fd_find(struct tproc *p, int fd)
{
    for (int i = 0; i < p->nfds; i++)
        if (p->fds[i].fd == fd)
            return &p->fds[i];
    return NULL;
}

static void fd_forget(struct tproc *p, int fd)
{
    struct fdslot *s = fd_find(p, fd);

    if (s)
        *s = p->fds[--p->nfds];
}

/* Kept: 0-2 whatever they are, and any other descriptor of a kind that
 * matters. A full table forgets the newest: bounded, and only the record
 * of a hostile process suffers. */
static void fd_keep(struct tproc *p, int fd, int kind, const struct stat *st)
{
    struct fdslot *s = fd_find(p, fd);

    if (fd > 2 && kind == FD_OTHER) {
        fd_forget(p, fd);
        return;
    }
    if (!s) {
        if (p->nfds == TRACER_FDS)
            return;
        s = &p->fds[p->nfds++];
    }
    *s = (struct fdslot){ fd, (unsigned char)kind, st ? st->st_dev : 0, st ? st->st_ino : 0 };
}

static int is_tty_device(dev_t rdev)
{
    unsigned maj = major(rdev);

    return maj == 4 || maj == 5 || (maj >= 136 && maj <= 143);
}

static int is_pidfile(const struct tracer *tr, const struct stat *st)
{
    struct stat pf;

    return tr->has_pidfile && S_ISREG(st->st_mode) && stat(tr->pidfile, &pf) == 0 &&
           pf.st_dev == st->st_dev && pf.st_ino == st->st_ino;
}

/* What descriptor fd of thread tid is now. -1 when it is not open. */
static int fd_classify(const struct tracer *tr, pid_t tid, int fd, struct stat *st)
{
    if (stat_fd(tid, fd, st) < 0)
        return -1;
    if (S_ISCHR(st->st_mode) && st->st_rdev == tr->devnull)
        return FD_NULL;
    if (S_ISCHR(st->st_mode) && is_tty_device(st->st_rdev))
        return FD_TTY;
    if (is_pidfile(tr, st))
        return FD_PIDFILE;
    return FD_OTHER;
}

/* Does the slot still name the object it was recorded with? A descriptor
 * closed where the trace did not look (above LOW_FD_LIMIT, or by a call
 * that is not followed) may since have been reused. */
static int fd_still(pid_t tid, const struct fdslot *s)
{
    struct stat st;

    return stat_fd(tid, s->fd, &st) == 0 && st.st_dev == s->dev && st.st_ino == s->ino;
}

static void fd_words(const struct tracer *tr, const struct tproc *p, pid_t tid, int fd, int kind,
                     char *buf, size_t cap)
{
    char target[80], name[32];
    struct stat st;

    switch (kind) {
    case FD_NULL:
        snprintf(buf, cap, "/dev/null");
        return;
    case FD_PIDFILE:
        snprintf(buf, cap, "the pidfile");
        return;
    case FD_SENTINEL:
        snprintf(buf, cap, "a sentinel");
        return;
    case FD_TTY:
        if (p->launch >= 0 && tr->tty[p->launch] && stat_fd(tid, fd, &st) == 0 &&
            st.st_rdev == tr->tty[p->launch]) {
            snprintf(buf, cap, "the launch terminal");
            return;
        }
        break;
    default:
        break;
    }
    snprintf(name, sizeof name, "fd/%d", fd);
    if (link_proc(tid, name, target, sizeof target) < 0)
        snprintf(target, sizeof target, "?");
    snprintf(buf, cap, "%s%s", kind == FD_TTY ? "the terminal " : "", target);
}

static const char *kind_words(int kind)
{
    switch (kind) {
    case FD_NULL: return "/dev/null";
    case FD_TTY: return "a terminal";
    case FD_PIDFILE: return "the pidfile";
    case FD_SENTINEL: return "a sentinel";
    default: return "other";
    }
}

/* ---- the seccomp filter ---- */

enum { L_NONE, L_ALLOW, L_TRACE, L_FCNTL, L_SIGACTION, L_SIGMASK, L_LOWFD, L_PRCTL, L_SIG1,
       L_SIG2, L_COUNT };

struct followed_call {
    long nr;
    int label;
};

/* The system calls that matter, and how the filter tests them. The same
 * list decides, without the filter, which calls are decoded. */
static const struct followed_call followed[] = {
    { SYS_execve, L_TRACE }, { SYS_execveat, L_TRACE },
    { SYS_setsid, L_TRACE }, { SYS_setpgid, L_TRACE },
    { SYS_chdir, L_TRACE }, { SYS_fchdir, L_TRACE }, { SYS_umask, L_TRACE },
#ifdef SYS_open
    { SYS_open, L_TRACE },
#endif
#ifdef SYS_creat
    { SYS_creat, L_TRACE },
#endif
    { SYS_openat, L_TRACE },
#ifdef SYS_openat2
    { SYS_openat2, L_TRACE },
#endif
    { SYS_dup, L_TRACE },
#ifdef SYS_dup2
    { SYS_dup2, L_TRACE },
#endif
    { SYS_dup3, L_TRACE },
#ifdef SYS_close_range
    { SYS_close_range, L_TRACE },
#endif
    { SYS_flock, L_TRACE },
    { SYS_seccomp, L_TRACE }, { SYS_prctl, L_PRCTL },
    { SYS_fcntl, L_FCNTL },
    { SYS_rt_sigaction, L_SIGACTION }, { SYS_rt_sigprocmask, L_SIGMASK },
    { SYS_close, L_LOWFD }, { SYS_write, L_LOWFD }, { SYS_pwrite64, L_LOWFD },
    { SYS_writev, L_LOWFD }, { SYS_pwritev, L_LOWFD },
#ifdef SYS_pwritev2
    { SYS_pwritev2, L_LOWFD },
#endif
    /* Signals sent to a process stop whatever the signal (these calls are
     * rare; which are recorded is decided at the stop); to a thread, only
     * the signals that end or stop one: a runtime's own (SIGURG for Go's
     * preemption, glibc's SIGRTMIN for cancellation) run on. */
    { SYS_kill, L_TRACE }, { SYS_rt_sigqueueinfo, L_TRACE },
#ifdef SYS_pidfd_send_signal
    { SYS_pidfd_send_signal, L_TRACE },
#endif
    { SYS_tkill, L_SIG1 }, { SYS_tgkill, L_SIG2 }, { SYS_rt_tgsigqueueinfo, L_SIG2 },
    /* What removes or replaces a name: only the pidfile's is recorded. */
#ifdef SYS_unlink
    { SYS_unlink, L_TRACE },
#endif
    { SYS_unlinkat, L_TRACE },
#ifdef SYS_rename
    { SYS_rename, L_TRACE },
#endif
#ifdef SYS_renameat
    { SYS_renameat, L_TRACE },
#endif
#ifdef SYS_renameat2
    { SYS_renameat2, L_TRACE },
#endif
};

static const int fcntl_followed[] = {
    F_DUPFD, F_DUPFD_CLOEXEC, F_SETLK, F_SETLKW, F_OFD_SETLK, F_OFD_SETLKW,
};

struct fbuild {
    struct sock_filter *f;
    int n, overflow;
    unsigned char jt[TRACER_FILTER_MAX], jf[TRACER_FILTER_MAX];
    int at[L_COUNT];
};

static void emit(struct fbuild *b, uint16_t code, uint32_t k, int jt, int jf)
{
    if (b->n == TRACER_FILTER_MAX) {
        b->overflow = 1;
        return;
    }
    b->f[b->n] = (struct sock_filter){ code, 0, 0, k };
    b->jt[b->n] = (unsigned char)jt;
    b->jf[b->n] = (unsigned char)jf;
    b->n++;
}

static void load_arg(struct fbuild *b, int arg, int word)
{
    emit(b, BPF_LD | BPF_W | BPF_ABS,
         (uint32_t)(offsetof(struct seccomp_data, args) + 8 * (unsigned)arg + (unsigned)word),
         L_NONE, L_NONE);
}

/* A = (args[arg] != 0): both words ORed, so a NULL pointer is seen. */
static void load_arg_any(struct fbuild *b, int arg)
{
    load_arg(b, arg, HI_WORD);
    emit(b, BPF_MISC | BPF_TAX, 0, L_NONE, L_NONE);
    load_arg(b, arg, LO_WORD);
    emit(b, BPF_ALU | BPF_OR | BPF_X, 0, L_NONE, L_NONE);
}

/* Resolve the labels into forward offsets. -1 if one does not fit. */
static int resolve(struct fbuild *b)
{
    for (int i = 0; i < b->n; i++) {
        int jt = b->jt[i] ? b->at[b->jt[i]] - (i + 1) : 0;
        int jf = b->jf[i] ? b->at[b->jf[i]] - (i + 1) : 0;

        if (jt < 0 || jt > 255 || jf < 0 || jf > 255)
            return -1;
        b->f[i].jt = (uint8_t)jt;
        b->f[i].jf = (uint8_t)jf;
    }
    return 0;
}

static int build_filter(struct tracer *tr)
{
    struct fbuild b = { .f = tr->filter };

    emit(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, arch), L_NONE, L_NONE);
    emit(&b, BPF_JMP | BPF_JEQ | BPF_K, NATIVE_ARCH, L_NONE, L_ALLOW);
    emit(&b, BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr), L_NONE, L_NONE);
#ifdef __x86_64__
    emit(&b, BPF_JMP | BPF_JGE | BPF_K, 0x40000000u, L_ALLOW, L_NONE);    /* x32 */
#endif
    for (size_t i = 0; i < sizeof followed / sizeof *followed; i++)
        emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)followed[i].nr, followed[i].label, L_NONE);
    emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, L_NONE, L_NONE);

    b.at[L_FCNTL] = b.n;
    load_arg(&b, 1, LO_WORD);
    for (size_t i = 0; i < sizeof fcntl_followed / sizeof *fcntl_followed; i++)
        emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)fcntl_followed[i], L_TRACE, L_NONE);
    emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, L_NONE, L_NONE);

    /* Only a change of a watched signal's action: a query (act NULL) or
     * another signal runs without a stop. */
    b.at[L_SIGACTION] = b.n;
    load_arg_any(&b, 1);
    emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 0, L_ALLOW, L_NONE);
    load_arg(&b, 0, LO_WORD);
    for (int sig = 1; sig <= 64; sig++)
        if (tr->watched & (1ULL << (sig - 1)))
            emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)sig, L_TRACE, L_NONE);
    emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, L_NONE, L_NONE);

    b.at[L_SIGMASK] = b.n;
    load_arg_any(&b, 1);
    emit(&b, BPF_JMP | BPF_JEQ | BPF_K, 0, L_ALLOW, L_TRACE);

    /* close and write: the descriptors that matter are low ones; a loop
     * closing every descriptor up to the limit costs 64 stops, not 65536. */
    b.at[L_LOWFD] = b.n;
    load_arg(&b, 0, LO_WORD);
    emit(&b, BPF_JMP | BPF_JGE | BPF_K, LOW_FD_LIMIT, L_ALLOW, L_TRACE);

    /* A filter of the candidate's own: stricter than this one, it can
     * hide calls from the trace, which then says so. */
    b.at[L_PRCTL] = b.n;
    load_arg(&b, 0, LO_WORD);
    emit(&b, BPF_JMP | BPF_JEQ | BPF_K, PR_SET_SECCOMP, L_TRACE, L_ALLOW);

    /* A signal sent to a thread: its second or third argument. */
    for (int label = L_SIG1; label <= L_SIG2; label++) {
        b.at[label] = b.n;
        load_arg(&b, label == L_SIG1 ? 1 : 2, LO_WORD);
        for (size_t i = 0; i < sent_nstop_signals; i++)
            emit(&b, BPF_JMP | BPF_JEQ | BPF_K, (uint32_t)sent_stop_signals[i], L_TRACE, L_NONE);
        emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, L_NONE, L_NONE);
    }

    /* The two answers last: BPF jumps only forward. */
    b.at[L_ALLOW] = b.n;
    emit(&b, BPF_RET | BPF_K, SECCOMP_RET_ALLOW, L_NONE, L_NONE);
    b.at[L_TRACE] = b.n;
    emit(&b, BPF_RET | BPF_K, SECCOMP_RET_TRACE, L_NONE, L_NONE);

    if (b.overflow || resolve(&b) < 0) {
        errno = E2BIG;
        return -1;
    }
    tr->filter_len = (unsigned short)b.n;
    return 0;
}

/* Can this kernel run a seccomp filter at all? Asking with a NULL program
 * answers EFAULT where it can (and EINVAL where it cannot), changing
 * nothing. */
static int filter_available(void)
{
    if (NATIVE_ARCH == 0)
        return 0;
    return prctl(PR_SET_SECCOMP, SECCOMP_MODE_FILTER, NULL, 0, 0) < 0 && errno == EFAULT;
}

/* ---- following new threads and processes ---- */

static struct ttask *task_new(struct tracer *tr, pid_t tid, pid_t tgid, uint64_t blocked)
{
    struct ttask *t;

    if (tr->ntasks >= tr->max)
        return NULL;
    t = tab_insert(tr->tasks, sizeof *tr->tasks, tr->cap, tid);
    if (!t)
        return NULL;
    tr->ntasks++;
    t->tgid = tgid;
    t->blocked = blocked & tr->watched;
    return t;
}

/* A process and its first thread, recorded; NULL past the bound. */
static struct tproc *proc_new(struct tracer *tr, pid_t pid, int launch, pid_t ppid,
                              uint64_t blocked)
{
    struct tproc *p;
    struct proc_stat st;

    if (tr->nprocs >= tr->max || tr->ntasks >= tr->max)
        return NULL;
    if (!task_new(tr, pid, pid, blocked))
        return NULL;
    p = tab_insert(tr->procs, sizeof *tr->procs, tr->cap, pid);
    if (!p) {
        task_drop(tr, task_find(tr, pid));
        return NULL;
    }
    tr->nprocs++;
    p->launch = launch;
    p->ppid = ppid;
    p->ppid_gen = tr->exits_gen;
    p->spawn_ev = -1;
    p->sent.ev = -1;
    p->rec = trace_add_proc(tr->rec, launch, pid, ppid);
    if (p->rec >= 0 && read_stat(pid, &st) == 0) {
        struct trace_proc *r = &tr->rec->procs[p->rec];
        r->sid = st.session;
        r->pgid = st.pgrp;
        snprintf(r->comm, sizeof r->comm, "%.31s", st.comm);
    }
    return p;
}

static const char *spawn_word(int event)
{
    return event == PTRACE_EVENT_VFORK ? "vfork" : event == PTRACE_EVENT_CLONE ? "clone" : "fork";
}

/* Start following thread tid, first seen now: at its parent's fork event,
 * or at its own first stop when that came first. A new process inherits
 * its creator's descriptors, filter and launch. NULL when it is gone or
 * past the bound (its stops are then only resumed). */
static struct ttask *adopt(struct tracer *tr, pid_t tid, pid_t creator, int event)
{
    char status[4096];
    struct ttask *ct = creator ? task_find(tr, creator) : NULL;
    struct tproc *parent, *p;
    pid_t tgid, ppid;
    uint64_t blocked;

    /* Full: say nothing more about it, and do not read /proc again at
     * each of its stops. */
    if (tr->ntasks >= tr->max)
        return NULL;
    /* Traced by this process, or not for it to follow: a child whose
     * parent's fork event comes after its own end (waitpid(-1) reports
     * the newest tracees first) is by then a zombie no one traces. */
    if (read_proc(tid, "status", status, sizeof status) < 0 ||
        status_number(status, "TracerPid", 10, 0) != tr->self)
        return NULL;
    tgid = (pid_t)status_number(status, "Tgid", 10, tid);
    ppid = (pid_t)status_number(status, "PPid", 10, 0);
    blocked = (uint64_t)status_number(status, "SigBlk", 16, 0);
    if (tgid != tid)
        return proc_find(tr, tgid) ? task_new(tr, tid, tgid, blocked) : NULL;

    parent = proc_find(tr, ct ? ct->tgid : ppid);
    p = proc_new(tr, tid, parent ? parent->launch : tr->rec->nlaunches - 1, ppid, blocked);
    if (!p)
        return NULL;
    if (parent) {
        p->filter = parent->filter;
        p->nfds = parent->nfds;
        memcpy(p->fds, parent->fds, sizeof p->fds);
        p->spawn_ev = record(tr, parent, TE_SPAWN, tid, "%s", spawn_word(event));
    } else {
        p->filter = tr->mode == TM_FILTER;
    }
    return task_find(tr, tid);
}

/* ---- resuming ---- */

/* PTRACE_SYSCALL when the result of the call in flight matters or the
 * process has no filter; else PTRACE_CONT, until the filter stops it. */
static void resume(struct tracer *tr, pid_t tid, const struct ttask *t, const struct tproc *p,
                   int sig)
{
    int filtered = p ? p->filter : tr->mode == TM_FILTER;
    enum __ptrace_request req = (t && t->want_exit) || !filtered ? PTRACE_SYSCALL : PTRACE_CONT;

    /* ESRCH: killed while stopped (SIGKILL needs no tracer); nothing to do. */
    ptrace(req, tid, 0L, (long)sig);
}

/* ---- system calls ---- */

static int watched(const struct tracer *tr, int sig)
{
    return sig >= 1 && sig <= 64 && (tr->watched & (1ULL << (sig - 1)));
}

/* The flags of an open call: openat2 keeps them in its struct open_how,
 * whose first field they are. */
static long open_flags(pid_t tid, uint64_t nr, const uint64_t *args)
{
    uint64_t how = 0;

#ifdef SYS_open
    if (nr == SYS_open)
        return (long)args[1];
#endif
#ifdef SYS_creat
    if (nr == SYS_creat)
        return O_CREAT | O_WRONLY | O_TRUNC;
#endif
#ifdef SYS_openat2
    if (nr == SYS_openat2) {
        peek(tid, args[2], &how, sizeof how);
        return (long)how;
    }
#endif
    (void)how;
    (void)tid;
    return (long)args[2];
}

/* Where the path is: openat and openat2 take a directory first. */
static uint64_t open_path_arg(uint64_t nr, const uint64_t *args)
{
#ifdef SYS_openat2
    if (nr == SYS_openat2)
        return args[1];
#endif
    return nr == SYS_openat ? args[1] : args[0];
}

static int is_open_call(uint64_t nr)
{
#ifdef SYS_open
    if (nr == SYS_open)
        return 1;
#endif
#ifdef SYS_creat
    if (nr == SYS_creat)
        return 1;
#endif
#ifdef SYS_openat2
    if (nr == SYS_openat2)
        return 1;
#endif
    return nr == SYS_openat;
}

/* A path worth a second stop for its result: a device, /proc's
 * descriptors, or a name holding the pidfile's (its lock file or
 * temporary twin too). Everything else a program opens (libraries,
 * locales) runs on after one stop. */
static int path_matters(const struct tracer *tr, const char *path)
{
    const char *base = strrchr(path, '/');

    if (strncmp(path, "/dev/", 5) == 0 || strncmp(path, "/proc/", 6) == 0)
        return 1;
    base = base ? base + 1 : path;
    return tr->has_pidfile && *tr->pidfile_base && strstr(base, tr->pidfile_base) != NULL;
}

/* Does path, opened by tid relative to its working directory, name the
 * pidfile? Used only when the open failed, so there is no descriptor. */
static int names_pidfile(const struct tracer *tr, pid_t tid, const char *path)
{
    char full[PATH_MAX + TRACER_PATH + 2], cwd[PATH_MAX];

    if (!tr->has_pidfile)
        return 0;
    if (path[0] == '/')
        return strcmp(path, tr->pidfile) == 0;
    if (link_proc(tid, "cwd", cwd, sizeof cwd) < 0)
        return 0;
    snprintf(full, sizeof full, "%s/%s", strcmp(cwd, "/") ? cwd : "", path);
    return strcmp(full, tr->pidfile) == 0;
}

static void on_close_entry(struct tracer *tr, pid_t tid, struct tproc *p, int fd)
{
    struct fdslot *s = fd_find(p, fd);
    struct stat st;
    int kind;
    char words[96];

    if (!s && fd > 2)
        return;
    if (stat_fd(tid, fd, &st) < 0) {
        fd_forget(p, fd);           /* not open: the close fails, EBADF */
        return;
    }
    kind = s && st.st_dev == s->dev && st.st_ino == s->ino ? s->kind
         : fd_classify(tr, tid, fd, &st);
    if (fd <= 2 || kind == FD_SENTINEL || kind == FD_PIDFILE) {
        fd_words(tr, p, tid, fd, kind, words, sizeof words);
        event_arg(tr, record(tr, p, TE_CLOSE, fd, "close fd %d (%s)", fd, words), fd);
    }
    fd_forget(p, fd);
}

static void on_sigaction_entry(struct tracer *tr, pid_t tid, struct tproc *p, const uint64_t *args)
{
    int sig = (int)args[0];
    uint64_t handler = 0;
    char name[24];

    if (!watched(tr, sig) || !args[1])
        return;
    if (peek(tid, args[1], &handler, sizeof(void *)) != (ssize_t)sizeof(void *))
        return;
    /* SIG_DFL is 0 and SIG_IGN 1 on every Linux architecture. */
    event_arg(tr, record(tr, p, TE_SIGACTION, sig, "%s: %s", sig_name(sig, name, sizeof name),
                         handler == 0 ? "default action" : handler == 1 ? "ignored"
                                                                        : "caught by a handler"),
              handler == 0 ? 0 : handler == 1 ? 1 : 2);
}

static void on_sigmask_entry(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                             const uint64_t *args)
{
    uint64_t set = 0, now;
    char name[24];

    if (!args[1] || peek(tid, args[1], &set, sizeof set) != (ssize_t)sizeof set)
        return;
    switch ((int)args[0]) {
    case SIG_BLOCK: now = t->blocked | set; break;
    case SIG_UNBLOCK: now = t->blocked & ~set; break;
    case SIG_SETMASK: now = set; break;
    default: return;                /* EINVAL: nothing changes */
    }
    now &= tr->watched;
    for (int sig = 1; sig <= 64; sig++) {
        uint64_t bit = 1ULL << (sig - 1);
        if ((now ^ t->blocked) & bit)
            record(tr, p, TE_SIGMASK, sig, "%s %s", now & bit ? "blocks" : "unblocks",
                   sig_name(sig, name, sizeof name));
    }
    t->blocked = now;
}

/* ---- signals sent, and the pidfile's name removed ---- */

/* Is a target, as kill names it, a process of the run: traced now or
 * recorded (a group by its leader), the sender's own group, or all? */
static int target_in_run(struct tracer *tr, pid_t target)
{
    pid_t pid;

    if (target == 0 || target == -1)
        return 1;
    if (target == INT_MIN)
        return 0;
    pid = target < 0 ? -target : target;
    return proc_find(tr, pid) != NULL || trace_find_proc(tr->rec, pid) != NULL;
}

/* The pid the pidfile holds now, or the last one it was seen to hold. */
static pid_t pidfile_pid(struct tracer *tr)
{
    pid_t now = tr->has_pidfile ? pidfile_pid_now(tr->pidfile) : 0;

    if (now > 0)
        tr->pidfile_pid = now;
    return tr->pidfile_pid;
}

static int same_sent(const struct sent_run *r, uint64_t nr, const struct sent_call *k)
{
    return r->ev >= 0 && r->nr == nr && r->sig == k->sig && r->target == k->target;
}

/* A signal sent: recorded at its entry, before the target can take it,
 * so that the timeline reads sent, then received; its result comes at
 * the exit. A repeat past SENT_SHOWN waits for its result to be counted. */
static void on_sent_entry(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                          uint64_t nr, const uint64_t *args)
{
    struct sent_run *r = &p->sent;
    struct sent_call k;
    char words[TRACE_DETAIL];
    long ev;

    if (sent_decode(tid, nr, args, &k) < 0)
        return;
    /* To a thread, what the filter lets through; to a process, what
     * matters, or anything when the target is of the run. */
    if (sent_call_kind(nr) == 2 ? k.sig == 0 || !sent_matters(k.sig)
                                : !sent_matters(k.sig) && !target_in_run(tr, k.target))
        return;
    t->want_exit = 1;
    if (same_sent(r, nr, &k) && r->shown >= SENT_SHOWN) {
        t->pending = PC_SENT_REPEAT;
        return;
    }
    sent_words(&k, pidfile_pid(tr), words, sizeof words);
    ev = record(tr, p, TE_KILL, k.sig, "%s", words);
    event_arg(tr, ev, k.target);
    if (same_sent(r, nr, &k))
        r->shown++;
    else
        *r = (struct sent_run){ nr, k.sig, k.target, -1, 1, -1, 0, 0 };
    r->ev = ev;
    r->err = -1;
    r->more = 0;
    t->pending = PC_SENT;
    t->pending_ev = ev;
}

static struct trace_event *event_at(struct tracer *tr, long i)
{
    return i >= 0 && (size_t)i < tr->rec->nev ? &tr->rec->ev[i] : NULL;
}

/* ": done", ": ESRCH" after the sentence of event i; its length after. */
static size_t add_result(struct tracer *tr, long i, int err)
{
    struct trace_event *e = event_at(tr, i);
    size_t len;

    if (!e)
        return 0;
    len = strnlen(e->detail, sizeof e->detail);
    snprintf(e->detail + len, sizeof e->detail - len, ": %s", err ? err_name(err) : "done");
    return strnlen(e->detail, sizeof e->detail);
}

/* One more of the same: counted on the run's last event. */
static void count_repeat(struct tracer *tr, struct tproc *p)
{
    struct sent_run *r = &p->sent;
    struct trace_event *e = event_at(tr, r->ev);
    long long t0 = p->launch >= 0 && p->launch < tr->rec->nlaunches
                 ? tr->rec->launches[p->launch].t0_us : 0;

    r->more++;
    if (!e || r->len >= sizeof e->detail)
        return;
    snprintf(e->detail + r->len, sizeof e->detail - r->len, " (and %ld more time%s, until %.1f ms)",
             r->more, r->more == 1 ? "" : "s", (double)(trace_now(tr->rec) - t0) / 1000.0);
}

static void on_sent_exit(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                         enum pending_call pc, int err)
{
    struct sent_run *r = &p->sent;
    struct sent_call k;
    char words[TRACE_DETAIL];
    long ev;

    if (pc == PC_SENT) {
        size_t len = add_result(tr, t->pending_ev, err);
        if (r->ev == t->pending_ev) {
            r->err = err;
            r->len = len;
        }
        return;
    }
    if (r->ev >= 0 && r->err == err) {
        count_repeat(tr, p);
        return;
    }
    /* The same call with another result (the pid is gone now): a new
     * event, and a new run from it. */
    if (sent_decode(tid, t->nr, t->args, &k) < 0)
        return;
    sent_words(&k, pidfile_pid(tr), words, sizeof words);
    ev = record(tr, p, TE_KILL, k.sig, "%s", words);
    event_arg(tr, ev, k.target);
    *r = (struct sent_run){ t->nr, k.sig, k.target, ev, 1, err, 0, add_result(tr, ev, err) };
}

/* unlink, unlinkat or rename of the pidfile's name (or of its last name
 * from another directory: a relative path after a chdir): its words
 * now, recorded with its result. */
static void on_name_entry(struct tracer *tr, pid_t tid, struct ttask *t, uint64_t nr,
                          const uint64_t *args)
{
    char paths[2][TRACER_PATH];
    const char *const given[2] = { paths[0], paths[1] };
    enum name_match m[2] = { NM_OTHER, NM_OTHER };
    struct name_call c;
    int how;

    if (!tr->has_pidfile || name_call_decode(nr, args, &c) < 0)
        return;
    paths[1][0] = '\0';
    for (int i = 0; i < c.npaths; i++) {
        if (peek_string(tr, tid, c.path[i], paths[i], sizeof paths[i]) < 0)
            paths[i][0] = '\0';
        else
            m[i] = name_match(tid, c.dirfd[i], paths[i], &tr->place);
    }
    if (c.npaths == 1)
        how = m[0] == NM_PIDFILE ? TU_REMOVED : m[0] == NM_ELSEWHERE ? TU_ELSEWHERE : -1;
    else if (m[1] == NM_PIDFILE && m[0] != NM_PIDFILE)
        how = TU_REPLACED;
    else if (m[0] == NM_PIDFILE && m[1] != NM_PIDFILE)
        how = c.exchange ? TU_REPLACED : TU_MOVED_AWAY;
    else
        how = -1;
    if (how < 0)
        return;
    if (how != TU_ELSEWHERE)
        pidfile_pid(tr);            /* what it held, before it goes */
    name_call_words(tid, &c, given, t->path, sizeof t->path);
    t->aux = how;
    t->pending = PC_NAME;
    t->want_exit = 1;
}

static void on_name_exit(struct tracer *tr, struct ttask *t, struct tproc *p, int err)
{
    static const char *const how_words[] = {
        [TU_REMOVED] = "the pidfile", [TU_MOVED_AWAY] = "the pidfile moved away",
        [TU_REPLACED] = "onto the pidfile",
        [TU_ELSEWHERE] = "not the pidfile (another directory)",
    };
    int how = t->aux >= TU_REMOVED && t->aux <= TU_ELSEWHERE ? (int)t->aux : TU_REMOVED;

    /* RENAME_NOREPLACE refused: nothing changed, and mv tries it first. */
    if (how == TU_REPLACED && err == EEXIST)
        return;
    event_arg(tr, record(tr, p, TE_UNLINK, err ? -err : 0, "%s, %s: %s", t->path, how_words[how],
                         err ? err_name(err) : "done"), how);
}

static int is_write_call(uint64_t nr)
{
#ifdef SYS_pwritev2
    if (nr == SYS_pwritev2)
        return 1;
#endif
    return nr == SYS_write || nr == SYS_pwrite64 || nr == SYS_writev || nr == SYS_pwritev;
}

/* At a call's entry (a seccomp stop, or a syscall-enter-stop without the
 * filter): record what needs no result, and decide whether the result is
 * worth the syscall-exit-stop. */
static void on_entry(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                     uint64_t nr, const uint64_t *args)
{
    struct fdslot *s;

    t->want_exit = 0;
    t->pending = PC_NONE;
    if (nr == SYS_execve || nr == SYS_execveat) {
        p->exec_stop = 1;
        return;
    }
    if (p->before_exec)
        return;                     /* the checker's own launcher code */
    t->nr = nr;
    memcpy(t->args, args, sizeof t->args);
    if (sent_call_kind(nr)) {
        on_sent_entry(tr, tid, t, p, nr, args);
        return;
    }
    if (name_call_is(nr)) {
        on_name_entry(tr, tid, t, nr, args);
        return;
    }
    if (is_open_call(nr)) {
        if (peek_string(tr, tid, open_path_arg(nr, args), t->path, sizeof t->path) == 0 &&
            path_matters(tr, t->path))
            t->want_exit = 1;
        return;
    }
    if (is_write_call(nr)) {
        s = fd_find(p, (int)args[0]);
        t->want_exit = s && s->kind == FD_PIDFILE && fd_still(tid, s);
        return;
    }
    switch (nr) {
    case SYS_close:
        on_close_entry(tr, tid, p, (int)args[0]);
        return;
    case SYS_rt_sigaction:
        on_sigaction_entry(tr, tid, p, args);
        return;
    case SYS_rt_sigprocmask:
        on_sigmask_entry(tr, tid, t, p, args);
        return;
    case SYS_prctl:
        t->want_exit = (int)args[0] == PR_SET_SECCOMP && args[1] == SECCOMP_MODE_FILTER;
        return;
    case SYS_seccomp:
        t->want_exit = args[0] == SECCOMP_SET_MODE_FILTER;
        return;
    case SYS_fcntl:
        switch ((int)args[1]) {
        case F_DUPFD: case F_DUPFD_CLOEXEC:
            t->want_exit = 1;
            return;
        case F_SETLK: case F_SETLKW: case F_OFD_SETLK: case F_OFD_SETLKW: {
            short type = -1;
            peek(tid, args[2], &type, sizeof type);
            t->aux = type;
            t->want_exit = 1;
            return;
        }
        default:
            return;
        }
    default:
        break;
    }
    for (size_t i = 0; i < sizeof followed / sizeof *followed; i++)
        if ((uint64_t)followed[i].nr == nr) {
            t->want_exit = 1;
            return;
        }
}

static void on_open_exit(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                         int64_t rval, int err)
{
    char flags[96], words[96];
    struct stat st;
    int kind, fd = (int)rval;

    open_flags_text(open_flags(tid, t->nr, t->args), flags, sizeof flags);
    if (err) {
        if (names_pidfile(tr, tid, t->path))
            record(tr, p, TE_OPEN, -err, "open the pidfile %s (%s): %s", t->path, flags,
                   err_name(err));
        return;
    }
    kind = fd_classify(tr, tid, fd, &st);
    if (kind < 0)
        return;                     /* closed already, by another thread */
    fd_keep(p, fd, kind, &st);
    if (kind == FD_NULL || kind == FD_TTY) {
        fd_words(tr, p, tid, fd, kind, words, sizeof words);
        record(tr, p, TE_OPEN, fd, "open %s as fd %d (%s)", words, fd, flags);
    } else if (kind == FD_PIDFILE && strcmp(t->path, tr->pidfile) == 0) {
        record(tr, p, TE_OPEN, fd, "open the pidfile as fd %d (%s)", fd, flags);
    } else if (kind == FD_PIDFILE) {
        /* By another name: relative, through a link, from a directory. */
        record(tr, p, TE_OPEN, fd, "open the pidfile as fd %d (%s), named \"%s\"", fd, flags,
               t->path);
    }
}

/* oldfd copied onto newfd by dup, dup2, dup3 or fcntl F_DUPFD. */
static void on_dup_exit(struct tracer *tr, pid_t tid, struct tproc *p, int oldfd, int newfd,
                        const char *how)
{
    struct fdslot *old = fd_find(p, oldfd), *was = fd_find(p, newfd);
    int was_kind = was ? was->kind : -1, kind;
    struct stat st;
    char words[96];

    if (oldfd == newfd)
        return;
    if (old && fd_still(tid, old)) {
        kind = old->kind;
        st.st_dev = old->dev;
        st.st_ino = old->ino;
    } else {
        kind = fd_classify(tr, tid, newfd, &st);
        if (kind < 0)
            return;
    }
    fd_keep(p, newfd, kind, &st);
    if (newfd <= 2 || was_kind == FD_SENTINEL || was_kind == FD_PIDFILE) {
        fd_words(tr, p, tid, newfd, kind, words, sizeof words);
        event_arg(tr, record(tr, p, TE_DUP, newfd, "%s: %s (fd %d) onto fd %d%s%s", how, words,
                             oldfd, newfd, was_kind >= 0 && was_kind != FD_OTHER ? ", replacing " : "",
                             was_kind >= 0 && was_kind != FD_OTHER ? kind_words(was_kind) : ""),
                  oldfd);
    }
}

static void on_close_range_exit(struct tracer *tr, struct tproc *p, const uint64_t *args)
{
    unsigned first = (unsigned)args[0], last = (unsigned)args[1];
    struct fdslot gone[TRACER_FDS];
    char list[TRACE_DETAIL] = "";
    size_t len = 0;
    int ngone = 0, shown = 0;

    if (args[2] & CLOSE_RANGE_CLOEXEC)
        return;                     /* they close at exec, where it is recorded */
    for (int i = p->nfds - 1; i >= 0; i--)
        if ((unsigned)p->fds[i].fd >= first && (unsigned)p->fds[i].fd <= last) {
            gone[ngone++] = p->fds[i];
            p->fds[i] = p->fds[--p->nfds];
        }
    for (int i = 1; i < ngone; i++)         /* in the order of the numbers */
        for (int j = i; j > 0 && gone[j - 1].fd > gone[j].fd; j--) {
            struct fdslot tmp = gone[j];
            gone[j] = gone[j - 1];
            gone[j - 1] = tmp;
        }
    for (int i = 0; i < ngone && len < sizeof list; i++)
        if (gone[i].fd <= 2 || gone[i].kind == FD_SENTINEL || gone[i].kind == FD_PIDFILE)
            len += (size_t)snprintf(list + len, sizeof list - len, "%s%d (%s)", shown++ ? ", " : "",
                                    gone[i].fd, kind_words(gone[i].kind));
    if (shown && last == ~0U)
        event_arg(tr, record(tr, p, TE_CLOSE, first, "close_range(%u, ~0): %s", first, list),
                  INT_MAX);
    else if (shown)
        event_arg(tr, record(tr, p, TE_CLOSE, first, "close_range(%u, %u): %s", first, last, list),
                  last);
}

static const char *lock_type_words(long type)
{
    return type == F_WRLCK ? "write lock" : type == F_RDLCK ? "read lock"
         : type == F_UNLCK ? "unlock" : "lock";
}

static const char *fcntl_lock_name(int cmd)
{
    switch (cmd) {
    case F_SETLK: return "F_SETLK";
    case F_SETLKW: return "F_SETLKW";
    case F_OFD_SETLK: return "F_OFD_SETLK";
    default: return "F_OFD_SETLKW";
    }
}

static void on_lock_exit(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p, int err)
{
    int fd = (int)t->args[0];
    struct fdslot *s = fd_find(p, fd);
    char words[96], op[48];

    fd_words(tr, p, tid, fd, s && fd_still(tid, s) ? s->kind : FD_OTHER, words, sizeof words);
    if (t->nr == SYS_flock) {
        int how = (int)t->args[1];
        snprintf(op, sizeof op, "flock %s%s", (how & LOCK_UN) ? "LOCK_UN" : (how & LOCK_EX)
                 ? "LOCK_EX" : "LOCK_SH", (how & LOCK_NB) ? "|LOCK_NB" : "");
    } else {
        snprintf(op, sizeof op, "%s %s", fcntl_lock_name((int)t->args[1]), lock_type_words(t->aux));
    }
    event_arg(tr, record(tr, p, TE_LOCK, err ? -err : fd, "%s on %s (fd %d): %s", op, words, fd,
                         err ? err_name(err) : "done"),
              s && s->kind == FD_PIDFILE);
}

/* The bytes a write to the pidfile carried (the first WRITE_SHOWN). */
static size_t written_bytes(pid_t tid, const struct ttask *t, size_t n, unsigned char *buf)
{
    struct iovec iov[4];
    size_t got = 0;
    ssize_t r;

    if (n > WRITE_SHOWN)
        n = WRITE_SHOWN;
    if (t->nr == SYS_write || t->nr == SYS_pwrite64) {
        r = peek(tid, t->args[1], buf, n);
        return r > 0 ? (size_t)r : 0;
    }
    r = peek(tid, t->args[1], iov, sizeof iov);    /* writev and pwritev: the iovecs */
    for (int i = 0, count = r > 0 ? (int)((size_t)r / sizeof *iov) : 0;
         i < count && i < (int)t->args[2] && got < n; i++) {
        size_t want = iov[i].iov_len < n - got ? iov[i].iov_len : n - got;
        ssize_t m = peek(tid, (uint64_t)(uintptr_t)iov[i].iov_base, buf + got, want);
        if (m <= 0)
            break;
        got += (size_t)m;
    }
    return got;
}

static void on_write_exit(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                          int64_t rval, int err)
{
    unsigned char bytes[WRITE_SHOWN];
    char quoted[TRACE_DETAIL - 40];
    int fd = (int)t->args[0];

    if (err) {
        record(tr, p, TE_PIDFILE_WRITE, -err, "fd %d: %s", fd, err_name(err));
        return;
    }
    quote_bytes(bytes, written_bytes(tid, t, (size_t)rval, bytes), quoted, sizeof quoted);
    if (t->nr == SYS_pwrite64)
        record(tr, p, TE_PIDFILE_WRITE, rval, "%s (%lld bytes, fd %d, at offset %lld)", quoted,
               (long long)rval, fd, (long long)t->args[3]);
    else
        record(tr, p, TE_PIDFILE_WRITE, rval, "%s (%lld bytes, fd %d)", quoted, (long long)rval,
               fd);
}

static void on_setpgid_exit(struct tracer *tr, struct tproc *p, const uint64_t *args,
                            int64_t rval, int err)
{
    pid_t who = (pid_t)args[0] ? (pid_t)args[0] : p->pid;
    pid_t group = (pid_t)args[1] ? (pid_t)args[1] : who;

    (void)rval;
    if (err)
        record(tr, p, TE_SETPGID, -err, "setpgid(%d, %d): %s", (int)args[0], (int)args[1],
               err_name(err));
    else if (who == p->pid)
        record(tr, p, TE_SETPGID, group, "process group %d", (int)group);
    else
        record(tr, p, TE_SETPGID, group, "process %d into group %d", (int)who, (int)group);
}

static void on_chdir_exit(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p, int err)
{
    char dir[TRACE_DETAIL];

    if (err) {
        if (t->nr == SYS_chdir && peek_string(tr, tid, t->args[0], dir, sizeof dir) == 0)
            record(tr, p, TE_CHDIR, -err, "%s: %s", dir, err_name(err));
        else
            record(tr, p, TE_CHDIR, -err, "fd %d: %s", (int)t->args[0], err_name(err));
        return;
    }
    if (link_proc(tid, "cwd", dir, sizeof dir) < 0)
        snprintf(dir, sizeof dir, "?");
    record(tr, p, TE_CHDIR, 0, "%s", dir);
}

/* A call interrupted by a signal that the kernel restarts: its result
 * comes with the restart, which stops again. */
static int restarting(int64_t rval)
{
    return rval == -512 || rval == -513 || rval == -514 || rval == -516;
}

static void on_call_exit(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                         int64_t rval, int is_error)
{
    int err = is_error ? (int)-rval : 0;
    uint64_t nr = t->nr;

    t->want_exit = 0;
    if (is_error && restarting(rval))
        return;
    if (t->pending != PC_NONE) {
        enum pending_call pc = t->pending;

        t->pending = PC_NONE;
        if (pc == PC_NAME)
            on_name_exit(tr, t, p, err);
        else
            on_sent_exit(tr, tid, t, p, pc, err);
        return;
    }
    if (is_open_call(nr)) {
        on_open_exit(tr, tid, t, p, rval, err);
    } else if (is_write_call(nr)) {
        on_write_exit(tr, tid, t, p, rval, err);
    } else if (nr == SYS_setsid) {
        if (err)
            record(tr, p, TE_SETSID, -err, "setsid: %s", err_name(err));
        else
            record(tr, p, TE_SETSID, rval, "new session %lld", (long long)rval);
    } else if (nr == SYS_umask) {
        /* It cannot fail, but under a filter of the candidate's own. */
        if (!err)
            record(tr, p, TE_UMASK, (long long)(t->args[0] & 0777), "umask %03llo",
                   (unsigned long long)(t->args[0] & 0777));
    } else if (nr == SYS_seccomp || nr == SYS_prctl) {
        if (!err)
            record(tr, p, TE_UNSEEN, 0, "it installs a seccomp filter of its own: the system "
                   "calls that filter refuses or kills are not seen from here on");
    } else if (nr == SYS_setpgid) {
        on_setpgid_exit(tr, p, t->args, rval, err);
    } else if (nr == SYS_chdir || nr == SYS_fchdir) {
        on_chdir_exit(tr, tid, t, p, err);
    } else if (nr == SYS_flock || (nr == SYS_fcntl && t->args[1] != F_DUPFD &&
                                   t->args[1] != F_DUPFD_CLOEXEC)) {
        on_lock_exit(tr, tid, t, p, err);
    } else if (!err && nr == SYS_fcntl) {
        on_dup_exit(tr, tid, p, (int)t->args[0], (int)rval, "fcntl F_DUPFD");
    } else if (!err && nr == SYS_dup) {
        on_dup_exit(tr, tid, p, (int)t->args[0], (int)rval, "dup");
#ifdef SYS_dup2
    } else if (!err && nr == SYS_dup2) {
        on_dup_exit(tr, tid, p, (int)t->args[0], (int)rval, "dup2");
#endif
    } else if (!err && nr == SYS_dup3) {
        on_dup_exit(tr, tid, p, (int)t->args[0], (int)rval, "dup3");
#ifdef SYS_close_range
    } else if (!err && nr == SYS_close_range) {
        on_close_range_exit(tr, p, t->args);
#endif
    }
}

static void note_foreign_arch(struct tracer *tr, struct tproc *p, uint32_t arch)
{
    if (p->arch_noted)
        return;
    p->arch_noted = 1;
    record(tr, p, TE_UNSEEN, arch, "a program of another architecture (audit arch 0x%x): "
           "its system calls are not followed", (unsigned)arch);
}

static void on_syscall_stop(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p)
{
    struct __ptrace_syscall_info info;
    long n;

    memset(&info, 0, sizeof info);
    n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof info, &info);
    if (n <= 0 || !t || !p) {
        if (t)
            t->want_exit = 0;
        resume(tr, tid, t, p, 0);
        return;
    }
    if (NATIVE_ARCH && info.arch != NATIVE_ARCH) {
        t->want_exit = 0;
        note_foreign_arch(tr, p, info.arch);
    } else if (info.op == PTRACE_SYSCALL_INFO_SECCOMP && p->filter) {
        on_entry(tr, tid, t, p, info.seccomp.nr, info.seccomp.args);
    } else if (info.op == PTRACE_SYSCALL_INFO_ENTRY && !p->filter) {
        on_entry(tr, tid, t, p, info.entry.nr, info.entry.args);
    } else if (info.op == PTRACE_SYSCALL_INFO_EXIT && t->want_exit) {
        on_call_exit(tr, tid, t, p, info.exit.rval, info.exit.is_error);
    }
    resume(tr, tid, t, p, 0);
}

/* ---- events ---- */

/* The last exits, for tracer_exit_parent and for a fork event reported
 * after its child's end. */
static void remember_exit(struct tracer *tr, pid_t pid, pid_t ppid, long spawn_ev)
{
    tr->recent[tr->nrecent++ % TRACER_RECENT] = (struct recent_exit){ pid, ppid, spawn_ev };
}

static const struct recent_exit *recent_exit(const struct tracer *tr, pid_t pid)
{
    unsigned n = tr->nrecent < TRACER_RECENT ? tr->nrecent : TRACER_RECENT;

    for (unsigned i = 0; i < n; i++) {
        const struct recent_exit *e = &tr->recent[(tr->nrecent - 1 - i) % TRACER_RECENT];
        if (e->pid == pid)
            return e;
    }
    return NULL;
}

static void on_spawn(struct tracer *tr, pid_t tid, struct ttask *t, int event)
{
    unsigned long child = 0;
    struct ttask *c;

    if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &child) < 0 || child == 0 || !t)
        return;
    c = task_find(tr, (pid_t)child);
    if (!c && recent_exit(tr, (pid_t)child)) {
        /* It came, lived and ended before this event was reported. */
        long ev = recent_exit(tr, (pid_t)child)->spawn_ev;
        if (ev >= 0 && (size_t)ev < tr->rec->nev)
            snprintf(tr->rec->ev[ev].detail, TRACE_DETAIL, "%s", spawn_word(event));
        return;
    }
    if (!c) {
        /* Counted here, once: its own stops find no state either. */
        if (!adopt(tr, (pid_t)child, tid, event) && tr->ntasks >= tr->max &&
            event != PTRACE_EVENT_CLONE)
            tr->rec->procs_dropped++;
        return;
    }
    /* Its first stop came first: now the word for how it was made is known. */
    if (c->tgid == (pid_t)child) {
        struct tproc *cp = proc_find(tr, (pid_t)child);
        if (cp && cp->spawn_ev >= 0 && (size_t)cp->spawn_ev < tr->rec->nev)
            snprintf(tr->rec->ev[cp->spawn_ev].detail, TRACE_DETAIL, "%s", spawn_word(event));
    }
}

/* The launcher's first exec: the candidate starts here, in the state the
 * hostile set-up left, read once from /proc. */
static void launcher_exec(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p,
                          const char *status)
{
    for (int fd = 0; fd <= 2; fd++) {
        struct stat st;
        int kind = fd_classify(tr, tid, fd, &st);
        if (kind >= 0)
            fd_keep(p, fd, kind, &st);
    }
    for (int i = 0; i < tr->nsentinel_fds; i++) {
        struct stat st;
        if (stat_fd(tid, tr->sentinel_fds[i], &st) == 0)
            fd_keep(p, tr->sentinel_fds[i], FD_SENTINEL, &st);
    }
    t->blocked = (uint64_t)status_number(status, "SigBlk", 16, 0) & tr->watched;
    if (status_number(status, "NoNewPrivs", 10, 0) == 1 && !tr->self_nnp)
        record(tr, p, TE_NOTE, 0, "no_new_privs was set so that the trace's seccomp filter "
               "could be installed: set-user-ID programs run without their privileges");
    if (p->filter && !p->exec_stop) {
        p->filter = 0;
        record(tr, p, TE_NOTE, 0, "the seccomp filter could not be installed: "
               "every system call stops");
    }
    p->before_exec = 0;
}

/* After a later exec: the descriptors marked close-on-exec are gone. */
static void fds_after_exec(struct tracer *tr, pid_t tid, struct tproc *p)
{
    for (int i = p->nfds - 1; i >= 0; i--) {
        struct fdslot s = p->fds[i];
        if (fd_still(tid, &s))
            continue;
        if (s.fd <= 2 || s.kind == FD_SENTINEL || s.kind == FD_PIDFILE)
            event_arg(tr, record(tr, p, TE_CLOSE, s.fd, "fd %d (%s) closed on exec (close-on-exec)",
                                 s.fd, kind_words(s.kind)), s.fd);
        p->fds[i] = p->fds[--p->nfds];
    }
}

/* A set-user-ID or set-group-ID program that did not get its identity:
 * ptrace by an unprivileged tracer, or no_new_privs, keeps the old one. */
static void check_setid_exec(struct tracer *tr, pid_t tid, struct tproc *p, const char *status,
                             const char *exe)
{
    struct stat st;
    char path[64];

    snprintf(path, sizeof path, "/proc/%d/exe", (int)tid);
    if (stat(path, &st) < 0 || !(st.st_mode & (S_ISUID | S_ISGID)))
        return;
    if (((st.st_mode & S_ISUID) && status_second(status, "Uid") != (long long)st.st_uid) ||
        ((st.st_mode & S_ISGID) && status_second(status, "Gid") != (long long)st.st_gid))
        record(tr, p, TE_UNSEEN, 0, "%s is set-user/group-ID, but runs without those "
               "privileges under the trace", exe);
}

static void cmdline_words(pid_t pid, char *buf, size_t cap)
{
    ssize_t n = read_proc(pid, "cmdline", buf, cap);

    if (n <= 0) {
        if (link_proc(pid, "exe", buf, cap) < 0)
            snprintf(buf, cap, "?");
        return;
    }
    while (n > 0 && buf[n - 1] == '\0')
        n--;
    for (ssize_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
}

static void on_exec(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p)
{
    unsigned long former = 0;
    char status[4096], words[TRACE_DETAIL], exe[PATH_MAX];
    struct __ptrace_syscall_info info;

    /* A thread other than the leader exec'ed: it now has the leader's id,
     * and its own state (its signal mask) goes with it. */
    if (ptrace(PTRACE_GETEVENTMSG, tid, 0L, &former) == 0 && (pid_t)former != tid) {
        struct ttask *old = task_find(tr, (pid_t)former);
        if (old) {
            uint64_t blocked = old->blocked;
            task_drop(tr, old);
            t = task_find(tr, tid);
            if (!t && proc_find(tr, tid))
                t = task_new(tr, tid, tid, blocked);
            if (t)
                t->blocked = blocked;
        }
    }
    p = proc_find(tr, tid);
    if (!t || !p)
        return;
    t->want_exit = 0;
    if (read_proc(tid, "status", status, sizeof status) < 0)
        status[0] = '\0';
    cmdline_words(tid, words, sizeof words);
    record(tr, p, TE_EXEC, 0, "%s", words);
    if (p->rec >= 0) {
        struct proc_stat st;
        if (read_stat(tid, &st) == 0)
            snprintf(tr->rec->procs[p->rec].comm, sizeof tr->rec->procs[p->rec].comm, "%.31s",
                     st.comm);
    }
    if (p->before_exec)
        launcher_exec(tr, tid, t, p, status);
    else
        fds_after_exec(tr, tid, p);
    p->exec_stop = 0;
    if (link_proc(tid, "exe", exe, sizeof exe) < 0)
        snprintf(exe, sizeof exe, "the program");
    check_setid_exec(tr, tid, p, status, exe);
    memset(&info, 0, sizeof info);
    if (NATIVE_ARCH && ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof info, &info) > 0 &&
        info.arch != NATIVE_ARCH)
        note_foreign_arch(tr, p, info.arch);
}

/* PTRACE_EVENT_EXIT: the process is still there, its parent still its own. */
static void on_exit_event(struct tracer *tr, pid_t tid, struct ttask *t, struct tproc *p)
{
    struct proc_stat st;

    (void)tr;
    if (t && p && tid == p->pid && read_stat(tid, &st) == 0)
        p->exit_ppid = st.ppid;
}

/* The wait reported thread tid's end. */
static void on_gone(struct tracer *tr, pid_t tid, int status)
{
    struct ttask *t = task_find(tr, tid);
    struct tproc *p;
    pid_t tgid, ppid;
    char words[64];

    tr->exits_gen++;
    if (!t)
        return;
    tgid = t->tgid;
    task_drop(tr, t);
    p = tid == tgid ? proc_find(tr, tgid) : NULL;
    if (!p)
        return;                     /* a thread: not a process of the record */
    ppid = p->exit_ppid;
    if (!ppid) {
        /* No exit stop (SIGKILL): a zombie still waiting for its real
         * parent names it; else the last parent known. */
        struct proc_stat st;
        ppid = read_stat(tid, &st) == 0 ? st.ppid : p->ppid;
    }
    p->ppid = ppid;
    p->ppid_gen = tr->exits_gen;
    describe_status(status, words, sizeof words);
    record(tr, p, TE_EXIT, status, "%s", words);
    if (p->rec >= 0) {
        struct trace_proc *r = &tr->rec->procs[p->rec];
        r->end_us = trace_now(tr->rec);
        r->status = status;
        r->exit_ppid = ppid;
    }
    remember_exit(tr, tid, ppid, p->spawn_ev);
    proc_drop(tr, p);
}

static void on_signal(struct tracer *tr, pid_t tid, struct tproc *p, int sig)
{
    siginfo_t si;
    char name[24];

    if (!p)
        return;
    sig_name(sig, name, sizeof name);
    memset(&si, 0, sizeof si);
    if (ptrace(PTRACE_GETSIGINFO, tid, 0L, &si) < 0)
        record(tr, p, TE_SIGNAL, sig, "%s", name);
    else if (si.si_code == SI_USER || si.si_code == SI_TKILL || si.si_code == SI_QUEUE)
        record(tr, p, TE_SIGNAL, sig, "%s from pid %d", name, (int)si.si_pid);
    else if (sig == SIGCHLD)
        record(tr, p, TE_SIGNAL, sig, "%s (child %d)", name, (int)si.si_pid);
    else
        record(tr, p, TE_SIGNAL, sig, "%s from the kernel", name);
}

static int is_stop_signal(int sig)
{
    return sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

/* ---- the interface ---- */

struct tracer *tracer_new(const struct tracer_config *cfg, struct trace *rec)
{
    struct tracer *tr = calloc(1, sizeof *tr);
    char status[4096];
    struct stat st;
    size_t max = cfg->max_tasks ? cfg->max_tasks : 4096;

    if (!tr)
        return NULL;
    if (cfg->nsentinel_fds < 0 || cfg->nsentinel_fds > TRACER_MAX_SENTINELS ||
        cfg->nwatched_sigs < 0 || cfg->nwatched_sigs > TRACER_MAX_SIGNALS ||
        (cfg->pidfile && strlen(cfg->pidfile) >= sizeof tr->pidfile)) {
        free(tr);
        errno = EINVAL;
        return NULL;
    }
    tr->rec = rec;
    tr->self = getpid();
    tr->page = sysconf(_SC_PAGESIZE);
    if (tr->page <= 0)
        tr->page = 4096;
    tr->max = max;
    for (tr->cap = 64; tr->cap < 2 * max; tr->cap *= 2)
        ;
    tr->tasks = calloc(tr->cap, sizeof *tr->tasks);
    tr->procs = calloc(tr->cap, sizeof *tr->procs);
    if (!tr->tasks || !tr->procs) {
        tracer_free(tr);
        errno = ENOMEM;
        return NULL;
    }
    if (stat("/dev/null", &st) == 0)
        tr->devnull = st.st_rdev;
    if (cfg->pidfile) {
        const char *slash;
        tr->has_pidfile = 1;
        snprintf(tr->pidfile, sizeof tr->pidfile, "%s", cfg->pidfile);
        slash = strrchr(tr->pidfile, '/');
        tr->pidfile_base = slash ? slash + 1 : tr->pidfile;
        pidfile_place_init(&tr->place, tr->pidfile);     /* no name: unlinks never match */
    }
    tr->nsentinel_fds = cfg->nsentinel_fds;
    memcpy(tr->sentinel_fds, cfg->sentinel_fds, sizeof tr->sentinel_fds);
    tr->watched = 1ULL << (SIGHUP - 1) | 1ULL << (SIGTERM - 1);
    for (int i = 0; i < cfg->nwatched_sigs; i++)
        if (cfg->watched_sigs[i] >= 1 && cfg->watched_sigs[i] <= 64)
            tr->watched |= 1ULL << (cfg->watched_sigs[i] - 1);
    if (read_proc(tr->self, "status", status, sizeof status) >= 0)
        tr->self_nnp = status_number(status, "NoNewPrivs", 10, 0) == 1;

    tr->mode = cfg->mode == TRACER_SYSCALL ? TM_SYSCALL : TM_FILTER;
    if (tr->mode == TM_FILTER && (!filter_available() || build_filter(tr) < 0))
        tr->mode = TM_SYSCALL;
    rec->mode = tr->mode;
    return tr;
}

void tracer_free(struct tracer *tr)
{
    if (!tr)
        return;
    free(tr->tasks);
    free(tr->procs);
    free(tr);
}

int tracer_launch(struct tracer *tr, enum trace_launch_kind kind, dev_t tty)
{
    int i = trace_add_launch(tr->rec, kind);

    if (i >= 0)
        tr->tty[i] = tty;
    return i;
}

int tracer_seize(struct tracer *tr, pid_t pid, int launch)
{
    const long options = PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |
                         PTRACE_O_TRACECLONE | PTRACE_O_TRACEEXEC | PTRACE_O_TRACEEXIT |
                         PTRACE_O_TRACESECCOMP | PTRACE_O_EXITKILL;
    char status[4096];
    struct tproc *p;
    struct proc_stat st;
    int saved;

    if (launch < 0 || launch >= tr->rec->nlaunches || pid <= 0) {
        errno = EINVAL;
        return -1;
    }
    tr->rec->launches[launch].first = pid;
    if (read_proc(pid, "status", status, sizeof status) < 0)
        status[0] = '\0';
    if (ptrace(PTRACE_SEIZE, pid, 0L, options) < 0) {
        pid_t other = (pid_t)status_number(status, "TracerPid", 10, 0);
        char yama[16] = "";
        saved = errno;
        read_stat(pid, &st);
        proc_read_file(AT_FDCWD, "/proc/sys/kernel/yama/ptrace_scope", yama, sizeof yama);
        if (other > 0)
            trace_add_event(tr->rec, launch, pid, st.ppid, TE_UNSEEN, -saved, "not traced: "
                            "already traced by pid %d", (int)other);
        else if (saved == EPERM && atoi(yama) >= 2)
            trace_add_event(tr->rec, launch, pid, st.ppid, TE_UNSEEN, -saved, "not traced: "
                            "Yama's ptrace_scope %d forbids it", atoi(yama));
        else
            trace_add_event(tr->rec, launch, pid, st.ppid, TE_UNSEEN, -saved, "not traced: "
                            "PTRACE_SEIZE failed: %s", strerror(saved));
        errno = saved;
        return -1;
    }
    read_stat(pid, &st);
    p = proc_new(tr, pid, launch, st.ppid, (uint64_t)status_number(status, "SigBlk", 16, 0));
    if (p) {
        p->filter = tr->mode == TM_FILTER;
        p->before_exec = 1;
        if (p->rec >= 0)
            tr->rec->procs[p->rec].role = TR_LAUNCHER;
    }
    return 0;
}

int tracer_go(const struct tracer *tr, int go_fd, int seized)
{
    char byte = !seized ? GO_UNTRACED : tr->mode == TM_FILTER ? GO_FILTER : GO_SYSCALL;
    ssize_t n;

    do
        n = write(go_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    return n == 1 ? 0 : -1;
}

/* The filter is no sandbox: SPEC_ALLOW keeps the kernel from imposing the
 * speculative-store-bypass mitigation that a seccomp filter otherwise
 * brings, which would slow the candidate down (kernels before 4.17 do not
 * know the flag: then without it). */
static int install_filter(const struct sock_fprog *prog)
{
    if (syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_SPEC_ALLOW, prog) == 0)
        return 0;
    if (errno != EINVAL)
        return -1;
    return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, prog);
}

int tracer_child_go(const struct tracer *tr, int go_fd)
{
    struct sock_filter copy[TRACER_FILTER_MAX];
    struct sock_fprog prog = { tr->filter_len, copy };
    char byte;
    ssize_t n;

    do
        n = read(go_fd, &byte, 1);
    while (n < 0 && errno == EINTR);
    if (n < 0)
        return -1;
    if (n == 0 || byte == GO_UNTRACED)
        return 0;
    if (byte != GO_FILTER)
        return 1;
    memcpy(copy, tr->filter, sizeof copy);
    /* Root (CAP_SYS_ADMIN) installs it as it is; anyone else must first
     * give up gaining privileges, which the trace records. */
    if (install_filter(&prog) < 0 && errno == EACCES && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
        install_filter(&prog);
    return 1;
}

int tracer_on_wait(struct tracer *tr, pid_t tid, int status)
{
    struct ttask *t;
    struct tproc *p;
    int sig, event;

    if (!WIFSTOPPED(status)) {
        if (WIFEXITED(status) || WIFSIGNALED(status))
            on_gone(tr, tid, status);
        return 0;
    }
    tr->rec->stops++;
    t = task_find(tr, tid);
    if (!t)
        t = adopt(tr, tid, 0, PTRACE_EVENT_FORK);
    if (t)
        t->in_flight = 0;
    p = t ? proc_find(tr, t->tgid) : NULL;
    sig = WSTOPSIG(status);
    event = (status >> 16) & 0xff;
    if (sig == (SIGTRAP | 0x80)) {
        on_syscall_stop(tr, tid, t, p);
        return 1;
    }
    switch (event) {
    case PTRACE_EVENT_SECCOMP:
        on_syscall_stop(tr, tid, t, p);
        return 1;
    case PTRACE_EVENT_FORK: case PTRACE_EVENT_VFORK: case PTRACE_EVENT_CLONE:
        on_spawn(tr, tid, t, event);
        break;
    case PTRACE_EVENT_EXEC:
        on_exec(tr, tid, t, p);
        t = task_find(tr, tid);
        p = t ? proc_find(tr, t->tgid) : NULL;
        break;
    case PTRACE_EVENT_EXIT:
        on_exit_event(tr, tid, t, p);
        ptrace(PTRACE_CONT, tid, 0L, 0L);
        return 1;
    case PTRACE_EVENT_STOP:
        /* A group-stop must stay a stop until SIGCONT, as untraced. */
        if (is_stop_signal(sig)) {
            ptrace(PTRACE_LISTEN, tid, 0L, 0L);
            return 1;
        }
        break;
    case 0:
        on_signal(tr, tid, p, sig);
        resume(tr, tid, t, p, sig);
        if (t)
            t->in_flight = sig;
        return 1;
    default:
        break;
    }
    resume(tr, tid, t, p, 0);
    return 1;
}

pid_t tracer_exit_parent(const struct tracer *tr, pid_t pid)
{
    const struct recent_exit *e = recent_exit(tr, pid);

    return e ? e->ppid : 0;
}

int tracer_signal_in_flight(const struct tracer *tr, pid_t pid)
{
    for (size_t i = 0; i < tr->cap; i++)
        if (tr->tasks[i].tid && tr->tasks[i].tgid == pid && tr->tasks[i].in_flight)
            return tr->tasks[i].in_flight;
    return 0;
}

int tracer_live(const struct tracer *tr)
{
    return (int)tr->ntasks;
}

/* Is pid traced by this process now? A pid in the tables cannot have been
 * reused while traced, but a caller that reaped one behind the tracer's
 * back would leave a stale entry: check before any signal. */
static int traced_by_self(const struct tracer *tr, pid_t pid)
{
    char status[4096];

    return read_proc(pid, "status", status, sizeof status) >= 0 &&
           status_number(status, "TracerPid", 10, 0) == tr->self;
}

static long mono_ms(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000L + ts.tv_nsec / 1000000L;
}

int tracer_finish(struct tracer *tr)
{
    long deadline = mono_ms() + 1000;
    pid_t *tids;
    size_t n;

    for (size_t i = 0; i < tr->cap; i++)
        if (tr->procs[i].pid && traced_by_self(tr, tr->procs[i].pid))
            kill(tr->procs[i].pid, SIGKILL);
    tids = malloc((tr->ntasks ? tr->ntasks : 1) * sizeof *tids);
    if (!tids)
        return -1;
    while (tr->ntasks > 0 && mono_ms() < deadline) {
        int progressed = 0;

        n = 0;
        for (size_t i = 0; i < tr->cap && n < tr->ntasks; i++)
            if (tr->tasks[i].tid)
                tids[n++] = tr->tasks[i].tid;
        for (size_t i = 0; i < n; i++) {
            int status;
            pid_t r = waitpid(tids[i], &status, __WALL | WNOHANG);

            if (r == tids[i]) {
                tracer_on_wait(tr, r, status);
                progressed = 1;
            } else if (r < 0 && errno == ECHILD) {
                /* Not ours to wait for any more: gone behind our back. */
                struct ttask *t = task_find(tr, tids[i]);
                struct tproc *p = t && t->tgid == tids[i] ? proc_find(tr, tids[i]) : NULL;
                if (p)
                    proc_drop(tr, p);
                t = task_find(tr, tids[i]);
                if (t)
                    task_drop(tr, t);
                progressed = 1;
            }
        }
        if (!progressed)
            poll(NULL, 0, 1);
    }
    free(tids);
    if (tr->ntasks > 0) {
        errno = EBUSY;
        return -1;
    }
    return 0;
}
