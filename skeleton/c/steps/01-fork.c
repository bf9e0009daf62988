/* 01-fork.c: step 1 of the recipe: fork, and let the parent exit.
 *
 * Whoever started us (a shell, an init script) waits for its child to end.
 * The parent ends at once, which gives the shell its prompt back; the child
 * goes on alone. Being a child, it is not a process-group leader, and that
 * is what lets it call setsid() in step 4.
 * The parent uses _exit(), not exit(): exit() would flush stdio buffers that
 * the child holds copies of, and run atexit handlers meant for the daemon.
 * The child then waits in a placeholder loop, pause() for ever, so that
 * from this step on the checker finds a live daemon and can judge what each
 * step did to it; step 7 replaces the placeholder with the real loop. */
#include <unistd.h>

#include "steps.h"

int main(void)
{
    if (step_fork() > 0)                                      /* step 1: fork; */
        _exit(0);                                             /* step 1: the parent exits */
    for (;;)                                                  /* a placeholder that keeps a daemon */
        pause();                                              /* alive: the real loop comes at step 7 */
}
