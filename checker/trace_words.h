/* trace_words.h — the words of a trace, shared by its three renderings
 * (text timeline, JSON, picture): the names of launches, roles, event kinds
 * and signals, and the sentence a student reads for each event.
 *
 * The words are raw: they carry the candidate's bytes (paths, programs,
 * pidfile contents) as they came, and each rendering escapes them for its
 * own format. */
#ifndef CHECKER_TRACE_WORDS_H
#define CHECKER_TRACE_WORDS_H

#include <stddef.h>

#include "trace.h"

/* Enough for any sentence: the longest carries one detail and some words. */
#define TRACE_WORDS (TRACE_DETAIL + 96)

/* "first start", "second start", "stop command", ... */
const char *trace_launch_words(enum trace_launch_kind k);
/* "launcher", "intermediate", "daemon", "worker", and for the first
 * process of a second start or a stop command, "second start" and "stop
 * command": the words a student would use. */
const char *trace_role_words(enum trace_launch_kind launch, enum trace_role r);
/* The JSON name of an event kind: "fork", "setsid", "pidfile-write", ... */
const char *trace_kind_name(enum trace_kind k);

/* "exited with status 0", "killed by SIGHUP". */
void trace_status_words(char *buf, size_t cap, int wait_status);
/* The sentence for one event: "fork -> 1234", "setsid(): new session 1234,
 * leads it", "open(\"/dev/null\") = 0", "write to the pidfile \"1234\\n\"". */
void trace_event_words(char *buf, size_t cap, const struct trace_event *e);

/* How a TE_KILL's call came out, read in the tracer's words: 1 done, -1
 * refused (its error's name, "ESRCH", in err), 0 not known (it never
 * returned, or the event has no words). */
int trace_sent_outcome(const struct trace_event *e, char *err, size_t cap);

#endif
