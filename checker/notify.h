/* notify.h — the checker's end of NOTIFY_SOCKET (sd_notify(3)).
 *
 * Under the new-style profile the checker plays the service manager: it
 * binds a datagram socket of its own, hands its address to the daemon as
 * NOTIFY_SOCKET, and records every datagram that arrives, with the
 * sender's credentials, so that the judges can ask afterwards when
 * READY=1 came and from whom, whether the watchdog was fed, whether a
 * reload was announced properly, whether STOPPING=1 came in time.
 *
 * Three layers, each usable alone:
 *  - notify_parse(): a pure function from a datagram's bytes to what it
 *    says and what is wrong with it (fuzzed: tests/fuzz/fuzz_notify.c);
 *  - struct notify_record: every datagram in order, bounded in memory,
 *    and the facts the judges need, kept exact past the bound;
 *  - struct notify: the socket, and the receiving that feeds the record.
 *
 * What the record accepts follows what systemd itself does with a
 * datagram (src/core/manager.c, service.c): a datagram that systemd
 * would drop whole (a NUL byte in it, larger than its buffer, its
 * control data cut, no valid credentials) is kept in the record for
 * the report but counts for none of the facts. */
#ifndef CHECKER_NOTIFY_H
#define CHECKER_NOTIFY_H

#include <stddef.h>
#include <sys/types.h>

#define NOTIFY_MAX_DATAGRAM 4096    /* systemd's own bound (PIPE_BUF): larger is dropped */
#define NOTIFY_MAX_FDS 16           /* room for SCM_RIGHTS; more is MSG_CTRUNC */
#define NOTIFY_KEEP 256             /* datagrams kept in full; the rest are counted */
#define NOTIFY_RAW_MAX 512          /* bytes of each kept datagram's text */
#define NOTIFY_STATUS_MAX 256       /* bytes of the last STATUS= kept */
#define NOTIFY_MAX_SENDERS 16       /* senders counted one by one; others together */
#define NOTIFY_WATCHDOG_KEEP 4096   /* WATCHDOG=1 times kept per sender */
#define NOTIFY_MAX_MAINPIDS 16      /* distinct MAINPID= values kept */
#define NOTIFY_MAX_RELOADS 16       /* RELOADING=1 datagrams kept */
#define NOTIFY_PID_MAX 4194304      /* the largest pid Linux hands out (PID_MAX_LIMIT) */

/* What a datagram says: one bit each, set only for the valid forms. */
enum notify_fact {
    NOTIFY_READY,               /* READY=1 */
    NOTIFY_RELOADING,           /* RELOADING=1 */
    NOTIFY_STOPPING,            /* STOPPING=1 */
    NOTIFY_WATCHDOG,            /* WATCHDOG=1: a keep-alive ping */
    NOTIFY_WATCHDOG_TRIGGER,    /* WATCHDOG=trigger: "act as if the watchdog expired" */
    NOTIFY_STATUS,              /* STATUS=text (valid UTF-8) */
    NOTIFY_MAINPID,             /* MAINPID=N, 1 <= N <= NOTIFY_PID_MAX */
    NOTIFY_MONOTONIC_USEC,      /* MONOTONIC_USEC=N (64-bit) */
    NOTIFY_EXTEND_TIMEOUT_USEC, /* EXTEND_TIMEOUT_USEC=N (64-bit) */
    NOTIFY_WATCHDOG_USEC,       /* WATCHDOG_USEC=N (64-bit): a new watchdog interval */
    NOTIFY_ERRNO,               /* ERRNO=N, N >= 0 */
    NOTIFY_BUSERROR,            /* BUSERROR=name */
    NOTIFY_FDSTORE,             /* FDSTORE=1 */
    NOTIFY_BARRIER,             /* BARRIER=1 (sd_notify_barrier, systemd-notify) */
    NOTIFY_PRIVATE,             /* an X_* key: the service's own, ignored by the manager */
    NOTIFY_UNKNOWN,             /* any other key: ignored, but kept */
    NOTIFY_NFACTS
};

/* What is wrong with a datagram: one bit each. */
enum notify_flaw {
    NOTIFY_EMPTY,       /* not a single line in it */
    NOTIFY_NUL,         /* a NUL byte inside: systemd drops the whole datagram */
    NOTIFY_BAD_UTF8,    /* a line that is not valid UTF-8: that line is ignored */
    NOTIFY_NO_EQUALS,   /* a line without '=': ignored */
    NOTIFY_EMPTY_KEY,   /* a line starting with '=': ignored */
    NOTIFY_BAD_VALUE,   /* a known key with a value it cannot take (READY=yes,
                           MAINPID=0, a number that overflows): ignored */
    NOTIFY_REPEATED,    /* a known key twice: the first one counts, as in systemd */
    NOTIFY_TRUNCATED,   /* larger than NOTIFY_MAX_DATAGRAM (MSG_TRUNC): dropped */
    NOTIFY_CTRUNC,      /* its control data did not fit (MSG_CTRUNC): dropped */
    NOTIFY_NO_CREDS,    /* no valid sender credentials: dropped */
    NOTIFY_NFLAWS
};

#define NOTIFY_BIT(x) (1u << (x))
/* The flaws for which systemd ignores a datagram altogether. */
#define NOTIFY_DROPPING (NOTIFY_BIT(NOTIFY_NUL) | NOTIFY_BIT(NOTIFY_TRUNCATED) | \
                         NOTIFY_BIT(NOTIFY_CTRUNC) | NOTIFY_BIT(NOTIFY_NO_CREDS))

/* One datagram's bytes, understood. Offsets, not pointers, so that the
 * parse stays meaningful next to a copy of the bytes. */
struct notify_parse {
    unsigned facts;             /* NOTIFY_BIT(enum notify_fact) */
    unsigned flaws;             /* NOTIFY_BIT(enum notify_flaw) */
    enum notify_flaw first_flaw;/* the first flaw met, when flaws != 0 */
    unsigned flaw_line;         /* its line (1 = first; lines end at '\n'), 0 for none */
    unsigned lines;             /* non-empty lines */
    unsigned privates, unknowns;/* X_* lines, other unknown lines */
    pid_t mainpid;              /* with NOTIFY_MAINPID */
    unsigned long long monotonic_usec, extend_timeout_usec, watchdog_usec;
    int errno_value;            /* with NOTIFY_ERRNO */
    size_t status_off, status_len;  /* the STATUS= value in the bytes */
};

/* Parse len bytes (any bytes at all). Lines are separated by '\n' or
 * '\r', runs of them included, and empty lines are skipped: the way
 * systemd splits a datagram, so that what works under systemd passes
 * here. Never fails; out is always filled. */
void notify_parse(const char *buf, size_t len, struct notify_parse *out);

/* What the receiving side knows of a datagram besides its bytes. */
struct notify_origin {
    long ms;                    /* arrival, ms since the caller's start */
    long long mono_us;          /* arrival on CLOCK_MONOTONIC, µs (MONOTONIC_USEC's clock) */
    int has_creds;              /* SCM_CREDENTIALS came, with a valid pid */
    pid_t pid;                  /* the sender, or 0 */
    uid_t uid;
    gid_t gid;
    size_t len;                 /* its full size, which may exceed the bytes given */
    int nfds;                   /* descriptors that came with it (closed on arrival) */
    unsigned flaws;             /* NOTIFY_TRUNCATED, NOTIFY_CTRUNC, NOTIFY_NO_CREDS */
};

/* One datagram as the record keeps it. */
struct notify_msg {
    struct notify_origin from;
    struct notify_parse p;      /* flaws: the parse's and the origin's together */
    size_t raw_len;             /* bytes in raw, at most NOTIFY_RAW_MAX */
    char raw[NOTIFY_RAW_MAX + 1];   /* the first bytes as sent (any byte: quote to show),
                                       NUL-terminated after raw_len */
};

/* Is this a datagram that systemd would ignore altogether? */
static inline int notify_msg_dropped(const struct notify_msg *m)
{
    return (m->p.flaws & NOTIFY_DROPPING) != 0;
}

/* One process that sent datagrams, and its WATCHDOG=1 pings. */
struct notify_sender {
    pid_t pid;
    unsigned long datagrams;    /* every datagram from it, dropped ones included */
    unsigned long pings;        /* WATCHDOG=1, in datagrams that count */
    long *ping_ms;              /* the first NOTIFY_WATCHDOG_KEEP pings' times */
    size_t nping_ms;
    long last_ping_ms;          /* -1 before the first */
    long first_overflow_ms;     /* the first ping past the kept ones (-1 none) */
    long overflow_max_gap;      /* the longest gap between two pings past the kept ones */
};

/* A distinct MAINPID= value, where it first came from. */
struct notify_mainpid {
    pid_t value;
    pid_t sender;
    long ms;
};

/* A RELOADING=1, and whether a READY=1 followed it (in a later datagram:
 * one datagram with both is taken by systemd as READY=1 alone). */
struct notify_reload {
    long ms;
    pid_t sender;
    int has_monotonic;          /* MONOTONIC_USEC= came with it */
    unsigned long long monotonic_usec;
    long long arrival_us;       /* on CLOCK_MONOTONIC, to judge MONOTONIC_USEC against */
    long ready_ms;              /* the first READY=1 after it, or -1 */
    pid_t ready_sender;
};

struct notify_record {
    struct notify_msg *msgs;    /* the first NOTIFY_KEEP datagrams */
    size_t nmsgs;
    unsigned long total;        /* every datagram, kept or not */
    unsigned long dropped;      /* those that systemd would ignore */
    unsigned long flawed;       /* those with any flaw */
    unsigned long flaw_count[NOTIFY_NFLAWS];   /* datagrams with each flaw */
    unsigned long fact_count[NOTIFY_NFACTS];   /* datagrams that count, with each fact */
    unsigned long fds;          /* descriptors received (all closed at once) */

    long first_ready_ms, last_ready_ms;         /* -1 when none */
    pid_t first_ready_sender;
    pid_t first_ready_mainpid;  /* MAINPID= in the same datagram, or 0 */
    long first_stopping_ms;     /* -1 when none */
    pid_t first_stopping_sender;

    struct notify_mainpid mainpids[NOTIFY_MAX_MAINPIDS];
    size_t nmainpids;
    unsigned long mainpids_dropped;     /* distinct values past the bound */

    struct notify_reload reloads[NOTIFY_MAX_RELOADS];   /* the first ones */
    size_t nreloads;
    struct notify_reload last_reload;   /* always the latest (ms -1 when none) */
    unsigned long reloads_without_monotonic;

    unsigned long long watchdog_usec;   /* the last WATCHDOG_USEC= (0 none) */
    int last_errno;                     /* the last ERRNO= (-1 none) */
    char status[NOTIFY_STATUS_MAX + 1]; /* the last STATUS=, cut to fit */

    struct notify_sender senders[NOTIFY_MAX_SENDERS];
    size_t nsenders;
    unsigned long other_senders;        /* datagrams from senders past the bound */
};

/* -1 with errno (ENOMEM) on failure. */
int notify_record_init(struct notify_record *r);
void notify_record_free(struct notify_record *r);

/* Add one datagram: its first n bytes are in buf (o->len says how large
 * it really was). Never fails: past every bound, counters go on. */
void notify_record_add(struct notify_record *r, const struct notify_origin *o,
                       const char *buf, size_t n);

/* The record's heap memory now, in bytes: bounded whatever arrives. */
size_t notify_record_footprint(const struct notify_record *r);

/* ---- Queries for the judges ---- */

/* The sender's entry, or NULL when it sent nothing (or came past the
 * senders' bound). */
const struct notify_sender *notify_sender_find(const struct notify_record *r, pid_t pid);

/* WATCHDOG=1 from one sender within [from_ms, to_ms]. */
struct notify_gap {
    unsigned long pings;        /* in the window (past the kept times: all after them) */
    long max_gap_ms;            /* the longest time without a ping, the window's edges
                                   included: to_ms - from_ms when there was none */
    int exact;                  /* 0 when the window reaches past the kept times: the
                                   gap is then an upper bound, and pings counts them all */
};
void notify_watchdog_gap(const struct notify_record *r, pid_t pid, long from_ms, long to_ms,
                         struct notify_gap *out);

/* The first RELOADING=1 at or after since_ms, or NULL. Past the kept
 * reloads, the latest one stands for them all. */
const struct notify_reload *notify_reload_since(const struct notify_record *r, long since_ms);

/* Did STOPPING=1 arrive before t_ms? */
int notify_stopping_before(const struct notify_record *r, long t_ms);

/* Was value ever sent as MAINPID= (in a datagram that counts)? */
int notify_mainpid_seen(const struct notify_record *r, pid_t value);

/* Short English words for reports: "READY=1", "a NUL byte inside". */
const char *notify_fact_str(enum notify_fact f);
const char *notify_flaw_str(enum notify_flaw f);

/* ---- The socket ---- */

#define NOTIFY_ENV_MAX 110      /* sun_path (108), its '@', and a NUL */

struct notify {
    int fd;                     /* -1 when closed */
    int abstract;               /* bound to an abstract name, not to a file */
    int dirfd;                  /* a file's directory, for unlinkat; else -1 */
    dev_t dev;                  /* the socket file bound, to unlink only it */
    ino_t ino;
    long start_ms;              /* times in the record count from here */
    char env[NOTIFY_ENV_MAX];   /* the value of NOTIFY_SOCKET */
    const char *failed;         /* when notify_open fails: the call, for its message */
    struct notify_record rec;
};

/* Make the socket: with abstract 0, a file "notify" in dir (an absolute
 * path: the caller's private directory); with abstract 1, a unique name
 * in Linux's abstract namespace ("@checker-notify/PID/RANDOM"; dir is not
 * used). start_ms is the run's start on CLOCK_MONOTONIC, in ms. Returns
 * the NOTIFY_SOCKET value to hand to the daemon (it lives in n), or NULL
 * with errno; nothing is left behind then. */
const char *notify_open(struct notify *n, int abstract, const char *dir, long start_ms);

/* Read every datagram pending now, without blocking, into n->rec; closes
 * any descriptor that came with one. Stops after a bounded number, so that
 * a flood cannot hold the caller's loop: the socket then stays readable.
 * The number read, or -1 with errno on an error other than "nothing left". */
int notify_receive(struct notify *n);

/* Close the socket and remove its file (only the very file bound, never
 * through a link). The record stays. -1 with errno when the file could not
 * be removed; the socket is closed anyway. */
int notify_close(struct notify *n);

/* notify_close, then free the record. */
void notify_free(struct notify *n);

#endif
