/* 01-fork.c: the starting point of exercise 1 (fork, and let the parent exit).
 *
 * The steps before this one are done; each TODO comment marks where step
 * 1 goes. steps.h (skeleton/c/steps/steps.h) gives step_check(), which
 * reports a failed call and exits, and the helpers of the earlier steps.
 * Build and grade it with `make exercise 1` from the top of the kit. */
#include <unistd.h>

#include "steps.h"

int main(void)
{
    /* TODO step 1: fork; the parent exits at once with _exit(0), the
     * child goes on below (and a failed fork must not pass for a parent). */
    for (;;)                                                  /* the work, in the foreground: */
        pause();                                              /* the shell waits for ever */
}
