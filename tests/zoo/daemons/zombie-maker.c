/* zombie-maker — never reaps its children: its start-up job stays a zombie
 * for the daemon's whole life. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.reap = false;
    return zoo_main(&r, argc, argv);
}
