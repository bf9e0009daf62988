/* trace_picture.h — the parts of the picture (trace_html.c): its time axis
 * (trace_axis.c), its layout of rows, sessions and process groups
 * (trace_layout.c) and its SVG (trace_svg.c), and the HTML escaping they
 * share. Only trace_render.h is for the rest of the checker. */
#ifndef CHECKER_TRACE_PICTURE_H
#define CHECKER_TRACE_PICTURE_H

#include <stdio.h>
#include <sys/types.h>

#include "trace_view.h"

/* The time axis: a process may live 50 µs and another the whole run, so
 * the axis is neither linear nor one scale. Each distinct time that the
 * picture shows gets a place; a gap between two of them is as wide as the
 * logarithm of its length, and a gap longer than AXIS_BREAK_US is cut: a
 * fixed width marked as a break, with its length written on it. */
#define AXIS_BREAK_US 5000
#define AXIS_BREAK_W 90.0
#define AXIS_MIN_GAP 16.0       /* the narrowest gap: two markers side by side */

struct pic_axis {
    long long *us;          /* the times shown, sorted, distinct */
    double *x;              /* their places, the first at 0 */
    size_t n;
    double width;
};

/* Takes the times (sorted and deduplicated in place, kept by the axis):
 * 0, or -1 with errno. */
int axis_build(struct pic_axis *a, long long *times, size_t n);
/* The place of any time: between two shown times, in proportion. */
double axis_x(const struct pic_axis *a, long long us);
/* Whether the gap after the i-th shown time is a break. */
int axis_break_after(const struct pic_axis *a, size_t i);
void axis_scale(struct pic_axis *a, double factor);
void axis_free(struct pic_axis *a);

enum row_kind { ROW_LAUNCH, ROW_PROC, ROW_GROUP };

struct pic_row {
    enum row_kind kind;
    int launch;
    int proc;               /* ROW_PROC: index in view.procs */
    int group;              /* ROW_GROUP: index in view.groups */
    int depth;
    double y, h;
};

/* A session or a process group, and its colour. */
struct pic_band {
    pid_t id;
    int made;               /* made by a setsid/setpgid in the trace */
    pid_t made_by;
    long long made_us;
    int launch;             /* where it first appears */
    const char *fill;
};

struct pic {
    const struct trace_view *v;
    struct pic_axis axis;
    struct pic_row *rows;
    size_t nrows;
    int *row_of_proc;       /* per view proc: its row, or -1 (hidden) */
    int *row_of_group;
    long *spawn_of;         /* per view proc: the event that forked it, or -1 */
    struct pic_band *sessions, *groups;
    size_t nsessions, ngroups;
    double plot_x;          /* where time 0 of the axis is drawn */
    double checker_y;       /* the checker's own lane */
    double width, height;
};

#define PIC_LABEL_W 270.0
#define PIC_RIGHT_W 210.0
#define PIC_AXIS_H 46.0
#define PIC_LANE_H 48.0
#define PIC_LAUNCH_H 28.0

int pic_layout(struct pic *p, const struct trace_view *v);
void pic_free(struct pic *p);

/* Where a lane begins and ends on the run's axis (end -1: still running). */
long long pic_lane_start(const struct pic *p, int proc);
/* The session and process group of a process at a time. */
void pic_ids_at(const struct pic *p, int proc, long long us, pid_t *sid, pid_t *pgid);
const struct pic_band *pic_session(const struct pic *p, pid_t sid);
const struct pic_band *pic_group(const struct pic *p, pid_t pgid);

/* The SVG of the picture: 0, or -1 with errno (ENOMEM) before a byte of
 * it was written. */
int pic_svg(FILE *out, const struct pic *p);

/* HTML-escaped text, at most max characters of it ("…" when cut): the
 * candidate's bytes can never open a tag or an entity, and invalid UTF-8
 * becomes U+FFFD. */
void html_text(FILE *out, const char *s, size_t max);

#endif
