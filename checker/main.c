/* main.c — the checker's command line: parse, run, judge, report, exit.
 * Exit status: 0 every required check passed, 1 a required check failed,
 * 2 a usage error or a candidate that could not be started. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "options.h"
#include "report.h"
#include "run.h"
#include "trace_explain.h"
#include "trace_render.h"

#define VERSION "0.1.0"

static const char usage_text[] =
    "usage: checker [OPTIONS] [--] COMMAND [ARG...]\n"
    "Starts COMMAND (which must put a daemon in the background and return) in a\n"
    "hostile environment and checks, through /proc, that the daemon is done right.\n"
    "With --profile new-style, starts it as a service manager would instead.\n"
    "\n"
    "  --pidfile PATH        the pidfile the daemon writes ({pidfile} in an ARG\n"
    "                        is replaced by a fresh private path instead)\n"
    "  --umask OCTAL         the umask the daemon must set (default 0)\n"
    "  --cwd DIR             the directory it must move to (default /)\n"
    "  --stop-command 'CMD'  how to stop it (default: SIGTERM to the daemon)\n"
    "  --timeout SECONDS     bound of each phase (default 5)\n"
    "  --settle MS           how long it must stay up after starting (default 250)\n"
    "  --profile NAME        sysv, seed or new-style: which checks are judged and\n"
    "                        required (default sysv)\n"
    "  --socket-activation   new-style: pass a listening socket (LISTEN_FDS)\n"
    "  --watchdog MS         new-style: ask for WATCHDOG=1 every MS at most\n"
    "  --notify-socket KIND  new-style: path or abstract NOTIFY_SOCKET (default path)\n"
    "  --format FORMAT       text, json, tap or junit, on stdout (default text)\n"
    "  --verbose             text: what was observed on every line, passes included\n"
    "  --trace[=FILE.html]   what each process did, in order; FILE: also a picture\n"
    "  --explain ID          what a check verifies, why, and how to fix it\n"
    "  --list                the checks, with their tutorial steps\n"
    "  --step N              judge only what tutorial steps 1 to N teach\n"
    "  --compare 'CMD'       run CMD too and compare the two daemons side by side\n"
    "  --compare-stop-command 'CMD'  how to stop the compared one\n"
    "  --compare-profile NAME        the compared one's profile (default: the same)\n"
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

static void write_report(const struct report *rep, enum format format)
{
    switch (format) {
    case FORMAT_JSON:  report_json(stdout, rep); break;
    case FORMAT_TAP:   report_tap(stdout, rep); break;
    case FORMAT_JUNIT: report_junit(stdout, rep); break;
    case FORMAT_TEXT:  report_text(stdout, rep, use_colour()); break;
    }
}

/* One candidate, run and judged. */
struct judged {
    struct evidence ev;
    struct run_output out;
    struct result results[CK_COUNT];
    struct report rep;
};

/* Run and judge; 0, or 2 after saying why (the process dies instead when
 * the checker itself was interrupted, once the candidate is swept). */
static int run_and_judge(const struct options *opt, struct judged *j)
{
    char err[512];

    if (run_candidate(opt, &j->ev, &j->out, err, sizeof err) < 0) {
        fatal(err);
        run_output_free(&j->out);
        if (j->out.interrupted)
            die_by_signal(j->out.interrupted);
        return 2;
    }
    checks_judge_all(&j->ev, opt, j->results);
    if (opt->trace)
        trace_explain(&j->out.trace, &j->ev, j->results);
    j->rep = (struct report){ opt, &j->ev, j->out.command.argv, j->results,
                              opt->trace ? &j->out.trace : NULL };
    return 0;
}

/* --trace=FILE: opened before the run, so that a path that cannot be
 * written is said at once and no run is wasted; never through a symbolic
 * link, and only a regular file (a FIFO would block the checker). */
static FILE *open_picture(const char *path)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
    struct stat st;
    const char *call;
    FILE *f;

    if (fd < 0) {
        fprintf(stderr, "checker: --trace: unable to open %s: %s%s\n", path, strerror(errno),
                errno == ELOOP ? " (a symbolic link is never followed)" : "");
        return NULL;
    }
    if (fstat(fd, &st) < 0)
        call = "fstat";
    else if (!S_ISREG(st.st_mode)) {
        fprintf(stderr, "checker: --trace: %s is not a regular file\n", path);
        close(fd);
        return NULL;
    } else if (ftruncate(fd, 0) < 0)
        call = "ftruncate";
    else if (fcntl(fd, F_SETFL, 0) < 0)
        call = "fcntl";
    else if ((f = fdopen(fd, "w")) == NULL)
        call = "fdopen";
    else
        return f;
    fprintf(stderr, "checker: --trace: unable to write %s: %s: %s\n", path, call,
            strerror(errno));
    close(fd);
    return NULL;
}

/* The picture, written once the run is judged. 0, or 2 after saying why. */
static int write_picture(FILE *f, const char *path, const struct judged *j)
{
    int failed = trace_html(f, &j->out.trace, j->results, j->out.command.argv) < 0;

    if (fclose(f) == EOF || failed) {
        fprintf(stderr, "checker: --trace: unable to write %s: %s\n", path, strerror(errno));
        return 2;
    }
    return 0;
}

/* How many descriptors the checker has open: compared at exit with the
 * count at start, so that a descriptor the checker leaks (in a run, once
 * per launch) shows as an internal error in every test, not as an
 * exhaustion one day in a long CI job. -1 when /proc is unreadable. */
static int open_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    struct dirent *e;
    int n = 0;

    if (!d)
        return -1;
    while ((e = readdir(d)) != NULL)
        n += e->d_name[0] != '.';
    closedir(d);
    return n - 1;   /* the directory's own descriptor */
}

static int fds_at_start;

static int finish(int status)
{
    int now = open_fds();

    if (fflush(stdout) == EOF)
        return fatal("unable to write the report: output error");
    if (fds_at_start >= 0 && now > fds_at_start) {
        fprintf(stderr, "checker: internal error: %d descriptors left open\n",
                now - fds_at_start);
        return 2;
    }
    return status;
}

static int check_one(const struct options *opt)
{
    static struct judged a;
    FILE *picture = NULL;
    int status;

    if (opt->trace_html && (picture = open_picture(opt->trace_html)) == NULL)
        return 2;
    if (run_and_judge(opt, &a)) {
        if (picture)
            fclose(picture);
        return 2;
    }
    write_report(&a.rep, opt->format);
    status = checks_exit_status(a.results);
    if (picture && write_picture(picture, opt->trace_html, &a))
        status = 2;
    run_output_free(&a.out);
    return finish(status);
}

/* --compare 'CMD_B ARG...': B is split as a shell would, without running
 * anything (no command substitution). */
static int check_two(const struct options *opt)
{
    static struct judged a, b;
    struct options opt_b = *opt;
    char **words;
    int status;

    if (opt->format != FORMAT_TEXT && opt->format != FORMAT_JSON)
        return fatal("--compare writes text or json, not tap or junit");
    words = split_command(opt->compare, &opt_b.command_argc);
    if (!words || opt_b.command_argc == 0) {
        free_command(words);
        return fatal("--compare: no command, or an unterminated quote");
    }
    opt_b.command = words;
    opt_b.stop_command = opt->compare_stop_command;
    if (opt->compare_profile && options_profile(opt->compare_profile, &opt_b.profile) < 0) {
        free_command(words);
        return fatal("--compare-profile: unknown profile");
    }
    if (run_and_judge(opt, &a) || run_and_judge(&opt_b, &b)) {
        run_output_free(&a.out);
        free_command(words);
        return 2;
    }
    if (opt->format == FORMAT_JSON)
        report_compare_json(stdout, &a.rep, &b.rep);
    else
        report_compare_text(stdout, &a.rep, &b.rep, use_colour());
    status = checks_exit_status(a.results) | checks_exit_status(b.results);
    run_output_free(&a.out);
    run_output_free(&b.out);
    free_command(words);
    return finish(status);
}

int main(int argc, char **argv)
{
    struct options opt;
    char err[512];

    fds_at_start = open_fds();
    if (options_parse(argc, argv, &opt, err, sizeof err) < 0)
        return fatal(err);
    if (opt.help || opt.version || opt.list || opt.explain)
        return informational(&opt);
    if (opt.trace && opt.compare)
        return fatal("--trace follows one run: not with --compare");
    return opt.compare ? check_two(&opt) : check_one(&opt);
}
