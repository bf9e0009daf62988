/* hostile-self — writes the pid of the process that adopted it (its
 * parent once the first child is gone): under the checker, a subreaper,
 * that is the checker itself. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_pid = ZOO_PID_PARENT;
    return zoo_main(&r, argc, argv);
}
