/* pidfile-world-writable — creates its pidfile with mode 0666 under umask
 * 0, as Python's open() does: anyone can write there the pid that "stop"
 * will kill. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.pidfile_mode = 0666;
    return zoo_main(&r, argc, argv);
}
