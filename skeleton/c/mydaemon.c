/* mydaemon.c - the reference daemon, in both of its lives:
 * `mydaemon start|stop|restart|status`, a classic SysV daemon, and
 * `mydaemon run`, the same program as a new-style service (newstyle.c).
 *
 * The SysV daemon does nothing but be a correct daemon: every step of
 * daemon(7)'s SysV list (see daemonize.h), a pidfile locked for its whole
 * life (pidfile.h), readiness reported to the launcher, a main loop that
 * sleeps until a signal arrives, syslog for everything it says once
 * detached. Replace serve() to make it do work.
 */
#include "daemonize.h"
#include "newstyle.h"
#include "pidfile.h"
#include "report.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/signalfd.h>
#include <sys/time.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

/* Exit statuses of the LSB init-script conventions. */
enum {
	EXIT_OK = 0,
	EXIT_FAILED = 1,      /* any action failed; `status`: dead, pidfile left */
	EXIT_USAGE = 2,
	EXIT_NOT_RUNNING = 3, /* `status` only */
	EXIT_UNKNOWN = 4,     /* `status` only */
};

struct options {
	const char *command;
	char pidfile[PATH_MAX];
	bool foreground;
	mode_t umask;
	int timeout_ms;  /* how long `stop` waits for the daemon to exit */
	struct newstyle_options run;  /* `run` only */
};

static void usage(FILE *to)
{
	fprintf(to,
	    "usage: " PROG " start|stop|restart|status [OPTIONS]\n"
	    "       " PROG " run [RUN OPTIONS]\n"
	    "\n"
	    "  start    start the daemon; returns once it runs and its pidfile exists\n"
	    "  stop     send SIGTERM to the running instance and wait for it to exit\n"
	    "  restart  stop, then start\n"
	    "  status   tell whether an instance is running\n"
	    "  run      be a new-style service under a service manager (systemd\n"
	    "           Type=notify): stay in the foreground, log to stderr, serve TCP\n"
	    "\n"
	    "options of start, stop, restart and status:\n"
	    "  -p, --pidfile PATH   the pidfile (default: /run/" PROG ".pid for root,\n"
	    "                       else $XDG_RUNTIME_DIR/" PROG ".pid, else /tmp/" PROG "-UID.pid)\n"
	    "  -f, --foreground     do not fork; log to stderr too (for supervisors)\n"
	    "  -u, --umask OCTAL    the daemon's umask (default 0)\n"
	    "  -t, --timeout SECS   how long stop waits for the daemon to exit (default 10)\n"
	    "\n"
	    "options of run:\n"
	    "  -a, --address ADDR   numeric IPv4 or IPv6 address to listen on, when no\n"
	    "                       socket is passed (default " NEWSTYLE_DEFAULT_ADDRESS ")\n"
	    "  -P, --port PORT      its TCP port; 0 picks a free one (default " NEWSTYLE_DEFAULT_PORT ")\n"
	    "  -c, --config PATH    greeting file: its first line answers each connection\n"
	    "                       (default \"" NEWSTYLE_DEFAULT_GREETING "\"; re-read on SIGHUP)\n"
	    "  -r, --reload-hook CMD  run CMD with /bin/sh -c after each reload\n"
	    "\n"
	    "  -h, --help           show this help\n"
	    "\n"
	    "An instance is running when its pidfile is locked by the process it names;\n"
	    "stop signals nothing else. SIGTERM or SIGINT stop the daemon, SIGHUP\n"
	    "reopens its log (syslog, facility daemon).\n"
	    "\n"
	    "run never forks away and writes no pidfile: the service manager tracks it.\n"
	    "It answers each TCP connection with one line and closes it. It serves on\n"
	    "descriptor 3 when LISTEN_PID is its pid and LISTEN_FDS >= 1 (socket\n"
	    "activation), else on its own socket. It tells the manager at NOTIFY_SOCKET\n"
	    "STATUS=, READY=1 once it listens, RELOADING=1 then READY=1 on SIGHUP\n"
	    "(which re-reads the config), WATCHDOG=1 every half WATCHDOG_USEC, and\n"
	    "STOPPING=1 on SIGTERM or SIGINT, then exits 0. It removes NOTIFY_SOCKET,\n"
	    "LISTEN_* and WATCHDOG_* from its environment before starting any child.\n"
	    "\n"
	    "exit status: 0 success; 1 failure (start: already running); 2 usage error.\n"
	    "status: 0 running, 1 dead but the pidfile remains, 3 not running, 4 unknown.\n");
}

/* Reports "mydaemon: fatal: unable to VERB OBJECT: reason" and exits. */
static _Noreturn void die(const char *fmt, ...)
{
	int err = errno;
	va_list ap;

	va_start(ap, fmt);
	report_v("fatal", err, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILED);
}

/* The same, for a failure that errno does not describe. */
static _Noreturn void diex(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v("fatal", 0, fmt, ap);
	va_end(ap);
	exit(EXIT_FAILED);
}

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v("info", 0, fmt, ap);
	va_end(ap);
}

/* Called once the launcher has been released (or to report a start-up
 * failure), and without LOG_NDELAY: the socket is connected by the first
 * message, so syslog costs the launcher nothing. */
static void open_log(bool foreground)
{
	openlog(PROG, LOG_PID | (foreground ? LOG_PERROR : 0), LOG_DAEMON);
}

/* In the daemon before readiness: the message goes to syslog and to the
 * launcher, which prints it (in the foreground, stderr has it already). */
static _Noreturn void startup_failed(int channel, const char *fmt, ...)
{
	char msg[400];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	open_log(channel < 0);
	syslog(LOG_ERR, "%s", msg);
	if (channel >= 0)
		daemonize_fail(channel, msg);
	closelog();
	exit(EXIT_FAILED);
}

/* The main loop: one poll() with no timeout, so an idle daemon is never
 * woken. Signals arrive as reads on the signalfd; a real daemon adds its
 * sockets to the same poll set. Returns 0 on SIGTERM or SIGINT. */
static int serve(int sigfd, bool foreground)
{
	struct pollfd pfd = { .fd = sigfd, .events = POLLIN };

	for (;;) {
		struct signalfd_siginfo si;

		if (poll(&pfd, 1, -1) < 0) {
			if (errno == EINTR)
				continue;
			syslog(LOG_ERR, "unable to wait for events: %m");
			return -1;
		}
		ssize_t n = read(sigfd, &si, sizeof si);
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n != (ssize_t)sizeof si) {
			syslog(LOG_ERR, "unable to read a signal: %m");
			return -1;
		}
		if (si.ssi_signo == SIGHUP) {
			/* Whoever rotates or restarts the log service asks us to
			 * reconnect; syslog() would otherwise keep a dead socket. */
			closelog();
			open_log(foreground);
			syslog(LOG_INFO, "reopened the log on SIGHUP");
			continue;
		}
		syslog(LOG_INFO, "stopping on SIG%s from pid %ld",
		    sigabbrev_np((int)si.ssi_signo), (long)si.ssi_pid);
		return 0;
	}
}

/* The daemon's life after the forks: signals, pidfile, readiness, loop. */
static int run_daemon(const struct options *o, int channel)
{
	struct pidfile pf;
	sigset_t set;
	pid_t holder = 0;

	/* Blocked before the pidfile exists: a SIGTERM sent the moment `start`
	 * returns waits in the signalfd, and the loop removes the pidfile. */
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		startup_failed(channel, "unable to block signals: %s", strerror(errno));
	int sigfd = signalfd(-1, &set, SFD_CLOEXEC);
	if (sigfd < 0)
		startup_failed(channel, "unable to create a signalfd: %s", strerror(errno));
	if (pidfile_open(&pf, o->pidfile, &holder) < 0) {
		if (errno == EEXIST)
			startup_failed(channel, "unable to lock pidfile %s: already running as pid %ld",
			    o->pidfile, (long)holder);
		startup_failed(channel, "unable to open pidfile %s: %s", o->pidfile, strerror(errno));
	}
	if (pidfile_write(&pf) < 0) {
		int err = errno;
		pidfile_remove(&pf);
		startup_failed(channel, "unable to write pidfile %s: %s", o->pidfile, strerror(err));
	}
	/* The launcher is released first: logging is not on its critical path. */
	int ready = channel < 0 ? 0 : daemonize_ready(channel);
	open_log(o->foreground);
	if (ready < 0)
		syslog(LOG_WARNING, "unable to report readiness to the launcher: %m");
	syslog(LOG_INFO, "started; pidfile %s", o->pidfile);

	int rc = serve(sigfd, o->foreground);

	if (pidfile_remove(&pf) < 0)
		syslog(LOG_WARNING, "unable to remove pidfile %s: %m", o->pidfile);
	syslog(LOG_INFO, "stopped");
	closelog();
	close(sigfd);
	return rc == 0 ? EXIT_OK : EXIT_FAILED;
}

/* The launcher: exits only once the daemon reported, with its verdict. */
static int await_daemon(int channel, pid_t child)
{
	char msg[512];

	if (daemonize_wait(channel, child, msg, sizeof msg) == 0)
		return EXIT_OK;
	if (errno == ECANCELED)
		diex("%s", msg);
	if (errno == EPIPE)
		diex("unable to start the daemon: it exited before reporting readiness");
	die("unable to wait for the daemon");
}

static int cmd_start(const struct options *o)
{
	struct daemonize_config cfg = {
		.umask = o->umask, .dir = "/", .keep_stdio = o->foreground,
	};
	const char *step = "";
	int channel = -1;

	if (fd_ensure_stdio() < 0)
		die("unable to open /dev/null on the closed standard descriptors");
	if (fd_close_from(3) < 0)
		die("unable to close inherited descriptors");
	if (signals_reset() < 0)
		die("unable to reset signal dispositions and mask");
	if (!o->foreground) {
		pid_t child = daemonize_fork(&channel);
		if (child < 0)
			die("unable to fork");
		if (child > 0)
			return await_daemon(channel, child);
	}
	if (daemonize_detach(&cfg, &step) < 0)
		startup_failed(channel, "unable to %s: %s", step, strerror(errno));
	return run_daemon(o, channel);
}

/* The instance that the pidfile proves alive, or 0 when none runs; a stale
 * pidfile is removed on the way. Never returns a pid the lock does not
 * vouch for: a pidfile anybody could have written is not a reason to kill. */
static pid_t running_instance(const char *path)
{
	struct pidfile_info info;
	pid_t pid, holder = 0;

	if (pidfile_verify(path, &pid) == 0)
		return pid;
	switch (errno) {
	case ENOENT:
		return 0;
	case ESRCH:
		if (pidfile_remove_stale(path, &holder) < 0) {
			if (errno == ENOENT)
				return 0;
			if (errno == EEXIST)
				return running_instance(path);  /* a start won the race */
			die("unable to remove stale pidfile %s", path);
		}
		note("removed stale pidfile %s", path);
		return 0;
	case EBADMSG:
		if (pidfile_read(path, &info) < 0)
			die("unable to read pidfile %s", path);
		diex("refusing to signal: pidfile %s is locked by pid %ld but names %ld",
		    path, (long)info.holder, (long)info.content);
	default:
		die("unable to read pidfile %s", path);
	}
}

/* Waits for the process behind pidfd to exit; -1 with ETIMEDOUT if it
 * outlives timeout_ms. */
static int wait_exit(int pidfd, int timeout_ms)
{
	struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
	struct timespec now, end;

	clock_gettime(CLOCK_MONOTONIC, &end);
	end.tv_sec += timeout_ms / 1000;
	end.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
	for (;;) {
		clock_gettime(CLOCK_MONOTONIC, &now);
		long left = (end.tv_sec - now.tv_sec) * 1000L + (end.tv_nsec - now.tv_nsec) / 1000000L;
		int n = poll(&pfd, 1, left > 0 ? (int)left : 0);
		if (n > 0)
			return 0;
		if (n == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (errno != EINTR)
			return -1;
	}
}

static volatile sig_atomic_t deadline_passed;

static void on_deadline(int sig)
{
	(void)sig;
	deadline_passed = 1;
}

/* Without pidfds: waits for the pidfile's lock to be released, bounded by
 * a timer whose signal interrupts the blocking lock request. The timer
 * keeps firing after the deadline, so a signal that lands just before the
 * request starts to block cannot leave it blocked for good. */
static int wait_released(const char *path, int timeout_ms)
{
	struct sigaction sa;
	struct itimerval it = {
		.it_value = { .tv_sec = timeout_ms / 1000, .tv_usec = (timeout_ms % 1000) * 1000 + 1 },
		.it_interval = { .tv_sec = 0, .tv_usec = 10000 },
	};
	struct itimerval off;
	int rc;

	memset(&sa, 0, sizeof sa);
	memset(&off, 0, sizeof off);
	sa.sa_handler = on_deadline;  /* no SA_RESTART: the request must see EINTR */
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGALRM, &sa, NULL) < 0 || setitimer(ITIMER_REAL, &it, NULL) < 0)
		return -1;
	while ((rc = pidfile_wait_released(path)) < 0 && errno == EINTR && !deadline_passed)
		;
	int saved = rc < 0 && deadline_passed ? ETIMEDOUT : errno;
	setitimer(ITIMER_REAL, &off, NULL);
	errno = saved;
	return rc;
}

/* A pidfd names one process for good, so the signal cannot reach a
 * process that reused the pid. kill() is the fallback where pidfds are
 * missing; the lock was checked just before, the best guard left. */
static int send_term(int pidfd, pid_t pid)
{
	if (pidfd >= 0) {
		if (pidfd_send_signal(pidfd, SIGTERM, NULL, 0) == 0 || errno == ESRCH)
			return 0;
		if (errno != ENOSYS)
			return -1;
	}
	return kill(pid, SIGTERM) < 0 && errno != ESRCH ? -1 : 0;
}

static int cmd_stop(const struct options *o)
{
	pid_t pid = running_instance(o->pidfile);

	if (pid == 0) {
		note("not running");
		return EXIT_OK;
	}
	int pidfd = pidfd_open(pid, 0);
	if (pidfd < 0 && errno == ESRCH)
		return EXIT_OK;  /* it exited meanwhile */
	if (pidfd < 0 && errno != ENOSYS)
		die("unable to open pid %ld", (long)pid);
	/* The pid could have been reused between the check and pidfd_open().
	 * If the lock is still held by that pid now, pidfd names the instance,
	 * and from here on no reuse can redirect the signal. */
	pid_t again = running_instance(o->pidfile);
	if (again != pid) {
		if (pidfd >= 0)
			close(pidfd);
		if (again == 0)
			return EXIT_OK;
		diex("unable to stop pid %ld: pidfile %s now names pid %ld", (long)pid,
		    o->pidfile, (long)again);
	}
	if (send_term(pidfd, pid) < 0)
		die("unable to send SIGTERM to pid %ld", (long)pid);
	int rc = pidfd >= 0 ? wait_exit(pidfd, o->timeout_ms) : wait_released(o->pidfile, o->timeout_ms);
	if (rc < 0) {
		if (errno == ETIMEDOUT)
			diex("unable to stop pid %ld: still running after %d ms", (long)pid, o->timeout_ms);
		die("unable to wait for pid %ld to exit", (long)pid);
	}
	if (pidfd >= 0)
		close(pidfd);
	return EXIT_OK;
}

static int cmd_status(const struct options *o)
{
	struct pidfile_info info;

	if (pidfile_read(o->pidfile, &info) < 0) {
		if (errno == ENOENT) {
			printf(PROG " is not running\n");
			return EXIT_NOT_RUNNING;
		}
		fprintf(stderr, PROG ": error: unable to read pidfile %s: %s\n", o->pidfile, strerror(errno));
		return EXIT_UNKNOWN;
	}
	if (info.holder == 0) {
		printf(PROG " is not running, but its pidfile %s remains (stale, naming %ld)\n",
		    o->pidfile, (long)info.content);
		return EXIT_FAILED;
	}
	if (info.content != info.holder) {
		printf(PROG " status unknown: pidfile %s is locked by pid %ld but names %ld\n",
		    o->pidfile, (long)info.holder, (long)info.content);
		return EXIT_UNKNOWN;
	}
	printf(PROG " is running (pid %ld)\n", (long)info.holder);
	return EXIT_OK;
}

static void default_pidfile(char *buf, size_t len)
{
	const char *xdg = getenv("XDG_RUNTIME_DIR");
	int n;

	if (geteuid() == 0)
		n = snprintf(buf, len, "/run/%s.pid", PROG);
	else if (xdg && xdg[0] == '/')
		n = snprintf(buf, len, "%s/%s.pid", xdg, PROG);
	else
		n = snprintf(buf, len, "/tmp/%s-%ld.pid", PROG, (long)geteuid());
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		die("unable to name the default pidfile");
	}
}

/* The daemon moves to "/", so a relative --pidfile is anchored now. */
static void set_pidfile(char *buf, size_t len, const char *path)
{
	char cwd[PATH_MAX];
	int n;

	if (path[0] == '/') {
		n = snprintf(buf, len, "%s", path);
	} else {
		if (!getcwd(cwd, sizeof cwd))
			die("unable to get the working directory");
		n = snprintf(buf, len, "%s/%s", cwd, path);
	}
	if (n < 0 || (size_t)n >= len) {
		errno = ENAMETOOLONG;
		die("unable to use pidfile %s", path);
	}
}

static _Noreturn void usage_error(const char *fmt, const char *arg)
{
	fprintf(stderr, PROG ": usage: ");
	fprintf(stderr, fmt, arg);
	fprintf(stderr, "\n");
	usage(stderr);
	exit(EXIT_USAGE);
}

static long parse_number(const char *arg, int base, long max)
{
	char *end;

	errno = 0;
	long v = strtol(arg, &end, base);
	if (errno || end == arg || *end || v < 0 || v > max)
		usage_error("invalid number: %s", arg);
	return v;
}

static void parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "pidfile", required_argument, NULL, 'p' },
		{ "foreground", no_argument, NULL, 'f' },
		{ "umask", required_argument, NULL, 'u' },
		{ "timeout", required_argument, NULL, 't' },
		{ "address", required_argument, NULL, 'a' },
		{ "port", required_argument, NULL, 'P' },
		{ "config", required_argument, NULL, 'c' },
		{ "reload-hook", required_argument, NULL, 'r' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *pidfile = NULL;
	const char *sysv_option = NULL, *run_option = NULL;  /* for the usage error */
	int c;

	o->foreground = false;
	o->umask = 0;
	o->timeout_ms = 10000;
	o->run = (struct newstyle_options){
		.address = NEWSTYLE_DEFAULT_ADDRESS, .port = NEWSTYLE_DEFAULT_PORT,
	};
	while ((c = getopt_long(argc, argv, "p:fu:t:a:P:c:r:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'p': pidfile = optarg; sysv_option = "--pidfile"; break;
		case 'f': o->foreground = true; sysv_option = "--foreground"; break;
		case 'u': o->umask = (mode_t)parse_number(optarg, 8, 0777); sysv_option = "--umask"; break;
		case 't':
			o->timeout_ms = (int)parse_number(optarg, 10, 86400) * 1000;
			sysv_option = "--timeout";
			break;
		case 'a': o->run.address = optarg; run_option = "--address"; break;
		case 'P': parse_number(optarg, 10, 65535); o->run.port = optarg; run_option = "--port"; break;
		case 'c': o->run.config = optarg; run_option = "--config"; break;
		case 'r': o->run.reload_hook = optarg; run_option = "--reload-hook"; break;
		case 'h': usage(stdout); exit(EXIT_OK);
		default: usage(stderr); exit(EXIT_USAGE);
		}
	}
	if (optind != argc - 1)
		usage_error("%s", optind == argc ? "missing command" : "more than one command");
	o->command = argv[optind];
	if (strcmp(o->command, "run") == 0) {
		/* Under a service manager, the manager knows the pid and sets the
		 * umask: a pidfile or a fork would only get in its way. */
		if (sysv_option)
			usage_error("%s is not an option of run", sysv_option);
		return;
	}
	if (run_option)
		usage_error("%s is an option of run only", run_option);
	if (pidfile)
		set_pidfile(o->pidfile, sizeof o->pidfile, pidfile);
	else
		default_pidfile(o->pidfile, sizeof o->pidfile);
}

int main(int argc, char **argv)
{
	struct options o;

	parse_options(argc, argv, &o);
	if (strcmp(o.command, "start") == 0)
		return cmd_start(&o);
	if (strcmp(o.command, "stop") == 0)
		return cmd_stop(&o);
	if (strcmp(o.command, "restart") == 0) {
		int rc = cmd_stop(&o);
		return rc != EXIT_OK ? rc : cmd_start(&o);
	}
	if (strcmp(o.command, "status") == 0)
		return cmd_status(&o);
	if (strcmp(o.command, "run") == 0)
		return newstyle_run(&o.run);
	usage_error("unknown command: %s", o.command);
}
