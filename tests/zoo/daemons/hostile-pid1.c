/* hostile-pid1 — writes 1 in its pidfile: a stop that trusts the file
 * signals init. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_pid = ZOO_PID_INIT;
    return zoo_main(&r, argc, argv);
}
