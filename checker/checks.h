/* checks.h — the one table of checks.
 *
 * Everything that lists checks (the reports, --explain, --list, the docs)
 * reads this table; nothing keeps a copy. Each row says what the check
 * verifies, which step of the tutorial teaches it, why it matters, how to
 * fix it, which profiles require it, and the function that judges it from
 * the evidence a run gathered. */
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
    CK_COUNT
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
    unsigned required;          /* bit (1 << profile) set: the profile requires it */
    judge_fn *judge;
};

/* The steps of the tutorial (docs/tutorial/), which --step counts in. */
#define STEP_COUNT 11

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

/* Judge every check, in table order, turning a failure that the profile
 * does not require into a warning. */
void checks_judge_all(const struct evidence *ev, const struct options *opt,
                      struct result results[CK_COUNT]);

/* 0 when every required check passed (skips do not fail), 1 otherwise. */
int checks_exit_status(const struct result results[CK_COUNT]);

const char *status_name(enum status s);

#endif
