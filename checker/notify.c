/* notify.c — receive, parse and record sd_notify datagrams (see notify.h). */
/* struct ucred and SCM_CREDENTIALS are Linux's: the build defines this,
 * and so does the file, so that it also builds alone (the fuzz target). */
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "fdio.h"
#include "notify.h"
#include "utf8.h"

/* The socket file's name inside the caller's directory. */
#define NOTIFY_SOCKET_NAME "notify"
/* Enough for bursts of real notifications; what does not fit makes the
 * sender wait (a blocking sender) or fail with EAGAIN, never the checker
 * grow. The kernel doubles it and caps it at net.core.rmem_max. */
#define NOTIFY_RCVBUF (256 * 1024)
/* Datagrams read per notify_receive call: a flooding service gets the
 * caller's loop back after this many. */
#define NOTIFY_DRAIN_MAX 1024

/* ---- Parsing ---- */

enum value_kind {
    V_ONE,          /* exactly "1" */
    V_WATCHDOG,     /* "1" or "trigger" */
    V_TEXT,         /* anything (UTF-8 is checked for every line) */
    V_PID,
    V_U64,
    V_ERRNO
};

struct key {
    const char *name;
    enum value_kind kind;
    enum notify_fact fact;
};

static const struct key keys[] = {
    { "READY", V_ONE, NOTIFY_READY },
    { "RELOADING", V_ONE, NOTIFY_RELOADING },
    { "STOPPING", V_ONE, NOTIFY_STOPPING },
    { "WATCHDOG", V_WATCHDOG, NOTIFY_WATCHDOG },
    { "STATUS", V_TEXT, NOTIFY_STATUS },
    { "MAINPID", V_PID, NOTIFY_MAINPID },
    { "MONOTONIC_USEC", V_U64, NOTIFY_MONOTONIC_USEC },
    { "EXTEND_TIMEOUT_USEC", V_U64, NOTIFY_EXTEND_TIMEOUT_USEC },
    { "WATCHDOG_USEC", V_U64, NOTIFY_WATCHDOG_USEC },
    { "ERRNO", V_ERRNO, NOTIFY_ERRNO },
    { "BUSERROR", V_TEXT, NOTIFY_BUSERROR },
    { "FDSTORE", V_ONE, NOTIFY_FDSTORE },
    { "BARRIER", V_ONE, NOTIFY_BARRIER },
};
#define NKEYS (sizeof keys / sizeof keys[0])

/* Where a line is, and the state of the datagram around it. */
struct line {
    const char *s;
    size_t len;
    size_t off;             /* from the start of the datagram */
    unsigned number;        /* 1-based, counted in '\n' */
};

struct parse_state {
    struct notify_parse *out;
    unsigned seen;          /* keys[] met, by index */
};

static void flaw(struct notify_parse *p, enum notify_flaw f, unsigned line)
{
    if (p->flaws == 0) {
        p->first_flaw = f;
        p->flaw_line = line;
    }
    p->flaws |= NOTIFY_BIT(f);
}

static int is_line_end(char c)
{
    return c == '\n' || c == '\r';
}

static int valid_utf8(const char *s, size_t len)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t i = 0, n;

    while (i < len) {
        if (u[i] < 0x80) {
            i++;
            continue;
        }
        n = utf8_valid_len(u + i, len - i);
        if (n == 0)
            return 0;
        i += n;
    }
    return 1;
}

/* A decimal number of digits only, no sign, no space, at most max.
 * 0 when it is one (*v set), -1 otherwise. */
static int parse_decimal(const char *s, size_t len, unsigned long long max,
                         unsigned long long *v)
{
    unsigned long long x = 0;
    size_t i;

    if (len == 0)
        return -1;
    for (i = 0; i < len; i++) {
        unsigned d = (unsigned char)s[i] - '0';
        if (d > 9 || x > (max - d) / 10)
            return -1;
        x = x * 10 + d;
    }
    *v = x;
    return 0;
}

static int value_is(const char *v, size_t len, const char *word)
{
    return strlen(word) == len && memcmp(v, word, len) == 0;
}

/* The value of a known key: 0 when its form is valid (and the parse
 * records it), -1 when it is not. */
static int take_value(const struct key *k, const char *v, size_t len, size_t off,
                      int first, struct notify_parse *p)
{
    unsigned long long x = 0;
    int valid = 0;

    switch (k->kind) {
    case V_ONE:
        valid = value_is(v, len, "1");
        if (valid)
            p->facts |= NOTIFY_BIT(k->fact);
        return valid ? 0 : -1;
    case V_WATCHDOG:
        if (value_is(v, len, "1"))
            p->facts |= NOTIFY_BIT(NOTIFY_WATCHDOG);
        else if (value_is(v, len, "trigger"))
            p->facts |= NOTIFY_BIT(NOTIFY_WATCHDOG_TRIGGER);
        else
            return -1;
        return 0;
    case V_TEXT:
        valid = 1;
        break;
    case V_PID:
        valid = parse_decimal(v, len, NOTIFY_PID_MAX, &x) == 0 && x > 0;
        break;
    case V_U64:
        valid = parse_decimal(v, len, ULLONG_MAX, &x) == 0;
        break;
    case V_ERRNO:
        valid = parse_decimal(v, len, INT_MAX, &x) == 0;
        break;
    }
    if (!valid)
        return -1;
    /* A valued key's first occurrence decides, as systemd reads it (a
     * later valid one does not repair an invalid first). */
    if (!first)
        return 0;
    p->facts |= NOTIFY_BIT(k->fact);
    switch (k->fact) {
    case NOTIFY_STATUS:
        p->status_off = off;
        p->status_len = len;
        break;
    case NOTIFY_MAINPID:
        p->mainpid = (pid_t)x;
        break;
    case NOTIFY_MONOTONIC_USEC:
        p->monotonic_usec = x;
        break;
    case NOTIFY_EXTEND_TIMEOUT_USEC:
        p->extend_timeout_usec = x;
        break;
    case NOTIFY_WATCHDOG_USEC:
        p->watchdog_usec = x;
        break;
    case NOTIFY_ERRNO:
        p->errno_value = (int)x;
        break;
    default:
        break;
    }
    return 0;
}

/* One line, with at most one flaw: the first that applies. A known key
 * with a value (MAINPID=) is decided by its first occurrence, since
 * systemd reads the first line that starts with "MAINPID="; a flag
 * (READY=1) counts wherever its exact form is, since systemd looks for
 * that exact line among them all. */
static void parse_line(struct parse_state *st, const struct line *l)
{
    struct notify_parse *p = st->out;
    const char *eq;
    size_t klen, i;

    p->lines++;
    if (memchr(l->s, '\0', l->len)) {
        flaw(p, NOTIFY_NUL, l->number);
        return;
    }
    if (!valid_utf8(l->s, l->len)) {
        flaw(p, NOTIFY_BAD_UTF8, l->number);
        return;
    }
    eq = memchr(l->s, '=', l->len);
    if (!eq) {
        flaw(p, NOTIFY_NO_EQUALS, l->number);
        return;
    }
    klen = (size_t)(eq - l->s);
    if (klen == 0) {
        flaw(p, NOTIFY_EMPTY_KEY, l->number);
        return;
    }
    for (i = 0; i < NKEYS; i++) {
        if (strlen(keys[i].name) != klen || memcmp(keys[i].name, l->s, klen) != 0)
            continue;
        int first = !(st->seen & (1u << i));
        if (!first)
            flaw(p, NOTIFY_REPEATED, l->number);
        st->seen |= 1u << i;
        if (take_value(&keys[i], eq + 1, l->len - klen - 1, l->off + klen + 1, first, p) < 0)
            flaw(p, NOTIFY_BAD_VALUE, l->number);
        return;
    }
    if (klen >= 2 && l->s[0] == 'X' && l->s[1] == '_') {
        p->privates++;
        p->facts |= NOTIFY_BIT(NOTIFY_PRIVATE);
    } else {
        p->unknowns++;
        p->facts |= NOTIFY_BIT(NOTIFY_UNKNOWN);
    }
}

void notify_parse(const char *buf, size_t len, struct notify_parse *out)
{
    struct parse_state st = { out, 0 };
    struct line l;
    size_t i = 0, start;
    unsigned number = 1;

    memset(out, 0, sizeof *out);
    while (i < len) {
        if (is_line_end(buf[i])) {
            if (buf[i] == '\n')
                number++;
            i++;
            continue;
        }
        start = i;
        while (i < len && !is_line_end(buf[i]))
            i++;
        l.s = buf + start;
        l.len = i - start;
        l.off = start;
        l.number = number;
        parse_line(&st, &l);
    }
    if (out->lines == 0)
        flaw(out, NOTIFY_EMPTY, 0);
}

/* ---- The record ---- */

int notify_record_init(struct notify_record *r)
{
    memset(r, 0, sizeof *r);
    r->msgs = calloc(NOTIFY_KEEP, sizeof *r->msgs);
    if (!r->msgs)
        return -1;
    r->first_ready_ms = r->last_ready_ms = -1;
    r->first_stopping_ms = -1;
    r->last_reload.ms = -1;
    r->last_errno = -1;
    return 0;
}

void notify_record_free(struct notify_record *r)
{
    size_t i;

    for (i = 0; i < r->nsenders; i++)
        free(r->senders[i].ping_ms);
    free(r->msgs);
    r->msgs = NULL;
    r->nmsgs = r->nsenders = 0;
}

size_t notify_record_footprint(const struct notify_record *r)
{
    size_t bytes = r->msgs ? NOTIFY_KEEP * sizeof *r->msgs : 0, i;

    for (i = 0; i < r->nsenders; i++)
        if (r->senders[i].ping_ms)
            bytes += NOTIFY_WATCHDOG_KEEP * sizeof *r->senders[i].ping_ms;
    return bytes;
}

static struct notify_sender *sender_entry(struct notify_record *r, pid_t pid)
{
    struct notify_sender *s;
    size_t i;

    for (i = 0; i < r->nsenders; i++)
        if (r->senders[i].pid == pid)
            return &r->senders[i];
    if (r->nsenders == NOTIFY_MAX_SENDERS)
        return NULL;
    s = &r->senders[r->nsenders++];
    memset(s, 0, sizeof *s);
    s->pid = pid;
    s->last_ping_ms = -1;
    s->first_overflow_ms = -1;
    return s;
}

static void widen(long *max, long gap)
{
    if (gap > *max)
        *max = gap;
}

static void sender_ping(struct notify_sender *s, long ms)
{
    if (!s->ping_ms && s->pings == 0)
        s->ping_ms = malloc(NOTIFY_WATCHDOG_KEEP * sizeof *s->ping_ms);
    /* Past the bound (or without memory) a ping still counts, and the
     * gaps between such pings are summed up as their longest one. */
    if (s->ping_ms && s->nping_ms == s->pings && s->nping_ms < NOTIFY_WATCHDOG_KEEP)
        s->ping_ms[s->nping_ms++] = ms;
    else if (s->first_overflow_ms < 0)
        s->first_overflow_ms = ms;
    else
        widen(&s->overflow_max_gap, ms - s->last_ping_ms);
    s->pings++;
    s->last_ping_ms = ms;
}

static void note_mainpid(struct notify_record *r, pid_t value, pid_t sender, long ms)
{
    size_t i;

    for (i = 0; i < r->nmainpids; i++)
        if (r->mainpids[i].value == value)
            return;
    if (r->nmainpids == NOTIFY_MAX_MAINPIDS) {
        r->mainpids_dropped++;
        return;
    }
    r->mainpids[r->nmainpids].value = value;
    r->mainpids[r->nmainpids].sender = sender;
    r->mainpids[r->nmainpids].ms = ms;
    r->nmainpids++;
}

static void note_ready(struct notify_record *r, const struct notify_origin *o,
                       const struct notify_parse *p)
{
    size_t i;

    if (r->first_ready_ms < 0) {
        r->first_ready_ms = o->ms;
        r->first_ready_sender = o->pid;
        r->first_ready_mainpid = (p->facts & NOTIFY_BIT(NOTIFY_MAINPID)) ? p->mainpid : 0;
    }
    r->last_ready_ms = o->ms;
    for (i = 0; i < r->nreloads; i++)
        if (r->reloads[i].ready_ms < 0) {
            r->reloads[i].ready_ms = o->ms;
            r->reloads[i].ready_sender = o->pid;
        }
    if (r->last_reload.ms >= 0 && r->last_reload.ready_ms < 0) {
        r->last_reload.ready_ms = o->ms;
        r->last_reload.ready_sender = o->pid;
    }
}

static void note_reload(struct notify_record *r, const struct notify_origin *o,
                        const struct notify_parse *p)
{
    struct notify_reload e = { 0 };

    e.ms = o->ms;
    e.sender = o->pid;
    e.has_monotonic = (p->facts & NOTIFY_BIT(NOTIFY_MONOTONIC_USEC)) != 0;
    e.monotonic_usec = p->monotonic_usec;
    e.arrival_us = o->mono_us;
    e.ready_ms = -1;
    if (!e.has_monotonic)
        r->reloads_without_monotonic++;
    if (r->nreloads < NOTIFY_MAX_RELOADS)
        r->reloads[r->nreloads++] = e;
    r->last_reload = e;
}

static void note_status(struct notify_record *r, const char *buf, size_t n,
                        const struct notify_parse *p)
{
    size_t len = p->status_len;

    if (p->status_off > n)
        len = 0;
    else if (len > n - p->status_off)
        len = n - p->status_off;
    /* Cut on a character boundary, so that the copy stays valid UTF-8. */
    if (len > NOTIFY_STATUS_MAX) {
        len = NOTIFY_STATUS_MAX;
        while (len > 0 && ((unsigned char)buf[p->status_off + len] & 0xc0) == 0x80)
            len--;
    }
    memcpy(r->status, buf + p->status_off, len);
    r->status[len] = '\0';
}

static void keep_msg(struct notify_record *r, const struct notify_origin *o,
                     const struct notify_parse *p, const char *buf, size_t n)
{
    struct notify_msg *m = &r->msgs[r->nmsgs++];

    m->from = *o;
    m->p = *p;
    m->raw_len = n < NOTIFY_RAW_MAX ? n : NOTIFY_RAW_MAX;
    memcpy(m->raw, buf, m->raw_len);
    m->raw[m->raw_len] = '\0';
}

/* The facts of a datagram that counts. READY=1 is taken before
 * RELOADING=1, so that a datagram with both does not mark its own reload
 * as followed by a READY=1. */
static void note_facts(struct notify_record *r, const struct notify_origin *o,
                       const struct notify_parse *p, struct notify_sender *s,
                       const char *buf, size_t n)
{
    int f;

    for (f = 0; f < NOTIFY_NFACTS; f++)
        if (p->facts & NOTIFY_BIT(f))
            r->fact_count[f]++;
    if (p->facts & NOTIFY_BIT(NOTIFY_READY))
        note_ready(r, o, p);
    if (p->facts & NOTIFY_BIT(NOTIFY_RELOADING))
        note_reload(r, o, p);
    if ((p->facts & NOTIFY_BIT(NOTIFY_STOPPING)) && r->first_stopping_ms < 0) {
        r->first_stopping_ms = o->ms;
        r->first_stopping_sender = o->pid;
    }
    if ((p->facts & NOTIFY_BIT(NOTIFY_WATCHDOG)) && s)
        sender_ping(s, o->ms);
    if (p->facts & NOTIFY_BIT(NOTIFY_MAINPID))
        note_mainpid(r, p->mainpid, o->pid, o->ms);
    if (p->facts & NOTIFY_BIT(NOTIFY_WATCHDOG_USEC))
        r->watchdog_usec = p->watchdog_usec;
    if (p->facts & NOTIFY_BIT(NOTIFY_ERRNO))
        r->last_errno = p->errno_value;
    if (p->facts & NOTIFY_BIT(NOTIFY_STATUS))
        note_status(r, buf, n, p);
}

void notify_record_add(struct notify_record *r, const struct notify_origin *o,
                       const char *buf, size_t n)
{
    struct notify_parse p;
    struct notify_sender *s;
    int f;

    notify_parse(buf, n, &p);
    /* What the receiving saw comes first: it decides the datagram's fate. */
    if (o->flaws) {
        for (f = 0; f < NOTIFY_NFLAWS; f++)
            if (o->flaws & NOTIFY_BIT(f))
                break;
        p.first_flaw = (enum notify_flaw)f;
        p.flaw_line = 0;
        p.flaws |= o->flaws;
    }
    r->total++;
    r->fds += (unsigned long)(o->nfds > 0 ? o->nfds : 0);
    if (p.flaws)
        r->flawed++;
    for (f = 0; f < NOTIFY_NFLAWS; f++)
        if (p.flaws & NOTIFY_BIT(f))
            r->flaw_count[f]++;
    s = sender_entry(r, o->pid);
    if (s)
        s->datagrams++;
    else
        r->other_senders++;
    if (r->msgs && r->nmsgs < NOTIFY_KEEP)
        keep_msg(r, o, &p, buf, n);
    if (p.flaws & NOTIFY_DROPPING) {
        r->dropped++;
        return;
    }
    note_facts(r, o, &p, s, buf, n);
}

/* ---- Queries ---- */

const struct notify_sender *notify_sender_find(const struct notify_record *r, pid_t pid)
{
    size_t i;

    for (i = 0; i < r->nsenders; i++)
        if (r->senders[i].pid == pid)
            return &r->senders[i];
    return NULL;
}

/* The kept times give exact gaps. Past them, only the longest gap between
 * consecutive pings is known: any gap inside the window, its edges
 * included, is at most that, so the answer is an upper bound then. */
void notify_watchdog_gap(const struct notify_record *r, pid_t pid, long from_ms, long to_ms,
                         struct notify_gap *out)
{
    const struct notify_sender *s = notify_sender_find(r, pid);
    long prev = from_ms;
    size_t i;

    out->pings = 0;
    out->max_gap_ms = 0;
    out->exact = 1;
    if (to_ms < from_ms)
        return;
    if (!s) {
        out->exact = r->other_senders == 0;
        out->max_gap_ms = to_ms - from_ms;
        return;
    }
    for (i = 0; i < s->nping_ms; i++) {
        long t = s->ping_ms[i];
        if (t < from_ms)
            continue;
        if (t > to_ms) {
            widen(&out->max_gap_ms, to_ms - prev);
            return;
        }
        widen(&out->max_gap_ms, t - prev);
        prev = t;
        out->pings++;
    }
    if (s->first_overflow_ms >= 0 && s->first_overflow_ms <= to_ms && s->last_ping_ms >= from_ms) {
        out->exact = 0;
        out->pings += s->pings - s->nping_ms;
        /* The way into the unkept pings is exact; the gaps among them, and
         * those that the window's edges cut, are at most their longest. */
        if (s->first_overflow_ms >= from_ms)
            widen(&out->max_gap_ms, s->first_overflow_ms - prev);
        widen(&out->max_gap_ms, s->overflow_max_gap);
        if (s->last_ping_ms > to_ms)
            return;
        prev = s->last_ping_ms;
    }
    widen(&out->max_gap_ms, to_ms - prev);
}

const struct notify_reload *notify_reload_since(const struct notify_record *r, long since_ms)
{
    size_t i;

    for (i = 0; i < r->nreloads; i++)
        if (r->reloads[i].ms >= since_ms)
            return &r->reloads[i];
    if (r->last_reload.ms >= since_ms && r->last_reload.ms >= 0)
        return &r->last_reload;
    return NULL;
}

int notify_stopping_before(const struct notify_record *r, long t_ms)
{
    return r->first_stopping_ms >= 0 && r->first_stopping_ms < t_ms;
}

int notify_mainpid_seen(const struct notify_record *r, pid_t value)
{
    size_t i;

    for (i = 0; i < r->nmainpids; i++)
        if (r->mainpids[i].value == value)
            return 1;
    return 0;
}

const char *notify_fact_str(enum notify_fact f)
{
    static const char *const words[NOTIFY_NFACTS] = {
        [NOTIFY_READY] = "READY=1",
        [NOTIFY_RELOADING] = "RELOADING=1",
        [NOTIFY_STOPPING] = "STOPPING=1",
        [NOTIFY_WATCHDOG] = "WATCHDOG=1",
        [NOTIFY_WATCHDOG_TRIGGER] = "WATCHDOG=trigger",
        [NOTIFY_STATUS] = "STATUS=",
        [NOTIFY_MAINPID] = "MAINPID=",
        [NOTIFY_MONOTONIC_USEC] = "MONOTONIC_USEC=",
        [NOTIFY_EXTEND_TIMEOUT_USEC] = "EXTEND_TIMEOUT_USEC=",
        [NOTIFY_WATCHDOG_USEC] = "WATCHDOG_USEC=",
        [NOTIFY_ERRNO] = "ERRNO=",
        [NOTIFY_BUSERROR] = "BUSERROR=",
        [NOTIFY_FDSTORE] = "FDSTORE=1",
        [NOTIFY_BARRIER] = "BARRIER=1",
        [NOTIFY_PRIVATE] = "a private X_ key",
        [NOTIFY_UNKNOWN] = "an unknown key",
    };

    return (unsigned)f < NOTIFY_NFACTS ? words[f] : "?";
}

const char *notify_flaw_str(enum notify_flaw f)
{
    static const char *const words[NOTIFY_NFLAWS] = {
        [NOTIFY_EMPTY] = "no line at all",
        [NOTIFY_NUL] = "a NUL byte inside",
        [NOTIFY_BAD_UTF8] = "a line that is not valid UTF-8",
        [NOTIFY_NO_EQUALS] = "a line without '='",
        [NOTIFY_EMPTY_KEY] = "a line with an empty key",
        [NOTIFY_BAD_VALUE] = "a value the key cannot take",
        [NOTIFY_REPEATED] = "a key given twice",
        [NOTIFY_TRUNCATED] = "larger than 4096 bytes",
        [NOTIFY_CTRUNC] = "too many descriptors attached",
        [NOTIFY_NO_CREDS] = "no sender credentials",
    };

    return (unsigned)f < NOTIFY_NFLAWS ? words[f] : "?";
}

/* ---- The socket ---- */

static long long monotonic_us(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (long long)ts.tv_sec * 1000000LL + ts.tv_nsec / 1000;
}

/* Close fd, keep errno: -1, for a failing return. */
static int fail_closing(int fd)
{
    fd_close_keep_errno(fd);
    return -1;
}

static int make_socket(struct notify *n)
{
    int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    int one = 1, rcvbuf = NOTIFY_RCVBUF;

    if (fd < 0)
        return -1;
    n->failed = "setsockopt";
    /* Credentials must be asked for before the first datagram is queued:
     * they are attached when it is sent. */
    if (setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one) < 0 ||
        setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) < 0)
        return fail_closing(fd);
    /* The kernel stamps each datagram as it is queued: a watchdog's gaps
     * are then the sender's, not the delays of a busy checker's reads. */
    if (setsockopt(fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof one) < 0)
        return fail_closing(fd);
    return fd;
}

/* Bind to dir/NOTIFY_SOCKET_NAME; the directory stays open so that the
 * name can be removed later relative to it, whatever its path becomes. */
static int bind_path(struct notify *n, const char *dir)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    struct stat st;
    int len;

    n->failed = "notify_open";  /* the path it was given */
    if (dir[0] != '/') {
        errno = EINVAL;     /* NOTIFY_SOCKET must be an absolute path */
        return -1;
    }
    len = snprintf(sa.sun_path, sizeof sa.sun_path, "%s/%s", dir, NOTIFY_SOCKET_NAME);
    if (len < 0 || (size_t)len >= sizeof sa.sun_path) {
        errno = ENAMETOOLONG;
        return -1;
    }
    n->failed = "open";
    n->dirfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (n->dirfd < 0)
        return -1;
    n->failed = "bind";
    if (bind(n->fd, (struct sockaddr *)&sa,
             (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)len + 1)) < 0)
        return -1;
    n->failed = "fstatat";
    if (fstatat(n->dirfd, NOTIFY_SOCKET_NAME, &st, AT_SYMLINK_NOFOLLOW) < 0) {
        int saved = errno;
        unlinkat(n->dirfd, NOTIFY_SOCKET_NAME, 0);  /* just made, in a private directory */
        errno = saved;
        return -1;
    }
    /* Any process of the service may send, whatever user it became (a
     * manager tells senders apart by their credentials, not by the file's
     * mode): writable by all, as systemd's own notify socket is. */
    n->failed = "fchmodat";
    if (fchmodat(n->dirfd, NOTIFY_SOCKET_NAME, 0666, 0) < 0) {
        int saved = errno;
        unlinkat(n->dirfd, NOTIFY_SOCKET_NAME, 0);
        errno = saved;
        return -1;
    }
    n->dev = st.st_dev;
    n->ino = st.st_ino;
    memcpy(n->env, sa.sun_path, (size_t)len + 1);
    return 0;
}

static unsigned long long random_tag(void)
{
    unsigned long long v;

    if (getrandom(&v, sizeof v, GRND_NONBLOCK) == (ssize_t)sizeof v)
        return v;
    /* Early at boot the pool may not be ready: uniqueness then rests on
     * the pid, the time and the retry on EADDRINUSE. */
    return (unsigned long long)monotonic_us() * 6364136223846793005ULL;
}

/* Bind to an abstract name. The address is sun_path[0] = NUL followed by
 * the name's bytes, and its length counts exactly those bytes: no
 * terminating NUL (that would be one more byte of the name). */
static int bind_abstract(struct notify *n)
{
    struct sockaddr_un sa = { .sun_family = AF_UNIX };
    int tries, len;

    n->failed = "bind";
    for (tries = 0; tries < 8; tries++) {
        len = snprintf(n->env, sizeof n->env, "@checker-notify/%ld/%016llx",
                       (long)getpid(), random_tag());
        if (len < 0 || (size_t)len >= sizeof sa.sun_path) {
            errno = ENAMETOOLONG;
            return -1;
        }
        memcpy(sa.sun_path + 1, n->env + 1, (size_t)len - 1);
        if (bind(n->fd, (struct sockaddr *)&sa,
                 (socklen_t)(offsetof(struct sockaddr_un, sun_path) + (size_t)len)) == 0)
            return 0;
        if (errno != EADDRINUSE)
            return -1;
    }
    return -1;
}

const char *notify_open(struct notify *n, int abstract, const char *dir, long start_ms)
{
    int r;

    memset(n, 0, sizeof *n);
    n->fd = n->dirfd = -1;
    n->abstract = abstract != 0;
    n->start_ms = start_ms;
    n->failed = "notify_open";  /* its own arguments */
    if (!abstract && !dir) {
        errno = EINVAL;
        return NULL;
    }
    n->failed = "calloc";
    if (notify_record_init(&n->rec) < 0)
        return NULL;
    n->failed = "socket";
    n->fd = make_socket(n);
    if (n->fd < 0)
        r = -1;
    else if (abstract)
        r = bind_abstract(n);
    else
        r = bind_path(n, dir);
    if (r == 0)
        return n->env;
    r = errno;
    notify_free(n);
    errno = r;
    return NULL;
}

/* When the kernel queued the datagram, on CLOCK_MONOTONIC in µs: its
 * stamp is on CLOCK_REALTIME, so the two clocks' offset now converts it
 * (a step of the real-time clock in between would shift it; rare, and
 * never more than that step). */
static long long queued_us(const struct timespec *real)
{
    struct timespec now_real;
    long long offset;

    clock_gettime(CLOCK_REALTIME, &now_real);
    offset = ((long long)now_real.tv_sec * 1000000LL + now_real.tv_nsec / 1000) - monotonic_us();
    return (long long)real->tv_sec * 1000000LL + real->tv_nsec / 1000 - offset;
}

/* The sender's credentials, the kernel's time stamp, and every descriptor
 * that came along, which is closed at once: the checker keeps nothing a
 * service hands it. */
static void take_control(struct msghdr *mh, struct notify_origin *o)
{
    struct cmsghdr *c;

    for (c = CMSG_FIRSTHDR(mh); c; c = CMSG_NXTHDR(mh, c)) {
        if (c->cmsg_level != SOL_SOCKET || c->cmsg_len < CMSG_LEN(0))
            continue;
        if (c->cmsg_type == SCM_CREDENTIALS && c->cmsg_len >= CMSG_LEN(sizeof(struct ucred))) {
            struct ucred uc;
            memcpy(&uc, CMSG_DATA(c), sizeof uc);
            /* pid 0: a sender in a PID namespace that cannot be seen from
             * here; systemd drops such a datagram too. */
            o->has_creds = uc.pid > 0;
            o->pid = uc.pid > 0 ? uc.pid : 0;
            o->uid = uc.uid;
            o->gid = uc.gid;
        } else if (c->cmsg_type == SCM_TIMESTAMPNS &&
                   c->cmsg_len >= CMSG_LEN(sizeof(struct timespec))) {
            struct timespec ts;
            long long us;
            memcpy(&ts, CMSG_DATA(c), sizeof ts);
            us = queued_us(&ts);
            if (us > 0 && us <= o->mono_us)
                o->mono_us = us;
        } else if (c->cmsg_type == SCM_RIGHTS) {
            size_t nfd = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int), i;
            for (i = 0; i < nfd; i++) {
                int fd;
                memcpy(&fd, CMSG_DATA(c) + i * sizeof fd, sizeof fd);
                close(fd);
                o->nfds++;
            }
        }
    }
}

int notify_receive(struct notify *n)
{
    int count = 0;

    if (n->fd < 0) {
        errno = EBADF;
        return -1;
    }
    while (count < NOTIFY_DRAIN_MAX) {
        char buf[NOTIFY_MAX_DATAGRAM];
        union {
            struct cmsghdr align;
            char bytes[CMSG_SPACE(sizeof(struct ucred)) + CMSG_SPACE(sizeof(struct timespec)) +
                       CMSG_SPACE(NOTIFY_MAX_FDS * sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = buf, .iov_len = sizeof buf };
        struct msghdr mh = {
            .msg_iov = &iov, .msg_iovlen = 1,
            .msg_control = control.bytes, .msg_controllen = sizeof control.bytes,
        };
        struct notify_origin o = { 0 };
        ssize_t got;

        /* MSG_TRUNC: the datagram's real size, for the report. */
        got = recvmsg(n->fd, &mh, MSG_DONTWAIT | MSG_TRUNC | MSG_CMSG_CLOEXEC);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            break;
        if (got < 0)
            return -1;
        o.mono_us = monotonic_us();
        o.len = (size_t)got;
        take_control(&mh, &o);
        o.ms = (long)(o.mono_us / 1000) - n->start_ms;
        if ((mh.msg_flags & MSG_TRUNC) || (size_t)got > sizeof buf)
            o.flaws |= NOTIFY_BIT(NOTIFY_TRUNCATED);
        if (mh.msg_flags & MSG_CTRUNC)
            o.flaws |= NOTIFY_BIT(NOTIFY_CTRUNC);
        if (!o.has_creds)
            o.flaws |= NOTIFY_BIT(NOTIFY_NO_CREDS);
        notify_record_add(&n->rec, &o, buf, (size_t)got < sizeof buf ? (size_t)got : sizeof buf);
        count++;
    }
    return count;
}

int notify_close(struct notify *n)
{
    struct stat st;
    int failed = 0, saved = 0;

    if (n->fd >= 0) {
        close(n->fd);
        n->fd = -1;
    }
    if (n->dirfd < 0)
        return 0;
    /* unlinkat never follows a final symlink; the dev/ino test keeps a
     * file that the service put in the socket's place from being taken
     * for the socket (the caller's directory removal deals with it). */
    if (n->ino != 0 && fstatat(n->dirfd, NOTIFY_SOCKET_NAME, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        st.st_dev == n->dev && st.st_ino == n->ino &&
        unlinkat(n->dirfd, NOTIFY_SOCKET_NAME, 0) < 0) {
        failed = 1;
        saved = errno;
    }
    close(n->dirfd);
    n->dirfd = -1;
    n->ino = 0;
    if (failed) {
        errno = saved;
        return -1;
    }
    return 0;
}

void notify_free(struct notify *n)
{
    int saved = errno;

    notify_close(n);
    notify_record_free(&n->rec);
    errno = saved;
}
