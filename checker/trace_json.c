/* trace_json.c — the trace in the JSON report: its events in the order of
 * time, each with the words the text timeline prints, and the checks it
 * explains. Times are on the run's axis. */
#include <errno.h>
#include <stdlib.h>

#include "trace_render.h"
#include "trace_view.h"
#include "trace_words.h"

static const char *role_of(const struct trace_view *v, int proc)
{
    const struct trace_proc *p = &v->procs[proc].p;

    return trace_role_words(tv_launch_kind(v, p->launch), p->role);
}

static void write_checks(struct json *j, const struct tv_mark *m, size_t n)
{
    json_key(j, "check");
    json_array_begin(j);
    for (size_t k = 0; k < n; k++)
        json_string(j, checks[m[k].check].id);
    json_array_end(j);
    json_key(j, "why");
    json_object_begin(j);
    for (size_t k = 0; k < n; k++) {
        json_key(j, checks[m[k].check].id);
        json_string(j, m[k].why);
    }
    json_object_end(j);
}

static void write_times(struct json *j, long long us)
{
    json_key(j, "ms");
    json_int(j, us / 1000);
    json_key(j, "us");
    json_int(j, us);
}

static void write_event(struct json *j, const struct trace_view *v, size_t i)
{
    const struct trace_event *e = &v->t->ev[i];
    const struct tv_event *te = &v->ev[i];
    char words[TRACE_WORDS];

    trace_event_words(words, sizeof words, e);
    json_object_begin(j);
    write_times(j, e->us);
    json_key(j, "pid");
    json_int(j, e->pid);
    json_key(j, "ppid");
    json_int(j, e->ppid);
    json_key(j, "event");
    json_string(j, trace_kind_name(e->kind));
    json_key(j, "detail");
    json_string(j, words);
    json_key(j, "launch");
    json_string(j, tv_launch_name(v, te->launch));
    json_key(j, "role");
    json_string(j, e->kind == TE_CHECKER ? "checker" : role_of(v, te->proc));
    json_key(j, "value");
    json_int(j, e->value);
    if (te->nmarks > 0)
        write_checks(j, &v->marks[te->mark_off], te->nmarks);
    json_object_end(j);
}

/* A mark that no event carries: a process's, or a whole launch's. */
static void write_note(struct json *j, const struct trace_view *v, const struct tv_mark *m,
                       long long us)
{
    const struct trace_proc *p = m->proc >= 0 ? &v->procs[m->proc].p : NULL;

    json_object_begin(j);
    write_times(j, us);
    json_key(j, "pid");
    json_int(j, p ? p->pid : 0);
    json_key(j, "ppid");
    json_int(j, p ? p->ppid : 0);
    json_key(j, "event");
    json_string(j, "note");
    json_key(j, "detail");
    json_string(j, m->why);
    json_key(j, "launch");
    json_string(j, tv_launch_name(v, m->launch));
    if (p != NULL) {
        json_key(j, "role");
        json_string(j, role_of(v, m->proc));
    }
    write_checks(j, m, 1);
    json_object_end(j);
}

/* The event after which a note goes: the last one of its process (or of
 * its launch) in time; -1 when there is none. */
static long note_anchor(const struct trace_view *v, const struct tv_mark *m)
{
    long anchor = -1;

    for (size_t k = 0; k < v->t->nev; k++) {
        size_t i = v->order[k];
        const struct tv_event *te = &v->ev[i];

        if (m->proc >= 0 ? te->proc == m->proc && v->t->ev[i].kind != TE_CHECKER
                         : te->launch == m->launch)
            anchor = (long)i;
    }
    return anchor;
}

static void write_notes_at(struct json *j, const struct trace_view *v, const long *anchors,
                           long at)
{
    for (size_t m = 0; m < v->nmarks; m++) {
        long us = at >= 0 ? v->t->ev[at].us : 0;

        if (v->marks[m].event < 0 && anchors[m] == at)
            write_note(j, v, &v->marks[m], us);
    }
}

int trace_json(struct json *j, const struct trace *t)
{
    struct trace_view v;
    long *anchors;

    json_array_begin(j);
    if (trace_view_init(&v, t, NULL) < 0) {
        json_array_end(j);
        return -1;
    }
    anchors = calloc(v.nmarks + 1, sizeof *anchors);
    if (anchors == NULL) {
        trace_view_free(&v);
        json_array_end(j);
        errno = ENOMEM;
        return -1;
    }
    for (size_t m = 0; m < v.nmarks; m++)
        anchors[m] = v.marks[m].event < 0 ? note_anchor(&v, &v.marks[m]) : -2;
    for (size_t k = 0; k < t->nev; k++) {
        write_event(j, &v, v.order[k]);
        write_notes_at(j, &v, anchors, (long)v.order[k]);
    }
    write_notes_at(j, &v, anchors, -1);
    free(anchors);
    trace_view_free(&v);
    json_array_end(j);
    return 0;
}
