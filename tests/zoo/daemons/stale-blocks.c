/* stale-blocks — refuses to start whenever a pidfile names a pid, even a
 * dead one: the seed's start(). After a crash or a reboot it never starts
 * again until someone deletes the file by hand. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.refuse_existing = true;
    return zoo_main(&r, argc, argv);
}
