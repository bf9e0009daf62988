/* keeps-inherited-fds — never closes the descriptors above 2 it inherited:
 * whatever they hold (a socket, a pipe whose reader waits for EOF, a lock)
 * stays held for the daemon's whole life. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.close_fds = false;
    return zoo_main(&r, argc, argv);
}
