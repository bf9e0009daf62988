/* pidfile-symlink — its pidfile path is a symlink to the real file beside
 * it: whoever can change the link chooses the pid a stop reads. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_symlink = true;
    return zoo_main(&r, argc, argv);
}
