/* trace_explain.h — tying each failed check to what explains it in the
 * trace (--trace): the event where it went wrong, or the process in which
 * a step that should have come never did. The judges decide what failed;
 * this file only finds where, in the record, a student should look. */
#ifndef CHECKER_TRACE_EXPLAIN_H
#define CHECKER_TRACE_EXPLAIN_H

#include "checks.h"
#include "evidence.h"
#include "trace.h"

/* Mark, in t, the event or process that explains each check that failed
 * or warned in results (CK_COUNT of them, in table order). */
void trace_explain(struct trace *t, const struct evidence *ev, const struct result *results);

#endif
