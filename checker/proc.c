/* proc.c — reading and parsing /proc/PID/stat, /proc/PID/status and
 * /proc/locks.
 *
 * The parsers take a buffer and its length (no NUL needed) and never read
 * past it: the text comes from a process the checker does not trust, whose
 * command name may hold spaces, parentheses and newlines. Every number is
 * converted by a checked helper, so a cut or garbled file is an EINVAL,
 * never a silently zero field. */
#include "fdio.h"
#include "proc.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

/* A cursor over a byte range that is not NUL-terminated. */
struct cursor {
    const char *p;
    const char *end;
};

static int is_blank(char c)
{
    return c == ' ' || c == '\t';
}

static void skip_blanks(struct cursor *c)
{
    while (c->p < c->end && is_blank(*c->p))
        c->p++;
}

static int at_field_end(const struct cursor *c)
{
    return c->p == c->end || is_blank(*c->p) || *c->p == '\n';
}

/* Digits in base 8, 10 or 16 into a 64-bit value, with overflow check. The
 * field must end at a blank, a newline or the end of the range. */
static int take_unsigned(struct cursor *c, unsigned base, uint64_t *out)
{
    uint64_t v = 0;
    const char *start;

    skip_blanks(c);
    start = c->p;
    while (c->p < c->end) {
        char ch = *c->p;
        unsigned d;

        if (ch >= '0' && ch <= '9')
            d = (unsigned)(ch - '0');
        else if (ch >= 'a' && ch <= 'f')
            d = (unsigned)(ch - 'a') + 10;
        else if (ch >= 'A' && ch <= 'F')
            d = (unsigned)(ch - 'A') + 10;
        else
            break;
        if (d >= base)
            break;
        if (v > (UINT64_MAX - d) / base)
            return -1;
        v = v * base + d;
        c->p++;
    }
    if (c->p == start || !at_field_end(c))
        return -1;
    *out = v;
    return 0;
}

/* A signed decimal within [min, max]. */
static int take_signed(struct cursor *c, long long min, long long max, long long *out)
{
    uint64_t mag;
    int negative = 0;

    skip_blanks(c);
    if (c->p < c->end && *c->p == '-') {
        negative = 1;
        c->p++;
        if (c->p == c->end || *c->p < '0' || *c->p > '9')
            return -1;
    }
    if (take_unsigned(c, 10, &mag) < 0 || mag > (uint64_t)LLONG_MAX)
        return -1;
    *out = negative ? -(long long)mag : (long long)mag;
    return *out < min || *out > max ? -1 : 0;
}

static int take_pid(struct cursor *c, pid_t *out)
{
    long long v;

    if (take_signed(c, INT_MIN, INT_MAX, &v) < 0)
        return -1;
    *out = (pid_t)v;
    return 0;
}

/* Skip one whitespace-separated field of any content. */
static int skip_field(struct cursor *c)
{
    skip_blanks(c);
    if (c->p == c->end || *c->p == '\n')
        return -1;
    while (!at_field_end(c))
        c->p++;
    return 0;
}

static int einval(void)
{
    errno = EINVAL;
    return -1;
}

/* stat fields after the state, counted from 4 (ppid) as in proc(5). */
enum { STAT_FIELD_NUM_THREADS = 20, STAT_FIELD_STARTTIME = 22 };

static int parse_stat_numbers(struct cursor *c, struct proc_stat *out)
{
    long long tty, threads;
    uint64_t start, flags;
    int field;

    if (take_pid(c, &out->ppid) < 0 || take_pid(c, &out->pgrp) < 0 ||
        take_pid(c, &out->session) < 0 ||
        take_signed(c, INT_MIN, INT_MAX, &tty) < 0 ||
        take_pid(c, &out->tpgid) < 0 || take_unsigned(c, 10, &flags) < 0 || flags > UINT_MAX)
        return -1;
    out->tty_nr = (int)tty;
    out->flags = (unsigned)flags;
    for (field = 10; field < STAT_FIELD_NUM_THREADS; field++)
        if (skip_field(c) < 0)
            return -1;
    if (take_signed(c, INT_MIN, INT_MAX, &threads) < 0)
        return -1;
    out->num_threads = (int)threads;
    for (field = STAT_FIELD_NUM_THREADS + 1; field < STAT_FIELD_STARTTIME; field++)
        if (skip_field(c) < 0)
            return -1;
    /* starttime must be followed by something: otherwise a file cut inside
     * its digits would pass for a smaller start time. */
    if (take_unsigned(c, 10, &start) < 0 || c->p == c->end)
        return -1;
    out->starttime = start;
    return 0;
}

int proc_stat_parse(const char *buf, size_t len, struct proc_stat *out)
{
    const char *lparen, *rparen;
    struct cursor c;
    size_t n;

    memset(out, 0, sizeof *out);
    if (buf == NULL || len == 0)
        return einval();
    c.p = buf;
    lparen = memchr(buf, '(', len);
    rparen = memrchr(buf, ')', len);
    if (lparen == NULL || rparen == NULL || rparen < lparen)
        return einval();

    c.end = lparen;
    if (take_pid(&c, &out->pid) < 0 || c.p + 1 != lparen || *c.p != ' ')
        return einval();

    n = (size_t)(rparen - lparen - 1);
    if (n >= sizeof out->comm)
        n = sizeof out->comm - 1;
    memcpy(out->comm, lparen + 1, n);
    out->comm[n] = '\0';

    /* ") S ": the state is one character between two spaces. */
    c.p = rparen + 1;
    c.end = buf + len;
    if (c.end - c.p < 3 || c.p[0] != ' ' || c.p[2] != ' ')
        return einval();
    out->state = c.p[1];
    c.p += 2;
    if (parse_stat_numbers(&c, out) < 0)
        return einval();
    return 0;
}

/* The value of a "Key:\tvalue" line, as a cursor over the rest of the line. */
static int status_key_is(const char *line, const char *eol, const char *key,
                         struct cursor *value)
{
    size_t klen = strlen(key);

    if ((size_t)(eol - line) <= klen || memcmp(line, key, klen) != 0 ||
        line[klen] != ':')
        return 0;
    value->p = line + klen + 1;
    value->end = eol;
    return 1;
}

/* Nothing but blanks may follow a value on its line. */
static int line_done(struct cursor *c)
{
    skip_blanks(c);
    return c->p == c->end;
}

static int take_hex64_line(struct cursor *c, uint64_t *out)
{
    return take_unsigned(c, 16, out) == 0 && line_done(c) ? 0 : -1;
}

static int take_long_line(struct cursor *c, long *out)
{
    long long v;

    if (take_signed(c, 0, LONG_MAX, &v) < 0 || !line_done(c))
        return -1;
    *out = (long)v;
    return 0;
}

static int take_kb_line(struct cursor *c, long *out)
{
    long long v;

    if (take_signed(c, 0, LONG_MAX, &v) < 0)
        return -1;
    skip_blanks(c);
    if (c->end - c->p >= 2 && memcmp(c->p, "kB", 2) == 0)
        c->p += 2;
    if (!line_done(c))
        return -1;
    *out = (long)v;
    return 0;
}

static int parse_status_line(const char *line, const char *eol, struct proc_status *out)
{
    struct cursor v;
    uint64_t u;

    if (status_key_is(line, eol, "Umask", &v)) {
        if (take_unsigned(&v, 8, &u) < 0 || !line_done(&v) || u > 0777)
            return -1;
        out->umask = (unsigned)u;
        out->have_umask = 1;
        return 0;
    }
    if (status_key_is(line, eol, "SigBlk", &v))
        return take_hex64_line(&v, &out->sigblk);
    if (status_key_is(line, eol, "SigIgn", &v))
        return take_hex64_line(&v, &out->sigign);
    if (status_key_is(line, eol, "SigCgt", &v))
        return take_hex64_line(&v, &out->sigcgt);
    if (status_key_is(line, eol, "SigPnd", &v))
        return take_hex64_line(&v, &out->sigpnd);
    if (status_key_is(line, eol, "ShdPnd", &v))
        return take_hex64_line(&v, &out->shdpnd);
    if (status_key_is(line, eol, "voluntary_ctxt_switches", &v))
        return take_long_line(&v, &out->voluntary_ctxt_switches);
    if (status_key_is(line, eol, "VmRSS", &v))
        return take_kb_line(&v, &out->vmrss_kb);
    return 0;
}

/* Call fn on each line of [buf, buf + len), without its newline, until
 * it returns non-zero: that value (-1 is EINVAL), or 0 after the last
 * line. With whole_lines, a last line without its newline is EINVAL: the
 * kernel ends every line, so one without was cut, perhaps inside a number. */
static int each_line(const char *buf, size_t len, int whole_lines,
                     int (*fn)(const char *line, const char *eol, void *ctx), void *ctx)
{
    const char *line = buf, *end;

    if (len == 0)
        return 0;
    if (buf == NULL)
        return einval();
    end = buf + len;
    while (line < end) {
        const char *eol = memchr(line, '\n', (size_t)(end - line));
        int r;

        if (eol == NULL && whole_lines)
            return einval();
        if (eol == NULL)
            eol = end;
        r = fn(line, eol, ctx);
        if (r < 0)
            return einval();
        if (r > 0)
            return r;
        line = eol + 1;
    }
    return 0;
}

static int status_line(const char *line, const char *eol, void *out)
{
    return parse_status_line(line, eol, out);
}

int proc_status_parse(const char *buf, size_t len, struct proc_status *out)
{
    memset(out, 0, sizeof *out);
    out->voluntary_ctxt_switches = -1;
    out->vmrss_kb = -1;
    return each_line(buf, len, 1, status_line, out);
}

/* [p, end) is exactly one number. */
static int whole_number(const char *p, const char *end, unsigned base, uint64_t *out)
{
    struct cursor c = { p, end };

    return take_unsigned(&c, base, out) == 0 && c.p == end ? 0 : -1;
}

/* Copy one field into a small fixed buffer; a field too long is malformed. */
static int take_word(struct cursor *c, char *dst, size_t cap)
{
    const char *start;
    size_t n;

    skip_blanks(c);
    start = c->p;
    if (skip_field(c) < 0)
        return -1;
    n = (size_t)(c->p - start);
    if (n >= cap)
        return -1;
    memcpy(dst, start, n);
    dst[n] = '\0';
    return 0;
}

/* "MAJ:MIN:INODE", major and minor in hex, the inode in decimal (fs/locks.c
 * prints "%02x:%02x:%lu"). 0 and the fields filled, 1 for a lock on no
 * inode ("<none>:0"), -1 when malformed. */
static int take_lock_file(struct cursor *c, struct proc_lock *lk)
{
    struct cursor f;
    const char *colon1, *colon2;
    uint64_t maj, min, ino;

    skip_blanks(c);
    f.p = c->p;
    if (skip_field(c) < 0)
        return -1;
    f.end = c->p;
    if (f.end - f.p >= 6 && memcmp(f.p, "<none>", 6) == 0)
        return 1;
    colon1 = memchr(f.p, ':', (size_t)(f.end - f.p));
    colon2 = colon1 ? memchr(colon1 + 1, ':', (size_t)(f.end - colon1 - 1)) : NULL;
    if (colon2 == NULL || whole_number(f.p, colon1, 16, &maj) < 0 ||
        whole_number(colon1 + 1, colon2, 16, &min) < 0 ||
        whole_number(colon2 + 1, f.end, 10, &ino) < 0 || maj > UINT_MAX || min > UINT_MAX)
        return -1;
    lk->major = (unsigned)maj;
    lk->minor = (unsigned)min;
    lk->ino = ino;
    return 0;
}

/* One line: "ID: [-> ...]KIND MODE TYPE PID MAJ:MIN:INO START END".
 * 1 for a held lock, 0 for a blocked waiter or a lock on no inode. */
static int parse_lock_line(struct cursor *c, struct proc_lock *lk)
{
    const char *colon = memchr(c->p, ':', (size_t)(c->end - c->p));
    uint64_t seq;
    long long pid;
    char mode[16];
    int waiter = 0, r;

    skip_blanks(c);
    if (colon == NULL || whole_number(c->p, colon, 10, &seq) < 0)
        return -1;
    c->p = colon + 1;
    /* A waiter is printed below the lock it waits on, prefixed by "->"
     * (indented once per level of the blocking chain). */
    for (;;) {
        skip_blanks(c);
        if (c->end - c->p < 2 || memcmp(c->p, "->", 2) != 0)
            break;
        waiter = 1;
        c->p += 2;
    }
    if (take_word(c, lk->kind, sizeof lk->kind) < 0 ||
        take_word(c, mode, sizeof mode) < 0 ||
        take_word(c, lk->type, sizeof lk->type) < 0 ||
        take_signed(c, INT_MIN, INT_MAX, &pid) < 0)
        return -1;
    lk->pid = (pid_t)pid;
    r = take_lock_file(c, lk);
    if (r < 0 || skip_field(c) < 0 || skip_field(c) < 0 || !line_done(c))
        return -1;
    return r == 0 && !waiter;
}

struct lock_search {
    dev_t dev;
    ino_t ino;
    struct proc_lock *out;
};

/* 1 and the lock kept when the line is a held lock on the file. */
static int lock_line(const char *line, const char *eol, void *ctx)
{
    struct lock_search *q = ctx;
    struct cursor c = { line, eol };
    struct proc_lock lk;
    int held;

    if (line_done(&c))
        return 0;
    memset(&lk, 0, sizeof lk);
    held = parse_lock_line(&c, &lk);
    if (held <= 0)
        return held;
    if (lk.major != major(q->dev) || lk.minor != minor(q->dev) ||
        lk.ino != (unsigned long long)q->ino)
        return 0;
    *q->out = lk;
    return 1;
}

int proc_locks_find(const char *buf, size_t len, dev_t dev, ino_t ino,
                    struct proc_lock *out)
{
    struct lock_search q = { dev, ino, out };

    return each_line(buf, len, 0, lock_line, &q);
}

/* "flags:\t0100002" (octal), "lock:\t1: POSIX ..." (a /proc/locks line);
 * pos, mnt_id, ino and the rest are not needed. */
static int parse_fdinfo_line(const char *line, const char *eol, struct proc_fdinfo *out)
{
    struct cursor v;
    uint64_t u;

    if (status_key_is(line, eol, "flags", &v)) {
        if (take_unsigned(&v, 8, &u) < 0 || !line_done(&v) || u > UINT_MAX)
            return -1;
        out->flags = (unsigned)u;
        out->have_flags = 1;
        return 0;
    }
    if (status_key_is(line, eol, "lock", &v)) {
        struct proc_lock lk;
        int held;

        memset(&lk, 0, sizeof lk);
        held = parse_lock_line(&v, &lk);
        if (held < 0)
            return -1;
        if (held && !out->locked) {
            out->lock = lk;
            out->locked = 1;
        }
    }
    return 0;
}

static int fdinfo_line(const char *line, const char *eol, void *out)
{
    return parse_fdinfo_line(line, eol, out);
}

int proc_fdinfo_parse(const char *buf, size_t len, struct proc_fdinfo *out)
{
    memset(out, 0, sizeof *out);
    return each_line(buf, len, 0, fdinfo_line, out);
}

/* "0100007F:1F90" or a 32-digit IPv6 address, then ":PORT" in hex. */
static int take_port(struct cursor *c, unsigned *port)
{
    struct cursor f;
    const char *colon;
    uint64_t v;

    skip_blanks(c);
    f.p = c->p;
    if (skip_field(c) < 0)
        return -1;
    f.end = c->p;
    colon = memrchr(f.p, ':', (size_t)(f.end - f.p));
    if (!colon || colon == f.p || whole_number(colon + 1, f.end, 16, &v) < 0 || v > 65535)
        return -1;
    *port = (unsigned)v;
    return 0;
}

/* "sl local rem st tx:rx tr:when retrnsmt uid timeout inode ..." */
static int parse_tcp_line(struct cursor *c, struct proc_tcp_listener *l, int *listening)
{
    uint64_t st, inode;

    if (skip_field(c) < 0 || take_port(c, &l->port) < 0 || skip_field(c) < 0 ||
        take_unsigned(c, 16, &st) < 0)
        return -1;
    for (int field = 4; field < 9; field++)
        if (skip_field(c) < 0)
            return -1;
    if (take_unsigned(c, 10, &inode) < 0)
        return -1;
    l->inode = inode;
    *listening = st == 0x0A;
    return 0;
}

struct tcp_table {
    struct proc_tcp_listener *out;
    size_t cap;
    long count;
    int header;                 /* the first line is yet to come */
};

static int tcp_line(const char *line, const char *eol, void *ctx)
{
    struct tcp_table *t = ctx;
    struct cursor c = { line, eol };
    struct proc_tcp_listener l;
    int listening;

    if (t->header || line_done(&c)) {
        t->header = 0;
        return 0;
    }
    if (parse_tcp_line(&c, &l, &listening) < 0)
        return -1;
    if (listening && (size_t)t->count++ < t->cap)
        t->out[t->count - 1] = l;
    return 0;
}

long proc_tcp_listeners(const char *buf, size_t len, struct proc_tcp_listener *out, size_t cap)
{
    struct tcp_table t = { out, cap, 0, 1 };

    return each_line(buf, len, 0, tcp_line, &t) < 0 ? -1 : t.count;
}

int proc_socket_inode(const char *target, unsigned long long *ino)
{
    static const char prefix[] = "socket:[";
    size_t n = strlen(target);
    uint64_t v;

    if (n < sizeof prefix || strncmp(target, prefix, sizeof prefix - 1) != 0 ||
        target[n - 1] != ']' || target[sizeof prefix - 1] < '0' ||
        target[sizeof prefix - 1] > '9' ||
        whole_number(target + sizeof prefix - 1, target + n - 1, 10, &v) < 0)
        return einval();
    *ino = v;
    return 0;
}

int proc_state_alive(char state)
{
    return state != 'Z' && state != 'X' && state != 'x';
}

/* Signals whose default action is not to terminate: ignore or stop. */
static int default_spares(int sig)
{
    return sig == SIGCHLD || sig == SIGCONT || sig == SIGURG || sig == SIGWINCH ||
           sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN || sig == SIGTTOU;
}

int proc_signal_ends(const struct proc_status *status, int sig)
{
    uint64_t bit, handled = status->sigblk | status->sigcgt | status->sigign;

    if (sig < 1 || sig > 64)
        return 0;
    bit = UINT64_C(1) << (sig - 1);
    return sig == SIGKILL || (!(handled & bit) && !default_spares(sig));
}

int proc_fatal_pending(const struct proc_status *status)
{
    uint64_t pending = status->sigpnd | status->shdpnd;

    for (int sig = 1; sig <= 64; sig++)
        if (pending & (UINT64_C(1) << (sig - 1)) && proc_signal_ends(status, sig))
            return 1;
    return 0;
}

int proc_is_ending(const struct proc_stat *st, const struct proc_status *status)
{
    return (st->flags & PROC_PF_EXITING) || proc_fatal_pending(status);
}

int proc_open(pid_t pid)
{
    char path[32];

    if (pid <= 0) {
        errno = EINVAL;
        return -1;
    }
    snprintf(path, sizeof path, "/proc/%d", (int)pid);
    return open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
}

/* Read until end of file into buf[0..cap-1). A file that fills the buffer
 * is probed for one more byte: only then is it known not to fit. */
static ssize_t read_all(int fd, char *buf, size_t cap)
{
    char probe;
    ssize_t len = fd_read_upto(fd, buf, cap - 1), more;

    if (len < 0)
        return -1;
    if ((size_t)len == cap - 1) {
        more = fd_read_upto(fd, &probe, 1);
        if (more != 0) {
            if (more > 0)
                errno = ERANGE;
            return -1;
        }
    }
    buf[len] = '\0';
    return len;
}

ssize_t proc_read_file(int dirfd, const char *name, char *buf, size_t cap)
{
    ssize_t len;
    int fd;

    if (buf == NULL || cap == 0) {
        errno = EINVAL;
        return -1;
    }
    buf[0] = '\0';
    fd = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (fd < 0)
        return -1;
    len = read_all(fd, buf, cap);
    if (len < 0) {
        buf[0] = '\0';
        fd_close_keep_errno(fd);
        return -1;
    }
    if (close(fd) < 0)
        return -1;
    return len;
}

/* Large enough for any stat line (a name of at most 64 bytes and 52
 * numbers of at most 20 digits: under 1.2 KiB) and any status file of
 * today's kernels. */
enum { PROC_STAT_BUF = 2048, PROC_STATUS_BUF = 8192 };

char *proc_read_alloc(const char *path, size_t *len, size_t max)
{
    char *buf = NULL;

    for (size_t cap = 16 << 10; cap <= max; cap *= 4) {
        char *bigger = realloc(buf, cap);
        ssize_t n;

        if (!bigger)
            break;
        buf = bigger;
        n = proc_read_file(AT_FDCWD, path, buf, cap);
        if (n >= 0) {
            *len = (size_t)n;
            return buf;
        }
        if (errno != ERANGE)
            break;
    }
    free(buf);
    if (errno == 0)
        errno = ERANGE;
    return NULL;
}

int proc_read_stat(int dirfd, struct proc_stat *out)
{
    return proc_read_stat_at(dirfd, "stat", out);
}

int proc_read_stat_at(int dirfd, const char *name, struct proc_stat *out)
{
    char buf[PROC_STAT_BUF];
    ssize_t len = proc_read_file(dirfd, name, buf, sizeof buf);

    if (len < 0) {
        memset(out, 0, sizeof *out);
        return -1;
    }
    return proc_stat_parse(buf, (size_t)len, out);
}

int proc_read_status(int dirfd, struct proc_status *out)
{
    char buf[PROC_STATUS_BUF];
    ssize_t len = proc_read_file(dirfd, "status", buf, sizeof buf);

    if (len < 0) {
        int saved = errno;

        proc_status_parse("", 0, out);
        errno = saved;
        return -1;
    }
    return proc_status_parse(buf, (size_t)len, out);
}

/* Only the first lines matter (the flags, the first lock), and a
 * descriptor can carry thousands of byte-range locks: what does not fit is
 * left unread, and a line cut by the buffer's end is not parsed. */
int proc_read_fdinfo(int dirfd, int fd, struct proc_fdinfo *out)
{
    char name[32], buf[PROC_STATUS_BUF];
    const char *last;
    ssize_t len;
    int file;

    memset(out, 0, sizeof *out);
    snprintf(name, sizeof name, "fdinfo/%d", fd);
    file = openat(dirfd, name, O_RDONLY | O_CLOEXEC | O_NOCTTY);
    if (file < 0)
        return -1;
    len = fd_read_upto(file, buf, sizeof buf);
    fd_close_keep_errno(file);
    if (len < 0)
        return -1;
    if ((size_t)len == sizeof buf && (last = memrchr(buf, '\n', (size_t)len)) != NULL)
        len = last - buf + 1;
    return proc_fdinfo_parse(buf, (size_t)len, out);
}

ssize_t proc_read_link(int dirfd, const char *name, char *buf, size_t cap)
{
    ssize_t n;

    if (buf == NULL || cap == 0) {
        errno = EINVAL;
        return -1;
    }
    n = readlinkat(dirfd, name, buf, cap - 1);
    if (n < 0) {
        buf[0] = '\0';
        return -1;
    }
    buf[n] = '\0';
    return n;
}

int proc_read_live(pid_t pid, unsigned long long starttime, struct proc_stat *st,
                   struct proc_status *status)
{
    int dir = proc_open(pid), r;

    if (dir < 0)
        return 0;
    r = proc_read_stat(dir, st) == 0 && st->starttime == starttime &&
        proc_state_alive(st->state) && proc_read_status(dir, status) == 0;
    close(dir);
    return r;
}

/* 1 only for a process seen alive under this identity. 0 when it is gone
 * (errno ENOENT or ESRCH), a zombie, another process under the same pid,
 * or when /proc could not be read (errno says why): callers decide whether
 * to signal a process by this answer, so doubt is never "alive". */
int proc_alive(pid_t pid, unsigned long long starttime)
{
    struct proc_stat st;
    int fd = proc_open(pid);
    int r;

    if (fd < 0)
        return 0;
    r = proc_read_stat(fd, &st);
    fd_close_keep_errno(fd);
    if (r < 0)
        return 0;
    if (!proc_state_alive(st.state))
        return 0;
    return starttime == 0 || st.starttime == starttime;
}
