/* pidfile-wrong-pid — writes the pid of its first child, which has
 * already exited: a stop would signal a dead, or reused, pid. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_pid = ZOO_PID_INTERMEDIATE;
    return zoo_main(&r, argc, argv);
}
