/* flock-inherited — the first child takes a flock() on the pidfile and
 * exits; the daemon holds the lock through the descriptor it inherited
 * (what `daemonize -p F -l F` does). Correct: the lock is held. Inside a
 * PID namespace /proc/locks hides a lock whose taker has exited, so the
 * checker must find it another way. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.guard = ZOO_GUARD_FLOCK_INHERITED;
    return zoo_main(&r, argc, argv);
}
