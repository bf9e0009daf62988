/* pidfile-unlocked — holds no lock on its pidfile: it still refuses a
 * second instance by checking whether the pid in the file is alive, which
 * races, and no lock tells another tool that the file is in use. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.guard = ZOO_GUARD_PID;
    return zoo_main(&r, argc, argv);
}
