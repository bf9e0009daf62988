/* report_json.c — the JSON report of the contract: one object with the
 * verdict, the command, what was seen of the daemon, and every check once,
 * in table order. */
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "json.h"
#include "notify.h"
#include "trace_render.h"
#include "report.h"
#include "text.h"

const char *report_verdict(const struct report *rep)
{
    return checks_exit_status(rep->results) ? "fail" : "pass";
}

static void json_int_or_null(struct json *j, int have, long long v)
{
    if (have)
        json_int(j, v);
    else
        json_null(j);
}

static void write_fds(struct json *j, const struct daemon_seen *d)
{
    char key[16];

    json_object_begin(j);
    for (int i = 0; i < d->nfds; i++) {
        snprintf(key, sizeof key, "%d", d->fds[i].fd);
        json_key(j, key);
        json_string(j, d->fds[i].target);
    }
    json_object_end(j);
}

/* "exit": {"status": N} or {"signal": "SIGPIPE"}, and the process it was. */
static void write_exit(struct json *j, const struct process_end *e)
{
    char name[32];

    json_key(j, "exit");
    json_object_begin(j);
    if (WIFSIGNALED(e->status)) {
        signal_name(WTERMSIG(e->status), name, sizeof name);
        json_key(j, "signal");
        json_string(j, name);
    } else {
        json_key(j, "status");
        json_int(j, WEXITSTATUS(e->status));
    }
    json_key(j, "pid");
    json_int(j, e->pid);
    json_object_end(j);
}

static void write_daemon(struct json *j, const struct evidence *ev)
{
    const struct daemon_seen *d = &ev->daemon;
    char umask[8];

    json_object_begin(j);
    json_key(j, "pid");
    json_int_or_null(j, d->found, d->st.pid);
    json_key(j, "sid");
    json_int_or_null(j, d->found, d->st.session);
    json_key(j, "pgid");
    json_int_or_null(j, d->found, d->st.pgrp);
    json_key(j, "ppid");
    json_int_or_null(j, d->found, d->st.ppid);
    json_key(j, "tty_nr");
    json_int_or_null(j, d->found, d->st.tty_nr);
    json_key(j, "cwd");
    json_string(j, d->found && !d->cwd_errno ? d->cwd : NULL);
    json_key(j, "umask");
    snprintf(umask, sizeof umask, "%04o", d->status.umask);
    json_string(j, d->found && d->status.have_umask ? umask : NULL);
    json_key(j, "fds");
    if (d->found)
        write_fds(j, d);
    else
        json_null(j);
    json_key(j, "pidfile");
    json_string(j, ev->has_pidfile ? ev->pidfile_path : NULL);
    if (ev->daemon_end.seen)
        write_exit(j, &ev->daemon_end);
    json_object_end(j);
}

static void write_check(struct json *j, const struct check *c, const struct result *r)
{
    json_object_begin(j);
    json_key(j, "id");
    json_string(j, c->id);
    json_key(j, "status");
    json_string(j, status_name(r->status));
    json_key(j, "expected");
    json_string(j, r->expected);
    json_key(j, "observed");
    json_string(j, r->observed);
    json_key(j, "message");
    json_string(j, r->message);
    json_key(j, "step");
    json_int(j, c->step);
    json_key(j, "seed_step");
    json_string(j, c->seed_step);
    json_object_end(j);
}

/* With --step N, "judged_elsewhere": the checks of steps up to N that this
 * profile leaves to another, and which ({"id", "step", "profile"}). */
static void write_judged_elsewhere(struct json *j, const struct report *rep)
{
    json_key(j, "judged_elsewhere");
    json_array_begin(j);
    for (int i = 0; i < CK_COUNT; i++) {
        int q = check_judged_elsewhere(&checks[i], rep->opt->profile);

        if (checks[i].step > rep->opt->step || q < 0)
            continue;
        json_object_begin(j);
        json_key(j, "id");
        json_string(j, checks[i].id);
        json_key(j, "step");
        json_int(j, checks[i].step);
        json_key(j, "profile");
        json_string(j, profile_name((enum profile)q));
        json_object_end(j);
    }
    json_array_end(j);
}

/* "notify": every datagram kept, as it came ({"ms", "pid", "message"}). */
static void write_notify(struct json *j, const struct notify_record *rec)
{
    json_key(j, "notify");
    json_array_begin(j);
    for (size_t i = 0; i < rec->nmsgs; i++) {
        const struct notify_msg *m = &rec->msgs[i];

        json_object_begin(j);
        json_key(j, "ms");
        json_int(j, m->from.ms);
        json_key(j, "pid");
        json_int(j, m->from.pid);
        json_key(j, "message");
        json_string_n(j, m->raw, m->raw_len);
        json_object_end(j);
    }
    json_array_end(j);
    if (rec->total > rec->nmsgs) {
        json_key(j, "notify_not_kept");
        json_int(j, (long long)(rec->total - rec->nmsgs));
    }
}

/* "journal": the last lines of the service's stdout and stderr. */
static void write_journal(struct json *j, const struct service_seen *s)
{
    const char *p = s->journal, *end = s->journal + s->journal_len;

    /* What the buffer cut at its start is not a whole line. */
    if (s->journal_total > s->journal_len && (p = memchr(p, '\n', s->journal_len)) != NULL)
        p++;
    json_key(j, "journal");
    json_array_begin(j);
    while (p && p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));
        size_t n = eol ? (size_t)(eol - p) : (size_t)(end - p);

        json_string_n(j, p, n);
        p += n + 1;
    }
    json_array_end(j);
}

void report_json_object(struct json *j, const struct report *rep)
{
    json_object_begin(j);
    json_key(j, "verdict");
    json_string(j, report_verdict(rep));
    json_key(j, "profile");
    json_string(j, profile_name(rep->opt->profile));
    json_key(j, "command");
    json_array_begin(j);
    for (char *const *a = rep->command; a && *a; a++)
        json_string(j, *a);
    json_array_end(j);
    json_key(j, "daemon");
    write_daemon(j, rep->ev);
    json_key(j, "checks");
    json_array_begin(j);
    for (int i = 0; i < CK_COUNT; i++)
        write_check(j, &checks[i], &rep->results[i]);
    json_array_end(j);
    json_key(j, "elapsed_ms");
    json_int(j, rep->ev->elapsed_ms);
    if (rep->opt->step) {
        json_key(j, "step");
        json_int(j, rep->opt->step);
        write_judged_elsewhere(j, rep);
    }
    if (rep->ev->notify)
        write_notify(j, rep->ev->notify);
    if (rep->ev->svc.ran)
        write_journal(j, &rep->ev->svc);
    if (rep->trace) {
        json_key(j, "trace");
        trace_json(j, rep->trace);
    }
    json_object_end(j);
}

void report_json(FILE *out, const struct report *rep)
{
    struct json j;

    json_init(&j, out, 2);
    report_json_object(&j, rep);
    fputc('\n', out);
}
