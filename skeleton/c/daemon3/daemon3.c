/* daemon3.c: a daemon that does nothing but call the C library's daemon(3),
 * then wait. It is what many people write first, and what
 * docs/tutorial/daemon3.md shows the checker's verdict on: daemon(3) does
 * the fork, setsid, chdir and /dev/null steps, and nothing else.
 *
 *     daemon3 [-c] [-n]
 *
 * -c passes nochdir = 1 (stay in the current directory), -n passes
 * noclose = 1 (keep the standard descriptors as they are). Deliberately
 * absent, because daemon(3) does not do them: a second fork, a umask, a
 * pidfile, closing inherited descriptors, resetting signals, handling
 * SIGTERM. Exit status: 0 once the daemon runs, 1 if daemon() failed
 * before the fork, 2 on a usage error. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void usage(void)
{
    fputs("usage: daemon3 [-c] [-n]\n", stderr);
    exit(2);
}

int main(int argc, char **argv)
{
    int nochdir = 0, noclose = 0, opt;

    while ((opt = getopt(argc, argv, "cn")) != -1) {
        if (opt == 'c')
            nochdir = 1;
        else if (opt == 'n')
            noclose = 1;
        else
            usage();
    }
    if (optind != argc)
        usage();

    /* glibc's daemon() fails before its fork only when fork() does; later
     * failures (setsid, /dev/null) are returned in the child, after the
     * caller has already exited 0, where stderr may be /dev/null: the
     * message is all a failure leaves, and it may land nowhere. */
    if (daemon(nochdir, noclose) == -1) {
        fprintf(stderr, "daemon3: unable to daemonize: %s\n", strerror(errno));
        return 1;
    }
    /* The big loop of a daemon with no work: wake for signals only.
     * SIGTERM keeps its default action, which ends the process. */
    for (;;)
        pause();
}
