/* report_junit.c — the report as JUnit XML, the format CI servers import:
 * one <testsuite> for the run, one <testcase> per check, <failure> with
 * what was expected and observed, <skipped> with the reason. A warning is
 * a passed test case whose output says it warned: CI must stay green on
 * what the profile does not require. */
#include <time.h>
#include <unistd.h>

#include "report.h"
#include "text.h"
#include "xml.h"

static void attr(FILE *out, const char *name, const char *value)
{
    fprintf(out, " %s=\"", name);
    xml_escape(out, value);
    fputc('"', out);
}

static void details(FILE *out, const struct result *r, const struct check *c)
{
    fputs("expected: ", out);
    xml_escape(out, r->expected);
    fputs("\nobserved: ", out);
    xml_escape(out, r->observed);
    fputs("\nread: ", out);
    xml_escape(out, step_find(c->step)->page);
    fputc('\n', out);
}

static void testcase(FILE *out, const struct check *c, const struct result *r)
{
    char classname[32];

    snprintf(classname, sizeof classname, "checker.step%02d", c->step);
    fputs("    <testcase", out);
    attr(out, "classname", classname);
    attr(out, "name", c->id);
    fputs(" time=\"0\">\n", out);
    switch (r->status) {
    case ST_FAIL:
        fputs("      <failure", out);
        attr(out, "message", r->message);
        attr(out, "type", "fail");
        fputc('>', out);
        details(out, r, c);
        fputs("</failure>\n", out);
        break;
    case ST_SKIP:
        fputs("      <skipped", out);
        attr(out, "message", r->message);
        fputs("/>\n", out);
        break;
    case ST_WARN:
        fputs("      <system-out>warning: ", out);
        xml_escape(out, r->message);
        fputc('\n', out);
        details(out, r, c);
        fputs("</system-out>\n", out);
        break;
    case ST_PASS:
        break;
    }
    fputs("    </testcase>\n", out);
}

static void suite_name(const struct report *rep, char *name, size_t cap)
{
    size_t used = 0;

    appendf(name, cap, &used, "checker:");
    for (char *const *a = rep->command; a && *a; a++)
        appendf(name, cap, &used, " %s", *a);
}

void report_junit(FILE *out, const struct report *rep)
{
    int count[4] = { 0 };
    char name[1024], host[256] = "localhost", stamp[32];
    time_t now = time(NULL);
    struct tm tm;

    for (int i = 0; i < CK_COUNT; i++)
        count[rep->results[i].status]++;
    suite_name(rep, name, sizeof name);
    if (gethostname(host, sizeof host) < 0)
        snprintf(host, sizeof host, "localhost");
    host[sizeof host - 1] = '\0';
    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", gmtime_r(&now, &tm));
    fputs("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", out);
    fprintf(out, "<testsuites tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" "
            "time=\"%.3f\">\n", CK_COUNT, count[ST_FAIL], count[ST_SKIP],
            rep->ev->elapsed_ms / 1000.0);
    fputs("  <testsuite", out);
    attr(out, "name", name);
    fprintf(out, " tests=\"%d\" failures=\"%d\" errors=\"0\" skipped=\"%d\" time=\"%.3f\"",
            CK_COUNT, count[ST_FAIL], count[ST_SKIP], rep->ev->elapsed_ms / 1000.0);
    attr(out, "timestamp", stamp);
    attr(out, "hostname", host);
    fputs(">\n    <properties>\n", out);
    fputs("      <property name=\"profile\"", out);
    attr(out, "value", profile_name(rep->opt->profile));
    fputs("/>\n      <property name=\"verdict\"", out);
    attr(out, "value", report_verdict(rep));
    fputs("/>\n    </properties>\n", out);
    for (int i = 0; i < CK_COUNT; i++)
        testcase(out, &checks[i], &rep->results[i]);
    fputs("  </testsuite>\n</testsuites>\n", out);
}
