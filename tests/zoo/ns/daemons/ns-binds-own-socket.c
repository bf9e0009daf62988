/* ns-binds-own-socket — ignores LISTEN_FDS: it leaves the passed
 * descriptor 3 untouched and serves on a listening socket of its own
 * (127.0.0.1, another port), as a service ported to socket activation
 * without the code to take the socket would.
 *
 * How the fault is seen for sure: nothing ever calls accept() on the
 * passed socket, so the connection made when READY=1 arrives is never
 * answered (notify-ready fails), and the service holds a listening socket
 * other than the passed one (socket-activation fails). Without
 * --socket-activation it is the correct service. */
#include "../zoons.h"

int main(int argc, char **argv)
{
    struct zoons_recipe r = zoons_correct;
    r.use_listen_fds = false;
    return zoons_main(&r, argc, argv);
}
