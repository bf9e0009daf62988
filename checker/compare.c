/* compare.c — --compare: two daemons judged under the same hostile
 * environment, side by side. Besides the checks, a table of facets says
 * how each one did things (its session, how many processes it took, where
 * its descriptors point, what its pidfile holds), so that two ways to the
 * same verdict, C's and Python's, can be told apart. */
#include <string.h>
#include <sys/stat.h>

#include "report.h"
#include "text.h"

#define FACET_TEXT 256

struct facet {
    const char *name;
    int measure;    /* a timing or size: it always differs, never marked */
    int of_daemon;  /* describes the daemon: "no daemon" when none was found */
    void (*show)(const struct evidence *ev, char *out, size_t cap);
};

/* Who the daemon's parent is. The checker adopts every orphan of a run (a
 * child subreaper), but under new-style it also starts the service
 * itself, as a manager does: that process is its child, not an orphan. */
static const char *parent_word(const struct evidence *ev)
{
    const struct proc_stat *st = &ev->daemon.st;

    if (st->ppid != ev->checker_pid)
        return "parent alive";
    if (ev->svc.ran && st->pid == ev->svc.started)
        return "the manager's child";
    return "orphan";
}

/* Relations, not pids: pids differ between any two runs. */
static void show_session(const struct evidence *ev, char *out, size_t cap)
{
    const struct proc_stat *st = &ev->daemon.st;

    snprintf(out, cap, "%s, %s, %s", st->session == st->pid ? "session leader"
             : st->session == ev->launch_sid ? "launcher's session" : "own session",
             st->pgrp == st->pid ? "group leader" : st->pgrp == st->session ? "pgid = sid"
             : "other group", parent_word(ev));
}

/* How many forks stood between the launcher and the daemon, told from
 * the ids the daemon kept: counting processes would miss the ones their
 * own parent reaped before the checker could see them. */
static void show_forks(const struct evidence *ev, char *out, size_t cap)
{
    const struct proc_stat *st = &ev->daemon.st;

    if (ev->svc.ran)
        snprintf(out, cap, st->pid == ev->svc.started ? "0: the started process itself"
                 : "the service forked away from the started process");
    else if (st->session == ev->launch_sid && st->pgrp == st->pid)
        snprintf(out, cap, "0: the launcher itself");
    else if (st->session == ev->launch_sid)
        snprintf(out, cap, "1, no setsid");
    else if (st->session == st->pid)
        snprintf(out, cap, "1: fork, setsid");
    else
        snprintf(out, cap, "2: fork, setsid, fork");
}

/* Until the command returned; for a service, until READY=1. */
static void show_launch_ms(const struct evidence *ev, char *out, size_t cap)
{
    if (ev->svc.ran && ev->svc.ready_ms < 0)
        snprintf(out, cap, "no READY=1");
    else
        snprintf(out, cap, "%ld ms%s", ev->svc.ran ? ev->svc.ready_ms : ev->launch.elapsed_ms,
                 ev->svc.ran ? " to READY=1" : "");
}

static void show_stop_ms(const struct evidence *ev, char *out, size_t cap)
{
    if (!ev->stop_ran)
        snprintf(out, cap, "not stopped: nothing ran");
    else if (ev->stopped)
        snprintf(out, cap, "%ld ms", ev->stop_ms);
    else
        snprintf(out, cap, "did not stop");
}

static void show_rss(const struct evidence *ev, char *out, size_t cap)
{
    if (ev->daemon.status.vmrss_kb >= 0)
        snprintf(out, cap, "%ld KiB", ev->daemon.status.vmrss_kb);
    else
        snprintf(out, cap, "unknown");
}

static void show_cwd(const struct evidence *ev, char *out, size_t cap)
{
    snprintf(out, cap, "%s", ev->daemon.cwd);
}

static void show_umask(const struct evidence *ev, char *out, size_t cap)
{
    snprintf(out, cap, "%04o", ev->daemon.status.umask);
}

/* A descriptor's target, without what differs from run to run: the
 * scratch paths, and the inode numbers in "socket:[123]". */
static const char *fd_kind(const struct evidence *ev, const char *target)
{
    size_t dir = strrchr(ev->pidfile_path, '/') ? (size_t)(strrchr(ev->pidfile_path, '/') -
                                                           ev->pidfile_path) : 0;

    if (strcmp(target, ev->pidfile_path) == 0)
        return "the pidfile";
    if (dir && strlen(target) == dir && strncmp(target, ev->pidfile_path, dir) == 0)
        return "the pidfile's directory";
    if (strncmp(target, "socket:", 7) == 0)
        return "socket";
    if (strncmp(target, "pipe:", 5) == 0)
        return "pipe";
    return target;
}

/* Where 0, 1 and 2 point. A terminal's or a pipe's name holds a number
 * that differs from run to run (pts/3, pipe:[1818051]): only its kind is
 * shown, so that a daemon compared with itself shows no difference. */
static void show_stdio(const struct evidence *ev, char *out, size_t cap)
{
    size_t used = 0;

    out[0] = '\0';
    for (int fd = 0; fd <= 2; fd++) {
        const struct fd_seen *f = daemon_fd(&ev->daemon, fd);
        const char *t = !f ? "closed" : f->is_launch_tty ? "launch terminal"
                        : f->is_terminal ? "terminal" : f->sentinel ? "sentinel"
                        : f->is_journal ? "journal pipe" : fd_kind(ev, f->target);
        appendf(out, cap, &used, "%s%d: %s", fd ? ", " : "", fd, t);
    }
}

/* Descriptors above 2 that the daemon (or its runtime) opened itself. */
static void show_own_fds(const struct evidence *ev, char *out, size_t cap)
{
    size_t used = 0;
    int n = 0;

    out[0] = '\0';
    for (int i = 0; i < ev->daemon.nfds; i++) {
        const struct fd_seen *f = &ev->daemon.fds[i];
        if (f->fd <= 2 || f->sentinel)
            continue;
        appendf(out, cap, &used, "%s%s", n++ ? ", " : "", fd_kind(ev, f->target));
    }
    if (n == 0)
        snprintf(out, cap, "none");
}

static void show_inherited(const struct evidence *ev, char *out, size_t cap)
{
    int kept = 0;

    if (ev->svc.ran) {
        snprintf(out, cap, "none handed in (a manager passes none)");
        return;
    }
    for (int i = 0; i < ev->daemon.nfds; i++)
        kept += ev->daemon.fds[i].sentinel;
    snprintf(out, cap, "%d of %d kept", kept, SENTINEL_FDS);
}

static void show_pidfile(const struct evidence *ev, char *out, size_t cap)
{
    const struct pidfile_view *v = &ev->pidfile.view;

    if (!ev->has_pidfile || !v->exists) {
        snprintf(out, cap, "none");
        return;
    }
    /* The pid itself differs between runs: show the form, not the digits. */
    snprintf(out, cap, "%s, mode %04o", ev->pidfile.form == PIDFILE_OK ? "PID\\n"
             : pidfile_form_str(ev->pidfile.form), (unsigned)(v->st.st_mode & 07777));
}

static void show_lock(const struct evidence *ev, char *out, size_t cap)
{
    if (ev->daemon.lock_held)
        snprintf(out, cap, "%s %s", ev->daemon.lock.kind, ev->daemon.lock.type);
    else
        snprintf(out, cap, "none");
}

static const struct facet facets[] = {
    { "session", 0, 1, show_session },
    { "forks", 0, 1, show_forks },
    { "cwd", 0, 1, show_cwd },
    { "umask", 0, 1, show_umask },
    { "stdio", 0, 1, show_stdio },
    { "own fds", 0, 1, show_own_fds },
    { "inherited fds", 0, 1, show_inherited },
    { "pidfile", 0, 0, show_pidfile },
    { "pidfile lock", 0, 1, show_lock },
    { "launch time", 1, 0, show_launch_ms },
    { "stop time", 1, 0, show_stop_ms },
    { "resident memory", 1, 1, show_rss },
};

#define NFACETS (sizeof facets / sizeof *facets)

/* Two statuses differ, unless one side's profile does not judge the check
 * at all (a classic daemon beside its new-style mode): that is the
 * profiles' difference, not the daemons'. */
static int check_differs(const struct report *a, const struct report *b, int i)
{
    unsigned judged_a = checks[i].judged & (1u << a->opt->profile);
    unsigned judged_b = checks[i].judged & (1u << b->opt->profile);

    return judged_a && judged_b && a->results[i].status != b->results[i].status;
}

static void show_facet(size_t f, const struct evidence *ev, char *out)
{
    if (facets[f].of_daemon && !ev->daemon.found)
        snprintf(out, FACET_TEXT, "no daemon");
    else
        facets[f].show(ev, out, FACET_TEXT);
}

static int facet_differs(const struct report *a, const struct report *b, size_t f,
                         char *ta, char *tb)
{
    show_facet(f, a->ev, ta);
    show_facet(f, b->ev, tb);
    return !facets[f].measure && strcmp(ta, tb) != 0;
}

/* The width of column A: its longest text, so that B never runs into it. */
static int column_width(const struct report *a, const struct report *b)
{
    char ta[FACET_TEXT], tb[FACET_TEXT];
    int width = 8;

    for (size_t f = 0; f < NFACETS; f++) {
        facet_differs(a, b, f, ta, tb);
        if ((int)strlen(ta) > width)
            width = (int)strlen(ta);
    }
    return width + 2;
}

static void write_command(FILE *out, const char *label, char *const *command)
{
    fprintf(out, "%s:", label);
    for (char *const *a = command; a && *a; a++)
        fprintf(out, " %s", *a);
    fputc('\n', out);
}

void report_compare_text(FILE *out, const struct report *a, const struct report *b, int colour)
{
    char ta[FACET_TEXT], tb[FACET_TEXT];
    int differences = 0, w = column_width(a, b);
    const char *on = colour ? "\033[1m" : "", *off = colour ? "\033[0m" : "";

    write_command(out, "A", a->command);
    write_command(out, "B", b->command);
    fprintf(out, "\n  %-22s %-*s %s\n", "check", w, "A", "B");
    for (int i = 0; i < CK_COUNT; i++) {
        int d = check_differs(a, b, i);
        differences += d;
        fprintf(out, "%s%c %-22s %-*s %s%s\n", d ? on : "", d ? '*' : ' ', checks[i].id, w,
                status_name(a->results[i].status), status_name(b->results[i].status), d ? off : "");
        if (d)
            fprintf(out, "    A: %s\n    B: %s\n", a->results[i].observed, b->results[i].observed);
    }
    fprintf(out, "\n  %-22s %-*s %s\n", "facet", w, "A", "B");
    for (size_t f = 0; f < NFACETS; f++) {
        int d = facet_differs(a, b, f, ta, tb);
        differences += d;
        fprintf(out, "%s%c %-22s %-*s %s%s\n", d ? on : "", d ? '*' : ' ', facets[f].name, w, ta,
                tb, d ? off : "");
    }
    fputc('\n', out);
    report_daemon_end(out, "A", a->ev);
    report_daemon_end(out, "B", b->ev);
    fprintf(out, "verdict: A %s, B %s; %d difference%s marked *\n", report_verdict(a),
            report_verdict(b), differences, differences == 1 ? "" : "s");
}

/* {"<kind>": name, "a": ..., "b": ...}, left open for more members. */
static void pair_begin(struct json *j, const char *kind, const char *name, const char *a,
                       const char *b)
{
    json_object_begin(j);
    json_key(j, kind);
    json_string(j, name);
    json_key(j, "a");
    json_string(j, a);
    json_key(j, "b");
    json_string(j, b);
}

void report_compare_json(FILE *out, const struct report *a, const struct report *b)
{
    struct json j;
    char ta[FACET_TEXT], tb[FACET_TEXT];

    json_init(&j, out, 2);
    json_object_begin(&j);
    json_key(&j, "a");
    report_json_object(&j, a);
    json_key(&j, "b");
    report_json_object(&j, b);
    json_key(&j, "differences");
    json_array_begin(&j);
    for (int i = 0; i < CK_COUNT; i++) {
        if (!check_differs(a, b, i))
            continue;
        pair_begin(&j, "check", checks[i].id, status_name(a->results[i].status),
                   status_name(b->results[i].status));
        json_object_end(&j);
    }
    for (size_t f = 0; f < NFACETS; f++) {
        if (!facet_differs(a, b, f, ta, tb))
            continue;
        pair_begin(&j, "facet", facets[f].name, ta, tb);
        json_object_end(&j);
    }
    json_array_end(&j);
    /* Every facet, the measures included (differences lists only the
     * marked ones). */
    json_key(&j, "facets");
    json_array_begin(&j);
    for (size_t f = 0; f < NFACETS; f++) {
        int d = facet_differs(a, b, f, ta, tb);
        pair_begin(&j, "facet", facets[f].name, ta, tb);
        json_key(&j, "measure");
        json_bool(&j, facets[f].measure);
        json_key(&j, "differs");
        json_bool(&j, d);
        json_object_end(&j);
    }
    json_array_end(&j);
    json_object_end(&j);
    fputc('\n', out);
}
