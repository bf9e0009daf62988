/* late-fork-thread — like pidfile-very-late, the launcher returns at once
 * and the pidfile comes 600 ms after it was reaped; but here the session
 * leader's main thread exits first, and another of its threads forks the
 * daemon only after that work. Until then /proc shows the first child as
 * a zombie with no child: a process on its way out that will still start
 * the daemon. The checker must wait for it, not conclude that nobody is
 * left who could write the pidfile. The delay is the fault under test. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.late_pidfile = true;
    r.late_ms = 600;
    r.leader_thread = true;
    return zoo_main(&r, argc, argv);
}
