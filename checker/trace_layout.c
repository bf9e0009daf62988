/* trace_layout.c — where everything goes in the picture: one row per
 * launch header, per process lane (in tree order: each child below its
 * parent) and per fold of identical siblings; the time axis; and the
 * sessions and process groups, each with its colour. */
#include <stdlib.h>
#include <string.h>

#include "trace_picture.h"

#define MIN_PLOT_W 760.0    /* a short trace is spread to this width */
#define MAX_SPREAD 3.0
#define MAX_ID_DEPTH 64     /* inheriting ids from ancestors: a pid-reuse cycle ends here */

/* Sessions and groups that a setsid/setpgid in the trace made are in
 * colour; the ones the launch began in are grey. */
static const char *const made_session_fill[] = {
    "#a8dab5", "#9cc9f0", "#f5cf87", "#d3b8ee", "#f4a9a0", "#8fd9cf", "#e8dc84", "#c5c9f5",
};
static const char *const old_session_fill[] = { "#d9dce1", "#c4c9d0", "#e7e9ec" };
static const char *const made_group_fill[] = {
    "#2e8b57", "#2f6fb0", "#c07a12", "#7c4dbd", "#c0392b", "#16877a", "#9a8a10", "#4b56c0",
};
static const char *const old_group_fill[] = { "#8d949e", "#6a727d" };

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

long long pic_lane_start(const struct pic *p, int proc)
{
    long s = p->spawn_of[proc];

    /* Drawn from its parent's fork, so that the fork arrow goes straight
     * down, rather than from the moment the tracer first saw it. */
    return s >= 0 ? p->v->t->ev[s].us : p->v->procs[proc].p.start_us;
}

static void ids_at(const struct pic *p, int proc, long long us, pid_t *sid, pid_t *pgid, int depth)
{
    const struct trace_view *v = p->v;
    const struct tv_proc *tp = &v->procs[proc];

    *sid = tp->p.sid;
    *pgid = tp->p.pgid;
    if ((*sid <= 0 || *pgid <= 0) && tp->parent >= 0 && depth < MAX_ID_DEPTH) {
        pid_t psid, ppgid;

        ids_at(p, tp->parent, pic_lane_start(p, proc), &psid, &ppgid, depth + 1);
        *sid = *sid > 0 ? *sid : psid;
        *pgid = *pgid > 0 ? *pgid : ppgid;
    }
    for (size_t k = 0; k < tp->nev; k++) {
        const struct trace_event *e = &v->t->ev[v->byproc[tp->ev_off + k]];

        if (e->us > us)
            break;
        if (e->kind == TE_SETSID && e->value > 0)
            *sid = *pgid = (pid_t)e->value;
        else if (e->kind == TE_SETPGID && e->value > 0)
            *pgid = (pid_t)e->value;
    }
}

void pic_ids_at(const struct pic *p, int proc, long long us, pid_t *sid, pid_t *pgid)
{
    ids_at(p, proc, us, sid, pgid, 0);
}

static int add_row(struct pic *p, enum row_kind kind, int launch, int index, int depth, double *y)
{
    struct pic_row *r = &p->rows[p->nrows];

    memset(r, 0, sizeof *r);
    r->kind = kind;
    r->launch = launch;
    r->proc = kind == ROW_PROC ? index : -1;
    r->group = kind == ROW_GROUP ? index : -1;
    r->depth = depth;
    r->y = *y;
    r->h = kind == ROW_LAUNCH ? PIC_LAUNCH_H : PIC_LANE_H;
    *y += r->h;
    if (kind == ROW_PROC)
        p->row_of_proc[index] = (int)p->nrows;
    else if (kind == ROW_GROUP)
        p->row_of_group[index] = (int)p->nrows;
    return (int)p->nrows++;
}

static const struct pic *sorting_pic;   /* qsort has no context argument in C11 */

static int start_cmp(const void *a, const void *b)
{
    int x = *(const int *)a, y = *(const int *)b;
    long long sx = pic_lane_start(sorting_pic, x), sy = pic_lane_start(sorting_pic, y);

    if (sx != sy)
        return sx < sy ? -1 : 1;
    return x - y;
}

/* The lanes of one launch, depth first: each process, then its children
 * (of the same launch) by the time they began; identical siblings beyond
 * the shown ones make one row, where the first of them would be. */
static void launch_rows(struct pic *p, int launch, const int *by_start, size_t n, int *stack,
                        double *y)
{
    const struct trace_view *v = p->v;
    size_t top = 0;

    for (size_t k = n; k-- > 0;)
        if (v->procs[by_start[k]].p.launch == launch && v->procs[by_start[k]].parent < 0)
            stack[top++] = by_start[k];
    while (top > 0) {
        int proc = stack[--top];
        const struct tv_proc *tp = &v->procs[proc];

        if (tp->hidden) {
            if (v->groups[tp->group].first_hidden == proc)
                add_row(p, ROW_GROUP, launch, tp->group, tp->depth, y);
            continue;
        }
        add_row(p, ROW_PROC, launch, proc, tp->depth, y);
        for (size_t k = n; k-- > 0;)
            if (v->procs[by_start[k]].parent == proc && v->procs[by_start[k]].p.launch == launch)
                stack[top++] = by_start[k];
    }
}

/* What the tree missed (a cycle of parents after pid reuse, a child
 * recorded in another launch than its parent's) still gets a lane: every
 * event must be shown somewhere. */
static void stray_rows(struct pic *p, int launch, double *y)
{
    const struct trace_view *v = p->v;

    for (size_t i = 0; i < v->nprocs; i++) {
        const struct tv_proc *tp = &v->procs[i];

        if (tp->p.launch != launch)
            continue;
        if (!tp->hidden && p->row_of_proc[i] < 0)
            add_row(p, ROW_PROC, launch, (int)i, 0, y);
        else if (tp->hidden && v->groups[tp->group].first_hidden == (int)i
                 && p->row_of_group[tp->group] < 0)
            add_row(p, ROW_GROUP, launch, tp->group, 0, y);
    }
}

/* A launch has a header when it has a process, or a failure of its own
 * to show on it. */
static int launch_has_rows(const struct trace_view *v, int launch)
{
    for (size_t i = 0; i < v->nprocs; i++)
        if (v->procs[i].p.launch == launch)
            return 1;
    for (size_t m = 0; m < v->nmarks; m++)
        if (v->marks[m].event < 0 && v->marks[m].proc < 0 && v->marks[m].launch == launch)
            return 1;
    return 0;
}

static int make_rows(struct pic *p)
{
    const struct trace_view *v = p->v;
    int *by_start = calloc(v->nprocs + 1, sizeof *by_start);
    int *stack = calloc(v->nprocs + 1, sizeof *stack);
    double y = PIC_AXIS_H;

    p->rows = calloc(v->nprocs + (size_t)v->nlaunches + 1, sizeof *p->rows);
    if (by_start == NULL || stack == NULL || p->rows == NULL) {
        free(by_start);
        free(stack);
        return -1;
    }
    for (size_t i = 0; i < v->nprocs; i++)
        by_start[i] = (int)i;
    sorting_pic = p;
    qsort(by_start, v->nprocs, sizeof *by_start, start_cmp);
    p->checker_y = y;
    y += PIC_LANE_H;
    for (int l = 0; l < v->nlaunches; l++) {
        if (!launch_has_rows(v, l))
            continue;
        add_row(p, ROW_LAUNCH, l, -1, 0, &y);
        launch_rows(p, l, by_start, v->nprocs, stack, &y);
        stray_rows(p, l, &y);
    }
    p->height = y + 24;
    free(by_start);
    free(stack);
    return 0;
}

/* Every time the picture shows a thing at gets a place on the axis. */
static int make_axis(struct pic *p)
{
    const struct trace_view *v = p->v;
    long long *times = calloc(v->t->nev + 2 * v->nprocs + (size_t)v->nlaunches + 1, sizeof *times);
    size_t n = 0;

    if (times == NULL)
        return -1;
    for (size_t i = 0; i < v->t->nev; i++)
        if (v->ev[i].fold < 0 || v->folds[v->ev[i].fold].first == i)
            times[n++] = v->t->ev[i].us;
    for (size_t i = 0; i < v->nprocs; i++) {
        if (v->procs[i].hidden && v->groups[v->procs[i].group].first_hidden != (int)i)
            continue;
        times[n++] = pic_lane_start(p, (int)i);
        if (v->procs[i].p.end_us >= 0)
            times[n++] = v->procs[i].p.end_us;
    }
    for (int l = 0; l < v->nlaunches; l++)
        if (launch_has_rows(v, l))
            times[n++] = tv_launch_t0(v, l);
    if (axis_build(&p->axis, times, n) < 0)
        return -1;
    if (p->axis.width > 0 && p->axis.width < MIN_PLOT_W)
        axis_scale(&p->axis, MIN_PLOT_W / p->axis.width < MAX_SPREAD
                             ? MIN_PLOT_W / p->axis.width : MAX_SPREAD);
    return 0;
}

static struct pic_band *band_find(struct pic_band *b, size_t n, pid_t id)
{
    for (size_t i = 0; i < n; i++)
        if (b[i].id == id)
            return &b[i];
    return NULL;
}

static void band_add(struct pic_band *b, size_t *n, pid_t id, int launch)
{
    if (id <= 0 || band_find(b, *n, id) != NULL)
        return;     /* not known: drawn without a colour of its own */
    b[*n] = (struct pic_band){ .id = id, .launch = launch };
    (*n)++;
}

/* A session or a group that a setsid or a setpgid of the trace made. */
static void band_made(struct pic_band *b, size_t n, const struct trace_event *e)
{
    struct pic_band *band = band_find(b, n, (pid_t)e->value);

    if (band != NULL && !band->made) {
        band->made = 1;
        band->made_by = e->pid;
        band->made_us = e->us;
    }
}

static void band_colours(struct pic_band *b, size_t n, const char *const *made, size_t nmade,
                         const char *const *old, size_t nold)
{
    size_t m = 0, o = 0;

    for (size_t i = 0; i < n; i++)
        b[i].fill = b[i].made ? made[m++ % nmade] : old[o++ % nold];
}

static void bands_of_proc(struct pic *p, int proc)
{
    const struct tv_proc *tp = &p->v->procs[proc];
    pid_t sid, pgid;

    pic_ids_at(p, proc, pic_lane_start(p, proc), &sid, &pgid);
    band_add(p->sessions, &p->nsessions, sid, tp->p.launch);
    band_add(p->groups, &p->ngroups, pgid, tp->p.launch);
    for (size_t k = 0; k < tp->nev; k++) {
        const struct trace_event *e = &p->v->t->ev[p->v->byproc[tp->ev_off + k]];

        if (e->kind == TE_SETSID && e->value > 0) {
            band_add(p->sessions, &p->nsessions, (pid_t)e->value, tp->p.launch);
            band_add(p->groups, &p->ngroups, (pid_t)e->value, tp->p.launch);
            band_made(p->sessions, p->nsessions, e);
            band_made(p->groups, p->ngroups, e);
        } else if (e->kind == TE_SETPGID && e->value > 0) {
            band_add(p->groups, &p->ngroups, (pid_t)e->value, tp->p.launch);
            band_made(p->groups, p->ngroups, e);
        }
    }
}

static int make_bands(struct pic *p)
{
    size_t cap = 2 * (p->v->t->nev + p->v->nprocs) + 1;

    p->sessions = calloc(cap, sizeof *p->sessions);
    p->groups = calloc(cap, sizeof *p->groups);
    if (p->sessions == NULL || p->groups == NULL)
        return -1;
    for (size_t r = 0; r < p->nrows; r++) {
        const struct pic_row *row = &p->rows[r];

        if (row->kind == ROW_PROC)
            bands_of_proc(p, row->proc);
        else if (row->kind == ROW_GROUP)
            bands_of_proc(p, p->v->groups[row->group].first_hidden);
    }
    band_colours(p->sessions, p->nsessions, made_session_fill, COUNT(made_session_fill),
                 old_session_fill, COUNT(old_session_fill));
    band_colours(p->groups, p->ngroups, made_group_fill, COUNT(made_group_fill),
                 old_group_fill, COUNT(old_group_fill));
    return 0;
}

const struct pic_band *pic_session(const struct pic *p, pid_t sid)
{
    return band_find(p->sessions, p->nsessions, sid);
}

const struct pic_band *pic_group(const struct pic *p, pid_t pgid)
{
    return band_find(p->groups, p->ngroups, pgid);
}

static int find_spawns(struct pic *p)
{
    const struct trace_view *v = p->v;

    p->spawn_of = calloc(v->nprocs + 1, sizeof *p->spawn_of);
    p->row_of_proc = calloc(v->nprocs + 1, sizeof *p->row_of_proc);
    p->row_of_group = calloc(v->ngroups + 1, sizeof *p->row_of_group);
    if (p->spawn_of == NULL || p->row_of_proc == NULL || p->row_of_group == NULL)
        return -1;
    for (size_t i = 0; i < v->nprocs; i++)
        p->spawn_of[i] = p->row_of_proc[i] = -1;
    for (size_t g = 0; g < v->ngroups; g++)
        p->row_of_group[g] = -1;
    for (size_t k = 0; k < v->t->nev; k++) {
        size_t i = v->order[k];
        int child = v->ev[i].child;

        if (v->t->ev[i].kind == TE_SPAWN && child >= 0 && p->spawn_of[child] < 0)
            p->spawn_of[child] = (long)i;
    }
    return 0;
}

int pic_layout(struct pic *p, const struct trace_view *v)
{
    memset(p, 0, sizeof *p);
    p->v = v;
    if (find_spawns(p) < 0 || make_rows(p) < 0 || make_axis(p) < 0 || make_bands(p) < 0) {
        pic_free(p);
        return -1;
    }
    p->plot_x = PIC_LABEL_W;
    p->width = p->plot_x + p->axis.width + PIC_RIGHT_W;
    return 0;
}

void pic_free(struct pic *p)
{
    axis_free(&p->axis);
    free(p->rows);
    free(p->row_of_proc);
    free(p->row_of_group);
    free(p->spawn_of);
    free(p->sessions);
    free(p->groups);
    memset(p, 0, sizeof *p);
}
