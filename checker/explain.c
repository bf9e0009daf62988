/* explain.c — `--explain ID` and `--list`, written from the table. */
#include <stdio.h>

#include "report.h"

static const char *requirement(const struct check *c)
{
    if ((c->required & (1u << PROFILE_SYSV)) && (c->required & (1u << PROFILE_SEED)))
        return "required by both profiles";
    if (c->required & (1u << PROFILE_SYSV))
        return "required by the sysv profile; a warning in the seed profile";
    return "a warning in every profile";
}

void explain_check(FILE *out, const struct check *c)
{
    fprintf(out, "%s: %s\n\n", c->id, c->title);
    fprintf(out, "Step:   tutorial step %d; the seed's step: %s\n", c->step, c->seed_step);
    fprintf(out, "Status: %s\n\n", requirement(c));
    fprintf(out, "Why it matters:\n  %s\n\n", c->why);
    fprintf(out, "How to fix it:\n  %s\n", c->fix);
}

void list_checks(FILE *out)
{
    for (int i = 0; i < CK_COUNT; i++)
        fprintf(out, "%2d  %-20s %s\n", checks[i].step, checks[i].id, checks[i].title);
}
