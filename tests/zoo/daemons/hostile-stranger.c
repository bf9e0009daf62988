/* hostile-stranger — writes the pid given as its second argument: the
 * test passes an unrelated process, which a checker must never signal. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_pid = ZOO_PID_ARGUMENT;
    return zoo_main(&r, argc, argv);
}
