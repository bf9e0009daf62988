/* trace_view.h — a trace made ready to be shown, shared by the text
 * timeline and the picture.
 *
 * The view orders the events by time, ties each event to its process and
 * each process to its parent, puts the checks' marks on what they explain
 * (only the checks that failed or warned, when results are given), and
 * folds runs of identical siblings (40 workers that all did the same): the
 * first TV_FOLD_SHOWN of them stay, and each step the others took is
 * shown once, as a fold ("... 38 more workers: SIGTERM received").
 *
 * A trace may be incomplete (a process first seen in an event): the view
 * makes up a record for it, so that every event is shown somewhere. */
#ifndef CHECKER_TRACE_VIEW_H
#define CHECKER_TRACE_VIEW_H

#include <stddef.h>
#include <sys/types.h>

#include "checks.h"
#include "trace.h"

#define TV_FOLD_MIN 4       /* identical siblings from which the others fold */
#define TV_FOLD_SHOWN 2     /* how many of them stay shown */

struct tv_proc {
    struct trace_proc p;    /* as the trace has it (end_us and status from
                               its exit event when the record lacked them) */
    int parent;             /* index in view.procs, or -1 */
    int depth;              /* 0 for a launch's first process */
    int group;              /* its fold group, or -1 */
    int hidden;             /* folded into its group */
    int unique;             /* never folded: marked, or a parent */
    int nchildren;
    size_t ev_off, nev;     /* its events, by time: view.byproc[ev_off ...] */
    size_t mark_off, nmarks;    /* marks on it that no event carries */
    unsigned long long story;   /* a hash of what it did, for folding */
};

struct tv_event {
    int launch;             /* its launch, within 0 .. view.nlaunches - 1 */
    int proc;               /* its process (for TE_CHECKER: the target), or -1 */
    int child;              /* TE_SPAWN: the child, or -1 */
    int target;             /* TE_KILL: the process it went to (a group: its
                               leader), alive then; or -1 */
    int fold;               /* the fold it is hidden in, or -1 */
    int rank;               /* its place among its process's events */
    size_t mark_off, nmarks;    /* view.marks[mark_off ...] */
};

/* Identical siblings: the first TV_FOLD_SHOWN members are shown, the
 * others are hidden and stand as one. */
struct tv_group {
    int parent;
    int first_hidden;       /* the hidden member that stands for the others */
    size_t nhidden;
    pid_t lo, hi;           /* their smallest and largest pid */
    long long start_us, end_us; /* the first start and last end among them (-1: one still runs) */
    size_t fold_off, nfolds;    /* view.folds[fold_off ...]: see TV_FOLD_* */
};

/* The folds of a group, in order: the checker's actions on its hidden
 * members, their parent's forks of them, the signals their parent sent
 * them (all the same signal as the first), then one per step they took. */
#define TV_FOLD_CHECKER 0
#define TV_FOLD_FORKS 1
#define TV_FOLD_SIGNALS 2
#define TV_FOLD_STEP(rank) (3 + (rank))

struct tv_fold {
    int group;
    int slot;               /* TV_FOLD_CHECKER, TV_FOLD_FORKS or TV_FOLD_STEP(rank) */
    size_t first;           /* its earliest event: where it is shown (index in trace.ev) */
    size_t count;           /* events it stands for (0: none, show nothing) */
    long long first_us, last_us;
};

struct tv_mark {
    long event;             /* index in trace.ev, or -1 */
    int proc;               /* with event -1: the process, or -1 for the whole launch */
    int launch;
    int check;              /* index in checks[] */
    enum status status;     /* ST_FAIL or ST_WARN */
    const char *why;        /* "" when none was given */
};

struct trace_view {
    const struct trace *t;
    int nlaunches;              /* trace.nlaunches, or more when an event or a
                                   process names a launch that the trace lacks */
    size_t *order;              /* every index of trace.ev, by time */
    struct tv_event *ev;        /* one per trace.ev */
    size_t *byproc;             /* event indices grouped by process, by time */
    struct tv_proc *procs;
    size_t nprocs;
    struct tv_group *groups;
    size_t ngroups;
    struct tv_fold *folds;
    size_t nfolds;
    struct tv_mark *marks;      /* sorted: by event, then by process, then launch-wide */
    size_t nmarks;
};

/* results: CK_COUNT of them, or NULL to keep every mark. 0, or -1 with
 * errno (ENOMEM). */
int trace_view_init(struct trace_view *v, const struct trace *t, const struct result *results);
void trace_view_free(struct trace_view *v);

/* A launch's name and start: "launch N" and 0 for one the trace lacks. */
const char *tv_launch_name(const struct trace_view *v, int launch);
long long tv_launch_t0(const struct trace_view *v, int launch);
enum trace_launch_kind tv_launch_kind(const struct trace_view *v, int launch);

/* The fold of a group for a slot. */
const struct tv_fold *tv_group_fold(const struct trace_view *v, const struct tv_group *g, int slot);

#endif
