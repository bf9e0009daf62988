/* main.c — the checker's command line: parse, run, judge, report, exit.
 * Exit status: 0 every required check passed, 1 a required check failed,
 * 2 a usage error or a candidate that could not be started. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "checks.h"
#include "options.h"
#include "report.h"
#include "run.h"

#define VERSION "0.1.0"

static const char usage_text[] =
    "usage: checker [OPTIONS] [--] COMMAND [ARG...]\n"
    "Starts COMMAND (which must put a daemon in the background and return) in a\n"
    "hostile environment and checks, through /proc, that the daemon is done right.\n"
    "\n"
    "  --pidfile PATH        the pidfile the daemon writes ({pidfile} in an ARG\n"
    "                        is replaced by a fresh private path instead)\n"
    "  --umask OCTAL         the umask the daemon must set (default 0)\n"
    "  --cwd DIR             the directory it must move to (default /)\n"
    "  --stop-command 'CMD'  how to stop it (default: SIGTERM to the daemon)\n"
    "  --timeout SECONDS     bound of each phase (default 5)\n"
    "  --settle MS           how long it must stay up after starting (default 250)\n"
    "  --profile sysv|seed   which checks are required (default sysv)\n"
    "  --format text|json    the report on stdout (default text)\n"
    "  --explain ID          what a check verifies, why, and how to fix it\n"
    "  --list                the checks, with their tutorial steps\n"
    "  --help, --version\n"
    "\n"
    "Exit status: 0 all required checks passed, 1 one failed, 2 usage error\n"
    "or the command could not be started.\n";

static int fatal(const char *msg)
{
    fprintf(stderr, "checker: %s\n", msg);
    return 2;
}

/* Leave the way the signal that interrupted us would have. */
static void die_by_signal(int sig)
{
    sigset_t set;

    signal(sig, SIG_DFL);
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);
}

static int use_colour(void)
{
    const char *no = getenv("NO_COLOR");

    return isatty(STDOUT_FILENO) && !(no && *no);
}

static int informational(const struct options *opt)
{
    if (opt->help) {
        fputs(usage_text, stdout);
        return 0;
    }
    if (opt->version) {
        puts("checker " VERSION);
        return 0;
    }
    if (opt->list) {
        if (opt->format == FORMAT_JSON)
            list_checks_json(stdout);
        else
            list_checks(stdout);
        return 0;
    }
    const struct check *c = check_find(opt->explain);
    if (!c) {
        fprintf(stderr, "checker: --explain: unknown check ID \"%s\" (see --list)\n",
                opt->explain);
        return 2;
    }
    explain_check(stdout, c);
    return 0;
}

int main(int argc, char **argv)
{
    struct options opt;
    struct evidence ev;
    struct run_output out;
    struct result results[CK_COUNT];
    char err[512];
    int status;

    if (options_parse(argc, argv, &opt, err, sizeof err) < 0)
        return fatal(err);
    if (opt.help || opt.version || opt.list || opt.explain)
        return informational(&opt);
    if (opt.format == FORMAT_TAP || opt.format == FORMAT_JUNIT)
        return fatal("--format tap and junit are not available yet; use text or json");
    if (run_candidate(&opt, &ev, &out, err, sizeof err) < 0) {
        fatal(err);
        run_output_free(&out);
        if (out.interrupted)
            die_by_signal(out.interrupted);
        return 2;
    }
    checks_judge_all(&ev, &opt, results);
    struct report rep = { &opt, &ev, out.command, results };
    if (opt.format == FORMAT_JSON)
        report_json(stdout, &rep);
    else
        report_text(stdout, &rep, use_colour());
    status = checks_exit_status(results);
    run_output_free(&out);
    if (fflush(stdout) == EOF)
        return fatal("unable to write the report: output error");
    return status;
}
