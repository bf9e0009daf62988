/* daemonize.h - the steps that turn a started process into a SysV daemon.
 *
 * The order, from systemd's daemon(7) and Stevens: in the original process,
 * make sure fds 0-2 exist, close every other inherited descriptor, reset
 * signal dispositions and the signal mask; then daemonize_fork() (fork,
 * setsid, fork again); in the daemon, daemonize_detach() (stdio to
 * /dev/null, umask, chdir), then the caller's own setup (pidfile), then
 * daemonize_ready(). The original process sits in daemonize_wait() until
 * then, so it exits only once the daemon is really up, pidfile included.
 *
 * Every function returns -1 and sets errno on failure; none prints. Only the
 * intermediate process inside daemonize_fork() exits (with _exit).
 */
#ifndef SKELETON_DAEMONIZE_H
#define SKELETON_DAEMONIZE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct daemonize_config {
	mode_t umask;     /* the daemon's umask; daemon(7) says 0 */
	const char *dir;  /* its working directory; NULL means "/" */
	bool keep_stdio;  /* leave fds 0-2 alone (running in the foreground) */
};

/* Opens /dev/null on whichever of fds 0, 1 and 2 is closed, so that no
 * later open() or pipe() can land there and be clobbered by a redirection. */
int fd_ensure_stdio(void);

/* Closes every descriptor >= lowfd: close_range(2), or, on a kernel without
 * it, the descriptors listed in /proc/self/fd. Never loops up to
 * RLIMIT_NOFILE, which costs a system call per possible descriptor. */
int fd_close_from(int lowfd);

/* The /proc/self/fd fallback of fd_close_from(), on its own. */
int fd_close_from_procfs(int lowfd);

/* Sets every catchable signal back to SIG_DFL and unblocks all signals. */
int signals_reset(void);

/* Points fds 0, 1 and 2 at /dev/null (refusing a /dev/null that is not a
 * character device). */
int stdio_to_devnull(void);

/* Forks, starts a new session in the child, and forks again, so that the
 * daemon is not a session leader and can never acquire a terminal.
 * In the original process, returns the first child's pid (> 0) and stores
 * in *channel the end on which daemonize_wait() learns the outcome.
 * In the daemon, returns 0 and stores in *channel the end on which to call
 * daemonize_ready() or daemonize_fail(). Returns -1 in the original process
 * when the first fork fails; a failure in the first child is reported
 * through the channel. */
pid_t daemonize_fork(int *channel);

/* In the daemon: stdio to /dev/null (unless cfg->keep_stdio), umask,
 * chdir. On failure, *step names the step that failed. */
int daemonize_detach(const struct daemonize_config *cfg, const char **step);

/* In the original process: waits until the daemon reports, closes the
 * channel and reaps the first child. Returns 0 when the daemon is ready.
 * Otherwise returns -1 with errno ECANCELED when the daemon reported a
 * failure (its message is copied into msg), EPIPE when it went away
 * without a word, or the errno of a failed system call. */
int daemonize_wait(int channel, pid_t child, char *msg, size_t msglen);

/* In the daemon: tells the original process that start-up succeeded (or
 * failed, with a message), and closes the channel. A launcher that has gone
 * away meanwhile yields EPIPE, never SIGPIPE. */
int daemonize_ready(int channel);
int daemonize_fail(int channel, const char *msg);

#endif
