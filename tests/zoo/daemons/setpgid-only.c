/* setpgid-only — setpgid() instead of setsid(): a process group of its
 * own, so a logout's SIGHUP (sent to the foreground group) misses it, but it
 * is still in the launcher's session with the terminal as controlling
 * terminal. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    struct zoo_recipe r = zoo_correct;
    r.session = ZOO_SETPGID;
    return zoo_main(&r, argc, argv);
}
