/* ns-forks-mainpid — forks as ns-forks-away does, but the child's READY=1
 * carries MAINPID= naming itself: the hand-over that sd_notify(3) offers
 * to a service that its manager did not start itself.
 *
 * What the checker should see: READY=1 with MAINPID= from a descendant,
 * naming a live descendant, queued before the started process exits
 * (the parent waits for the child's word first), so the main process is
 * the child from then on, and it stays, reloads and stops as it should.
 * Every check passes, by the contract's rule that the main process is "the
 * started pid, or the descendant that MAINPID= names". With
 * --socket-activation and --watchdog, LISTEN_PID and WATCHDOG_PID name the
 * started process: it reads them before it forks, as a daemon that reads
 * its environment once at start does. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.fork = ZOONS_FORK_MAINPID;
    return zoons_main(&r, argc, argv);
}
