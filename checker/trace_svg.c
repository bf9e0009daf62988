/* trace_svg.c — the frame of the picture: the time axis and its cuts, a
 * row per launch and a lane per process, each lane coloured by the session
 * it is in (its process group in a stripe at its foot) and hatched while it
 * leads its session, the fork arrows from parent to child, and the lines
 * from each of the checker's actions down to what it hit. The markers go
 * on top (trace_svg_marks.c). */
#include <stdlib.h>
#include <string.h>

#include "trace_svg.h"
#include "trace_words.h"

#define TICK_CHAR (10 * EM)
#define LNAME_CHAR (13 * EM)
#define LSUB_CHAR (11 * EM)

double svg_x(const struct svg *s, long long us)
{
    return s->p->plot_x + axis_x(&s->p->axis, us);
}

double svg_right_end(const struct svg *s)
{
    return s->p->plot_x + s->p->axis.width + RUNNING_W;
}

const char *svg_role(const struct trace_view *v, int proc)
{
    const struct trace_proc *p = &v->procs[proc].p;

    return trace_role_words(tv_launch_kind(v, p->launch), p->role);
}

size_t svg_chars(const char *s)
{
    size_t n = 0;

    for (; *s; s++)
        n += ((unsigned char)*s & 0xc0) != 0x80;
    return n;
}

double svg_row_y(const struct svg *s, int proc)
{
    int r;

    if (proc < 0)
        return -1;
    r = s->p->row_of_proc[proc];
    if (r < 0 && s->v->procs[proc].hidden)
        r = s->p->row_of_group[s->v->procs[proc].group];
    return r < 0 ? -1 : s->p->rows[r].y;
}

void svg_exit_label(char *buf, size_t cap, int status)
{
    char words[64];

    trace_status_words(words, sizeof words, status);
    if (strncmp(words, "exited with status ", 19) == 0)
        snprintf(buf, cap, "exit %s", words + 19);
    else if (strncmp(words, "killed by ", 10) == 0)
        snprintf(buf, cap, "killed: %s", words + 10);
    else
        snprintf(buf, cap, "%s", words);
}

double svg_exit_width(int status)
{
    char label[64];

    svg_exit_label(label, sizeof label, status);
    return (double)svg_chars(label) * EXIT_CHAR;
}

static void defs(FILE *out)
{
    fputs("<defs>\n"
          "<marker id=\"arrow\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" "
          "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#555\"/></marker>\n"
          "<marker id=\"hit\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"8\" "
          "markerHeight=\"8\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#b02a1e\"/></marker>\n"
          "<marker id=\"sent\" viewBox=\"0 0 8 8\" refX=\"7\" refY=\"4\" markerWidth=\"7\" "
          "markerHeight=\"7\" orient=\"auto\"><path d=\"M0,0 L8,4 L0,8 z\" fill=\"#d35400\"/></marker>\n"
          "<pattern id=\"leader\" width=\"7\" height=\"7\" patternUnits=\"userSpaceOnUse\" "
          "patternTransform=\"rotate(45)\"><rect width=\"3\" height=\"7\" fill=\"#000\" "
          "fill-opacity=\"0.28\"/></pattern>\n"
          "<pattern id=\"unseen\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\">"
          "<rect width=\"6\" height=\"6\" fill=\"#fff\"/><circle cx=\"3\" cy=\"3\" r=\"1.2\" "
          "fill=\"#888\"/></pattern>\n"
          "</defs>\n", out);
}

static void row_backgrounds(const struct svg *s, double width)
{
    const struct pic *p = s->p;
    int odd = 0;

    fprintf(s->out, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fbf3f2\"/>\n",
            p->checker_y, width, PIC_LANE_H);
    for (size_t r = 0; r < p->nrows; r++) {
        const struct pic_row *row = &p->rows[r];

        if (row->kind == ROW_LAUNCH) {
            odd = 0;
            fprintf(s->out, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"#e9edf3\"/>\n", row->y, width, row->h);
        } else if (odd++ % 2) {
            fprintf(s->out, "<rect x=\"0\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"#f7f8fa\"/>\n", row->y, width, row->h);
        }
    }
}

/* A time for the axis: tenths of a ms, hundredths near the label before it
 * (within a ms), so that close labels never read the same. */
static void tick_text(char *buf, size_t cap, long long us, long long before_us)
{
    snprintf(buf, cap, "%.*f", us - before_us < 1000 ? 2 : 1, (double)us / 1000.0);
}

struct tick {
    double x;
    char text[32];
    int cut;            /* the length of a cut gap, not a time */
};

/* The labels of the axis, left to right, each where it does not touch the
 * one before: the times, and the length of each cut. */
static void axis_labels(const struct svg *s, double base)
{
    const struct pic_axis *a = &s->p->axis;
    double last_right = -1e9;
    long long last_us = -1000000;

    for (size_t i = 0; i < a->n; i++) {
        struct tick t[2];
        int n = 0;

        t[n].x = s->p->plot_x + a->x[i];
        t[n].cut = 0;
        tick_text(t[n].text, sizeof t[n].text, a->us[i], last_us);
        n++;
        if (axis_break_after(a, i)) {
            t[n].x = s->p->plot_x + (a->x[i] + a->x[i + 1]) / 2;
            t[n].cut = 1;
            snprintf(t[n].text, sizeof t[n].text, "+%.0f ms", (double)(a->us[i + 1] - a->us[i]) / 1000.0);
            n++;
        }
        for (int k = 0; k < n; k++) {
            double half = (double)strlen(t[k].text) * TICK_CHAR / 2;

            if (t[k].x - half < last_right + 14)
                continue;
            if (t[k].cut) {
                fprintf(s->out, "<text class=\"brk\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                        t[k].x, base - 8, t[k].text);
            } else {
                fprintf(s->out, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>"
                        "<line class=\"grid\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n"
                        "<text class=\"tick\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
                        t[k].x, base - 4, t[k].x, base + 2, t[k].x, base + 2, t[k].x,
                        s->p->height - 20, t[k].x, base - 8, t[k].text);
                last_us = a->us[i];
            }
            last_right = t[k].x + half;
        }
    }
}

static void axis(const struct svg *s)
{
    double base = PIC_AXIS_H - 8;

    fprintf(s->out, "<text class=\"axisname\" x=\"12\" y=\"%.1f\">time, ms into the run →</text>\n"
            "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" stroke=\"#888\"/>\n",
            base - 4, s->p->plot_x, base, svg_right_end(s), base);
    axis_labels(s, base);
}

/* A cut gap, drawn over the lanes: a pale band with a zigzag at each edge,
 * which fades what runs through it. */
static void breaks(const struct svg *s)
{
    const struct pic *p = s->p;
    const struct pic_axis *a = &p->axis;

    for (size_t i = 0; i + 1 < a->n; i++) {
        double x0 = p->plot_x + a->x[i] + 14, x1 = p->plot_x + a->x[i + 1] - 14;
        double top = PIC_AXIS_H - 6, bottom = p->height - 20;

        if (!axis_break_after(a, i))
            continue;
        fprintf(s->out, "<g class=\"break\"><title>%.1f ms cut out of the axis: nothing drawn "
                "happened in between</title>", (double)(a->us[i + 1] - a->us[i]) / 1000.0);
        fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
                "fill-opacity=\"0.55\"/>", x0, top, x1 - x0, bottom - top);
        for (int edge = 0; edge < 2; edge++) {
            double x = edge ? x1 : x0;

            fprintf(s->out, "<path d=\"M%.1f,%.1f", x, top);
            for (double y = top; y < bottom; y += 8)
                fprintf(s->out, " L%.1f,%.1f L%.1f,%.1f", x + 3, y + 4, x, y + 8);
            fputs("\" fill=\"none\" stroke=\"#aaa\"/>", s->out);
        }
        fputs("</g>\n", s->out);
    }
}

double svg_launch_text_end(const struct svg *s, int launch)
{
    char sub[48];

    snprintf(sub, sizeof sub, "began %.1f ms into the run", (double)tv_launch_t0(s->v, launch) / 1000.0);
    return svg_x(s, tv_launch_t0(s->v, launch)) + 12 + (double)strlen(sub) * LSUB_CHAR;
}

static void launch_header(const struct svg *s, const struct pic_row *row)
{
    long long t0 = tv_launch_t0(s->v, row->launch);
    double x = svg_x(s, t0);

    fprintf(s->out, "<g class=\"launch\" data-launch=\"%d\"><text class=\"lname\" x=\"12\" "
            "y=\"%.1f\">%s</text>", row->launch, row->y + 18, tv_launch_name(s->v, row->launch));
    fprintf(s->out, "<path d=\"M%.1f,%.1f l-6,-9 h12 z\" fill=\"#5a6270\"/><text class=\"lsub\" "
            "x=\"%.1f\" y=\"%.1f\">began %.1f ms into the run</text></g>\n", x, row->y + row->h - 2,
            x + 10, row->y + 18, (double)t0 / 1000.0);
}

/* A lane's label in the left column: pid and role, then its name. */
static void lane_label(const struct svg *s, const struct pic_row *row, const char *title,
                       const char *sub)
{
    double x = 12 + 14 * (row->depth < 6 ? row->depth : 6);

    if (row->depth > 0)
        fprintf(s->out, "<path d=\"M%.1f,%.1f v9 h7\" fill=\"none\" stroke=\"#999\"/>",
                x - 11, row->y + 12);
    fprintf(s->out, "<text class=\"pname\" x=\"%.1f\" y=\"%.1f\">", x, row->y + 22);
    html_text(s->out, title, (size_t)((PIC_LABEL_W - x - 8) / (12 * EM)));
    fprintf(s->out, "</text><text class=\"psub\" x=\"%.1f\" y=\"%.1f\">", x, row->y + 37);
    html_text(s->out, sub, (size_t)((PIC_LABEL_W - x - 8) / (10 * EM)));
    fputs("</text>", s->out);
}

/* One stretch of a lane in one session and group. */
static void segment(const struct svg *s, int proc, double y, long long from, double x0, double x1)
{
    const struct pic *p = s->p;
    pid_t pid = s->v->procs[proc].p.pid, sid, pgid;
    const struct pic_band *sb, *gb;
    int leads;

    if (x1 < x0)
        x1 = x0;        /* an end before the start: a trace cannot be trusted that far */
    pic_ids_at(p, proc, from, &sid, &pgid);
    sb = pic_session(p, sid);
    gb = pic_group(p, pgid);
    leads = sid == pid;
    fprintf(s->out, "<g class=\"seg%s\" data-sid=\"%d\" data-pgid=\"%d\"><title>session %d, "
            "process group %d%s</title>", leads ? " leader" : "", (int)sid, (int)pgid, (int)sid,
            (int)pgid, leads ? ": it leads its session, and could acquire a terminal" : "");
    fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
            x0, y + BAR_TOP, x1 - x0, BAR_H, sb ? sb->fill : "#ddd");
    fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"%s\"/>",
            x0, y + BAR_TOP + BAR_H - STRIPE_H, x1 - x0, STRIPE_H, gb ? gb->fill : "#999");
    if (leads)
        fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                "fill=\"url(#leader)\" stroke=\"#222\" stroke-width=\"1.2\"/>",
                x0, y + BAR_TOP, x1 - x0, BAR_H);
    fputs("</g>", s->out);
}

/* A lane's bar: a segment per stretch between its setsid/setpgid calls. */
static void bar(const struct svg *s, int proc, double y, long long start, long long end)
{
    const struct tv_proc *tp = &s->v->procs[proc];
    double x_end = end >= 0 ? svg_x(s, end) : svg_right_end(s);
    long long from = start;

    for (size_t k = 0; k < tp->nev; k++) {
        const struct trace_event *e = &s->v->t->ev[s->v->byproc[tp->ev_off + k]];

        if ((e->kind != TE_SETSID && e->kind != TE_SETPGID) || e->value <= 0 || e->us <= from)
            continue;
        segment(s, proc, y, from, svg_x(s, from), svg_x(s, e->us));
        from = e->us;
    }
    segment(s, proc, y, from, svg_x(s, from), x_end);
    if (end < 0)
        fprintf(s->out, "<path d=\"M%.1f,%.1f l9,%.1f l-9,%.1f z\" fill=\"#5a6270\"/>"
                "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\">running</text>",
                x_end, y + BAR_TOP - 2, BAR_H / 2 + 2, BAR_H / 2 + 2, x_end + 12, y + MID + 3.5);
}

static void proc_lane(const struct svg *s, const struct pic_row *row)
{
    const struct tv_proc *tp = &s->v->procs[row->proc];
    char title[64], sub[64];

    snprintf(title, sizeof title, "%d %s", (int)tp->p.pid, svg_role(s->v, row->proc));
    snprintf(sub, sizeof sub, "%.*s", (int)sizeof tp->p.comm, tp->p.comm);
    fprintf(s->out, "<g class=\"lane\" data-pid=\"%d\" data-role=\"%s\">", (int)tp->p.pid,
            svg_role(s->v, row->proc));
    lane_label(s, row, title, sub);
    bar(s, row->proc, row->y, pic_lane_start(s->p, row->proc), tp->p.end_us);
    fputs("</g>\n", s->out);
}

/* Where a fold lane ends: where its exit marker stands (the first of its
 * members to end), so that the lane ends on it; or where the last member
 * ended, when their ends were not traced. */
long long svg_group_end(const struct svg *s, const struct tv_group *g)
{
    const struct tv_proc *rep = &s->v->procs[g->first_hidden];

    for (size_t k = 0; k < rep->nev; k++) {
        size_t i = s->v->byproc[rep->ev_off + k];
        int f = s->v->ev[i].fold;

        if (s->v->t->ev[i].kind == TE_EXIT && f >= 0 && s->v->folds[f].count > 0)
            return s->v->folds[f].first_us;
    }
    return g->end_us;
}

/* The lane that stands for identical siblings: a stack of bars, drawn as
 * the first of them lived from the first start to the last end. */
static void group_lane(const struct svg *s, const struct pic_row *row)
{
    const struct trace_view *v = s->v;
    const struct tv_group *g = &v->groups[row->group];
    const struct tv_fold *forks = tv_group_fold(v, g, TV_FOLD_FORKS);
    long long start = forks && forks->count ? forks->first_us : g->start_us;
    long long end = svg_group_end(s, g);
    double x0 = svg_x(s, start), x1 = end >= 0 ? svg_x(s, end) : svg_right_end(s);
    char title[64], sub[64];
    const char *role = svg_role(v, g->first_hidden);
    int first = 1;

    snprintf(title, sizeof title, "%zu more %s%s", g->nhidden, role,
             role[0] && role[strlen(role) - 1] == 's' ? "es" : "s");
    snprintf(sub, sizeof sub, "%d … %d, doing the same", (int)g->lo, (int)g->hi);
    fputs("<g class=\"lane fold\" data-pids=\"", s->out);
    for (size_t i = 0; i < v->nprocs; i++)
        if (v->procs[i].hidden && v->procs[i].group == row->group) {
            fprintf(s->out, "%s%d", first ? "" : " ", (int)v->procs[i].p.pid);
            first = 0;
        }
    fprintf(s->out, "\"><title>%zu processes that did the same steps, drawn as one lane</title>",
            g->nhidden);
    lane_label(s, row, title, sub);
    for (int k = 2; k > 0; k--)
        fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" fill=\"#fff\" "
                "stroke=\"#8d949e\"/>", x0 + 3 * k, row->y + BAR_TOP - 3 * k,
                x1 - x0 > 3 * k ? x1 - x0 - 3 * k : 0, BAR_H);
    bar(s, g->first_hidden, row->y, start, end);
    fputs("</g>\n", s->out);
}

static void lanes(const struct svg *s)
{
    fprintf(s->out, "<g class=\"lane checkerlane\"><text class=\"pname\" x=\"12\" y=\"%.1f\">checker"
            "</text><text class=\"psub\" x=\"12\" y=\"%.1f\">what it did to the candidate</text></g>\n",
            s->p->checker_y + 22, s->p->checker_y + 37);
    for (size_t r = 0; r < s->p->nrows; r++) {
        const struct pic_row *row = &s->p->rows[r];

        if (row->kind == ROW_PROC)
            proc_lane(s, row);
        else if (row->kind == ROW_GROUP)
            group_lane(s, row);
    }
}

/* Drawn over the cuts of the axis, which would fade them. */
static void launch_headers(const struct svg *s)
{
    for (size_t r = 0; r < s->p->nrows; r++)
        if (s->p->rows[r].kind == ROW_LAUNCH)
            launch_header(s, &s->p->rows[r]);
}

static void fork_arrows(const struct svg *s)
{
    const struct trace_view *v = s->v;

    for (size_t i = 0; i < v->t->nev; i++) {
        const struct tv_event *te = &v->ev[i];
        double y0, y1, x;

        if (v->t->ev[i].kind != TE_SPAWN || te->child < 0)
            continue;
        if (te->fold >= 0 && v->folds[te->fold].first != i)
            continue;
        y0 = svg_row_y(s, te->proc);
        y1 = svg_row_y(s, te->child);
        if (y0 < 0 || y1 < 0)
            continue;
        x = svg_x(s, v->t->ev[i].us);
        fprintf(s->out, "<line class=\"forkline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "marker-end=\"url(#arrow)\"/>\n", x, y0 + MID + MARK_R, x, y1 + BAR_TOP - 1);
    }
}

/* The lane an action of the checker hit: its target, or for the stop
 * command, the command's own first process. */
static double hit_row_y(const struct svg *s, size_t i)
{
    const struct trace_event *e = &s->v->t->ev[i];
    int launch = s->v->ev[i].launch;

    if (e->arg == TC_STOP_COMMAND && launch < s->v->t->nlaunches && launch < TRACE_MAX_LAUNCHES) {
        pid_t first = s->v->t->launches[launch].first;

        for (size_t p = 0; p < s->v->nprocs; p++)
            if (s->v->procs[p].p.pid == first && s->v->procs[p].p.launch == launch)
                return svg_row_y(s, (int)p);
        return -1;
    }
    return svg_row_y(s, s->v->ev[i].proc);
}

/* From each of the checker's actions, a line down to what it hit: one
 * lane, or all of them for a hang-up (it reaches a whole session). */
static void checker_guides(const struct svg *s)
{
    for (size_t i = 0; i < s->v->t->nev; i++) {
        const struct trace_event *e = &s->v->t->ev[i];
        double x, y0 = s->p->checker_y + MID + MARK_R + 2, ty;

        if (e->kind != TE_CHECKER || (s->v->ev[i].fold >= 0 && s->v->folds[s->v->ev[i].fold].first != i))
            continue;
        x = svg_x(s, e->us);
        ty = hit_row_y(s, i);
        if (ty >= 0)
            fprintf(s->out, "<line class=\"guide\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                    "marker-end=\"url(#hit)\"/>\n", x, y0, x, ty + BAR_TOP - 1);
        else if (e->arg == TC_HANGUP)
            fprintf(s->out, "<line class=\"guide all\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
                    "y2=\"%.1f\"/>\n", x, y0, x, s->p->height - 20);
    }
}

/* From each signal a process sent, a dotted line to the lane of the
 * process it went to, up or down: the stop command's SIGTERM to the
 * daemon, a daemon's to its workers (once for the folded ones). */
static void sent_guides(const struct svg *s)
{
    for (size_t i = 0; i < s->v->t->nev; i++) {
        const struct tv_event *te = &s->v->ev[i];
        double x, from, to;

        if (s->v->t->ev[i].kind != TE_KILL || te->target < 0 || te->proc < 0
            || (te->fold >= 0 && s->v->folds[te->fold].first != i))
            continue;
        from = svg_row_y(s, te->proc);
        to = svg_row_y(s, te->target);
        if (from < 0 || to < 0 || from == to)
            continue;
        x = svg_x(s, s->v->t->ev[i].us);
        fprintf(s->out, "<line class=\"sentline\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\" "
                "marker-end=\"url(#sent)\"/>\n", x, from + MID + (to > from ? MARK_R : -MARK_R), x,
                to > from ? to + BAR_TOP - 1 : to + BAR_TOP + BAR_H + 1);
    }
}

int pic_svg(FILE *out, const struct pic *p)
{
    struct svg s = { out, p, p->v };
    double right = svg_marks_right(&s), width = p->width > right + 16 ? p->width : right + 16;
    struct svg_drawn *scratch = calloc(p->v->t->nev + 1, sizeof *scratch);

    if (scratch == NULL)
        return -1;
    fprintf(out, "<svg xmlns=\"http://www.w3.org/2000/svg\" class=\"trace\" width=\"%.0f\" "
            "height=\"%.0f\" viewBox=\"0 0 %.0f %.0f\" role=\"img\" aria-label=\"what each process "
            "did, on one time axis\">\n", width, p->height, width, p->height);
    defs(out);
    row_backgrounds(&s, width);
    axis(&s);
    lanes(&s);
    fork_arrows(&s);
    checker_guides(&s);
    sent_guides(&s);
    breaks(&s);
    launch_headers(&s);
    svg_markers(&s, scratch);
    svg_stray_marks(&s);
    fputs("</svg>\n", out);
    free(scratch);
    return 0;
}
