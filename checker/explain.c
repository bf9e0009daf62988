/* explain.c — `--explain ID` and `--list`, written from the tables. */
#include <stdio.h>

#include "json.h"
#include "report.h"

enum treatment { REQUIRED, WARNS, NOT_JUDGED, TREATMENTS };

static enum treatment treatment(const struct check *c, int profile)
{
    unsigned bit = 1u << profile;

    return !(c->judged & bit) ? NOT_JUDGED : c->required & bit ? REQUIRED : WARNS;
}

/* "required by sysv; a warning under seed; not judged under new-style". */
static void write_requirement(FILE *out, const struct check *c)
{
    static const char *const words[TREATMENTS] = {
        "required by", "a warning under", "not judged under",
    };
    const char *between = "";

    for (int k = 0; k < TREATMENTS; k++) {
        const char *lead = words[k];

        for (int p = 0; p < PROFILE_COUNT; p++) {
            if (treatment(c, p) != (enum treatment)k)
                continue;
            if (lead)
                fprintf(out, "%s%s %s", between, lead, profile_name((enum profile)p));
            else
                fprintf(out, ", %s", profile_name((enum profile)p));
            lead = NULL;
            between = "; ";
        }
    }
}

void explain_check(FILE *out, const struct check *c)
{
    const struct step *s = step_find(c->step);

    fprintf(out, "%s: %s\n\n", c->id, c->title);
    fprintf(out, "Tutorial: step %d, %s (%s)\n", c->step, s->title, s->page);
    fprintf(out, "Seed:     %s\n", c->seed_step);
    fprintf(out, "daemon(7): %s\n", c->daemon7_step[0] ? c->daemon7_step : "not in its list");
    fputs("Status:   ", out);
    write_requirement(out, c);
    fputs("\n\n", out);
    fprintf(out, "Why it matters:\n  %s\n\n", c->why);
    fprintf(out, "How to fix it in C:\n  %s\n\n", c->fix_c);
    fprintf(out, "How to fix it in Python:\n  %s\n", c->fix_python);
}

void list_checks(FILE *out)
{
    for (int n = 1; n <= STEP_COUNT; n++) {
        const struct step *s = step_find(n);

        fprintf(out, "step %2d  %s  (%s)\n", s->number, s->title, s->page);
        for (int i = 0; i < CK_COUNT; i++)
            if (checks[i].step == n)
                fprintf(out, "         %-20s %s\n", checks[i].id, checks[i].title);
    }
}

/* The tables as JSON, for tools: the docs and the man page are generated
 * from this, so they never keep a copy of their own. */
void list_checks_json(FILE *out)
{
    struct json j;

    json_init(&j, out, 2);
    json_object_begin(&j);
    json_key(&j, "steps");
    json_array_begin(&j);
    for (int n = 1; n <= STEP_COUNT; n++) {
        const struct step *s = step_find(n);
        json_object_begin(&j);
        json_key(&j, "number");
        json_int(&j, s->number);
        json_key(&j, "title");
        json_string(&j, s->title);
        json_key(&j, "page");
        json_string(&j, s->page);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_key(&j, "checks");
    json_array_begin(&j);
    for (int i = 0; i < CK_COUNT; i++) {
        const struct check *c = &checks[i];
        json_object_begin(&j);
        json_key(&j, "id");
        json_string(&j, c->id);
        json_key(&j, "step");
        json_int(&j, c->step);
        json_key(&j, "seed_step");
        json_string(&j, c->seed_step);
        json_key(&j, "daemon7_step");
        json_string(&j, c->daemon7_step);
        json_key(&j, "title");
        json_string(&j, c->title);
        json_key(&j, "why");
        json_string(&j, c->why);
        json_key(&j, "fix_c");
        json_string(&j, c->fix_c);
        json_key(&j, "fix_python");
        json_string(&j, c->fix_python);
        json_key(&j, "judged_by");
        json_array_begin(&j);
        for (int p = 0; p < PROFILE_COUNT; p++)
            if (c->judged & (1u << p))
                json_string(&j, profile_name((enum profile)p));
        json_array_end(&j);
        json_key(&j, "needs");
        json_array_begin(&j);
        for (int n = 0; n < NEED_COUNT; n++)
            if (c->needs & (1u << n))
                json_string(&j, need_reason((enum need)(1u << n)));
        json_array_end(&j);
        json_key(&j, "required_by");
        json_array_begin(&j);
        for (int p = 0; p < PROFILE_COUNT; p++)
            if (c->required & (1u << p))
                json_string(&j, profile_name((enum profile)p));
        json_array_end(&j);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    fputc('\n', out);
}
