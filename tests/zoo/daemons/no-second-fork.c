/* no-second-fork — setsid() but no second fork: the daemon is a session
 * leader, and a session leader that opens a terminal without O_NOCTTY
 * acquires it as its controlling terminal. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.second_fork = false;
    return zoo_main(&r, argc, argv);
}
