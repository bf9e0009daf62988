/* zombie-reaped-later — its start-up job stays a zombie until the loop
 * next wakes up for something else: here, a second start, which pokes the
 * running daemon before it is refused. The inspection sees a zombie; by
 * the time the daemon is stopped it has long been reaped. A zombie that
 * does not last is not one that counts: no-zombies passes. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.reap = false;
    r.reap_on_poke = true;
    return zoo_main(&r, argc, argv);
}
