/* judge_text.c — writing a judge's result (see judge_text.h). */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "judge_text.h"
#include "text.h"

static void vput(char *dst, const char *fmt, va_list ap)
{
    vsnprintf(dst, RESULT_TEXT, fmt, ap);
}

void expect(struct result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vput(r->expected, fmt, ap);
    va_end(ap);
}

void observe(struct result *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vput(r->observed, fmt, ap);
    va_end(ap);
}

void observe_more(struct result *r, const char *fmt, ...)
{
    size_t used = strlen(r->observed);
    va_list ap;

    if (used >= sizeof r->observed - 1)
        return;
    va_start(ap, fmt);
    vsnprintf(r->observed + used, sizeof r->observed - used, fmt, ap);
    va_end(ap);
}

void verdict(struct result *r, enum status s, const char *fmt, ...)
{
    va_list ap;

    r->status = s;
    va_start(ap, fmt);
    vput(r->message, fmt, ap);
    va_end(ap);
}

void skip(struct result *r, const char *reason)
{
    verdict(r, ST_SKIP, "%s", reason);
    observe(r, "not observed");
}

/* "; it printed \"...\"" when the command wrote something on the terminal. */
void output_excerpt(const struct launch_result *l, char *out, size_t cap)
{
    char quoted[160];

    out[0] = '\0';
    if (l->output_len == 0)
        return;
    quote_bytes(l->output, l->output_len, quoted, sizeof quoted);
    snprintf(out, cap, "; it printed %s", quoted);
}

/* Judge one launch that must exit 0 within the timeout. 1 when it did. */
int judge_launch(const struct launch_result *l, const char *what, enum launch_goal goal,
                 const struct options *opt, struct result *r)
{
    char st[96], printed[200];

    output_excerpt(l, printed, sizeof printed);
    if (!l->exited) {
        observe(r, "%s still running after %.1f s", what, opt->timeout_ms / 1000.0);
        if (goal == GOAL_STOPPED)
            verdict(r, ST_FAIL, "%s must return once the daemon is gone: signal it, wait "
                    "for its end (a bounded wait), and exit", what);
        else
            verdict(r, ST_FAIL, "%s must return once the daemon is in the background: "
                    "fork and let the parent exit", what);
        return 0;
    }
    describe_wait_status(l->status, st, sizeof st);
    observe(r, "%s %s after %ld ms%s", what, st, l->elapsed_ms, printed);
    if (!WIFEXITED(l->status) || WEXITSTATUS(l->status) != 0) {
        verdict(r, ST_FAIL, "%s must exit with status 0 once the daemon is %s", what,
                goal == GOAL_STOPPED ? "stopped" : "started");
        return 0;
    }
    return 1;
}
