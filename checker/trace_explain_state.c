/* trace_explain_state.c — where the daemon's state went wrong, in the
 * trace: its session, directory, umask, descriptors, signals and
 * children. What the daemon is comes from the evidence; the step that
 * made it so is the last one, in the daemon or in an ancestor before the
 * fork that led to it, that touched it (see trace_explain_parts.h). When
 * no step touched it, the daemon kept what the launch handed in: the mark
 * goes on the daemon, which should have taken the step. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "judges.h"
#include "text.h"
#include "trace_explain_parts.h"

static int positive(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value > 0;
}

static int pid_is_value(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value == e->pid;
}

static int opens_terminal(const struct trace_event *e, const void *arg)
{
    (void)arg;
    return e->value >= 0 && strstr(e->detail, "terminal") && !strstr(e->detail, "O_NOCTTY");
}

/* A session of its own, and a controlling terminal all the same: its
 * leader opened a terminal without O_NOCTTY, and the terminal became its
 * controlling one. */
static void terminal_acquired(struct explain *x, int check, long setsid)
{
    struct tq_match open = { x->first, x->t->ev[setsid].pid, TE_OPEN, opens_terminal, NULL };
    long opened = tq_next(x->t, setsid, &open);

    ex_mark_event(x, opened, check, "pid %d, which leads its session since setsid() at +%.1f "
                  "ms, opens a terminal here without O_NOCTTY: it becomes its controlling "
                  "terminal", (int)x->t->ev[setsid].pid, tq_ms(x->t, setsid));
}

/* no-ctty and new-session: one cause, told for each. */
void ex_session(struct explain *x, int check)
{
    int ctty = check == CK_NO_CTTY;
    long setsid = ex_line_last(x, TE_SETSID, NULL, NULL), setpgid;

    if (x->line.n == 0)
        return;
    if (setsid >= 0 && x->t->ev[setsid].value < 0) {
        ex_mark_event(x, setsid, check, "setsid() failed here (%s), so pid %d stayed in the "
                      "launch terminal's session", strerror((int)-x->t->ev[setsid].value),
                      (int)x->daemon);
        return;
    }
    if (setsid >= 0) {
        if (ctty)
            terminal_acquired(x, check, setsid);
        return;
    }
    setpgid = ex_line_last(x, TE_SETPGID, positive, NULL);
    if (setpgid >= 0) {
        ex_mark_event(x, setpgid, check, "setpgid() here makes a new process group, not a new "
                      "session: %s; only setsid() leaves it",
                      ctty ? "the launch terminal stays the daemon's controlling terminal"
                           : "the daemon stays in the launch terminal's session");
        return;
    }
    ex_mark_proc(x, x->first, x->daemon, check, "neither pid %d nor the processes it descends "
                 "from called setsid(): %s", (int)x->daemon,
                 ctty ? "the launch terminal is still its controlling terminal"
                      : "it is still in the launcher's session");
}

void ex_not_session_leader(struct explain *x, int check)
{
    struct tq_match own = { x->first, x->daemon, TE_SETSID, pid_is_value, NULL };
    long setsid = x->daemon > 0 ? tq_prev(x->t, (long)x->t->nev, &own) : -1;

    ex_mark_event(x, setsid, check, "pid %d made its own session here and never forked again: "
                  "it leads that session, so opening a terminal would make it its controlling "
                  "terminal", (int)x->daemon);
}

void ex_cwd(struct explain *x, int check)
{
    long chdir = ex_line_last(x, TE_CHDIR, NULL, NULL);

    if (x->line.n == 0 || x->ev->daemon.cwd_errno)
        return;
    if (chdir < 0) {
        ex_mark_proc(x, x->first, x->daemon, check, "neither pid %d nor the processes it "
                     "descends from called chdir(): it still runs in %s, where it was started",
                     (int)x->daemon, x->ev->daemon.cwd);
        return;
    }
    if (x->t->ev[chdir].value < 0)
        ex_mark_event(x, chdir, check, "this chdir() failed, and the daemon stayed in %s",
                      x->ev->daemon.cwd);
    else
        ex_mark_event(x, chdir, check, "the daemon's last chdir(), here, left it in %s; the "
                      "checker expected %s", x->ev->daemon.cwd, x->results[check].expected);
}

void ex_umask(struct explain *x, int check)
{
    unsigned now = x->ev->daemon.status.umask;
    long set = ex_line_last(x, TE_UMASK, NULL, NULL);

    if (x->line.n == 0 || !x->ev->daemon.status.have_umask)
        return;
    if (set >= 0 && (unsigned)(x->t->ev[set].value & 0777) == now)
        ex_mark_event(x, set, check, "umask(%s%o) here set the daemon's umask; the checker "
                      "expected %s", now ? "0" : "", now, x->results[check].expected);
    else if (set < 0 && now == x->ev->hostile_umask)
        ex_mark_proc(x, x->first, x->daemon, check, "neither pid %d nor the processes it "
                     "descends from called umask(): it kept %04o, the umask it was started "
                     "with", (int)x->daemon, now);
}

/* "0", "0 and 2", "0, 1 and 2" from a set of fds 0-2 (bit n: fd n). */
static void fd_words(unsigned set, char *buf, size_t cap)
{
    size_t used = 0;
    int n = 0, total = __builtin_popcount(set);

    buf[0] = '\0';
    for (int fd = 0; fd <= 2; fd++)
        if (set & (1u << fd)) {
            n++;
            appendf(buf, cap, &used, "%s%d", n == 1 ? "" : n == total ? " and " : ", ", fd);
        }
}

static int closes_fd(const struct trace_event *e, const void *arg)
{
    int fd = *(const int *)arg;

    return e->value <= fd && (e->arg > e->value ? e->arg : e->value) >= fd;
}

/* The step that put a bad file on a standard descriptor: an open or a
 * dup onto it (after a close of it, when there was one: why it landed
 * there), or its close, after which an open the trace did not follow
 * took its number. */
static void mark_stdio_step(struct explain *x, int check, int fd, long step, const char *fault,
                            const char *target)
{
    const struct trace_event *e = &x->t->ev[step];
    struct tq_match close = { e->launch, e->pid, TE_CLOSE, closes_fd, &fd };
    long closed = e->kind == TE_OPEN ? tq_prev(x->t, step, &close) : -1;

    if (e->kind == TE_CLOSE)
        ex_mark_event(x, step, check, "fd %d is closed here, and a later open() took its "
                      "number: fd %d is now %s (%s)", fd, fd, target, fault);
    else if (closed >= 0)
        ex_mark_event(x, step, check, "fd %d becomes %s here: open() takes the lowest free "
                      "number, and fd %d was closed at +%.1f ms; put /dev/null on 0, 1 and 2 "
                      "first", fd, fault, fd, tq_ms(x->t, closed));
    else
        ex_mark_event(x, step, check, "fd %d becomes %s here: a standard descriptor must be "
                      "/dev/null, or a log the daemon only writes to", fd, fault);
}

/* The standard descriptors that no step touched, with one fault: one
 * mark on the daemon, which kept them as the launch handed them in. */
static void mark_stdio_kept(struct explain *x, int check, unsigned set, const char *fault)
{
    int many = (set & (set - 1)) != 0;
    char fds[32];

    fd_words(set, fds, sizeof fds);
    ex_mark_proc(x, x->first, x->daemon, check, "fd%s %s %s still %s, as the launch handed "
                 "%s in: nothing put /dev/null on %s", many ? "s" : "", fds,
                 many ? "are" : "is", fault, many ? "them" : "it", many ? "them" : "it");
}

void ex_stdio(struct explain *x, int check)
{
    const char *fault[3] = { NULL, NULL, NULL };

    if (x->line.n == 0)
        return;
    for (int fd = 0; fd <= 2; fd++) {
        const struct fd_seen *f = daemon_fd(&x->ev->daemon, fd);
        long step;

        fault[fd] = f ? stdio_fault(f) : NULL;
        step = fault[fd] ? ex_line_last_on_fd(x, fd) : -1;
        if (step >= 0) {
            mark_stdio_step(x, check, fd, step, fault[fd], f->target);
            fault[fd] = NULL;
        }
    }
    for (int fd = 0; fd <= 2; fd++) {
        unsigned set = 0;

        if (fault[fd] == NULL)
            continue;
        for (int other = fd; other <= 2; other++)
            if (fault[other] && strcmp(fault[other], fault[fd]) == 0) {
                set |= 1u << other;
                if (other > fd)
                    fault[other] = NULL;
            }
        mark_stdio_kept(x, check, set, fault[fd]);
    }
}

/* Every standard descriptor that stays closed, told on the first close:
 * one mistake (closing instead of redirecting), one mark. */
void ex_stdio_open(struct explain *x, int check)
{
    long step[3], first = -1;
    unsigned here = 0, later = 0;
    char fds[32], others[96] = "";
    size_t used = 0;

    if (x->line.n == 0)
        return;
    for (int fd = 0; fd <= 2; fd++) {
        step[fd] = daemon_fd(&x->ev->daemon, fd) ? -1 : ex_line_last_on_fd(x, fd);
        if (step[fd] >= 0 && x->t->ev[step[fd]].kind != TE_CLOSE)
            step[fd] = -1;
        if (step[fd] >= 0 && (first < 0 || step[fd] < first))
            first = step[fd];
    }
    for (int fd = 0; fd <= 2; fd++) {
        if (step[fd] == first && first >= 0)
            here |= 1u << fd;
        else if (step[fd] >= 0)
            later |= 1u << fd;
    }
    for (int fd = 0, n = 0; fd <= 2; fd++)
        if (later & (1u << fd))
            appendf(others, sizeof others, &used, "%s fd %d (+%.1f ms)",
                    n++ == 0 ? ", then" : (later >> (fd + 1)) ? "," : " and", fd,
                    tq_ms(x->t, step[fd]));
    fd_words(here, fds, sizeof fds);
    ex_mark_event(x, first, check, "fd%s %s %s closed here%s, and %s closed: the next open() "
                  "takes the lowest free number; put /dev/null on 0, 1 and 2 instead of closing "
                  "them", here & (here - 1) ? "s" : "", fds, here & (here - 1) ? "are" : "is",
                  others, (here & (here - 1)) || later ? "they stay" : "it stays");
}

void ex_no_inherited_fds(struct explain *x, int check)
{
    char fds[64] = "";
    size_t used = 0;
    int kept = 0, total = 0;

    if (x->line.n == 0 || x->ev->daemon.fds_errno)
        return;
    for (int i = 0; i < x->ev->daemon.nfds; i++)
        total += x->ev->daemon.fds[i].sentinel;
    for (int i = 0; i < x->ev->daemon.nfds; i++) {
        const struct fd_seen *f = &x->ev->daemon.fds[i];

        if (!f->sentinel)
            continue;
        kept++;
        appendf(fds, sizeof fds, &used, "%s%d", kept == 1 ? "" : kept == total ? " and " : ", ",
                f->fd);
    }
    if (kept > 0)
        ex_mark_proc(x, x->first, x->daemon, check, "fd%s %s, inherited from the launch, %s "
                     "still open: neither pid %d nor the processes it descends from closed %s",
                     kept > 1 ? "s" : "", fds, kept > 1 ? "are" : "is", (int)x->daemon,
                     kept > 1 ? "them" : "it");
}

static int is_signal(const struct trace_event *e, const void *arg)
{
    return e->value == *(const int *)arg;
}

/* Did this step leave its signal blocked (TE_SIGMASK), or ignored
 * (TE_SIGACTION: arg 1, or the tracer's words)? */
static int left_so(const struct trace_event *e)
{
    if (e->kind == TE_SIGMASK)
        return strstr(e->detail, "unblock") == NULL;
    return e->arg == 1 || strstr(e->detail, "ignored") != NULL;
}

/* One sentinel signal still as the launch set it. The last step of the
 * daemon's line that changed it set it so again: marked, 1. No step
 * changed it: 0, the caller names it. A last step that says otherwise
 * than the evidence: -1, nothing is marked. */
static int mark_signal_step(struct explain *x, int check, enum trace_kind kind, int sig,
                            const char *state)
{
    long step = ex_line_last(x, kind, is_signal, &sig);
    char name[24];

    if (step < 0)
        return 0;
    if (!left_so(&x->t->ev[step]))
        return -1;
    signal_name(sig, name, sizeof name);
    ex_mark_event(x, step, check, "%s is %s here, and stays so", name, state);
    return 1;
}

void ex_signals_reset(struct explain *x, int check)
{
    const struct evidence *ev = x->ev;
    int blocked = ex_sig_in(ev->daemon.status.sigblk, ev->blocked_sig);
    int ignored = ex_sig_in(ev->daemon.status.sigign, ev->ignored_sig);
    char name[24], what[96] = "";
    size_t used = 0;

    if (x->line.n == 0)
        return;
    if (blocked && mark_signal_step(x, check, TE_SIGMASK, ev->blocked_sig, "blocked") != 0)
        blocked = 0;
    if (ignored && mark_signal_step(x, check, TE_SIGACTION, ev->ignored_sig,
                                    "set to be ignored") != 0)
        ignored = 0;
    if (blocked) {
        signal_name(ev->blocked_sig, name, sizeof name);
        appendf(what, sizeof what, &used, "%s is still blocked", name);
    }
    if (ignored) {
        signal_name(ev->ignored_sig, name, sizeof name);
        appendf(what, sizeof what, &used, "%s%s %s ignored", blocked ? " and " : "", name,
                blocked ? "still" : "is still");
    }
    if (blocked || ignored)
        ex_mark_proc(x, x->first, x->daemon, check, "%s, as inherited from the launch: neither "
                     "pid %d nor the processes it descends from reset %s", what, (int)x->daemon,
                     blocked && ignored ? "them" : "it");
}

/* " though SIGCHLD told it at +7.6 ms": the daemon's SIGCHLD after a
 * child's exit, when the trace saw one. */
static void sigchld_words(const struct explain *x, long exit, char *buf, size_t cap)
{
    int sigchld = SIGCHLD;
    struct tq_match told = { x->first, x->daemon, TE_SIGNAL, is_signal, &sigchld };
    long signal = tq_next(x->t, exit, &told);

    buf[0] = '\0';
    if (signal >= 0)
        snprintf(buf, cap, ", though SIGCHLD told it at +%.1f ms", tq_ms(x->t, signal));
}

void ex_no_zombies(struct explain *x, int check)
{
    const struct pid_list *z = &x->ev->daemon.zombies;
    char more[48] = "", told[64];

    if (z->count > 1)
        snprintf(more, sizeof more, " (%d zombies in all)", z->count);
    for (int i = 0; i < z->count && i < EV_MAX_PIDS && i < 3; i++) {
        const struct trace_proc *p = trace_find_proc(x->t, z->pid[i]);
        long end = p ? tq_exit(x->t, p->launch, p->pid) : -1;

        if (end >= 0) {
            sigchld_words(x, end, told, sizeof told);
            ex_mark_event(x, end, check, "pid %d exited here and the daemon, pid %d, never reaped "
                          "it%s: it stays a zombie until waitpid()%s", (int)z->pid[i],
                          (int)x->daemon, told, i == 0 ? more : "");
        } else if (p) {
            ex_mark_proc(x, p->launch, p->pid, check, "the daemon, pid %d, never reaped this "
                         "child: it is a zombie%s", (int)x->daemon, i == 0 ? more : "");
        }
    }
}
