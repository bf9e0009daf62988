/* trace_svg.h — what the two halves of the picture's SVG share: the frame
 * (trace_svg.c: axis, lanes, arrows, the checker's lines) and what sits on
 * it (trace_svg_marks.c: markers, their labels, the failures in red).
 *
 * All text is in a monospace font, so that its width is known here
 * without a browser: DejaVu Sans Mono's advance is 0.602 em. */
#ifndef CHECKER_TRACE_SVG_H
#define CHECKER_TRACE_SVG_H

#include <stdio.h>

#include "trace_picture.h"

#define BAR_TOP 15.0        /* a lane's bar, from the top of its row */
#define BAR_H 16.0
#define MID (BAR_TOP + BAR_H / 2)
#define STRIPE_H 4.0        /* the process group's stripe, at the bar's foot */
#define MARK_R 7.5
#define RUNNING_W 26.0      /* how far a lane still running goes past the last time */
#define EM 0.602            /* a character's advance, in font sizes */
#define SMALL_CHAR (9.5 * EM)
#define EXIT_CHAR (10 * EM)

struct svg {
    FILE *out;
    const struct pic *p;
    const struct trace_view *v;
};

double svg_x(const struct svg *s, long long us);
/* Where lanes still running end. */
double svg_right_end(const struct svg *s);
/* The top of the row of a process's lane (its fold lane when hidden), or -1. */
double svg_row_y(const struct svg *s, int proc);
const char *svg_role(const struct trace_view *v, int proc);
size_t svg_chars(const char *utf8);

/* "exit 0", "killed: SIGTERM", and how wide it is drawn. */
void svg_exit_label(char *buf, size_t cap, int status);
double svg_exit_width(int status);
/* Where a fold lane ends (-1: some of it still runs). */
long long svg_group_end(const struct svg *s, const struct tv_group *g);
/* Where the text after a launch's header ends. */
double svg_launch_text_end(const struct svg *s, int launch);

/* A marker drawn on a lane: one event, or the first of a fold. */
struct svg_drawn {
    size_t ev;
    double x;
};

/* trace_svg_marks.c: every event's marker, with its label, its title and
 * its failures; the leader's words on its lane; the failures that no
 * event explains; and how far right all of it reaches. scratch: room for
 * one svg_drawn per event of the trace. */
void svg_markers(const struct svg *s, struct svg_drawn *scratch);
void svg_stray_marks(const struct svg *s);
double svg_marks_right(const struct svg *s);

#endif
