/* report.h — the report formats. Each reads the table of checks, the
 * results and the evidence; none keeps its own list of checks. */
#ifndef CHECKER_REPORT_H
#define CHECKER_REPORT_H

#include <stdio.h>

#include "checks.h"
#include "json.h"
#include "trace.h"

struct report {
    const struct options *opt;
    const struct evidence *ev;
    char *const *command;       /* as run, {pidfile} replaced */
    const struct result *results;   /* CK_COUNT of them, in table order */
    const struct trace *trace;  /* --trace: what each process did; else NULL */
};

/* Human report; colour only when asked (a terminal, and NO_COLOR unset). */
void report_text(FILE *out, const struct report *rep, int colour);
/* Its "daemon:" line, how the daemon ended when the checker saw it end
 * (nothing otherwise); side names a side of --compare ("A"), or is "". */
void report_daemon_end(FILE *out, const char *side, const struct evidence *ev);
void report_json(FILE *out, const struct report *rep);
/* The JSON report as one value inside a larger document (--compare). */
void report_json_object(struct json *j, const struct report *rep);
void report_tap(FILE *out, const struct report *rep);
void report_junit(FILE *out, const struct report *rep);

/* The verdict word of a run: "pass" or "fail". */
const char *report_verdict(const struct report *rep);

/* --compare: two runs side by side, with their differences. */
void report_compare_text(FILE *out, const struct report *a, const struct report *b, int colour);
void report_compare_json(FILE *out, const struct report *a, const struct report *b);

/* --explain ID and --list. */
void explain_check(FILE *out, const struct check *c);
void list_checks(FILE *out);
void list_checks_json(FILE *out);

#endif
