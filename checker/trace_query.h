/* trace_query.h — questions asked of a --trace record once the run is
 * over: which launch is the first start, which process has a pid in a
 * launch, the next or the last event that fits a pattern, and the line of
 * processes a daemon descends from, with the steps each of them took
 * before it forked the next (what the daemon inherited).
 *
 * Read-only on the record; nothing here allocates or prints. */
#ifndef CHECKER_TRACE_QUERY_H
#define CHECKER_TRACE_QUERY_H

#include <stddef.h>
#include <sys/types.h>

#include "trace.h"

/* The events a search takes. A field left at its "any" value does not
 * narrow it. */
struct tq_match {
    int launch;                 /* the launch, or -1 for any */
    pid_t pid;                  /* the process, or 0 for any (TE_CHECKER: its target) */
    int kind;                   /* an enum trace_kind, or -1 for any */
    int (*test)(const struct trace_event *e, const void *arg);  /* NULL: any */
    const void *arg;
};

/* The first launch of a kind, or -1. */
int tq_launch(const struct trace *t, enum trace_launch_kind kind);

/* The last process recorded with this pid in the launch, or NULL. */
const struct trace_proc *tq_proc(const struct trace *t, int launch, pid_t pid);

/* The first matching event after index `after` (-1: from the start), or
 * -1 when none. */
long tq_next(const struct trace *t, long after, const struct tq_match *m);
/* The last matching event before index `before` (t->nev: to the end), or
 * -1 when none. */
long tq_prev(const struct trace *t, long before, const struct tq_match *m);

/* How many matching events there are. */
size_t tq_count(const struct trace *t, const struct tq_match *m);

/* A process's end in its launch (the last TE_EXIT of that pid), or -1. */
long tq_exit(const struct trace *t, int launch, pid_t pid);

/* Milliseconds from the start of an event's launch to the event: the
 * times the text timeline prints. */
double tq_ms(const struct trace *t, long event);

#define TQ_LINE_MAX 16

/* A process and its ancestors in one launch, the launcher first. spawn[i]
 * is the TE_SPAWN, in pid[i - 1], that created pid[i] (-1 when the trace
 * did not see it, and for the first). */
struct tq_line {
    int launch;
    int n;
    pid_t pid[TQ_LINE_MAX];
    long spawn[TQ_LINE_MAX];
};

/* The line of `pid` in `launch`: 0, or -1 when the trace has no such
 * process (line->n 0). A line longer than TQ_LINE_MAX keeps its last
 * processes. */
int tq_line(const struct trace *t, int launch, pid_t pid, struct tq_line *line);

/* The last matching event among those whose effect the line's last
 * process carries: its own, and each ancestor's before the fork that led
 * to it (an ancestor's steps after that fork are its own business). The
 * match's launch and pid are ignored. -1 when none. */
long tq_line_last(const struct trace *t, const struct tq_line *line, const struct tq_match *m);

#endif
