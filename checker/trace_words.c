/* trace_words.c — the sentences of the trace (see trace_words.h). */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "text.h"
#include "trace_words.h"

const char *trace_launch_words(enum trace_launch_kind k)
{
    switch (k) {
    case TL_START:   return "first start";
    case TL_SECOND:  return "second start";
    case TL_STOP:    return "stop command";
    case TL_STALE:   return "start over a stale pidfile";
    case TL_SERVICE: return "start as a service";
    }
    return "launch";
}

const char *trace_role_words(enum trace_launch_kind launch, enum trace_role r)
{
    switch (r) {
    case TR_LAUNCHER:
        if (launch == TL_SECOND)
            return "second start";
        return launch == TL_STOP ? "stop command" : "launcher";
    case TR_INTERMEDIATE: return "intermediate";
    case TR_DAEMON:       return launch == TL_SERVICE ? "service" : "daemon";
    case TR_WORKER:       return "worker";
    case TR_STOPPER:      return "stop command";
    case TR_OTHER:        break;
    }
    return "process";
}

const char *trace_kind_name(enum trace_kind k)
{
    static const char *const names[] = {
        [TE_SPAWN] = "fork", [TE_EXEC] = "exec", [TE_SETSID] = "setsid",
        [TE_SETPGID] = "setpgid", [TE_CHDIR] = "chdir", [TE_UMASK] = "umask",
        [TE_OPEN] = "open", [TE_DUP] = "dup", [TE_CLOSE] = "close",
        [TE_PIDFILE_WRITE] = "pidfile-write", [TE_LOCK] = "lock",
        [TE_SIGACTION] = "sigaction", [TE_SIGMASK] = "sigmask", [TE_SIGNAL] = "signal",
        [TE_NOTIFY] = "notify", [TE_EXIT] = "exit", [TE_CHECKER] = "checker",
        [TE_UNSEEN] = "unseen", [TE_NOTE] = "trace-note", [TE_KILL] = "kill",
        [TE_UNLINK] = "unlink",
    };

    if ((unsigned)k < sizeof names / sizeof names[0] && names[k] != NULL)
        return names[k];
    return "other";
}

void trace_status_words(char *buf, size_t cap, int wait_status)
{
    char sig[24];
    size_t used = 0;

    buf[0] = '\0';
    if (WIFEXITED(wait_status)) {
        appendf(buf, cap, &used, "exited with status %d", WEXITSTATUS(wait_status));
    } else if (WIFSIGNALED(wait_status)) {
        signal_name(WTERMSIG(wait_status), sig, sizeof sig);
        appendf(buf, cap, &used, "killed by %s%s", sig,
                WCOREDUMP(wait_status) ? " (core dumped)" : "");
    } else {
        appendf(buf, cap, &used, "ended (wait status %#x)", (unsigned)wait_status);
    }
}

/* "failed: Operation not permitted" for a negative errno value. */
static void failure(char *buf, size_t cap, size_t *used, long long value)
{
    appendf(buf, cap, used, " failed: %s", strerror((int)-value));
}

static void spawn_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    const char *call = e->detail[0] ? e->detail : "fork";

    if (e->value > 0)
        appendf(buf, cap, used, "%s -> %lld", call, e->value);
    else {
        appendf(buf, cap, used, "%s()", call);
        failure(buf, cap, used, e->value);
    }
}

static void session_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    if (e->kind == TE_SETSID && e->value > 0)
        appendf(buf, cap, used, "setsid(): new session %lld, leads it", e->value);
    else if (e->kind == TE_SETSID)
        appendf(buf, cap, used, "setsid()");
    else if (e->value > 0 && e->value == e->pid)
        appendf(buf, cap, used, "setpgid(): new process group %lld, leads it", e->value);
    else if (e->value > 0)
        appendf(buf, cap, used, "setpgid(): joins process group %lld", e->value);
    else
        appendf(buf, cap, used, "setpgid()");
    if (e->value <= 0)
        failure(buf, cap, used, e->value);
}

/* The descriptor and lock kinds: the tracer writes the whole sentence in
 * detail (what each descriptor is: /dev/null, the terminal, a sentinel,
 * the pidfile), printed as it is; without one, the numbers are put in
 * words. */
static void descriptor_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    if (e->detail[0]) {
        appendf(buf, cap, used, "%s", e->detail);
        return;
    }
    switch (e->kind) {
    case TE_OPEN:
        if (e->value >= 0)
            appendf(buf, cap, used, "open() = %lld", e->value);
        else {
            appendf(buf, cap, used, "open()");
            failure(buf, cap, used, e->value);
        }
        break;
    case TE_DUP:
        if (e->arg >= 0)
            appendf(buf, cap, used, "dup2(%lld, %lld)", e->arg, e->value);
        else
            appendf(buf, cap, used, "a descriptor copied onto fd %lld", e->value);
        break;
    case TE_CLOSE:
        if (e->arg > e->value)
            appendf(buf, cap, used, "close_range(%lld, %lld)", e->value, e->arg);
        else
            appendf(buf, cap, used, "close(%lld)", e->value);
        break;
    case TE_LOCK:
        appendf(buf, cap, used, "lock on %s", e->arg ? "the pidfile" : "a file");
        if (e->value >= 0)
            appendf(buf, cap, used, " (fd %lld)", e->value);
        else
            failure(buf, cap, used, e->value);
        break;
    default:
        break;
    }
}

static void pidfile_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    appendf(buf, cap, used, "write to the pidfile%s%s", e->detail[0] ? " " : "", e->detail);
}

static void signal_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    static const char *const dispositions[] = { "default action", "ignored", "a handler" };
    char sig[24];

    signal_name((int)e->value, sig, sizeof sig);
    switch (e->kind) {
    case TE_SIGACTION:
        appendf(buf, cap, used, "sigaction(%s): %s", sig,
                e->arg >= 0 && e->arg <= 2 ? dispositions[e->arg] : "changed");
        break;
    case TE_SIGMASK:
        appendf(buf, cap, used, "signal mask: %s", e->detail[0] ? e->detail : "changed");
        break;
    default:
        appendf(buf, cap, used, "%s received", sig);
        break;
    }
}

/* A signal sent, or the pidfile's name removed: the tracer's sentence
 * when there is one (it knows the call and the result), else the numbers
 * in words. */
static void sent_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    char sig[24] = "0";

    if (e->detail[0]) {
        appendf(buf, cap, used, "%s", e->detail);
        return;
    }
    if (e->value != 0)
        signal_name((int)e->value, sig, sizeof sig);
    appendf(buf, cap, used, "kill(%lld, %s)", e->arg, sig);
}

int trace_sent_outcome(const struct trace_event *e, char *err, size_t cap)
{
    char detail[TRACE_DETAIL];
    const char *at;
    size_t n;

    if (cap > 0)
        err[0] = '\0';
    snprintf(detail, sizeof detail, "%.*s", (int)sizeof e->detail, e->detail);
    /* The sentence has no ": " before its result (trace.h). */
    at = strstr(detail, ": ");
    if (e->kind != TE_KILL || at == NULL)
        return 0;
    at += 2;
    n = strcspn(at, " ");
    if (n == 4 && strncmp(at, "done", 4) == 0)
        return 1;
    if (n == 0 || at[0] != 'E')
        return 0;
    snprintf(err, cap, "%.*s", (int)n, at);
    return -1;
}

static void unlink_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    static const char *const how[] = {
        [TU_REMOVED] = "the pidfile removed", [TU_MOVED_AWAY] = "the pidfile renamed away",
        [TU_REPLACED] = "another file renamed onto the pidfile",
        [TU_ELSEWHERE] = "a file of the pidfile's name removed, in another directory",
    };

    if (e->detail[0]) {
        appendf(buf, cap, used, "%s", e->detail);
        return;
    }
    appendf(buf, cap, used, "%s", e->arg >= TU_REMOVED && e->arg <= TU_ELSEWHERE
                                  ? how[e->arg] : "the pidfile's name changed");
    if (e->value < 0)
        failure(buf, cap, used, e->value);
}

static void checker_words(char *buf, size_t cap, size_t *used, const struct trace_event *e)
{
    char sig[24];

    if (e->detail[0]) {
        appendf(buf, cap, used, "%s", e->detail);
        return;
    }
    signal_name((int)e->value, sig, sizeof sig);
    switch (e->arg) {
    case TC_HANGUP:
        appendf(buf, cap, used, "hangs up the terminal");
        return;
    case TC_STOP_COMMAND:
        appendf(buf, cap, used, "runs the stop command");
        return;
    case TC_SWEEP:
        appendf(buf, cap, used, "kills %d, left over (%s)", (int)e->pid, sig);
        return;
    default:
        break;
    }
    if (e->value > 0 && e->pid > 0)
        appendf(buf, cap, used, "sends %s to %d", sig, (int)e->pid);
    else if (e->value > 0)
        appendf(buf, cap, used, "sends %s", sig);
    else
        appendf(buf, cap, used, "acts");
}

void trace_event_words(char *buf, size_t cap, const struct trace_event *event)
{
    /* A copy whose detail is surely terminated, whatever the tracer left. */
    struct trace_event copy = *event;
    const struct trace_event *e = &copy;
    size_t used = 0;

    copy.detail[sizeof copy.detail - 1] = '\0';
    buf[0] = '\0';
    switch (e->kind) {
    case TE_SPAWN:
        spawn_words(buf, cap, &used, e);
        break;
    case TE_EXEC:
        appendf(buf, cap, &used, "exec \"%s\"", e->detail);
        if (e->value < 0)
            failure(buf, cap, &used, e->value);
        break;
    case TE_SETSID: case TE_SETPGID:
        session_words(buf, cap, &used, e);
        break;
    case TE_CHDIR:
        appendf(buf, cap, &used, "chdir(\"%s\")", e->detail);
        break;
    case TE_UMASK:
        if (e->value)
            appendf(buf, cap, &used, "umask(0%llo)", e->value);
        else
            appendf(buf, cap, &used, "umask(0)");
        break;
    case TE_OPEN: case TE_DUP: case TE_CLOSE: case TE_LOCK:
        descriptor_words(buf, cap, &used, e);
        break;
    case TE_PIDFILE_WRITE:
        pidfile_words(buf, cap, &used, e);
        break;
    case TE_SIGACTION: case TE_SIGMASK: case TE_SIGNAL:
        signal_words(buf, cap, &used, e);
        break;
    case TE_NOTIFY:
        appendf(buf, cap, &used, "sd_notify \"%s\"", e->detail);
        break;
    case TE_EXIT:
        trace_status_words(buf, cap, (int)e->value);
        break;
    case TE_CHECKER:
        checker_words(buf, cap, &used, e);
        break;
    case TE_UNSEEN:
        appendf(buf, cap, &used, "not seen from here on: %s", e->detail[0] ? e->detail : "?");
        break;
    case TE_NOTE:
        appendf(buf, cap, &used, "the trace: %s", e->detail[0] ? e->detail : "?");
        break;
    case TE_KILL:
        sent_words(buf, cap, &used, e);
        break;
    case TE_UNLINK:
        unlink_words(buf, cap, &used, e);
        break;
    }
}
