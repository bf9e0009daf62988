/* report_text.c — the report a student reads: one line per check, and for
 * each failure what was expected, what was seen, and where to read. */
#include <stdio.h>
#include <string.h>

#include "report.h"
#include "trace_render.h"
#include "text.h"

enum paint { PAINT_GREEN, PAINT_RED, PAINT_YELLOW, PAINT_DIM, PAINT_BOLD };

static const char *const paint_on[] = { "\033[32m", "\033[31m", "\033[33m", "\033[2m", "\033[1m" };
static const enum paint status_paint[] = { PAINT_GREEN, PAINT_RED, PAINT_YELLOW, PAINT_DIM };
static const char *const status_tag[] = { "PASS", "FAIL", "WARN", "SKIP" };

static void painted(FILE *out, int colour, enum paint p, const char *text)
{
    if (colour)
        fprintf(out, "%s%s\033[0m", paint_on[p], text);
    else
        fputs(text, out);
}

static void write_command(FILE *out, char *const *command)
{
    for (char *const *a = command; a && *a; a++)
        fprintf(out, "%s%s", a == command ? "" : " ", *a);
}

static void write_detail(FILE *out, const struct check *c, const struct result *r)
{
    fprintf(out, "        expected: %s\n", r->expected);
    fprintf(out, "        observed: %s\n", r->observed);
    fprintf(out, "        %s\n", r->message);
    fprintf(out, "        read: %s (step %d; the seed's step: %s); checker --explain %s\n",
            step_find(c->step)->page, c->step, c->seed_step, c->id);
}

/* Does this profile leave check i, of a step up to N, to profile q? */
static int left_to(const struct report *rep, int i, int q)
{
    return checks[i].step <= rep->opt->step &&
           check_judged_elsewhere(&checks[i], rep->opt->profile) == q;
}

/* --step N: the checks of steps up to N that this profile leaves to
 * profile q, named with where they are judged: "step 12's checks a, b and
 * c are judged under --profile new-style". */
static void write_left_to(FILE *out, const struct report *rep, int q)
{
    char ids[RESULT_TEXT] = "";
    size_t used = 0;
    int total = 0, n = 0, step = 0, one_step = 1;

    for (int i = 0; i < CK_COUNT; i++)
        if (left_to(rep, i, q)) {
            one_step &= !total++ || checks[i].step == step;
            step = checks[i].step > step ? checks[i].step : step;
        }
    if (!total)
        return;
    for (int i = 0; i < CK_COUNT; i++)
        if (left_to(rep, i, q)) {
            n++;
            appendf(ids, sizeof ids, &used, "%s%s", n == 1 ? "" : n == total ? " and " : ", ",
                    checks[i].id);
            if (!one_step)
                appendf(ids, sizeof ids, &used, " (step %d)", checks[i].step);
        }
    if (one_step)
        fprintf(out, "next: step %d's check%s %s %s", step, total == 1 ? "" : "s", ids,
                total == 1 ? "is" : "are");
    else
        fprintf(out, "next: the checks %s are", ids);
    fprintf(out, " judged under --profile %s: checker --profile %s --step %d judges them (read "
            "%s)\n", profile_name((enum profile)q), profile_name((enum profile)q),
            rep->opt->step, step_find(step)->page);
}

/* --step N: what the student does next. A failure of an earlier step's
 * check is named as such: a daemon that dies at step 9 fails
 * daemon-running, a step-1 check, though step 1 was done right. A
 * profile that leaves some of the steps' checks to another (the table's
 * judged column) does not say that every step is done. */
static void write_next_step(FILE *out, const struct report *rep)
{
    const struct step *next = step_find(rep->opt->step + 1);
    int others = 0;

    for (int i = 0; i < CK_COUNT; i++)
        if (rep->results[i].status == ST_FAIL) {
            const struct step *s = step_find(checks[i].step);
            fprintf(out, "next: fix %s first, as its message says (step %d; read %s)\n",
                    checks[i].id, s->number, s->page);
            return;
        }
    for (int i = 0; i < CK_COUNT; i++)
        others += checks[i].step <= rep->opt->step &&
                  check_judged_elsewhere(&checks[i], rep->opt->profile) >= 0;
    if (next)
        fprintf(out, "next: step %d, %s: read %s\n", next->number, next->title, next->page);
    else if (others)
        fprintf(out, "next: nothing more under --profile %s: every check it judges up to step %d "
                "passes\n", profile_name(rep->opt->profile), rep->opt->step);
    else
        fprintf(out, "next: nothing: every step is done, the daemon passes every check\n");
    for (int q = 0; others && q < PROFILE_COUNT; q++)
        write_left_to(out, rep, q);
}

void report_daemon_end(FILE *out, const char *side, const struct evidence *ev)
{
    char how[96];

    if (!ev->daemon_end.seen)
        return;
    describe_wait_status(ev->daemon_end.status, how, sizeof how);
    fprintf(out, "daemon%s%s: pid %d (%s) %s\n", side[0] ? " " : "", side,
            (int)ev->daemon_end.pid, ev->daemon_end.comm, how);
}

#define JOURNAL_LINES 10

/* The journal's last lines, as a manager's status command shows them. */
static void write_journal(FILE *out, const struct service_seen *s)
{
    const char *end = s->journal + s->journal_len, *p = end;
    int lines = 0;

    if (!s->ran || s->journal_len == 0)
        return;
    if (p > s->journal && p[-1] == '\n')
        p--;
    while (p > s->journal && lines < JOURNAL_LINES)
        if (*--p == '\n')
            lines++;
    if (*p == '\n')
        p++;
    fprintf(out, "journal (the service's stdout and stderr, last lines):\n");
    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);
        char line[240];

        /* A service's escape codes reach no terminal. */
        escape_controls(p, n, line, sizeof line);
        fprintf(out, "  | %s\n", line);
        p += n + 1;
    }
}

void report_text(FILE *out, const struct report *rep, int colour)
{
    int count[4] = { 0 };

    fputs("checker: ", out);
    write_command(out, rep->command);
    fprintf(out, "  (profile %s)\n", profile_name(rep->opt->profile));
    for (int i = 0; i < CK_COUNT; i++) {
        const struct result *r = &rep->results[i];

        count[r->status]++;
        fputs("  ", out);
        painted(out, colour, status_paint[r->status], status_tag[r->status]);
        fprintf(out, "  %-20s %s\n", checks[i].id,
                r->status == ST_SKIP ? r->message : checks[i].title);
        if (r->status == ST_FAIL || r->status == ST_WARN)
            write_detail(out, &checks[i], r);
        else if (r->status == ST_PASS && rep->opt->verbose)
            fprintf(out, "        observed: %s\n", r->observed);
    }
    report_daemon_end(out, "", rep->ev);
    write_journal(out, &rep->ev->svc);
    fputs("verdict: ", out);
    painted(out, colour, count[ST_FAIL] ? PAINT_RED : PAINT_GREEN,
            count[ST_FAIL] ? "FAIL" : "PASS");
    fprintf(out, " (%d passed, %d failed, %d warned, %d skipped, in %ld ms)\n",
            count[ST_PASS], count[ST_FAIL], count[ST_WARN], count[ST_SKIP], rep->ev->elapsed_ms);
    if (rep->opt->step)
        write_next_step(out, rep);
    if (rep->trace) {
        fputc('\n', out);
        trace_text(out, rep->trace, rep->results, colour);
    }
}
