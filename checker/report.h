/* report.h — the report formats. Each reads the table of checks, the
 * results and the evidence; none keeps its own list of checks. */
#ifndef CHECKER_REPORT_H
#define CHECKER_REPORT_H

#include <stdio.h>

#include "checks.h"

struct report {
    const struct options *opt;
    const struct evidence *ev;
    char *const *command;       /* as run, {pidfile} replaced */
    const struct result *results;   /* CK_COUNT of them, in table order */
};

/* Human report; colour only when asked (a terminal, and NO_COLOR unset). */
void report_text(FILE *out, const struct report *rep, int colour);
void report_json(FILE *out, const struct report *rep);

/* The verdict word of a run: "pass" or "fail". */
const char *report_verdict(const struct report *rep);

/* --explain ID and --list. */
void explain_check(FILE *out, const struct check *c);
void list_checks(FILE *out);
void list_checks_json(FILE *out);

#endif
