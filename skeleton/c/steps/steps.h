/* steps.h: the pieces that the step programs NN-*.c share.
 *
 * Each step program's main() calls these in the order of the recipe, so a
 * student reads the whole recipe in one main(); this file only keeps those
 * mains free of copied blocks. They are main()'s own code moved aside, not a
 * library (the reference daemon in skeleton/c/ is the library): like
 * daemon(3), a fork helper ends the parent, and step_check() reports and
 * exits. Functions are grouped by the step that introduces them. */
#ifndef STEPS_H
#define STEPS_H

#include <sys/types.h>

/* Reporting. When rc < 0: print "PROG: fatal: unable to WHAT: strerror(errno)"
 * on stderr, in syslog once the log is open (step 3) and to the launcher
 * while it waits for readiness (step 9), then exit 1. Returns rc otherwise. */
int step_check(int rc, const char *what_fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* step 1 and step 8: fork, or die. Returns fork()'s value (> 0 in the parent,
 * 0 in the child); the caller's main() decides what the parent does. */
pid_t step_fork(void);

/* step 3: open the system log (facility daemon, each line tagged with the
 * pid) and say that the daemon is starting. */
void step_open_log(void);

/* step 6: point stdin, stdout and stderr at /dev/null. -1 with errno. */
int step_stdio_to_dev_null(void);

/* step 7: block SIGCHLD and record its arrival in a handler, so that the
 * big loop wakes when a child ends. -1 with errno. */
int step_catch_sigchld(void);

/* step 7: the daemon's work, reduced to one child that ends at once (a
 * start-up job). Returns once the job has ended, leaving it for the big
 * loop to collect; -1 with errno. */
int step_start_job(void);

/* step 7: sleep until a caught signal arrives, waking for nothing else;
 * after each SIGCHLD collect every child that has ended. Returns only once
 * a caught SIGTERM has arrived (step 10): until then SIGTERM's default
 * action ends the daemon while it sleeps here. */
void step_big_loop(void);

/* step 9: the command line "start PIDFILE" (step 10 adds "stop PIDFILE").
 * Dies with a usage message on anything else. */
enum step_command { STEP_START = 1, STEP_STOP = 2 };
enum step_command step_parse_args(int argc, char **argv, unsigned allowed,
                                  const char **pidfile);

/* step 9: fork like step_fork(), with a readiness pipe between the two
 * processes: the child reports on it with step_report_ready() (or dies with
 * step_check(), whose message goes through it), the parent waits for that
 * report with step_wait_until_ready(), which returns its exit status. */
pid_t step_fork_with_ready_pipe(void);
int step_wait_until_ready(void);
int step_report_ready(void);

/* step 9: create PATH (it must not exist), lock it and write "PID\n" into
 * it, mode 0644. Returns the locked descriptor, which must stay open for the
 * daemon's whole life (the lock is what says "running"), or -1 with errno. */
int step_pidfile_create(const char *path);

/* step 10: block SIGTERM and install a handler that only records it:
 * step_big_loop() then returns when it arrives. -1 with errno. */
int step_catch_sigterm(void);

/* step 10: the "stop" command. Sends SIGTERM to the pid that PIDFILE names,
 * only if that very pid holds the pidfile's lock, then waits for it to end.
 * Reports and returns main()'s exit status. */
int step_stop_daemon(const char *pidfile);

/* step 11: put every signal back to its default action and unblock all. */
int step_reset_signals(void);

/* step 11: step_pidfile_create() made to decide by the lock, not by the
 * file's existence: a pidfile whose lock nobody holds is stale and taken
 * over; one locked by a running instance is refused (-1, errno EAGAIN). */
int step_pidfile_take(const char *path);

#endif
