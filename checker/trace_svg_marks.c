/* trace_svg_marks.c — what sits on the picture's lanes: a marker per event
 * (a letter in a circle; the end of a process as a bar with how it ended;
 * the checker's actions as diamonds), its words on hover (<title>), a
 * short label under or over it where there is room, identical steps of
 * folded siblings as one stacked marker, "leads session N" written on the
 * stretch of a lane where it does, and the failures in red: a ring and the
 * check's ID on the event that explains one, a tag at the end of the lane
 * for a step never taken. */
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "trace_svg.h"
#include "text.h"
#include "trace_words.h"

#define LABEL_BELOW 43.0    /* baselines of the short labels, from the row's top */
#define LABEL_ABOVE 11.0
#define MAX_LABEL 24        /* characters of a label at most: a longer one is not shown */
#define TAG_GAP 6.0
#define LABEL_GAP 9.0       /* between two labels on a track */

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static const char *const red = "#d62828";
static const char *const amber = "#e09f3e";

struct glyph {
    char letter[4];
    const char *colour;
    const char *word;       /* the label when there is no room for more */
};

static struct glyph glyph_of(enum trace_kind k)
{
    static const struct glyph glyphs[] = {
        [TE_SPAWN] = { "F", "#343a40", "fork" }, [TE_EXEC] = { "E", "#343a40", "exec" },
        [TE_SETSID] = { "S", "#7b2cbf", "setsid" }, [TE_SETPGID] = { "G", "#7b2cbf", "setpgid" },
        [TE_CHDIR] = { "C", "#1f6f8b", "cd" }, [TE_UMASK] = { "U", "#1f6f8b", "umask" },
        [TE_OPEN] = { "O", "#0f7d6b", "open" }, [TE_DUP] = { "D", "#0f7d6b", "dup2" },
        [TE_CLOSE] = { "X", "#0f7d6b", "close" }, [TE_PIDFILE_WRITE] = { "W", "#a0522d", "write" },
        [TE_LOCK] = { "L", "#a0522d", "lock" }, [TE_SIGACTION] = { "A", "#9a7300", "sig" },
        [TE_SIGMASK] = { "M", "#9a7300", "mask" }, [TE_SIGNAL] = { "!", "#d35400", "" },
        [TE_NOTIFY] = { "N", "#2b9348", "notify" }, [TE_EXIT] = { "", "#343a40", "" },
        [TE_CHECKER] = { "", "#b02a1e", "" }, [TE_UNSEEN] = { "?", "#6c757d", "unseen" },
        [TE_KILL] = { "K", "#d35400", "kill" }, [TE_UNLINK] = { "R", "#a0522d", "rm" },
    };

    if ((unsigned)k < COUNT(glyphs) && glyphs[k].colour != NULL)
        return glyphs[k];
    return (struct glyph){ "?", "#6c757d", "" };
}

/* "SIGTERM→4567", "probe 4567", with what came of it when it failed. */
static void sent_label(char *buf, size_t cap, const struct trace_event *e, const char *sig)
{
    char err[24];
    int outcome = trace_sent_outcome(e, err, sizeof err);
    long long target = e->arg < -1 ? -e->arg : e->arg;

    if (e->value == 0)
        snprintf(buf, cap, "probe %lld%s%s", target, outcome < 0 ? " " : "", outcome < 0 ? err : "");
    else if (e->arg <= 0 && e->arg >= -1)
        snprintf(buf, cap, "%s→%s", sig, e->arg == 0 ? "group" : "all");
    else
        snprintf(buf, cap, "%s→%s%lld%s%s", sig, e->arg < -1 ? "group " : "", target,
                 outcome < 0 ? " " : "", outcome < 0 ? err : "");
}

static void unlink_label(char *buf, size_t cap, const struct trace_event *e)
{
    static const char *const how[] = {
        [TU_REMOVED] = "rm pidfile", [TU_MOVED_AWAY] = "mv pidfile",
        [TU_REPLACED] = "mv onto pidfile", [TU_ELSEWHERE] = "rm elsewhere",
    };

    snprintf(buf, cap, "%s%s", e->arg >= TU_REMOVED && e->arg <= TU_ELSEWHERE ? how[e->arg] : "rm",
             e->value < 0 ? " failed" : "");
}

/* The longer label of an event: its detail in a few words. */
static void long_label(char *buf, size_t cap, const struct trace_event *e)
{
    static const char *const disp[] = { "default", "ignored", "handler" };
    char sig[24], words[TRACE_WORDS], d[TRACE_DETAIL];
    const char *slash;

    snprintf(d, sizeof d, "%.*s", (int)sizeof e->detail, e->detail);
    signal_name((int)e->value, sig, sizeof sig);
    switch (e->kind) {
    case TE_SPAWN:
        if (e->value > 0)
            snprintf(buf, cap, "fork→%lld", e->value);
        else
            snprintf(buf, cap, "fork failed");
        return;
    case TE_EXEC:
        /* The program's name: its arguments (a pidfile's path) may hold
         * slashes too. */
        d[strcspn(d, " ")] = '\0';
        slash = strrchr(d, '/');
        snprintf(buf, cap, "exec %s", slash && slash[1] ? slash + 1 : d);
        return;
    case TE_SETSID:  snprintf(buf, cap, e->value > 0 ? "setsid" : "setsid failed"); return;
    case TE_SETPGID: snprintf(buf, cap, e->value > 0 ? "setpgid" : "setpgid failed"); return;
    case TE_CHDIR:   snprintf(buf, cap, "cd %s", d); return;
    case TE_UMASK:   snprintf(buf, cap, "umask %llo", e->value); return;
    case TE_OPEN:
        if (e->value >= 0)
            snprintf(buf, cap, "%lld=%s", e->value, d);
        else
            snprintf(buf, cap, "open failed");
        return;
    case TE_DUP:     snprintf(buf, cap, "dup2 %lld→%lld", e->arg, e->value); return;
    case TE_CLOSE:
        if (e->arg > e->value)
            snprintf(buf, cap, "close %lld-%lld", e->value, e->arg);
        else
            snprintf(buf, cap, "close %lld", e->value);
        return;
    case TE_PIDFILE_WRITE: snprintf(buf, cap, "write %s", d); return;
    case TE_LOCK:    snprintf(buf, cap, e->value >= 0 ? "lock" : "lock refused"); return;
    case TE_SIGACTION:
        snprintf(buf, cap, "%s %s", sig, e->arg >= 0 && e->arg <= 2 ? disp[e->arg] : "changed");
        return;
    case TE_SIGNAL:  snprintf(buf, cap, "%s", sig); return;
    case TE_KILL:
        sent_label(buf, cap, e, sig);
        return;
    case TE_UNLINK:
        unlink_label(buf, cap, e);
        return;
    case TE_NOTIFY:  snprintf(buf, cap, "%s", d); return;
    default:
        break;
    }
    trace_event_words(words, sizeof words, e);
    snprintf(buf, cap, "%s", words);
}

/* Two tracks of labels per lane, under it and over it; each remembers
 * where its last label ends. Over it, the failures' tags come first. */
struct tracks {
    double below, above;
};

/* The first text that fits whole on a free track, or none: a label cut
 * short says less than the marker's letter. A fork's label goes over the
 * lane when it can, out of the way of the arrow down to the child. */
static void put_label(const struct svg *s, struct tracks *tr, double x, double row_y,
                      const char *const *texts, size_t ntexts, double limit, double above_limit,
                      int prefer_above)
{
    double left = x - MARK_R;

    for (size_t k = 0; k < ntexts; k++) {
        double w = (double)svg_chars(texts[k]) * SMALL_CHAR;
        int can_below = tr->below <= left && left + w <= limit;
        int can_above = tr->above <= left && left + w <= above_limit;
        int above = can_above && (prefer_above || !can_below);
        int below = !above && can_below;

        if (!texts[k][0] || svg_chars(texts[k]) > MAX_LABEL || !(below || above))
            continue;
        fprintf(s->out, "<text class=\"lbl\" x=\"%.1f\" y=\"%.1f\">", left,
                row_y + (below ? LABEL_BELOW : LABEL_ABOVE));
        html_text(s->out, texts[k], MAX_LABEL);
        fputs("</text>", s->out);
        *(below ? &tr->below : &tr->above) = left + w + LABEL_GAP;
        return;
    }
}

static void who_text(const struct svg *s, size_t i, char *buf, size_t cap)
{
    const struct tv_event *te = &s->v->ev[i];
    const struct trace_proc *p;

    if (s->v->t->ev[i].kind == TE_CHECKER || te->proc < 0) {
        snprintf(buf, cap, "the checker");
        return;
    }
    p = &s->v->procs[te->proc].p;
    snprintf(buf, cap, "in %d %s (%.*s)", (int)p->pid, svg_role(s->v, te->proc),
             (int)sizeof p->comm, p->comm);
}

/* The words on hover: what happened, when, where, and what it explains. */
static void event_title(const struct svg *s, size_t i, size_t nfold)
{
    const struct trace_event *e = &s->v->t->ev[i];
    const struct tv_event *te = &s->v->ev[i];
    long long t0 = tv_launch_t0(s->v, te->launch);
    char words[TRACE_WORDS], who[96];

    trace_event_words(words, sizeof words, e);
    who_text(s, i, who, sizeof who);
    fputs("<title>", s->out);
    if (nfold > 1 && (e->kind == TE_SPAWN || e->kind == TE_KILL))
        fprintf(s->out, "%zu times, to as many processes; the first: ", nfold);
    else if (nfold > 1)
        fprintf(s->out, "%zu times, in as many processes; the first: ", nfold);
    html_text(s->out, words, TRACE_WORDS);
    fprintf(s->out, "\n%.1f ms after the %s began (%.1f ms into the run)\n",
            (double)(e->us - t0) / 1000.0, tv_launch_name(s->v, te->launch), (double)e->us / 1000.0);
    html_text(s->out, who, sizeof who);
    for (size_t m = 0; m < te->nmarks; m++) {
        const struct tv_mark *mk = &s->v->marks[te->mark_off + m];

        fprintf(s->out, "\n%s %s: ", mk->status == ST_WARN ? "warns" : "fails", checks[mk->check].id);
        html_text(s->out, mk->why[0] ? mk->why : checks[mk->check].title, TRACE_WHY);
    }
    fputs("</title>", s->out);
}

/* The indices of the events a marker stands for, so that each event of
 * the trace is in exactly one marker of the picture. */
static void marker_open(const struct svg *s, size_t i, const char *cls)
{
    const struct tv_event *te = &s->v->ev[i];
    int first = 1;

    fprintf(s->out, "<g class=\"ev%s%s%s\"", cls, te->nmarks ? " failed" : "",
            te->fold >= 0 ? " folded" : "");
    if (te->fold < 0) {
        fprintf(s->out, " data-ev=\"%zu\"", i);
    } else {
        fputs(" data-evs=\"", s->out);
        for (size_t k = 0; k < s->v->t->nev; k++)
            if (s->v->ev[k].fold == te->fold) {
                fprintf(s->out, "%s%zu", first ? "" : " ", k);
                first = 0;
            }
        fputs("\"", s->out);
    }
    fprintf(s->out, " data-kind=\"%s\">", trace_kind_name(s->v->t->ev[i].kind));
}

static double tag_width(const struct tv_mark *m, size_t n)
{
    size_t chars = 0;

    for (size_t k = 0; k < n; k++)
        chars += strlen(checks[m[k].check].id) + (k ? 2 : 0);
    return (double)chars * SMALL_CHAR + 8;
}

/* A red ring around the marker, and the IDs over it. */
static void mark_tag(const struct svg *s, double x, double row_y, const struct tv_mark *m, size_t n,
                     struct tracks *tr)
{
    const char *colour = m[0].status == ST_WARN ? amber : red;
    double w = tag_width(m, n);

    fprintf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"none\" stroke=\"%s\" "
            "stroke-width=\"2.5\"/>", x, row_y + MID, MARK_R + 3, colour);
    fprintf(s->out, "<rect class=\"tag\" x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"12\" rx=\"2\" "
            "fill=\"%s\"/><text class=\"tagt\" x=\"%.1f\" y=\"%.1f\">", x - MARK_R, row_y + 1, w,
            colour, x - MARK_R + 4, row_y + 10);
    for (size_t k = 0; k < n; k++)
        fprintf(s->out, "%s%s", k ? ", " : "", checks[m[k].check].id);
    fputs("</text>", s->out);
    tr->above = x - MARK_R + w + 5;
}

/* The end of a process: green for exit 0, grey for SIGTERM (how a daemon
 * is stopped) and for whatever a second start ends with (refusing to run
 * is its job), red for anything else. */
static void exit_cap(const struct svg *s, size_t i, double x, double row_y, size_t count)
{
    int st = (int)s->v->t->ev[i].value;
    int second = tv_launch_kind(s->v, s->v->ev[i].launch) == TL_SECOND;
    const char *fill = WIFEXITED(st) && WEXITSTATUS(st) == 0 ? "#2d6a4f"
                     : second || (WIFSIGNALED(st) && WTERMSIG(st) == SIGTERM) ? "#495057"
                     : "#9d0208";
    char label[64];

    svg_exit_label(label, sizeof label, st);
    fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"4\" height=\"%.1f\" fill=\"%s\"/>"
            "<text class=\"exitt\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s", x - 2, row_y + BAR_TOP - 3,
            BAR_H + 6, fill, x + 6, row_y + MID + 3.5, fill, label);
    if (count > 1)
        fprintf(s->out, " ×%zu", count);
    fputs("</text>", s->out);
}

static void circle_glyph(const struct svg *s, double x, double cy, const struct glyph *g,
                         size_t count)
{
    if (count > 1)
        fprintf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#fff\" stroke=\"%s\" "
                "stroke-width=\"1.4\"/>", x + 3, cy - 3, MARK_R, g->colour);
    fprintf(s->out, "<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%.1f\" fill=\"#fff\" stroke=\"%s\" "
            "stroke-width=\"1.6\"/><text class=\"glyph\" x=\"%.1f\" y=\"%.1f\" fill=\"%s\">%s</text>",
            x, cy, MARK_R, g->colour, x, cy + 3.4, g->colour, g->letter);
    if (count > 1)
        fprintf(s->out, "<text class=\"count\" x=\"%.1f\" y=\"%.1f\">×%zu</text>",
                x + MARK_R + 4, cy - MARK_R + 2, count);
}

/* The checker's diamond: H a hang-up, S the stop command, K a sweep, else
 * the first letter of the signal it sent. */
static void checker_diamond(const struct svg *s, const struct trace_event *e, double x, double cy)
{
    char sig[24], letter = '*';
    double r = MARK_R + 1.5;

    signal_name((int)e->value, sig, sizeof sig);
    if (e->arg == TC_HANGUP)
        letter = 'H';
    else if (e->arg == TC_STOP_COMMAND)
        letter = 'S';
    else if (e->arg == TC_SWEEP)
        letter = 'K';
    else if (e->value > 0 && strncmp(sig, "SIG", 3) == 0)
        letter = sig[3];
    fprintf(s->out, "<path d=\"M%.1f,%.1f l%.1f,%.1f l%.1f,%.1f l%.1f,%.1f z\" fill=\"#b02a1e\"/>"
            "<text class=\"glyph\" x=\"%.1f\" y=\"%.1f\" fill=\"#fff\">%c</text>",
            x, cy - r, r, r, -r, r, -r, -r, x, cy + 3.4, letter);
}

static size_t fold_count(const struct svg *s, size_t i)
{
    int f = s->v->ev[i].fold;

    return f >= 0 ? s->v->folds[f].count : 1;
}

static void draw_marker(const struct svg *s, const struct svg_drawn *d, double row_y,
                        double limit, double above_limit, struct tracks *tr, long long lane_end)
{
    const struct trace_event *e = &s->v->t->ev[d->ev];
    const struct tv_event *te = &s->v->ev[d->ev];
    size_t count = fold_count(s, d->ev);
    struct glyph g = glyph_of(e->kind);
    char longer[TRACE_WORDS];
    const char *texts[2] = { longer, g.word };

    marker_open(s, d->ev, e->kind == TE_EXIT ? " exit" : e->kind == TE_CHECKER ? " checker" : "");
    event_title(s, d->ev, count);
    if (e->kind == TE_EXIT) {
        exit_cap(s, d->ev, d->x, row_y, count);
    } else if (e->kind == TE_CHECKER) {
        checker_diamond(s, e, d->x, row_y + MID);
    } else {
        double end = lane_end >= 0 ? svg_x(s, lane_end) : svg_right_end(s);

        if (e->kind == TE_UNSEEN && end > d->x)
            fprintf(s->out, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"%.1f\" "
                    "fill=\"url(#unseen)\" fill-opacity=\"0.85\"/>", d->x, row_y + BAR_TOP,
                    end - d->x, BAR_H);
        circle_glyph(s, d->x, row_y + MID, &g, count);
    }
    if (te->nmarks > 0)
        mark_tag(s, d->x, row_y, &s->v->marks[te->mark_off], te->nmarks, tr);
    if (e->kind != TE_EXIT) {
        /* A fold's details are its first member's: where they name a
         * pid, its label says what they all did, no more. */
        long_label(longer, sizeof longer, e);
        if (count > 1 && (e->kind == TE_SPAWN || e->kind == TE_PIDFILE_WRITE
                          || e->kind == TE_CHECKER || e->kind == TE_NOTIFY))
            longer[0] = '\0';
        if (count > 1 && e->kind == TE_KILL && e->value > 0)
            signal_name((int)e->value, longer, sizeof longer);
        put_label(s, tr, d->x, row_y, texts, 2, limit, te->nmarks ? -1e9 : above_limit,
                  e->kind == TE_SPAWN);
    }
    fputs("</g>\n", s->out);
}

/* The markers of one lane, left to right. Labels alternate under and over
 * the lane, so one may run on to the marker after next; over the lane, not
 * into a failure's tag. */
static void draw_lane_markers(const struct svg *s, const struct svg_drawn *d, size_t n,
                              double row_y, long long lane_end)
{
    struct tracks tr = { -1e9, -1e9 };

    for (size_t k = 0; k < n; k++) {
        double limit = k + 2 < n ? d[k + 2].x - MARK_R - 4 : s->p->width + 400;
        double above = limit;

        for (size_t j = k + 1; j < n && j <= k + 2; j++)
            if (s->v->ev[d[j].ev].nmarks > 0 && d[j].x - MARK_R - 4 < above)
                above = d[j].x - MARK_R - 4;
        draw_marker(s, &d[k], row_y, limit, above, &tr, lane_end);
    }
}

/* Whether an event has its own marker, or is the first of its fold. */
static int drawn_here(const struct trace_view *v, size_t i)
{
    return v->ev[i].fold < 0 || v->folds[v->ev[i].fold].first == i;
}

/* "leads session N" on the lane, where it leads one, in the widest stretch
 * free of markers: the picture's point, said in words. */
static void leader_words(const struct svg *s, int proc, double row_y, const struct svg_drawn *d,
                         size_t n, long long lane_end)
{
    const struct tv_proc *tp = &s->v->procs[proc];
    double end = lane_end >= 0 ? svg_x(s, lane_end) : svg_right_end(s);
    double best_from = 0, best_w = 0, from = -1;
    char words[48];

    for (size_t k = 0; k <= n; k++) {
        double x = k < n ? d[k].x - MARK_R - 3 : end - 3;
        pid_t sid = 0, pgid = 0;

        if (k < n)
            pic_ids_at(s->p, proc, s->v->t->ev[d[k].ev].us, &sid, &pgid);
        if (from >= 0 && x - from > best_w) {
            best_from = from;
            best_w = x - from;
        }
        from = -1;
        if (k < n && sid == tp->p.pid)
            from = d[k].x + MARK_R + 3;
    }
    snprintf(words, sizeof words, "leads session %d", (int)tp->p.pid);
    if ((double)strlen(words) * SMALL_CHAR > best_w - 8)
        snprintf(words, sizeof words, "leader");
    if ((double)strlen(words) * SMALL_CHAR > best_w - 8)
        return;
    fprintf(s->out, "<text class=\"lead\" x=\"%.1f\" y=\"%.1f\">%s</text>\n",
            best_from + best_w / 2, row_y + MID + 3.5, words);
}

static void proc_markers(const struct svg *s, const struct pic_row *row, struct svg_drawn *d)
{
    const struct tv_proc *tp = &s->v->procs[row->proc];
    size_t n = 0;

    for (size_t k = 0; k < tp->nev; k++) {
        size_t i = s->v->byproc[tp->ev_off + k];

        if (drawn_here(s->v, i))
            d[n++] = (struct svg_drawn){ i, svg_x(s, s->v->t->ev[i].us) };
    }
    leader_words(s, row->proc, row->y, d, n, tp->p.end_us);
    draw_lane_markers(s, d, n, row->y, tp->p.end_us);
}

/* A fold lane shows each step once, where the first of the hidden
 * siblings took it. */
static void group_markers(const struct svg *s, const struct pic_row *row, struct svg_drawn *d)
{
    const struct tv_group *g = &s->v->groups[row->group];
    const struct tv_proc *rep = &s->v->procs[g->first_hidden];
    size_t n = 0;

    for (size_t k = 0; k < rep->nev; k++) {
        int f = s->v->ev[s->v->byproc[rep->ev_off + k]].fold;

        if (f >= 0 && s->v->folds[f].count > 0)
            d[n++] = (struct svg_drawn){ s->v->folds[f].first,
                                         svg_x(s, s->v->t->ev[s->v->folds[f].first].us) };
    }
    draw_lane_markers(s, d, n, row->y, svg_group_end(s, g));
}

static void checker_markers(const struct svg *s, struct svg_drawn *d)
{
    size_t n = 0;

    for (size_t k = 0; k < s->v->t->nev; k++) {
        size_t i = s->v->order[k];

        if (s->v->t->ev[i].kind == TE_CHECKER && drawn_here(s->v, i))
            d[n++] = (struct svg_drawn){ i, svg_x(s, s->v->t->ev[i].us) };
    }
    draw_lane_markers(s, d, n, s->p->checker_y, -1);
}

void svg_markers(const struct svg *s, struct svg_drawn *scratch)
{
    checker_markers(s, scratch);
    for (size_t r = 0; r < s->p->nrows; r++) {
        const struct pic_row *row = &s->p->rows[r];

        if (row->kind == ROW_PROC)
            proc_markers(s, row, scratch);
        else if (row->kind == ROW_GROUP)
            group_markers(s, row, scratch);
    }
}

/* Where the tags of a lane's failures without an event begin: past the
 * end of the lane and the words on how it ended. */
static double stray_x(const struct svg *s, const struct tv_proc *tp)
{
    if (tp->p.end_us >= 0)
        return svg_x(s, tp->p.end_us) + 14 + svg_exit_width(tp->p.status);
    return svg_right_end(s) + 70;
}

static double stray_tag_width(const struct tv_mark *m)
{
    return (double)(strlen(checks[m->check].id) + 2) * SMALL_CHAR + 8;
}

static void stray_tag(const struct svg *s, double *x, double y, const struct tv_mark *m)
{
    double w = stray_tag_width(m);

    fprintf(s->out, "<g class=\"pmark\" data-check=\"%s\"><title>%s %s: ", checks[m->check].id,
            m->status == ST_WARN ? "warns" : "fails", checks[m->check].id);
    html_text(s->out, m->why[0] ? m->why : checks[m->check].title, TRACE_WHY);
    fprintf(s->out, "</title><rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\" height=\"13\" rx=\"2\" "
            "fill=\"%s\"/><text class=\"tagt\" x=\"%.1f\" y=\"%.1f\">✗ %s</text></g>\n",
            *x, y, w, m->status == ST_WARN ? amber : red, *x + 4, y + 10, checks[m->check].id);
    *x += w + TAG_GAP;
}

/* Failures that no event explains (a step never taken): tags at the end of
 * the process's lane, or on its launch's header. */
void svg_stray_marks(const struct svg *s)
{
    for (size_t r = 0; r < s->p->nrows; r++) {
        const struct pic_row *row = &s->p->rows[r];
        double x;

        if (row->kind == ROW_PROC) {
            const struct tv_proc *tp = &s->v->procs[row->proc];

            x = stray_x(s, tp);
            for (size_t m = 0; m < tp->nmarks; m++)
                stray_tag(s, &x, row->y + MID - 6.5, &s->v->marks[tp->mark_off + m]);
        } else if (row->kind == ROW_LAUNCH) {
            x = svg_launch_text_end(s, row->launch) + 10;
            for (size_t m = 0; m < s->v->nmarks; m++) {
                const struct tv_mark *mk = &s->v->marks[m];

                if (mk->event < 0 && mk->proc < 0 && mk->launch == row->launch)
                    stray_tag(s, &x, row->y + 7, mk);
            }
        }
    }
}

/* How far right the tags reach, for the picture's width. */
double svg_marks_right(const struct svg *s)
{
    double right = 0;

    for (size_t r = 0; r < s->p->nrows; r++) {
        const struct pic_row *row = &s->p->rows[r];
        double x = 0;

        if (row->kind == ROW_PROC) {
            const struct tv_proc *tp = &s->v->procs[row->proc];

            x = stray_x(s, tp);
            for (size_t m = 0; m < tp->nmarks; m++)
                x += stray_tag_width(&s->v->marks[tp->mark_off + m]) + TAG_GAP;
        } else if (row->kind == ROW_LAUNCH) {
            x = svg_launch_text_end(s, row->launch) + 10;
            for (size_t m = 0; m < s->v->nmarks; m++)
                if (s->v->marks[m].event < 0 && s->v->marks[m].proc < 0
                    && s->v->marks[m].launch == row->launch)
                    x += stray_tag_width(&s->v->marks[m]) + TAG_GAP;
        }
        right = x > right ? x : right;
    }
    return right;
}
