/* report_tap.c — the report as TAP, for CI test harnesses (prove reads
 * it): one test point per check, "# SKIP" for a skip, "# TODO" for a
 * warning, and a YAML block with what was expected and observed under
 * each failure. The stream says "TAP version 13": it uses nothing that
 * version lacks, and Debian 12's prove (Test::Harness 3.44) rejects a
 * "TAP version 14" line, while every later prove reads 13 too. */
#include <string.h>

#include "json.h"
#include "report.h"

/* A description or directive reason: '#' and '\\' are escaped, and a
 * newline would end the line, so it becomes a space. */
static void tap_text(FILE *out, const char *s)
{
    for (; *s; s++) {
        if (*s == '#' || *s == '\\')
            fputc('\\', out);
        fputc(*s == '\n' || *s == '\r' ? ' ' : *s, out);
    }
}

/* A YAML double-quoted scalar: JSON's string syntax is a subset of it. */
static void yaml_pair(FILE *out, const char *key, const char *value)
{
    fprintf(out, "  %s: \"", key);
    json_escape(out, value, strlen(value));
    fputs("\"\n", out);
}

static void yaml_block(FILE *out, const struct check *c, const struct result *r)
{
    fputs("  ---\n", out);
    yaml_pair(out, "message", r->message);
    yaml_pair(out, "severity", r->status == ST_FAIL ? "fail" : "warn");
    yaml_pair(out, "expected", r->expected);
    yaml_pair(out, "observed", r->observed);
    fprintf(out, "  step: %d\n", c->step);
    yaml_pair(out, "read", step_find(c->step)->page);
    fputs("  ...\n", out);
}

void report_tap(FILE *out, const struct report *rep)
{
    fputs("TAP version 13\n", out);
    fprintf(out, "1..%d\n", CK_COUNT);
    for (int i = 0; i < CK_COUNT; i++) {
        const struct result *r = &rep->results[i];
        int ok = r->status == ST_PASS || r->status == ST_SKIP;

        fprintf(out, "%s %d - %s: ", ok ? "ok" : "not ok", i + 1, checks[i].id);
        tap_text(out, checks[i].title);
        if (r->status == ST_SKIP || r->status == ST_WARN) {
            fputs(r->status == ST_SKIP ? " # SKIP " : " # TODO not required by the profile: ",
                  out);
            tap_text(out, r->message);
        }
        fputc('\n', out);
        if (!ok)
            yaml_block(out, &checks[i], r);
    }
}
