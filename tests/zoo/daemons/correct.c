/* correct — every step right: the zoo's reference. It closes what it
 * inherited, resets signals, double-forks with setsid() in between, puts
 * 0-2 on /dev/null, sets umask 0 and cwd /, writes and locks its pidfile
 * before its launcher returns, reaps its children, and on SIGTERM removes
 * the pidfile and exits 0. */
#include "../zoo.h"

int main(int argc, char **argv)
{
    return zoo_main(&zoo_correct, argc, argv);
}
