/* trace_text.c — the trace as a timeline in words, after the text report:
 * one block per launch, one line per event in time order, each process
 * indented under its parent, the events that explain a failure marked
 * with the check's ID and the sentence that says why.
 *
 * Every byte that came from the candidate goes through put_safe: a
 * process name or a pidfile may hold terminal escape sequences. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "text.h"
#include "trace_render.h"
#include "trace_view.h"
#include "trace_words.h"
#include "utf8.h"

#define RUN_FOLD_MIN 5      /* a run of the same call this long is folded */
#define RUN_SHOWN 2
#define MAX_INDENT 8        /* deeper processes are indented no further */

enum paint { PAINT_NONE, PAINT_DIM, PAINT_RED, PAINT_YELLOW };

static const char *const paint_on[] = { "", "\033[2m", "\033[31m", "\033[33m" };

/* One launch's block being written. */
struct block {
    FILE *out;
    int colour;
    const struct trace_view *v;
    int launch;
    long long t0;
    int width;          /* of the process column */
};

enum item_type { IT_EVENT, IT_PROC_MARKS };

struct item {
    enum item_type type;
    size_t ev;          /* IT_EVENT */
    int proc;           /* IT_PROC_MARKS */
};

static void paint(const struct block *b, enum paint p)
{
    if (b->colour)
        fputs(p == PAINT_NONE ? "\033[0m" : paint_on[p], b->out);
}

/* U+202A..U+202E and U+2066..U+2069 reorder what follows them on the
 * line: a name could make the timeline say something it does not. */
static int is_bidi_control(const unsigned char *p)
{
    return p[0] == 0xe2 && ((p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
                            || (p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9));
}

/* Bytes a terminal shows as they are; anything else as an escape. C1
 * controls (U+0080 to U+009F) are escaped too: some terminals obey them;
 * and so are the bidirectional controls. */
static void put_safe(FILE *out, const char *s)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s);

    for (size_t i = 0; i < len;) {
        size_t n = p[i] >= 0x80 ? utf8_valid_len(p + i, len - i) : 0;

        if (p[i] >= 0x20 && p[i] < 0x7f) {
            fputc(p[i++], out);
        } else if (n == 3 && is_bidi_control(p + i)) {
            fprintf(out, "\\u%04x", (p[i] & 0x0f) << 12 | (p[i + 1] & 0x3f) << 6 | (p[i + 2] & 0x3f));
            i += n;
        } else if (n > 0 && !(p[i] == 0xc2 && p[i + 1] < 0xa0)) {
            fwrite(p + i, 1, n, out);
            i += n;
        } else if (p[i] == '\n' || p[i] == '\t' || p[i] == '\r') {
            fputs(p[i] == '\n' ? "\\n" : p[i] == '\t' ? "\\t" : "\\r", out);
            i++;
        } else {
            fprintf(out, "\\x%02x", p[i++]);
        }
    }
}

static void put_time(const struct block *b, long long us)
{
    paint(b, PAINT_DIM);
    fprintf(b->out, "%9.1f  ", (double)(us - b->t0) / 1000.0);
    paint(b, PAINT_NONE);
}

static void put_no_time(const struct block *b)
{
    fprintf(b->out, "%9s  ", "");
}

static int indent_of(int depth)
{
    return 2 * (depth < MAX_INDENT ? depth : MAX_INDENT);
}

/* The process column: indented by depth, padded to the block's width. */
static void put_who(const struct block *b, int depth, const char *who)
{
    int n = indent_of(depth) + (int)strlen(who);

    fprintf(b->out, "%*s%s%*s  ", indent_of(depth), "", who, n < b->width ? b->width - n : 0, "");
}

static void proc_label(const struct trace_view *v, int proc, char *buf, size_t cap)
{
    const struct trace_proc *p = &v->procs[proc].p;

    snprintf(buf, cap, "%d %s", (int)p->pid,
             trace_role_words(tv_launch_kind(v, p->launch), p->role));
}

static void put_proc(const struct block *b, int proc)
{
    char who[64];

    if (proc < 0) {
        put_who(b, 0, "checker");
        return;
    }
    proc_label(b->v, proc, who, sizeof who);
    put_who(b, b->v->procs[proc].depth, who);
}

/* "  <- id, id" after an event, then the sentences below it; "<- id: why"
 * alone on the line of a process or a launch. */
static void put_marks(const struct block *b, const struct tv_mark *m, size_t n, int inline_why)
{
    paint(b, m[0].status == ST_WARN ? PAINT_YELLOW : PAINT_RED);
    fputs(inline_why ? "<-" : "  <-", b->out);
    for (size_t k = 0; k < n; k++)
        fprintf(b->out, "%s %s%s", k ? "," : "", checks[m[k].check].id,
                m[k].status == ST_WARN ? " (warning)" : "");
    paint(b, PAINT_NONE);
    if (inline_why && n == 1 && m[0].why[0]) {
        fputs(": ", b->out);
        put_safe(b->out, m[0].why);
        fputc('\n', b->out);
        return;
    }
    fputc('\n', b->out);
    for (size_t k = 0; k < n; k++) {
        if (!m[k].why[0])
            continue;
        fprintf(b->out, "%*s", 11 + b->width + 4, "");
        if (n > 1)
            fprintf(b->out, "%s: ", checks[m[k].check].id);
        put_safe(b->out, m[k].why);
        fputc('\n', b->out);
    }
}

static void put_event(const struct block *b, size_t i)
{
    const struct tv_event *te = &b->v->ev[i];
    const struct trace_event *e = &b->v->t->ev[i];
    char words[TRACE_WORDS];

    put_time(b, e->us);
    put_proc(b, e->kind == TE_CHECKER ? -1 : te->proc);
    trace_event_words(words, sizeof words, e);
    put_safe(b->out, words);
    if (te->nmarks > 0)
        put_marks(b, &b->v->marks[te->mark_off], te->nmarks, 0);
    else
        fputc('\n', b->out);
}

static void plural_role(const struct trace_view *v, int proc, char *buf, size_t cap)
{
    const char *role = trace_role_words(tv_launch_kind(v, v->procs[proc].p.launch),
                                       v->procs[proc].p.role);
    size_t n = strlen(role);

    snprintf(buf, cap, "%s%s", role, n && role[n - 1] == 's' ? "es" : "s");
}

/* The label of a process's lines, or for the siblings folded into a
 * group, of the group's lines ("37 more workers"). */
static void who_label(const struct trace_view *v, int proc, char *buf, size_t cap)
{
    char roles[32];

    if (!v->procs[proc].hidden) {
        proc_label(v, proc, buf, cap);
        return;
    }
    plural_role(v, proc, roles, sizeof roles);
    snprintf(buf, cap, "%zu more %s", v->groups[v->procs[proc].group].nhidden, roles);
}

static void put_range(const struct block *b, const struct tv_group *g, const struct tv_fold *f,
                      const char *arrow)
{
    fprintf(b->out, " (%s%d … %d", arrow, (int)g->lo, (int)g->hi);
    if (f->last_us - f->first_us >= 100)
        fprintf(b->out, ", until %.1f ms", (double)(f->last_us - b->t0) / 1000.0);
    fputs(")", b->out);
}

/* The line that stands for the hidden members' events of one step. */
static void put_fold(const struct block *b, size_t i)
{
    const struct trace_view *v = b->v;
    const struct tv_fold *f = &v->folds[v->ev[i].fold];
    const struct tv_group *g = &v->groups[f->group];
    char who[64], roles[32], words[TRACE_WORDS];

    put_time(b, v->t->ev[i].us);
    paint(b, PAINT_DIM);
    plural_role(v, g->first_hidden, roles, sizeof roles);
    if (f->slot == TV_FOLD_FORKS) {
        proc_label(v, g->parent, who, sizeof who);
        put_who(b, v->procs[g->parent].depth, who);
        fprintf(b->out, "... %zu more forks", f->count);
        put_range(b, g, f, "-> ");
    } else if (f->slot == TV_FOLD_SIGNALS) {
        char sig[24] = "signal 0";

        if (v->t->ev[i].value != 0)
            signal_name((int)v->t->ev[i].value, sig, sizeof sig);
        proc_label(v, g->parent, who, sizeof who);
        put_who(b, v->procs[g->parent].depth, who);
        fprintf(b->out, "... %s to %zu more %s", sig, f->count, roles);
        put_range(b, g, f, "");
    } else if (f->slot == TV_FOLD_CHECKER) {
        put_who(b, 0, "checker");
        fprintf(b->out, "... the same to %zu more %s", f->count, roles);
        put_range(b, g, f, "");
    } else {
        who_label(v, g->first_hidden, who, sizeof who);
        put_who(b, v->procs[g->first_hidden].depth, who);
        trace_event_words(words, sizeof words, &v->t->ev[i]);
        put_safe(b->out, words);
        put_range(b, g, f, "");
    }
    paint(b, PAINT_NONE);
    fputc('\n', b->out);
}

static void put_proc_marks(const struct block *b, int proc)
{
    const struct tv_proc *tp = &b->v->procs[proc];

    put_no_time(b);
    put_proc(b, proc);
    put_marks(b, &b->v->marks[tp->mark_off], tp->nmarks, 1);
}

/* The length of the run of the same call in the same process that starts
 * at items[k], unmarked and shown one by one. */
static size_t run_length(const struct block *b, const struct item *items, size_t n, size_t k)
{
    const struct trace_view *v = b->v;
    size_t i0 = items[k].ev, r = 1;

    if (items[k].type != IT_EVENT || v->ev[i0].fold >= 0 || v->ev[i0].nmarks > 0
        || v->t->ev[i0].kind == TE_CHECKER)
        return 1;
    for (size_t j = k + 1; j < n; j++, r++) {
        size_t i = items[j].ev;

        if (items[j].type != IT_EVENT || v->ev[i].fold >= 0 || v->ev[i].nmarks > 0
            || v->ev[i].proc != v->ev[i0].proc || v->t->ev[i].kind != v->t->ev[i0].kind)
            break;
    }
    return r;
}

static void put_run_fold(const struct block *b, const struct item *items, size_t from, size_t to)
{
    const struct trace_view *v = b->v;
    const struct trace_event *first = &v->t->ev[items[from].ev];
    const struct trace_event *last = &v->t->ev[items[to - 1].ev];
    char words[TRACE_WORDS];

    put_time(b, first->us);
    put_proc(b, v->ev[items[from].ev].proc);
    paint(b, PAINT_DIM);
    trace_event_words(words, sizeof words, last);
    fprintf(b->out, "... %zu more, up to ", to - from);
    put_safe(b->out, words);
    fprintf(b->out, " at %.1f ms", (double)(last->us - b->t0) / 1000.0);
    paint(b, PAINT_NONE);
    fputc('\n', b->out);
}

static void put_items(const struct block *b, const struct item *items, size_t n)
{
    for (size_t k = 0; k < n;) {
        size_t r = run_length(b, items, n, k);

        if (r >= RUN_FOLD_MIN) {
            for (size_t j = k; j < k + RUN_SHOWN; j++)
                put_event(b, items[j].ev);
            put_run_fold(b, items, k + RUN_SHOWN, k + r);
            k += r;
            continue;
        }
        if (items[k].type == IT_PROC_MARKS)
            put_proc_marks(b, items[k].proc);
        else if (b->v->ev[items[k].ev].fold >= 0)
            put_fold(b, items[k].ev);
        else
            put_event(b, items[k].ev);
        k++;
    }
}

/* Whether an event is shown in the launch: on its own, or as the first of
 * its fold. */
static int shown_in(const struct trace_view *v, size_t i, int launch)
{
    const struct tv_event *te = &v->ev[i];

    if (te->launch != launch)
        return 0;
    return te->fold < 0 || (v->folds[te->fold].first == i);
}

/* Where a process's marks go: after its last event shown in the launch, or
 * where it started when none is. */
static size_t marks_place(const struct trace_view *v, const struct item *items, size_t n, int proc)
{
    size_t place = n;
    int seen = 0;

    for (size_t k = 0; k < n; k++) {
        const struct tv_event *te = &v->ev[items[k].ev];

        if (te->proc == proc && v->t->ev[items[k].ev].kind != TE_CHECKER) {
            place = k + 1;
            seen = 1;
        } else if (!seen && v->t->ev[items[k].ev].us > v->procs[proc].p.start_us && place == n) {
            place = k;
        }
    }
    return place;
}

static size_t insert_proc_marks(const struct trace_view *v, struct item *items, size_t n, int launch)
{
    for (size_t p = 0; p < v->nprocs; p++) {
        size_t at;

        if (v->procs[p].nmarks == 0 || v->procs[p].p.launch != launch)
            continue;
        at = marks_place(v, items, n, (int)p);
        memmove(items + at + 1, items + at, (n - at) * sizeof *items);
        items[at] = (struct item){ .type = IT_PROC_MARKS, .proc = (int)p };
        n++;
    }
    return n;
}

static int column_width(const struct trace_view *v, int launch)
{
    int w = (int)strlen("(this launch)");

    for (size_t p = 0; p < v->nprocs; p++) {
        char who[64];
        int n;

        if (v->procs[p].p.launch != launch)
            continue;
        who_label(v, (int)p, who, sizeof who);
        n = indent_of(v->procs[p].depth) + (int)strlen(who);
        w = n > w ? n : w;
    }
    return w;
}

static void put_still_running(const struct block *b)
{
    const struct trace_view *v = b->v;

    for (size_t p = 0; p < v->nprocs; p++) {
        const struct tv_proc *tp = &v->procs[p];

        if (tp->p.launch != b->launch || tp->p.end_us >= 0 || tp->hidden)
            continue;
        put_no_time(b);
        put_proc(b, (int)p);
        fputs("still running when the trace ended\n", b->out);
    }
    for (size_t g = 0; g < v->ngroups; g++) {
        char who[64];

        if (v->groups[g].end_us >= 0 || v->procs[v->groups[g].first_hidden].p.launch != b->launch)
            continue;
        who_label(v, v->groups[g].first_hidden, who, sizeof who);
        put_no_time(b);
        put_who(b, v->procs[v->groups[g].first_hidden].depth, who);
        fputs("some still running when the trace ended\n", b->out);
    }
}

static void put_launch_marks(const struct block *b)
{
    for (size_t m = 0; m < b->v->nmarks; m++) {
        const struct tv_mark *mk = &b->v->marks[m];

        if (mk->event >= 0 || mk->proc >= 0 || mk->launch != b->launch)
            continue;
        put_no_time(b);
        put_who(b, 0, "(this launch)");
        put_marks(b, mk, 1, 1);
    }
}

static int put_launch(FILE *out, const struct trace_view *v, int launch, int colour,
                      struct item *items)
{
    struct block b = { out, colour, v, launch, tv_launch_t0(v, launch), 0 };
    size_t n = 0;

    b.width = column_width(v, launch);
    fprintf(out, "\n%s, %.1f ms into the run\n", tv_launch_name(v, launch), (double)b.t0 / 1000.0);
    for (size_t k = 0; k < v->t->nev; k++)
        if (shown_in(v, v->order[k], launch))
            items[n++] = (struct item){ .type = IT_EVENT, .ev = v->order[k] };
    n = insert_proc_marks(v, items, n, launch);
    if (n == 0)
        fprintf(out, "%9s  nothing traced\n", "");
    put_items(&b, items, n);
    put_still_running(&b);
    put_launch_marks(&b);
    return 0;
}

/* Whether anything names a launch that the trace lacks. */
static int launch_in_use(const struct trace_view *v, int launch)
{
    for (size_t i = 0; i < v->t->nev; i++)
        if (v->ev[i].launch == launch)
            return 1;
    for (size_t p = 0; p < v->nprocs; p++)
        if (v->procs[p].p.launch == launch)
            return 1;
    for (size_t m = 0; m < v->nmarks; m++)
        if (v->marks[m].launch == launch)
            return 1;
    return 0;
}

int trace_text(FILE *out, const struct trace *t, const struct result *results, int colour)
{
    struct trace_view v;
    struct item *items;

    if (trace_view_init(&v, t, results) < 0)
        return -1;
    items = calloc(t->nev + v.nprocs + 1, sizeof *items);
    if (items == NULL) {
        trace_view_free(&v);
        errno = ENOMEM;
        return -1;
    }
    fputs("\ntrace: what each process did, launch by launch "
          "(times in ms since the launch began)\n", out);
    if (t->dropped > 0)
        fprintf(out, "(%zu more events were not kept: the trace stops recording past its bound)\n",
                t->dropped);
    for (int l = 0; l < v.nlaunches; l++)
        if (l < t->nlaunches || launch_in_use(&v, l))
            put_launch(out, &v, l, colour, items);
    free(items);
    trace_view_free(&v);
    return 0;
}
