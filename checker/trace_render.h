/* trace_render.h — the renderings of a trace (--trace): the text timeline
 * that follows the text report, the `trace` list of the JSON report, and
 * the picture, one self-contained HTML page.
 *
 * Each takes the check results (CK_COUNT of them, in table order) to mark
 * the events that explain a failure; NULL marks whatever the trace marks.
 * Whatever bytes the candidate put in its names, paths and pidfile, the
 * output stays valid: escaped for a terminal, JSON or HTML. */
#ifndef CHECKER_TRACE_RENDER_H
#define CHECKER_TRACE_RENDER_H

#include <stdio.h>

#include "checks.h"
#include "json.h"
#include "trace.h"

/* The timeline: one block per launch, a line per event, the processes
 * indented under their parents, colour only when asked. 0, or -1 with
 * errno (ENOMEM: nothing was written). */
int trace_text(FILE *out, const struct trace *t, const struct result *results, int colour);

/* The value of the JSON report's "trace": a list of events in the order of
 * time, {"ms", "pid", "ppid", "event", "detail"} and beside them "us",
 * "launch", "role", "value", and for an event that explains a failure
 * "check" (the IDs) and "why" (ID: sentence). Marks that no event carries
 * follow as {"event": "note"} after the process's last event. 0, or -1
 * with errno (ENOMEM: an empty list was written). */
int trace_json(struct json *j, const struct trace *t);

/* The picture: a whole HTML page (inline SVG and CSS, no script, nothing
 * fetched). command: the candidate's command line for the title, or NULL.
 * 0, or -1 with errno (ENOMEM before anything was written, or the FILE's
 * error). */
int trace_html(FILE *out, const struct trace *t, const struct result *results,
               char *const *command);

#endif
