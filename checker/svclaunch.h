/* svclaunch.h — starting a command the way a service manager starts a
 * service (--profile new-style), not in the hostile terminal: its own
 * session, no controlling terminal, cwd /, umask 0022, stdin on /dev/null,
 * stdout and stderr one pipe that the checker reads (the journal), every
 * signal reset and none blocked, no descriptor but the passed listening
 * socket at 3, and a clean environment with the protocol's variables. */
#ifndef CHECKER_SVCLAUNCH_H
#define CHECKER_SVCLAUNCH_H

#include <sys/types.h>

#include "evidence.h"
#include "launch.h"

/* The environment of a service, built before the fork. The child writes
 * its own pid into LISTEN_PID and WATCHDOG_PID, which only it knows. */
struct service_env {
    char **envp;
    char *listen_pid;           /* the digits of "LISTEN_PID=", or NULL */
    char *watchdog_pid;         /* the digits of "WATCHDOG_PID=", or NULL */
};

/* The service's environment: PATH, HOME, USER, LOGNAME, LANG, LC_ALL and
 * TZ of the checker's, when set (what a manager gives its services), and
 * NOTIFY_SOCKET; with listen_fd >= 0, LISTEN_FDS=1, LISTEN_PID and
 * LISTEN_FDNAMES; with watchdog_ms, WATCHDOG_USEC and WATCHDOG_PID.
 * -1 with errno (ENOMEM). */
int service_env_build(struct service_env *e, const char *notify_socket, int listen_fd,
                      unsigned watchdog_ms);
void service_env_free(struct service_env *e);

/* A listening TCP socket on 127.0.0.1 at an ephemeral port (close-on-exec:
 * the child puts it on 3). -1 with errno, and the call in *step. */
int service_listener(unsigned *port, const char **step);

struct service {
    pid_t pid;
    int journal;                /* the read end of the journal pipe, or -1 */
    struct object_id journal_id;    /* the pipe, as the service's fds 1 and 2 show it */
};

/* Start argv (argv[0] a resolved path) as a service, listen_fd (or -1) on
 * its descriptor 3, traced from its exec on when lt is not NULL. The exec
 * is waited for through the tracker t. 0, or -1 with errno and the call
 * that failed in *step (the checker's), or with failed->step set (the
 * child's: exec included). */
int service_start(struct service *s, struct tracker *t, char *const argv[],
                  const struct service_env *e, int listen_fd, const struct launch_trace *lt,
                  struct launch_failure *failed, const char **step);

#endif
