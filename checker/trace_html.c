/* trace_html.c — the picture of a trace (--trace=FILE.html): one page that
 * needs nothing else. The SVG is inline, the style too, there is no
 * script and the page forbids any (Content-Security-Policy), and it reads
 * whole without one: every event's words are on hover (SVG <title>) and
 * again in the list at the end; what failed is written above the picture.
 *
 * The page is also well-formed XML (polyglot HTML), so that a test can
 * parse it strictly: every byte from the candidate goes through
 * html_text. */
#include <errno.h>
#include <string.h>

#include "trace_picture.h"
#include "trace_render.h"
#include "trace_words.h"
#include "utf8.h"

#define REPLACEMENT "\xef\xbf\xbd"     /* U+FFFD */
#define COMMAND_CHARS 300

/* U+FFFE and U+FFFF, which HTML rejects, and the bidirectional controls
 * (U+202A..U+202E, U+2066..U+2069), with which a name could reorder the
 * text around it. */
static int unwanted(const unsigned char *p)
{
    return (p[0] == 0xef && p[1] == 0xbf && p[2] >= 0xbe)
        || (p[0] == 0xe2 && p[1] == 0x80 && p[2] >= 0xaa && p[2] <= 0xae)
        || (p[0] == 0xe2 && p[1] == 0x81 && p[2] >= 0xa6 && p[2] <= 0xa9);
}

/* What HTML and XML both accept as text: no control character but tab and
 * newline, no C1 control, nothing unwanted; the rest as it is. */
static size_t put_char(FILE *out, const unsigned char *p, size_t avail)
{
    size_t n;

    switch (p[0]) {
    case '&': fputs("&amp;", out);  return 1;
    case '<': fputs("&lt;", out);   return 1;
    case '>': fputs("&gt;", out);   return 1;
    case '"': fputs("&quot;", out); return 1;
    case '\'': fputs("&#39;", out); return 1;
    case '\t': case '\n': fputc(p[0], out); return 1;
    }
    if (p[0] < 0x80) {
        if (p[0] < 0x20 || p[0] == 0x7f)
            fputs(REPLACEMENT, out);
        else
            fputc(p[0], out);
        return 1;
    }
    n = utf8_valid_len(p, avail);
    if (n == 0 || (p[0] == 0xc2 && p[1] < 0xa0) || (n == 3 && unwanted(p))) {
        fputs(REPLACEMENT, out);
        return n ? n : 1;
    }
    fwrite(p, 1, n, out);
    return n;
}

void html_text(FILE *out, const char *s, size_t max)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t len = strlen(s), chars = 0;

    for (size_t i = 0; i < len; chars++) {
        if (chars == max) {
            fputs("…", out);
            return;
        }
        i += put_char(out, p + i, len - i);
    }
}

static const char style[] =
    "body{font:14px/1.45 'DejaVu Sans',system-ui,sans-serif;margin:18px 24px;color:#1d232b;"
    "background:#fff}\n"
    "h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:18px 0 6px}\n"
    "code,.cmd{font-family:'DejaVu Sans Mono',ui-monospace,monospace;font-size:12.5px}\n"
    ".cmd{overflow-wrap:anywhere;color:#333;margin:0 0 10px}\n"
    ".intro{color:#444;max-width:72em;margin:0 0 12px}\n"
    ".wrong{border-left:4px solid #d62828;background:#fdf1f1;padding:6px 12px;margin:0 0 14px;"
    "max-width:90em}\n"
    ".wrong.ok{border-color:#2d6a4f;background:#eef7f1}\n"
    ".wrong ul{margin:4px 0;padding-left:18px}.wrong li{margin:3px 0}\n"
    ".id{font-family:'DejaVu Sans Mono',monospace;font-weight:bold;color:#fff;background:#d62828;"
    "padding:0 5px;border-radius:3px;font-size:12px}\n"
    ".id.warn{background:#e09f3e}\n"
    ".where{color:#555}.why{display:block;margin-left:2px}\n"
    ".pic{overflow-x:auto;border:1px solid #d8dde3}\n"
    "svg.trace text{font-family:'DejaVu Sans Mono',ui-monospace,monospace}\n"
    ".tick{font-size:10px;fill:#555;text-anchor:middle}.axisname{font-size:11px;fill:#555}\n"
    ".grid{stroke:#eceef1}.lbl{font-size:9.5px;fill:#3d4650}\n"
    ".glyph{font-size:9.5px;font-weight:bold;text-anchor:middle}\n"
    ".count{font-size:9.5px;font-weight:bold;fill:#333}\n"
    ".pname{font-size:12px;font-weight:bold;fill:#1d232b}.psub{font-size:10px;fill:#68717c}\n"
    ".lname{font-size:13px;font-weight:bold;fill:#2b3440}.lsub{font-size:11px;fill:#59626d}\n"
    ".tagt{font-size:9.5px;font-weight:bold;fill:#fff}\n"
    ".exitt{font-size:10px;font-weight:bold}\n"
    ".lead{font-size:9.5px;text-anchor:end;fill:#111;paint-order:stroke;stroke:#fff;"
    "stroke-width:3px}\n"
    ".forkline{stroke:#555;stroke-width:1.3}\n"
    ".guide{stroke:#b02a1e;stroke-width:1.3;stroke-dasharray:5 3;opacity:.75}"
    ".guide.all{opacity:.45}\n"
    ".sentline{stroke:#d35400;stroke-width:1.3;stroke-dasharray:2 3;opacity:.8}\n"
    ".brk{font-size:10px;fill:#777;text-anchor:middle;font-style:italic}\n"
    ".ev{cursor:help}.ev:hover circle{stroke-width:2.8}\n"
    ".legend{display:flex;flex-wrap:wrap;gap:6px 28px;margin:10px 0;font-size:13px}\n"
    ".legend>div{min-width:16em}.legend h3{font-size:13px;margin:4px 0}\n"
    ".legend .marks{columns:2;column-gap:28px}.legend .marks h3{column-span:all}\n"
    ".legend p{margin:2px 0}.legend svg{vertical-align:middle;margin-right:6px}\n"
    ".legend svg text{font-family:'DejaVu Sans Mono',monospace;font-size:9.5px;"
    "font-weight:bold;text-anchor:middle}\n"
    "table.events{border-collapse:collapse;font-size:12.5px}\n"
    "table.events td,table.events th{padding:1px 10px 1px 0;text-align:left;vertical-align:top}\n"
    "table.events td.ms{text-align:right;color:#59626d;font-family:'DejaVu Sans Mono',monospace}\n"
    "table.events td.what{font-family:'DejaVu Sans Mono',monospace;overflow-wrap:anywhere}\n";

static void put_command(FILE *out, char *const *command, size_t max)
{
    size_t used = 0, total = 0;

    for (char *const *a = command; a && *a; a++)
        total += strlen(*a) + 1;
    for (char *const *a = command; a && *a && used < max; a++) {
        if (a != command)
            fputc(' ', out);
        html_text(out, *a, max - used);
        used += strlen(*a) + 1;
    }
    if (used < total)
        fprintf(out, " (%zu bytes in all)", total);
}

static void head(FILE *out, char *const *command)
{
    fputs("<!DOCTYPE html>\n<html xmlns=\"http://www.w3.org/1999/xhtml\" lang=\"en\">\n<head>\n"
          "<meta charset=\"utf-8\"/>\n"
          "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
          "style-src 'unsafe-inline'\"/>\n"
          "<meta name=\"viewport\" content=\"width=device-width\"/>\n<title>trace: ", out);
    put_command(out, command, 80);
    fprintf(out, "</title>\n<style>\n%s</style>\n</head>\n<body>\n"
            "<h1>What each process did</h1>\n<p class=\"cmd\">$ ", style);
    put_command(out, command, COMMAND_CHARS);
    fputs("</p>\n<p class=\"intro\">One lane per process, its children below it; time runs to "
          "the right (gaps too long to draw are cut, and say how long). A lane's colour is "
          "its session, the stripe under it its process group; hatched, it leads its session. "
          "Hover over a marker for what happened; the same events are listed, in words, at "
          "the end.</p>\n", out);
}

static void mark_where(FILE *out, const struct trace_view *v, const struct tv_mark *m)
{
    char words[TRACE_WORDS];

    if (m->event >= 0) {
        const struct trace_event *e = &v->t->ev[m->event];
        const struct tv_event *te = &v->ev[m->event];

        trace_event_words(words, sizeof words, e);
        fprintf(out, "<span class=\"where\">at %.1f ms of the %s, ",
                (double)(e->us - tv_launch_t0(v, te->launch)) / 1000.0, tv_launch_name(v, te->launch));
        if (e->kind == TE_CHECKER || te->proc < 0)
            fputs("the checker", out);
        else
            fprintf(out, "in %d %s", (int)e->pid, trace_role_words(tv_launch_kind(v, te->launch),
                                                               v->procs[te->proc].p.role));
        fputs(":</span> <code>", out);
        html_text(out, words, TRACE_WORDS);
        fputs("</code>", out);
    } else if (m->proc >= 0) {
        const struct trace_proc *p = &v->procs[m->proc].p;

        fprintf(out, "<span class=\"where\">in %d %s, during the %s</span>", (int)p->pid,
                trace_role_words(tv_launch_kind(v, p->launch), p->role), tv_launch_name(v, p->launch));
    } else {
        fprintf(out, "<span class=\"where\">during the %s</span>", tv_launch_name(v, m->launch));
    }
    if (m->why[0]) {
        fputs("<span class=\"why\">", out);
        html_text(out, m->why, TRACE_WHY);
        fputs("</span>", out);
    }
}

static void failed_check(FILE *out, const struct trace_view *v, int check, enum status st)
{
    int marked = 0;

    fprintf(out, "<li><span class=\"id%s\">%s</span> %s%s", st == ST_WARN ? " warn" : "",
            checks[check].id, st == ST_WARN ? "(a warning) " : "", checks[check].title);
    for (size_t m = 0; m < v->nmarks; m++)
        if (v->marks[m].check == check) {
            marked = 1;
            fputs("<br/>", out);
            mark_where(out, v, &v->marks[m]);
        }
    if (!marked)
        fputs(" <span class=\"where\">(no event of the trace shows it: see the report)</span>", out);
    fputs("</li>\n", out);
}

/* What went wrong, before the picture: every failed check (from the
 * results, or from the marks when there are none), with where it shows. */
static void summary(FILE *out, const struct trace_view *v, const struct result *results)
{
    int shown = 0;

    for (int c = 0; c < CK_COUNT; c++) {
        enum status st = results ? results[c].status : ST_PASS;

        if (!results)
            for (size_t m = 0; m < v->nmarks; m++)
                if (v->marks[m].check == c)
                    st = v->marks[m].status;
        if (st != ST_FAIL && st != ST_WARN)
            continue;
        if (shown++ == 0)
            fputs("<div class=\"wrong\"><b>What went wrong</b>, and where the picture shows it "
                  "(in red):\n<ul>\n", out);
        failed_check(out, v, c, st);
    }
    if (shown)
        fputs("</ul></div>\n", out);
    else if (results)
        fputs("<div class=\"wrong ok\"><b>Every check passed.</b></div>\n", out);
}

static void glyph_swatch(FILE *out, const char *letter, const char *colour, const char *words)
{
    fprintf(out, "<p><svg width=\"18\" height=\"18\"><circle cx=\"9\" cy=\"9\" r=\"7.5\" "
            "fill=\"#fff\" stroke=\"%s\" stroke-width=\"1.6\"/><text x=\"9\" y=\"12.4\" "
            "fill=\"%s\">%s</text></svg>%s</p>\n", colour, colour, letter, words);
}

static void legend_markers(FILE *out)
{
    static const struct { const char *letter, *colour, *words; } g[] = {
        { "F", "#343a40", "fork (an arrow to the child)" }, { "E", "#343a40", "exec" },
        { "S", "#7b2cbf", "setsid(): a new session" }, { "G", "#7b2cbf", "setpgid()" },
        { "C", "#1f6f8b", "chdir()" }, { "U", "#1f6f8b", "umask()" },
        { "O", "#0f7d6b", "open() (/dev/null, a terminal, the pidfile)" },
        { "D", "#0f7d6b", "dup2() onto 0, 1 or 2" }, { "X", "#0f7d6b", "close()" },
        { "W", "#a0522d", "write to the pidfile" }, { "L", "#a0522d", "lock" },
        { "A", "#9a7300", "sigaction(): a signal's disposition" },
        { "M", "#9a7300", "the signal mask" }, { "!", "#d35400", "a signal received" },
        { "K", "#d35400", "a signal sent (kill, pidfd_send_signal), dotted to its target" },
        { "R", "#a0522d", "the pidfile removed (unlink) or renamed" },
        { "N", "#2b9348", "sd_notify message" }, { "?", "#6c757d", "not seen from here on" },
    };

    fputs("<div class=\"marks\"><h3>Markers</h3>\n", out);
    for (size_t i = 0; i < sizeof g / sizeof g[0]; i++)
        glyph_swatch(out, g[i].letter, g[i].colour, g[i].words);
    fputs("</div>\n", out);
}

static void legend_shapes(FILE *out)
{
    fputs("<div><h3>Shapes</h3>\n"
          "<p><svg width=\"30\" height=\"18\"><rect x=\"0\" y=\"4\" width=\"22\" height=\"10\" "
          "fill=\"#a8dab5\"/><rect x=\"22\" y=\"1\" width=\"4\" height=\"16\" fill=\"#2d6a4f\"/>"
          "</svg>a process's end: how it exited</p>\n"
          "<p><svg width=\"30\" height=\"18\"><rect x=\"0\" y=\"4\" width=\"18\" height=\"10\" "
          "fill=\"#a8dab5\"/><path d=\"M18,2 l9,7 l-9,7 z\" fill=\"#5a6270\"/></svg>still running "
          "when the trace ended</p>\n"
          "<p><svg width=\"30\" height=\"18\"><path d=\"M9,0.5 l8,8.5 l-8,8.5 l-8,-8.5 z\" "
          "fill=\"#b02a1e\"/><text x=\"9\" y=\"12.4\" fill=\"#fff\">T</text></svg>what the "
          "checker did (H: hang-up, T: SIGTERM, K: SIGKILL, S: the stop command), with a dashed "
          "line to what it hit</p>\n"
          "<p><svg width=\"30\" height=\"18\"><circle cx=\"9\" cy=\"9\" r=\"7\" fill=\"#fff\" "
          "stroke=\"#d62828\" stroke-width=\"2.5\"/></svg>in red: what explains a failed check "
          "(its ID above it); amber: a warning</p>\n"
          "<p><svg width=\"30\" height=\"18\"><circle cx=\"12\" cy=\"6\" r=\"5\" fill=\"#fff\" "
          "stroke=\"#343a40\"/><circle cx=\"9\" cy=\"9\" r=\"5\" fill=\"#fff\" stroke=\"#343a40\"/>"
          "</svg>stacked, ×N: the same step in N identical processes, shown once</p>\n"
          "<p><svg width=\"30\" height=\"18\"><path d=\"M6,1 l3,4 l-3,4 l3,4 l-3,4 M20,1 l3,4 "
          "l-3,4 l3,4 l-3,4\" fill=\"none\" stroke=\"#aaa\"/></svg>a cut in the time axis (its "
          "length is written above it)</p>\n</div>\n", out);
}

static void band_line(FILE *out, const struct trace_view *v, const struct pic_band *b, int session)
{
    if (session)
        fprintf(out, "<p><svg width=\"30\" height=\"14\"><rect width=\"30\" height=\"14\" "
                "fill=\"%s\"/></svg>session %d: ", b->fill, (int)b->id);
    else
        fprintf(out, "<p><svg width=\"30\" height=\"14\"><rect y=\"5\" width=\"30\" height=\"4\" "
                "fill=\"%s\"/></svg>process group %d: ", b->fill, (int)b->id);
    if (b->made)
        fprintf(out, "made by %s() in %d, %.1f ms into the run</p>\n",
                session ? "setsid" : "setpgid or setsid", (int)b->made_by, (double)b->made_us / 1000.0);
    else if (session && tv_launch_kind(v, b->launch) != TL_SERVICE
             && tv_launch_kind(v, b->launch) != TL_STOP)
        fprintf(out, "where the %s began, with the terminal</p>\n", tv_launch_name(v, b->launch));
    else
        fprintf(out, "where the %s began</p>\n", tv_launch_name(v, b->launch));
}

static void legend(FILE *out, const struct pic *p)
{
    fputs("<div class=\"legend\">\n", out);
    legend_markers(out);
    legend_shapes(out);
    fputs("<div><h3>Sessions (the lane's colour)</h3>\n", out);
    for (size_t i = 0; i < p->nsessions; i++)
        band_line(out, p->v, &p->sessions[i], 1);
    fputs("<p><svg width=\"30\" height=\"14\"><defs><pattern id=\"lgleader\" width=\"7\" "
          "height=\"7\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
          "<rect width=\"3\" height=\"7\" fill=\"#000\" fill-opacity=\"0.28\"/></pattern></defs>"
          "<rect width=\"30\" height=\"14\" fill=\"#a8dab5\"/><rect x=\"0.6\" y=\"0.6\" "
          "width=\"28.8\" height=\"12.8\" fill=\"url(#lgleader)\" stroke=\"#222\" "
          "stroke-width=\"1.2\"/></svg>hatched: it leads its session, so it could acquire a "
          "controlling terminal by opening one. The daemon should not: that is what the "
          "second fork is for.</p>\n", out);
    fputs("<h3>Process groups (the stripe)</h3>\n", out);
    for (size_t i = 0; i < p->ngroups; i++)
        band_line(out, p->v, &p->groups[i], 0);
    fputs("</div>\n</div>\n", out);
}

static void event_row(FILE *out, const struct trace_view *v, size_t i)
{
    const struct trace_event *e = &v->t->ev[i];
    const struct tv_event *te = &v->ev[i];
    char words[TRACE_WORDS];

    trace_event_words(words, sizeof words, e);
    fprintf(out, "<tr><td class=\"ms\">%.1f</td><td>", (double)(e->us - tv_launch_t0(v, te->launch)) / 1000.0);
    if (e->kind == TE_CHECKER || te->proc < 0)
        fputs("checker", out);
    else
        fprintf(out, "%d %s", (int)e->pid, trace_role_words(tv_launch_kind(v, te->launch),
                                                          v->procs[te->proc].p.role));
    fputs("</td><td class=\"what\">", out);
    html_text(out, words, TRACE_WORDS);
    fputs("</td><td>", out);
    for (size_t m = 0; m < te->nmarks; m++)
        fprintf(out, "%s<span class=\"id%s\">%s</span>", m ? " " : "",
                v->marks[te->mark_off + m].status == ST_WARN ? " warn" : "",
                checks[v->marks[te->mark_off + m].check].id);
    fputs("</td></tr>\n", out);
}

/* Every event in words, launch by launch: the picture without hovering. */
static void events_table(FILE *out, const struct trace_view *v)
{
    fprintf(out, "<h2>Every event, in words</h2>\n<details><summary>%zu events (times in ms "
            "since their launch began)%s</summary>\n", v->t->nev,
            v->t->dropped ? "; more were not kept, past the trace's bound" : "");
    for (int l = 0; l < v->nlaunches; l++) {
        fprintf(out, "<h3>%s</h3>\n<table class=\"events\">\n", tv_launch_name(v, l));
        for (size_t k = 0; k < v->t->nev; k++)
            if (v->ev[v->order[k]].launch == l)
                event_row(out, v, v->order[k]);
        fputs("</table>\n", out);
    }
    fputs("</details>\n", out);
}

int trace_html(FILE *out, const struct trace *t, const struct result *results,
               char *const *command)
{
    struct trace_view v;
    struct pic p;

    if (trace_view_init(&v, t, results) < 0)
        return -1;
    if (pic_layout(&p, &v) < 0) {
        trace_view_free(&v);
        errno = ENOMEM;
        return -1;
    }
    head(out, command);
    summary(out, &v, results);
    fputs("<div class=\"pic\">\n", out);
    if (pic_svg(out, &p) < 0)
        fputs("<p>(the picture could not be drawn: out of memory)</p>\n", out);
    fputs("</div>\n", out);
    legend(out, &p);
    events_table(out, &v);
    fputs("</body>\n</html>\n", out);
    pic_free(&p);
    trace_view_free(&v);
    if (ferror(out)) {
        errno = EIO;
        return -1;
    }
    return 0;
}
