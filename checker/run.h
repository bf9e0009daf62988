/* run.h — one run of the checker over a candidate: the phases of the
 * contract, in order, gathering the evidence that the judges read. */
#ifndef CHECKER_RUN_H
#define CHECKER_RUN_H

#include <stddef.h>

#include "command.h"
#include "evidence.h"
#include "notify.h"
#include "options.h"
#include "trace.h"

struct run_output {
    struct command command;     /* as run: {pidfile} replaced */
    struct notify notify;       /* new-style: the record the evidence points to */
    int interrupted;            /* the signal that stopped the run, or 0 */
    struct trace trace;         /* --trace: what each process did */
};

/* Run every phase. 0 when the evidence is complete; -1 with a one-line
 * message in err when the candidate could not be started at all or the
 * checker itself failed (exit status 2), or it was interrupted. Nothing
 * of the candidate is left running either way. */
int run_candidate(const struct options *opt, struct evidence *ev, struct run_output *out,
                  char *err, size_t errlen);

void run_output_free(struct run_output *out);

#endif
