/* trace_view.c — a trace made ready to be shown (see trace_view.h). */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "trace_view.h"
#include "trace_words.h"

/* Whether a is a better match than b for a pid seen at time us in launch:
 * pids can be reused within a run, so the process of the same launch wins,
 * then one already started by then (the latest of them), then the
 * earliest to start. */
static int better_match(const struct trace_proc *a, const struct trace_proc *b, int launch,
                        long long us)
{
    int a_same = a->launch == launch, b_same = b->launch == launch;
    int a_began = a->start_us <= us, b_began = b->start_us <= us;

    if (a_same != b_same)
        return a_same;
    if (a_began != b_began)
        return a_began;
    return a_began ? a->start_us > b->start_us : a->start_us < b->start_us;
}

static int find_proc(const struct trace_view *v, int launch, pid_t pid, long long us)
{
    int best = -1;

    for (size_t i = 0; i < v->nprocs; i++)
        if (v->procs[i].p.pid == pid
            && (best < 0 || better_match(&v->procs[i].p, &v->procs[best].p, launch, us)))
            best = (int)i;
    return best;
}

/* A process that the trace names only in an event. */
static int make_up_proc(struct trace_view *v, const struct trace_event *e, int launch)
{
    struct tv_proc *tp = &v->procs[v->nprocs];

    memset(tp, 0, sizeof *tp);
    tp->p.pid = e->pid;
    tp->p.ppid = e->ppid;
    tp->p.launch = launch;
    tp->p.role = TR_OTHER;
    tp->p.start_us = e->us;
    tp->p.end_us = -1;
    return (int)v->nprocs++;
}

static int copy_procs(struct trace_view *v)
{
    const struct trace *t = v->t;

    /* Room for one made-up process per event, at worst. */
    v->procs = calloc(t->nprocs + t->nev + 1, sizeof *v->procs);
    if (v->procs == NULL)
        return -1;
    for (size_t i = 0; i < t->nprocs; i++)
        v->procs[i].p = t->procs[i];
    v->nprocs = t->nprocs;
    return 0;
}

struct timed { long long us; size_t i; };

static int timed_cmp(const void *a, const void *b)
{
    const struct timed *x = a, *y = b;

    if (x->us != y->us)
        return x->us < y->us ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

static int order_events(struct trace_view *v)
{
    const struct trace *t = v->t;
    struct timed *tm = calloc(t->nev + 1, sizeof *tm);

    v->order = calloc(t->nev + 1, sizeof *v->order);
    v->ev = calloc(t->nev + 1, sizeof *v->ev);
    if (tm == NULL || v->order == NULL || v->ev == NULL) {
        free(tm);
        return -1;
    }
    for (size_t i = 0; i < t->nev; i++)
        tm[i] = (struct timed){ t->ev[i].us, i };
    qsort(tm, t->nev, sizeof *tm, timed_cmp);
    for (size_t i = 0; i < t->nev; i++)
        v->order[i] = tm[i].i;
    free(tm);
    return 0;
}

/* Launch indices as the renderers may use them: never negative, and
 * counted so that every one in use has a block. */
static int clamp_launch(int launch)
{
    return launch < 0 ? 0 : launch;
}

static void count_launches(struct trace_view *v)
{
    const struct trace *t = v->t;

    v->nlaunches = t->nlaunches < 0 ? 0
                 : t->nlaunches > TRACE_MAX_LAUNCHES ? TRACE_MAX_LAUNCHES : t->nlaunches;
    for (size_t i = 0; i < v->nprocs; i++) {
        v->procs[i].p.launch = clamp_launch(v->procs[i].p.launch);
        if (v->procs[i].p.launch >= v->nlaunches)
            v->nlaunches = v->procs[i].p.launch + 1;
    }
    for (size_t i = 0; i < t->nev; i++) {
        v->ev[i].launch = clamp_launch(t->ev[i].launch);
        if (v->ev[i].launch >= v->nlaunches)
            v->nlaunches = v->ev[i].launch + 1;
    }
}

const char *tv_launch_name(const struct trace_view *v, int launch)
{
    return launch < v->t->nlaunches && launch < TRACE_MAX_LAUNCHES
         ? trace_launch_words(v->t->launches[launch].kind) : "unknown launch";
}

long long tv_launch_t0(const struct trace_view *v, int launch)
{
    return launch < v->t->nlaunches && launch < TRACE_MAX_LAUNCHES ? v->t->launches[launch].t0_us : 0;
}

enum trace_launch_kind tv_launch_kind(const struct trace_view *v, int launch)
{
    return launch < v->t->nlaunches && launch < TRACE_MAX_LAUNCHES
         ? v->t->launches[launch].kind : TL_START;
}

static void attach_events(struct trace_view *v)
{
    const struct trace *t = v->t;

    for (size_t k = 0; k < t->nev; k++) {
        size_t i = v->order[k];
        const struct trace_event *e = &t->ev[i];
        struct tv_event *te = &v->ev[i];

        te->child = te->fold = -1;
        te->proc = find_proc(v, te->launch, e->pid, e->us);
        if (te->proc < 0 && e->kind != TE_CHECKER)
            te->proc = make_up_proc(v, e, te->launch);
    }
}

/* The record's end, from the exit event when the record has none. */
static void complete_ends(struct trace_view *v)
{
    const struct trace *t = v->t;

    for (size_t i = 0; i < t->nev; i++) {
        struct tv_proc *tp;

        if (t->ev[i].kind != TE_EXIT || v->ev[i].proc < 0)
            continue;
        tp = &v->procs[v->ev[i].proc];
        if (tp->p.end_us < 0) {
            tp->p.end_us = t->ev[i].us;
            tp->p.status = (int)t->ev[i].value;
        }
    }
    for (size_t k = 0; k < t->nev; k++) {
        size_t i = v->order[k];
        struct tv_proc *tp;

        if (v->ev[i].proc < 0 || t->ev[i].kind == TE_CHECKER)
            continue;
        tp = &v->procs[v->ev[i].proc];
        if (tp->p.start_us > t->ev[i].us)
            tp->p.start_us = t->ev[i].us;
    }
}

static void link_parents(struct trace_view *v)
{
    for (size_t i = 0; i < v->nprocs; i++) {
        struct tv_proc *tp = &v->procs[i];
        int parent = find_proc(v, tp->p.launch, tp->p.ppid, tp->p.start_us);

        tp->parent = parent == (int)i ? -1 : parent;
        tp->group = -1;
        if (tp->parent >= 0)
            v->procs[tp->parent].nchildren++;
    }
    for (size_t i = 0; i < v->nprocs; i++) {
        int d = 0;

        /* Bounded: a cycle of ppids (pid reuse) must not hang the report. */
        for (int p = v->procs[i].parent; p >= 0 && d <= (int)v->nprocs; p = v->procs[p].parent)
            d++;
        v->procs[i].depth = d;
    }
}

/* Each process's own events (not the checker's acts on it), by time. */
static int group_by_proc(struct trace_view *v)
{
    const struct trace *t = v->t;
    size_t *fill = calloc(v->nprocs + 1, sizeof *fill), off = 0;

    v->byproc = calloc(t->nev + 1, sizeof *v->byproc);
    if (fill == NULL || v->byproc == NULL) {
        free(fill);
        return -1;
    }
    for (size_t i = 0; i < t->nev; i++)
        if (v->ev[i].proc >= 0 && t->ev[i].kind != TE_CHECKER)
            v->procs[v->ev[i].proc].nev++;
    for (size_t p = 0; p < v->nprocs; p++) {
        v->procs[p].ev_off = off;
        off += v->procs[p].nev;
    }
    for (size_t k = 0; k < t->nev; k++) {
        size_t i = v->order[k];
        int p = v->ev[i].proc;

        if (p < 0 || t->ev[i].kind == TE_CHECKER)
            continue;
        v->ev[i].rank = (int)fill[p];
        v->byproc[v->procs[p].ev_off + fill[p]++] = i;
    }
    free(fill);
    return 0;
}

/* The process a signal went to: of that pid, one alive when it was sent
 * (of the sender's launch first, then the latest to start); -1 when none
 * was, or the target is no one process (0, -1). */
static int signal_target(const struct trace_view *v, size_t i)
{
    const struct trace_event *e = &v->t->ev[i];
    long long target = e->arg < -1 ? -e->arg : e->arg;
    int best = -1;

    if (target <= 0 || target > INT_MAX)
        return -1;
    for (size_t p = 0; p < v->nprocs; p++) {
        const struct trace_proc *tp = &v->procs[p].p;

        if (tp->pid != (pid_t)target || tp->start_us > e->us || (tp->end_us >= 0 && tp->end_us < e->us))
            continue;
        if (best < 0 || better_match(tp, &v->procs[best].p, v->ev[i].launch, e->us))
            best = (int)p;
    }
    return best;
}

static void link_children(struct trace_view *v)
{
    const struct trace *t = v->t;

    for (size_t i = 0; i < t->nev; i++) {
        v->ev[i].target = t->ev[i].kind == TE_KILL ? signal_target(v, i) : -1;
        if (t->ev[i].kind != TE_SPAWN || v->ev[i].proc < 0)
            continue;
        for (size_t c = 0; c < v->nprocs; c++)
            if (v->procs[c].p.pid == t->ev[i].value && v->procs[c].parent == v->ev[i].proc) {
                v->ev[i].child = (int)c;
                break;
            }
    }
}

static int checks_counts(const struct result *results, int check, enum status *st)
{
    if (check < 0 || check >= CK_COUNT)
        return 0;
    *st = results ? results[check].status : ST_FAIL;
    return *st == ST_FAIL || *st == ST_WARN;
}

/* The mark order: on events first (by event), then on processes, then on
 * whole launches, so that each event's and each process's marks are one
 * run of the array. */
static int mark_cmp(const void *a, const void *b)
{
    const struct tv_mark *x = a, *y = b;
    long kx = x->event >= 0 ? x->event : -1, ky = y->event >= 0 ? y->event : -1;

    if ((kx < 0) != (ky < 0))
        return kx < 0 ? 1 : -1;
    if (kx != ky)
        return kx < ky ? -1 : 1;
    if ((x->proc < 0) != (y->proc < 0))
        return x->proc < 0 ? 1 : -1;
    if (x->proc != y->proc)
        return x->proc < y->proc ? -1 : 1;
    return x->check - y->check;
}

static int has_mark(const struct trace_view *v, long event, int check)
{
    for (size_t m = 0; m < v->nmarks; m++)
        if (v->marks[m].event == event && v->marks[m].check == check)
            return 1;
    return 0;
}

static void add_mark(struct trace_view *v, long event, int proc, int launch, int check,
                     const struct result *results, const char *why)
{
    enum status st;

    if (!checks_counts(results, check, &st) || (event >= 0 && has_mark(v, event, check)))
        return;
    v->marks[v->nmarks++] = (struct tv_mark){ event, proc, launch, check, st, why };
}

static int collect_marks(struct trace_view *v, const struct result *results)
{
    const struct trace *t = v->t;
    int nm = t->nmarks < 0 ? 0 : t->nmarks > TRACE_MAX_MARKS ? TRACE_MAX_MARKS : t->nmarks;

    v->marks = calloc((size_t)nm + t->nev + 1, sizeof *v->marks);
    if (v->marks == NULL)
        return -1;
    for (int m = 0; m < nm; m++) {
        const struct trace_mark *tm = &t->marks[m];
        long ev = tm->event >= 0 && (size_t)tm->event < t->nev ? tm->event : -1;
        int launch = ev >= 0 ? v->ev[ev].launch : clamp_launch(tm->launch);
        int proc = ev >= 0 || tm->pid <= 0 ? -1 : find_proc(v, launch, tm->pid, LLONG_MAX);

        if (launch >= v->nlaunches)
            v->nlaunches = launch + 1;
        /* The sentence is the lead's, but its end is the candidate's:
         * it is read up to its bound, never past. */
        add_mark(v, ev, proc, launch, tm->check, results,
                 memchr(tm->why, '\0', sizeof tm->why) ? tm->why : "");
    }
    for (size_t i = 0; i < t->nev; i++)
        add_mark(v, (long)i, -1, v->ev[i].launch, t->ev[i].check, results, "");
    qsort(v->marks, v->nmarks, sizeof *v->marks, mark_cmp);
    for (size_t m = v->nmarks; m-- > 0;) {
        const struct tv_mark *mk = &v->marks[m];

        if (mk->event >= 0) {
            v->ev[mk->event].mark_off = m;
            v->ev[mk->event].nmarks++;
            if (v->ev[mk->event].proc >= 0 && t->ev[mk->event].kind != TE_CHECKER)
                v->procs[v->ev[mk->event].proc].unique = 1;
        } else if (mk->proc >= 0) {
            v->procs[mk->proc].mark_off = m;
            v->procs[mk->proc].nmarks++;
            v->procs[mk->proc].unique = 1;
        }
    }
    return 0;
}

/* A setsid or setpgid of one's own pid is the same step in every sibling. */
static long long story_value(const struct trace_event *e)
{
    if ((e->kind == TE_SETSID || e->kind == TE_SETPGID) && e->value == e->pid)
        return -1000000;
    return e->value;
}

static int same_step(const struct trace_event *a, const struct trace_event *b)
{
    return a->kind == b->kind && story_value(a) == story_value(b) && a->arg == b->arg
        && strncmp(a->detail, b->detail, sizeof a->detail) == 0;
}

static unsigned long long hash_bytes(unsigned long long h, const void *p, size_t n)
{
    const unsigned char *s = p;

    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ull;
    return h;
}

static void compute_stories(struct trace_view *v)
{
    for (size_t p = 0; p < v->nprocs; p++) {
        struct tv_proc *tp = &v->procs[p];
        unsigned long long h = 14695981039346656037ull;

        if (tp->nchildren > 0)
            tp->unique = 1;
        h = hash_bytes(h, &tp->p.role, sizeof tp->p.role);
        h = hash_bytes(h, &tp->nev, sizeof tp->nev);
        for (size_t k = 0; k < tp->nev; k++) {
            const struct trace_event *e = &v->t->ev[v->byproc[tp->ev_off + k]];
            long long val = story_value(e);

            h = hash_bytes(h, &e->kind, sizeof e->kind);
            h = hash_bytes(h, &val, sizeof val);
            h = hash_bytes(h, &e->arg, sizeof e->arg);
            h = hash_bytes(h, e->detail, strnlen(e->detail, sizeof e->detail));
        }
        tp->story = h;
    }
}

static int same_story(const struct trace_view *v, const struct tv_proc *a, const struct tv_proc *b)
{
    if (a->parent != b->parent || a->p.role != b->p.role || a->story != b->story || a->nev != b->nev)
        return 0;
    for (size_t k = 0; k < a->nev; k++)
        if (!same_step(&v->t->ev[v->byproc[a->ev_off + k]], &v->t->ev[v->byproc[b->ev_off + k]]))
            return 0;
    return 1;
}

static const struct trace_view *sorting_view;   /* qsort has no context argument in C11 */

static int sibling_cmp(const void *a, const void *b)
{
    const struct tv_proc *x = &sorting_view->procs[*(const int *)a];
    const struct tv_proc *y = &sorting_view->procs[*(const int *)b];

    if (x->parent != y->parent)
        return x->parent < y->parent ? -1 : 1;
    if (x->story != y->story)
        return x->story < y->story ? -1 : 1;
    if (x->p.start_us != y->p.start_us)
        return x->p.start_us < y->p.start_us ? -1 : 1;
    return *(const int *)a - *(const int *)b;
}

static void make_group(struct trace_view *v, const int *members, size_t n)
{
    struct tv_group *g = &v->groups[v->ngroups];
    int gi = (int)v->ngroups++, alive = 0;

    memset(g, 0, sizeof *g);
    g->parent = v->procs[members[0]].parent;
    g->first_hidden = members[TV_FOLD_SHOWN];
    g->lo = g->hi = v->procs[members[TV_FOLD_SHOWN]].p.pid;
    g->start_us = v->procs[members[TV_FOLD_SHOWN]].p.start_us;
    for (size_t k = 0; k < n; k++) {
        struct tv_proc *tp = &v->procs[members[k]];

        tp->group = gi;
        if (k < TV_FOLD_SHOWN)
            continue;
        tp->hidden = 1;
        g->nhidden++;
        g->lo = tp->p.pid < g->lo ? tp->p.pid : g->lo;
        g->hi = tp->p.pid > g->hi ? tp->p.pid : g->hi;
        g->start_us = tp->p.start_us < g->start_us ? tp->p.start_us : g->start_us;
        if (tp->p.end_us < 0)
            alive = 1;
        else if (tp->p.end_us > g->end_us)
            g->end_us = tp->p.end_us;
    }
    if (alive)
        g->end_us = -1;
    g->fold_off = v->nfolds;
    g->nfolds = (size_t)TV_FOLD_STEP(0) + v->procs[members[0]].nev;
    v->nfolds += g->nfolds;
}

static int find_groups(struct trace_view *v)
{
    int *cand = calloc(v->nprocs + 1, sizeof *cand);
    size_t n = 0, folds = 0;

    v->groups = calloc(v->nprocs / TV_FOLD_MIN + 1, sizeof *v->groups);
    if (cand == NULL || v->groups == NULL) {
        free(cand);
        return -1;
    }
    for (size_t p = 0; p < v->nprocs; p++)
        if (!v->procs[p].unique && v->procs[p].parent >= 0) {
            cand[n++] = (int)p;
            folds += TV_FOLD_STEP(0) + v->procs[p].nev;
        }
    sorting_view = v;
    qsort(cand, n, sizeof *cand, sibling_cmp);
    v->folds = calloc(folds + 1, sizeof *v->folds);
    if (v->folds == NULL) {
        free(cand);
        return -1;
    }
    for (size_t a = 0, b; a < n; a = b) {
        for (b = a + 1; b < n && same_story(v, &v->procs[cand[a]], &v->procs[cand[b]]); b++)
            ;
        if (b - a >= TV_FOLD_MIN)
            make_group(v, cand + a, b - a);
    }
    free(cand);
    return 0;
}

const struct tv_fold *tv_group_fold(const struct trace_view *v, const struct tv_group *g, int slot)
{
    if (slot < 0 || (size_t)slot >= g->nfolds)
        return NULL;
    return &v->folds[g->fold_off + (size_t)slot];
}

/* The group and slot an event folds into, or -1 when it stays shown. */
static int fold_slot(const struct trace_view *v, size_t i, int *group)
{
    const struct trace_event *e = &v->t->ev[i];
    const struct tv_event *te = &v->ev[i];

    if (te->nmarks > 0)
        return -1;
    if (e->kind == TE_SPAWN && te->child >= 0 && v->procs[te->child].hidden) {
        *group = v->procs[te->child].group;
        return TV_FOLD_FORKS;
    }
    /* A parent's signal to its hidden children (a daemon ending its 40
     * workers): one marker, as their forks are. */
    if (e->kind == TE_KILL && te->target >= 0 && v->procs[te->target].hidden
        && v->groups[v->procs[te->target].group].parent == te->proc) {
        *group = v->procs[te->target].group;
        return TV_FOLD_SIGNALS;
    }
    if (te->proc < 0 || !v->procs[te->proc].hidden)
        return -1;
    *group = v->procs[te->proc].group;
    return e->kind == TE_CHECKER ? TV_FOLD_CHECKER : TV_FOLD_STEP(te->rank);
}

static void build_folds(struct trace_view *v)
{
    for (size_t g = 0; g < v->ngroups; g++)
        for (size_t s = 0; s < v->groups[g].nfolds; s++) {
            v->folds[v->groups[g].fold_off + s].group = (int)g;
            v->folds[v->groups[g].fold_off + s].slot = (int)s;
        }
    for (size_t k = 0; k < v->t->nev; k++) {
        size_t i = v->order[k];
        int group = -1, slot = fold_slot(v, i, &group);
        struct tv_fold *f;

        if (slot < 0 || (size_t)slot >= v->groups[group].nfolds)
            continue;
        f = &v->folds[v->groups[group].fold_off + (size_t)slot];
        /* Another signal to them (SIGKILL after SIGTERM) stays shown. */
        if (slot == TV_FOLD_SIGNALS && f->count > 0 && v->t->ev[f->first].value != v->t->ev[i].value)
            continue;
        if (f->count++ == 0) {
            f->first = i;
            f->first_us = v->t->ev[i].us;
        }
        f->last_us = v->t->ev[i].us;
        v->ev[i].fold = (int)(f - v->folds);
    }
}

int trace_view_init(struct trace_view *v, const struct trace *t, const struct result *results)
{
    memset(v, 0, sizeof *v);
    v->t = t;
    if (copy_procs(v) < 0 || order_events(v) < 0)
        goto fail;
    count_launches(v);
    attach_events(v);
    complete_ends(v);
    link_parents(v);
    if (group_by_proc(v) < 0)
        goto fail;
    link_children(v);
    if (collect_marks(v, results) < 0)
        goto fail;
    compute_stories(v);
    if (find_groups(v) < 0)
        goto fail;
    build_folds(v);
    return 0;
fail:
    trace_view_free(v);
    errno = ENOMEM;
    return -1;
}

void trace_view_free(struct trace_view *v)
{
    free(v->order);
    free(v->ev);
    free(v->byproc);
    free(v->procs);
    free(v->groups);
    free(v->folds);
    free(v->marks);
    memset(v, 0, sizeof *v);
}
