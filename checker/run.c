/* run.c — the phases of a run, in the contract's order:
 *   1 launch and wait for the launcher (pidfile-exists is judged then),
 *   2 settle, find the daemon and inspect it,
 *   3 start a second instance, 4 hang the terminal up, 5 stop it,
 *   6 start with a stale pidfile and stop again, 7 sweep.
 * Each phase records what it saw in the evidence; judging comes later. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "inspect.h"
#include "launch.h"
#include "run.h"
#include "scratch.h"
#include "tracker.h"

#define PLACEHOLDER "{pidfile}"

struct run {
    const struct options *opt;
    struct evidence *ev;
    struct tracker t;
    struct scratch sc;
    struct hostile h;
    struct hostile stop_h;      /* the same, but in the checker's directory */
    char here[PATH_MAX];
    char **argv;
    char *stop_argv[4];
    struct launch first;
    struct inspect_ref ref;
    struct tracked daemon;      /* the daemon of the first launch */
    int have_daemon;
    char *err;
    size_t errlen;
};

static int failf(struct run *r, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(r->err, r->errlen, fmt, ap);
    va_end(ap);
    return -1;
}

/* A failed wait: the checker was interrupted, or a system call failed. */
static int wait_failed(struct run *r, const char *what)
{
    if (errno == EINTR && r->t.interrupted)
        return failf(r, "interrupted by signal %d (%s)", r->t.interrupted,
                     strsignal(r->t.interrupted));
    return failf(r, "unable to wait for %s: %s", what, strerror(errno));
}

/* The candidate starts in a scratch directory: a relative path given on
 * the checker's command line is made absolute against the checker's own. */
static int absolute_path(const char *name, char *out, size_t cap, char *err, size_t errlen)
{
    char cwd[PATH_MAX], copy[PATH_MAX];

    snprintf(copy, sizeof copy, "%s", name);
    if (copy[0] == '/') {
        snprintf(out, cap, "%s", copy);
        return 0;
    }
    if (!getcwd(cwd, sizeof cwd)) {
        snprintf(err, errlen, "unable to get the current directory: %s", strerror(errno));
        return -1;
    }
    if ((size_t)snprintf(out, cap, "%s/%s", cwd, copy) >= cap) {
        snprintf(err, errlen, "%s: %s", name, strerror(ENAMETOOLONG));
        return -1;
    }
    return 0;
}

/* An argument that names an existing file relative to the checker's
 * directory ("mydaemon.py" in "python3 mydaemon.py start") would name
 * nothing from the scratch directory: such an argument is made absolute. */
static int names_relative_file(const char *arg)
{
    return arg[0] && arg[0] != '/' && arg[0] != '-' && !strstr(arg, PLACEHOLDER) &&
           access(arg, F_OK) == 0;
}

int resolve_command(const char *name, char *out, size_t cap, char *err, size_t errlen)
{
    const char *path = getenv("PATH");
    struct stat st;

    if (strchr(name, '/')) {
        if (stat(name, &st) < 0) {
            snprintf(err, errlen, "%s: %s", name, strerror(errno));
            return -1;
        }
        if (S_ISDIR(st.st_mode) || !S_ISREG(st.st_mode) || access(name, X_OK) < 0) {
            snprintf(err, errlen, "%s: %s", name, S_ISDIR(st.st_mode) ? "is a directory"
                     : "is not an executable file");
            return -1;
        }
        return absolute_path(name, out, cap, err, errlen);
    }
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");
        snprintf(out, cap, "%.*s/%s", (int)(len ? len : 1), len ? path : ".", name);
        if (stat(out, &st) == 0 && S_ISREG(st.st_mode) && access(out, X_OK) == 0)
            return out[0] == '/' ? 0 : absolute_path(out, out, cap, err, errlen);
        path += len + (path[len] == ':');
    }
    snprintf(err, errlen, "%s: command not found in PATH", name);
    return -1;
}

/* Append text to a growing string. */
static int append(char **s, size_t *len, size_t *cap, const char *text, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t want = (*len + n + 1) * 2;
        char *bigger = realloc(*s, want);
        if (!bigger)
            return -1;
        *s = bigger;
        *cap = want;
    }
    memcpy(*s + *len, text, n);
    *len += n;
    (*s)[*len] = '\0';
    return 0;
}

char *substitute_pidfile(const char *s, const char *path, int shell_quote)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    int ok = append(&out, &len, &cap, "", 0) == 0;

    while (ok && *s) {
        const char *at = strstr(s, PLACEHOLDER);
        size_t before = at ? (size_t)(at - s) : strlen(s);

        ok = append(&out, &len, &cap, s, before) == 0;
        if (!at)
            break;
        if (shell_quote) {  /* 'a'\''b': a quote cannot be escaped inside '...' */
            ok = ok && append(&out, &len, &cap, "'", 1) == 0;
            for (const char *c = path; ok && *c; c++)
                ok = *c == '\'' ? append(&out, &len, &cap, "'\\''", 4) == 0
                                : append(&out, &len, &cap, c, 1) == 0;
            ok = ok && append(&out, &len, &cap, "'", 1) == 0;
        } else {
            ok = ok && append(&out, &len, &cap, path, strlen(path)) == 0;
        }
        s = at + strlen(PLACEHOLDER);
    }
    if (!ok) {
        free(out);
        errno = ENOMEM;
        return NULL;
    }
    return out;
}

void run_output_free(struct run_output *out)
{
    if (out->command)
        for (char **a = out->command; *a; a++)
            free(*a);
    free(out->command);
    out->command = NULL;
}

static int uses_placeholder(const struct options *opt)
{
    for (int i = 0; i < opt->command_argc; i++)
        if (strstr(opt->command[i], PLACEHOLDER))
            return 1;
    return opt->stop_command && strstr(opt->stop_command, PLACEHOLDER);
}

/* The command with {pidfile} replaced and argv[0] resolved. */
static int build_commands(struct run *r, struct run_output *out)
{
    const struct options *opt = r->opt;
    const char *pidfile = r->ev->pidfile_path;
    char resolved[PATH_MAX];

    if (resolve_command(opt->command[0], resolved, sizeof resolved, r->err, r->errlen) < 0)
        return -1;
    out->command = calloc((size_t)opt->command_argc + 1, sizeof *out->command);
    if (!out->command)
        return failf(r, "unable to allocate the command: %s", strerror(errno));
    for (int i = 0; i < opt->command_argc; i++) {
        char absolute[PATH_MAX];
        const char *arg = i ? opt->command[i] : resolved;
        if (i && names_relative_file(arg)) {
            if (absolute_path(arg, absolute, sizeof absolute, r->err, r->errlen) < 0)
                return -1;
            arg = absolute;
        }
        out->command[i] = substitute_pidfile(arg, pidfile, 0);
        if (!out->command[i])
            return failf(r, "unable to allocate the command: %s", strerror(errno));
    }
    r->argv = out->command;
    if (opt->stop_command) {
        r->stop_argv[0] = "/bin/sh";
        r->stop_argv[1] = "-c";
        r->stop_argv[2] = substitute_pidfile(opt->stop_command, pidfile, 1);
        if (!r->stop_argv[2])
            return failf(r, "unable to allocate the stop command: %s", strerror(errno));
    }
    return 0;
}

static int setup(struct run *r, struct run_output *out)
{
    const struct options *opt = r->opt;
    struct evidence *ev = r->ev;
    struct stat st;

    memset(ev, 0, sizeof *ev);
    ev->uid = geteuid();
    ev->checker_pid = getpid();
    if (scratch_create(&r->sc) < 0)
        return failf(r, "unable to create a scratch directory in %s: %s",
                     getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp", strerror(errno));
    ev->has_pidfile = opt->pidfile || uses_placeholder(opt);
    snprintf(ev->pidfile_path, sizeof ev->pidfile_path, "%s",
             opt->pidfile ? opt->pidfile : r->sc.pidfile);
    if (build_commands(r, out) < 0)
        return -1;
    /* A umask and sentinels that no correct daemon keeps: SIGRTMIN+n are
     * signals nobody has a reason to block or ignore. */
    r->h.cwd = r->sc.cwd;
    r->h.umask = opt->umask == 077 ? 027 : 077;
    r->h.blocked_sig = SIGRTMIN + 2;
    r->h.ignored_sig = SIGRTMIN + 3;
    /* The stop command is the user's own tool, written for their directory. */
    if (!getcwd(r->here, sizeof r->here))
        return failf(r, "unable to get the current directory: %s", strerror(errno));
    r->stop_h = r->h;
    r->stop_h.cwd = r->here;
    ev->hostile_umask = r->h.umask;
    ev->blocked_sig = r->h.blocked_sig;
    ev->ignored_sig = r->h.ignored_sig;
    if (stat(opt->cwd, &st) == 0) {
        r->ref.expected_cwd = (struct object_id){ st.st_dev, st.st_ino };
        r->ref.expected_cwd_ok = 1;
    }
    r->ref.launch = &r->first;
    r->ref.pidfile = ev->has_pidfile ? ev->pidfile_path : NULL;
    if (tracker_init(&r->t) < 0)
        return failf(r, "unable to become a child subreaper: %s", strerror(errno));
    return 0;
}

static long deadline_in(unsigned ms)
{
    return now_ms() + (long)ms;
}

/* Start argv in a fresh hostile environment and wait for it to return.
 * 0 (the result says how it ended), or -1 (message set). */
static int launch_and_wait(struct run *r, struct launch *l, char *const argv[],
                           struct launch_result *res)
{
    int exec_errno;

    if (launch_start(l, &r->t, argv, &r->h, res) < 0)
        return failf(r, "unable to launch %s: %s", argv[0], strerror(errno));
    if (launch_wait(l, &r->t, deadline_in(r->opt->timeout_ms), &exec_errno) < 0)
        return wait_failed(r, argv[0]);
    if (exec_errno)
        return failf(r, "unable to execute %s: %s", argv[0], strerror(exec_errno));
    return 0;
}

static int scan(struct run *r, struct procset *now)
{
    if (tracker_scan(&r->t, now) < 0)
        return failf(r, "unable to list processes in /proc: %s", strerror(errno));
    return 0;
}

static int settle(struct run *r)
{
    if (r->opt->settle_ms && tracker_wait_fd(&r->t, -1, deadline_in(r->opt->settle_ms)) < 0)
        return wait_failed(r, "the settle time");
    return 0;
}

/* Phase 1: the launch. pidfile-exists is decided the moment the launcher
 * has been reaped, before anything else can happen. */
static int phase_launch(struct run *r)
{
    struct evidence *ev = r->ev;
    struct stat st;

    if (launch_and_wait(r, &r->first, r->argv, &ev->launch) < 0)
        return -1;
    ev->pidfile_at_exit = ev->has_pidfile && lstat(ev->pidfile_path, &st) == 0;
    ev->launch_sid = r->first.holder;
    return 0;
}

/* Phase 2: after the settle time, find the daemon and read its state. */
static int phase_inspect(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset now = { 0 };
    const struct tracked *d;

    if (settle(r) < 0 || scan(r, &now) < 0)
        return -1;
    if (ev->has_pidfile)
        inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->pidfile);
    d = find_daemon(&now, ev->has_pidfile ? &ev->pidfile : NULL, NULL);
    if (d && inspect_daemon(d, &now, &r->ref, &ev->daemon) == 0) {
        r->daemon = *d;
        r->have_daemon = 1;
        ev->alive_after_checks = proc_alive(d->pid, d->starttime);
    }

    procset_free(&now);
    return 0;
}

static int daemon_alive(const struct run *r)
{
    return r->have_daemon && proc_alive(r->daemon.pid, r->daemon.starttime);
}

/* Did the pidfile keep its inode and bytes since `before`. */
static void compare_pidfile(const struct pidfile_view *before, const char *path,
                            struct evidence *ev)
{
    struct pidfile_view after;

    pidfile_inspect(path, &after);
    if (!before->exists) {
        ev->pidfile_kept = !after.exists;
        snprintf(ev->pidfile_change, sizeof ev->pidfile_change, "a pidfile appeared");
        return;
    }
    ev->pidfile_kept = after.exists && after.st.st_ino == before->st.st_ino &&
                       after.len == before->len &&
                       memcmp(after.bytes, before->bytes, after.len) == 0;
    if (!after.exists)
        snprintf(ev->pidfile_change, sizeof ev->pidfile_change, "the pidfile was removed");
    else if (after.st.st_ino != before->st.st_ino)
        snprintf(ev->pidfile_change, sizeof ev->pidfile_change, "the pidfile was replaced "
                 "(inode %llu, was %llu)", (unsigned long long)after.st.st_ino,
                 (unsigned long long)before->st.st_ino);
    else if (!ev->pidfile_kept)
        snprintf(ev->pidfile_change, sizeof ev->pidfile_change, "the pidfile was rewritten");
}

/* Phase 3: a second start while the first daemon runs. */
static int phase_second_start(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset before = { 0 }, after = { 0 };
    struct pidfile_view pf_before;
    struct launch second;
    int rc = -1;

    if (!daemon_alive(r)) {
        snprintf(ev->single_skip, sizeof ev->single_skip, "no daemon was running to start "
                 "a second one against");
        return 0;
    }
    pidfile_inspect(ev->pidfile_path, &pf_before);
    if (scan(r, &before) < 0)
        return -1;
    ev->single_ran = 1;
    if (launch_and_wait(r, &second, r->argv, &ev->second) < 0)
        goto out;
    if (settle(r) < 0 || scan(r, &after) < 0)
        goto out;
    for (size_t i = 0; i < after.n; i++) {
        const struct tracked *p = &after.v[i];
        if (!tracked_alive(p) || procset_has(&before, p) ||
            procset_descends(&after, p->pid, r->daemon.pid))
            continue;
        pid_list_add(&ev->second_new, p->pid, p->comm);
    }
    ev->first_survived = daemon_alive(r);
    if (ev->has_pidfile)
        compare_pidfile(&pf_before, ev->pidfile_path, ev);
    else
        ev->pidfile_kept = 1;
    rc = 0;
out:
    launch_release(&second, &r->t);
    procset_free(&before);
    procset_free(&after);
    return rc;
}

/* Phase 4: hang up the launch terminal, as a logout does. */
static int phase_hangup(struct run *r)
{
    struct evidence *ev = r->ev;
    int ended;

    if (!daemon_alive(r))
        return 0;
    ev->hangup_ran = 1;
    launch_hangup(&r->first, &r->t);
    ended = tracker_wait_exit(&r->t, &r->daemon, deadline_in(r->opt->settle_ms));
    if (ended < 0)
        return wait_failed(r, "the daemon after the hangup");
    ev->survived_hangup = !ended;
    return 0;
}

/* Ask daemon d to stop (the stop command, or SIGTERM) and wait for it.
 * *stopped and *ms say how it went. */
static int stop_daemon(struct run *r, const struct tracked *d, struct launch_result *cmd,
                       int *stopped, long *ms)
{
    long start = now_ms(), until = deadline_in(r->opt->timeout_ms);
    struct launch stopper;
    int ended, exec_errno, rc = 0;

    if (r->opt->stop_command) {
        if (launch_start(&stopper, &r->t, r->stop_argv, &r->stop_h, cmd) < 0)
            return failf(r, "unable to launch the stop command: %s", strerror(errno));
    } else if (tracker_signal(&r->t, d, SIGTERM) < 0 && errno != ESRCH) {
        return failf(r, "unable to send SIGTERM to %d: %s", (int)d->pid, strerror(errno));
    }
    ended = tracker_wait_exit(&r->t, d, until);
    *ms = now_ms() - start;
    *stopped = ended == 1;
    if (ended < 0)
        rc = wait_failed(r, "the daemon to stop");
    else if (r->opt->stop_command && launch_wait(&stopper, &r->t, until, &exec_errno) < 0)
        rc = wait_failed(r, "the stop command");
    if (r->opt->stop_command)
        launch_release(&stopper, &r->t);
    return rc;
}

/* What the pidfile holds after the stop, NUL-terminated, or 0 if gone. */
static int pidfile_left(const char *path, char *bytes, size_t cap)
{
    struct pidfile_view v;

    pidfile_inspect(path, &v);
    snprintf(bytes, cap, "%.*s", (int)v.len, v.bytes);
    return v.exists;
}

/* Phase 5: stop the daemon; count what it left. */
static int phase_stop(struct run *r)
{
    struct evidence *ev = r->ev;

    if (daemon_alive(r)) {
        ev->stop_ran = 1;
        ev->stop_by_command = r->opt->stop_command != NULL;
        if (stop_daemon(r, &r->daemon, &ev->stop_cmd, &ev->stopped, &ev->stop_ms) < 0)
            return -1;
        if (ev->has_pidfile)
            ev->pidfile_after_stop = pidfile_left(ev->pidfile_path, ev->pidfile_after_stop_bytes,
                                                  sizeof ev->pidfile_after_stop_bytes);
    }
    if (tracker_sweep(&r->t, r->opt->timeout_ms, &ev->leftovers,
                      r->have_daemon && ev->stop_ran && !ev->stopped ? &r->daemon : NULL) < 0)
        return failf(r, "unable to sweep the candidate's processes: %s", strerror(errno));
    return 0;
}

/* A pid that is certainly dead: a child of ours that has exited. */
static pid_t dead_pid(void)
{
    pid_t pid = fork();

    if (pid == 0)
        _exit(0);
    if (pid > 0)
        while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
            ;
    return pid;
}

/* Replace the pidfile with one naming pid. unlink removes a symlink
 * itself, and O_EXCL|O_NOFOLLOW refuses whatever appears meanwhile. */
static int write_stale_pidfile(const char *path, pid_t pid)
{
    char text[32];
    int fd, len = snprintf(text, sizeof text, "%d\n", (int)pid);

    if (unlink(path) < 0 && errno != ENOENT)
        return -1;
    fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644);
    if (fd < 0)
        return -1;
    if (fchmod(fd, 0644) < 0 || write(fd, text, (size_t)len) != len) {
        int saved = errno;
        close(fd);
        errno = saved;
        return -1;
    }
    return close(fd);
}

/* Phase 6: a start with a stale pidfile must take it over. */
static int phase_stale(struct run *r)
{
    struct evidence *ev = r->ev;
    struct procset now = { 0 };
    struct launch third;
    struct launch_result stop_cmd;
    const struct tracked *d;
    int stopped, rc = -1;
    long ms;

    if (!ev->has_pidfile) {
        snprintf(ev->stale_skip, sizeof ev->stale_skip, "no pidfile given (use --pidfile PATH "
                 "or {pidfile})");
        return 0;
    }
    if (!ev->launch.exited || !r->have_daemon) {
        snprintf(ev->stale_skip, sizeof ev->stale_skip, "the first start did not leave a "
                 "daemon, so a restart proves nothing");
        return 0;
    }
    ev->stale_pid = dead_pid();
    if (ev->stale_pid < 0 || write_stale_pidfile(ev->pidfile_path, ev->stale_pid) < 0)
        return failf(r, "unable to write a stale pidfile at %s: %s", ev->pidfile_path,
                     strerror(errno));
    ev->stale_ran = 1;
    if (launch_and_wait(r, &third, r->argv, &ev->third) < 0)
        goto out;
    if (settle(r) < 0 || scan(r, &now) < 0)
        goto out;
    inspect_pidfile(ev->pidfile_path, &now, ev->checker_pid, &ev->stale_after);
    d = find_daemon(&now, &ev->stale_after, NULL);
    if (d) {
        struct tracked copy = *d;
        if (stop_daemon(r, &copy, &stop_cmd, &stopped, &ms) < 0)
            goto out;
        if (tracker_sweep(&r->t, r->opt->timeout_ms, &ev->leftovers, stopped ? NULL : &copy) < 0)
            goto out;
    }
    rc = 0;
out:
    launch_release(&third, &r->t);
    procset_free(&now);
    return rc;
}

static void cleanup(struct run *r)
{
    /* Whatever happened, nothing of the candidate survives the checker
     * (a tracker that never became ready has nothing to sweep). */
    if (r->t.ready)
        tracker_sweep(&r->t, r->t.interrupted ? 0 : r->opt->timeout_ms, NULL, NULL);
    launch_release(&r->first, &r->t);
    tracker_fini(&r->t);
    scratch_remove(&r->sc);
    free(r->stop_argv[2]);
}

int run_candidate(const struct options *opt, struct evidence *ev, struct run_output *out,
                  char *err, size_t errlen)
{
    struct run r;
    long start = now_ms();
    int rc;

    memset(&r, 0, sizeof r);
    memset(out, 0, sizeof *out);
    r.opt = opt;
    r.ev = ev;
    r.err = err;
    r.errlen = errlen;
    r.t.sigfd = -1;
    r.first.master = r.first.status_fd = r.first.control_fd = r.first.holder_pidfd = -1;
    rc = setup(&r, out);
    if (rc == 0)
        rc = phase_launch(&r);
    if (rc == 0)
        rc = phase_inspect(&r);
    if (rc == 0)
        rc = phase_second_start(&r);
    if (rc == 0)
        rc = phase_hangup(&r);
    if (rc == 0)
        rc = phase_stop(&r);
    if (rc == 0)
        rc = phase_stale(&r);
    out->interrupted = r.t.interrupted;
    cleanup(&r);
    ev->elapsed_ms = now_ms() - start;
    return rc;
}
