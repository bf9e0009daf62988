/* run_service.c — the phases of a new-style run (--profile new-style). */
#include "run_parts.h"

int run_service(struct run *r)
{
    return run_fail(r, "--profile new-style: not available yet");
}
