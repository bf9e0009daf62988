/* checks.h — the one table of checks.
 *
 * Everything that lists checks (the reports, --explain, --list, the docs,
 * skips and --step gating) reads this table; nothing keeps a copy. Each
 * row says what the check verifies, which step of the tutorial teaches
 * it, why it matters, how to fix it, which profiles judge it and which
 * require it, what it needs before it can apply, and the function that
 * judges it from the evidence a run gathered. */
#ifndef CHECKER_CHECKS_H
#define CHECKER_CHECKS_H

#include "evidence.h"
#include "options.h"

enum check_id {
    CK_LAUNCHER_EXITS,
    CK_DAEMON_RUNNING,
    CK_NO_CTTY,
    CK_NEW_SESSION,
    CK_NOT_SESSION_LEADER,
    CK_SURVIVES_HANGUP,
    CK_CWD,
    CK_UMASK,
    CK_STDIO,
    CK_NO_INHERITED_FDS,
    CK_SIGNALS_RESET,
    CK_PIDFILE_EXISTS,
    CK_PIDFILE_CONTENT,
    CK_PIDFILE_SAFE,
    CK_PIDFILE_LOCKED,
    CK_SINGLE_INSTANCE,
    CK_STALE_PIDFILE,
    CK_NO_ZOMBIES,
    CK_STOPS_ON_SIGTERM,
    CK_PIDFILE_REMOVED,
    CK_NO_LEFTOVERS,
    CK_STDIO_OPEN,
    CK_STOP_COMMAND,
    CK_STAYS_FOREGROUND,
    CK_NOTIFY_READY,
    CK_NOTIFY_STOPPING,
    CK_RELOAD_ON_SIGHUP,
    CK_SOCKET_ACTIVATION,
    CK_WATCHDOG,
    CK_LOGS_TO_STDERR,
    CK_COUNT
};

/* What a check needs before it can apply. Each need not met skips the
 * check with the need's own reason (checks.c): one place, not a
 * preamble in every judge. */
enum need {
    NEED_DAEMON         = 1u << 0,  /* a daemon was found, and lived (daemon_lived) */
    NEED_STATUS         = 1u << 1,  /* its /proc/PID/status was read */
    NEED_PIDFILE        = 1u << 2,  /* a pidfile path is known */
    NEED_PIDFILE_SEEN   = 1u << 3,  /* the pidfile existed when inspected */
    NEED_PIDFILE_FILE   = 1u << 4,  /* ... and was a regular file */
    NEED_LAUNCH_EXITED  = 1u << 5,  /* the launcher exited: a moment to judge */
    NEED_STOP_RAN       = 1u << 6,  /* a daemon was running to be stopped */
    NEED_STOPPED        = 1u << 7,  /* ... and it stopped */
    NEED_STOP_COMMAND   = 1u << 8,  /* --stop-command was given */
    NEED_SOCKET_ACTIVATION = 1u << 9,   /* --socket-activation was given */
    NEED_WATCHDOG       = 1u << 10, /* --watchdog was given */
    NEED_COUNT          = 11
};

enum status { ST_PASS, ST_FAIL, ST_WARN, ST_SKIP };

#define RESULT_TEXT 512

struct result {
    enum status status;
    char expected[RESULT_TEXT];
    char observed[RESULT_TEXT];
    char message[RESULT_TEXT];
};

/* What a judge needs besides the evidence: the options that set the
 * expectations (umask, cwd). */
/* What in a trace explains a failure of check (trace_explain*.c). */
struct explain;
typedef void explain_fn(struct explain *x, int check);

typedef void judge_fn(const struct evidence *ev, const struct options *opt,
                      struct result *r);

struct check {
    const char *id;
    int step;                   /* the tutorial step that makes it pass */
    const char *seed_step;      /* the seed document's step */
    const char *daemon7_step;   /* systemd's daemon(7), SysV list, or "" */
    const char *title;          /* what must hold, one line */
    const char *why;            /* why it matters */
    const char *fix_c;          /* how to fix it in C */
    const char *fix_python;     /* how to fix it in Python */
    unsigned judged;            /* bit (1 << profile) set: the profile judges it */
    unsigned required;          /* bit (1 << profile) set: the profile requires it */
    unsigned needs;             /* enum need bits */
    judge_fn *judge;
    explain_fn *explain;        /* --trace: marks what in the trace explains a failure */
};

/* The steps of the tutorial (docs/tutorial/), which --step counts in. */
#define STEP_COUNT 12

struct step {
    int number;
    const char *title;
    const char *page;           /* its tutorial page, from the top of the kit */
};

extern const struct step steps[STEP_COUNT];

/* The step numbered n, or NULL. */
const struct step *step_find(int n);

extern const struct check checks[CK_COUNT];

/* The row of an ID, or NULL. */
const struct check *check_find(const char *id);

/* Did the daemon live until the checker asked it to stop (or until the
 * terminal's hangup ended it, which is survives-hangup's business)? A
 * daemon that ended on its own is judged by daemon-running alone: what
 * was seen of it before it died depends on when one looked. */
int daemon_lived(const struct evidence *ev);

/* The profile a student is sent to for a check that profile p does not
 * judge (a new-style check under sysv or seed: new-style), or -1: p
 * judges it, or p is new-style and the check is the service manager's
 * business, not the service's. */
int check_judged_elsewhere(const struct check *c, enum profile p);

/* Why a check skips when a need is not met. */
const char *need_reason(enum need n);

/* The first need of c that ev does not meet, or 0. */
unsigned unmet_need(const struct check *c, const struct evidence *ev, const struct options *opt);

/* Judge every check, in table order: a check its profile does not judge,
 * that --step has not reached, or whose needs are not met skips with the
 * reason; a failure that the profile does not require is a warning. */
void checks_judge_all(const struct evidence *ev, const struct options *opt,
                      struct result results[CK_COUNT]);

/* 0 when every required check passed (skips do not fail), 1 otherwise. */
int checks_exit_status(const struct result results[CK_COUNT]);

const char *status_name(enum status s);

#endif
