/* newstyle.c - `mydaemon run`: the reference daemon as a new-style service.
 *
 * It does not daemonize: no fork, no setsid, no pidfile, no redirection of
 * stdout or stderr. The service manager has already done what the classic
 * `start` does by hand (session, cwd, umask, descriptors, environment), and
 * stderr is its journal. The service itself is kept tiny but real, so that
 * readiness means something: a TCP service that answers each connection
 * with one line (its greeting) and closes it.
 *
 * Its life, and what the manager hears through sdnotify.h:
 *   start     takes the manager's variables (notify socket, passed sockets,
 *             watchdog) and removes them from the environment before any
 *             child exists; STATUS=starting
 *   listen    on descriptor 3 when the manager passed it (socket
 *             activation, listenfds.h), else on a socket of its own;
 *             READY=1 only then: a connection made when READY=1 arrives
 *             is served
 *   SIGHUP    RELOADING=1 with MONOTONIC_USEC=, re-reads the greeting,
 *             READY=1 again (what Type=notify-reload requires), then starts
 *             the reload hook, if any, in a child
 *   watchdog  WATCHDOG=1 every half interval, from a timerfd in the loop
 *   SIGTERM   STOPPING=1, closes the listener, exits 0
 * Signals are read from a signalfd, so no work happens in a handler.
 */
#include "newstyle.h"

#include "daemonize.h"
#include "listenfds.h"
#include "report.h"
#include "sdnotify.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#define GREETING_MAX 256
#define ACCEPTS_PER_WAKEUP 64  /* then signals and pings get their turn */

struct service {
	const struct newstyle_options *o;
	struct sdnotify notify;
	bool notify_failing;         /* the last notification failed (logged once) */
	int passed;                  /* how many sockets the manager passed */
	uint64_t watchdog_usec;      /* the manager's interval; 0: no watchdog */
	int sigfd;
	int listener;
	int timerfd;                 /* watchdog ticks, or -1 */
	char where[INET6_ADDRSTRLEN + sizeof(struct sockaddr_un) + 16];
	char greeting[GREETING_MAX];
	pid_t hook;                  /* the reload hook while it runs, else 0 */
};

/* What the service manager tells its service through the environment. Any
 * child would inherit these and take them for its own: a NOTIFY_SOCKET
 * makes its messages look like ours, a LISTEN_PID that happens to match a
 * grandchild's pid hands it our socket. */
static const char *const manager_variables[] = {
	"NOTIFY_SOCKET", "LISTEN_PID", "LISTEN_FDS", "LISTEN_FDNAMES",
	"WATCHDOG_USEC", "WATCHDOG_PID",
};

/* A failed notification is logged once until one succeeds again (the
 * watchdog would repeat it twice an interval), and never stops the service. */
static void notified(struct service *s, int rc)
{
	if (rc < 0 && !s->notify_failing)
		report("warning", errno, "unable to notify the service manager");
	s->notify_failing = rc < 0;
}

static void tell(struct service *s, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void tell(struct service *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	int rc = sdnotify_vsendf(&s->notify, fmt, ap);
	va_end(ap);
	notified(s, rc);
}

static void tell_reloading(struct service *s)
{
	notified(s, sdnotify_reloading(&s->notify, "STATUS=reloading"));
}

static const char *or_unset(const char *value)
{
	return value ? value : "(unset)";
}

/* Reads the manager's variables, then removes them all: there is no thread
 * yet and no child, so unsetenv() races with nothing. */
static int take_manager_environment(struct service *s)
{
	const char *address = getenv("NOTIFY_SOCKET");
	int rc = 0;

	if (sdnotify_open(&s->notify, address) < 0)
		report("warning", errno, "unable to use NOTIFY_SOCKET=%s", address);
	s->passed = listenfds_take(getenv("LISTEN_PID"), getenv("LISTEN_FDS"), getpid());
	if (s->passed < 0) {
		report("fatal", errno, "unable to take the sockets passed by the service manager "
		    "(LISTEN_PID=%s, LISTEN_FDS=%s)", or_unset(getenv("LISTEN_PID")),
		    or_unset(getenv("LISTEN_FDS")));
		rc = -1;
	}
	const char *usec = getenv("WATCHDOG_USEC"), *pid = getenv("WATCHDOG_PID");
	if (sdnotify_watchdog(usec, pid, getpid(), &s->watchdog_usec) < 0) {
		report("warning", errno, "unable to use WATCHDOG_USEC=%s WATCHDOG_PID=%s",
		    or_unset(usec), or_unset(pid));
		s->watchdog_usec = 0;
	}
	for (size_t i = 0; i < sizeof manager_variables / sizeof manager_variables[0]; i++)
		unsetenv(manager_variables[i]);
	return rc;
}

/* The first line of the greeting file (the default when there is none).
 * Returns 0, 1 when the file does not exist, -1 with errno otherwise. */
static int load_greeting(const char *path, char *out, size_t len)
{
	char buf[GREETING_MAX];
	size_t got = 0;

	snprintf(out, len, "%s", NEWSTYLE_DEFAULT_GREETING);
	if (!path)
		return 0;
	int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return errno == ENOENT ? 1 : -1;
	while (got < sizeof buf - 1 && !memchr(buf, '\n', got)) {
		ssize_t n = read(fd, buf + got, sizeof buf - 1 - got);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int saved = errno;
			close(fd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		got += (size_t)n;
	}
	close(fd);
	buf[got] = '\0';
	buf[strcspn(buf, "\r\n")] = '\0';
	snprintf(out, len, "%s", buf);
	return 0;
}

/* "127.0.0.1:7007", "[::1]:7007", "/run/mydaemon.sock", "@name". */
static void describe_listener(int fd, char *out, size_t len)
{
	struct sockaddr_storage ss;
	socklen_t sslen = sizeof ss;
	char host[INET6_ADDRSTRLEN];

	snprintf(out, len, "descriptor %d", fd);
	if (getsockname(fd, (struct sockaddr *)&ss, &sslen) < 0)
		return;
	if (ss.ss_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;
		if (inet_ntop(AF_INET, &in->sin_addr, host, sizeof host))
			snprintf(out, len, "%s:%u", host, (unsigned)ntohs(in->sin_port));
	} else if (ss.ss_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;
		if (inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof host))
			snprintf(out, len, "[%s]:%u", host, (unsigned)ntohs(in6->sin6_port));
	} else if (ss.ss_family == AF_UNIX) {
		const struct sockaddr_un *un = (const struct sockaddr_un *)&ss;
		size_t n = sslen - offsetof(struct sockaddr_un, sun_path);
		if (sslen > offsetof(struct sockaddr_un, sun_path) && un->sun_path[0] == '\0')
			snprintf(out, len, "@%.*s", (int)(n - 1), un->sun_path + 1);
		else if (sslen > offsetof(struct sockaddr_un, sun_path))
			snprintf(out, len, "%.*s", (int)strnlen(un->sun_path, n), un->sun_path);
	}
}

static int set_nonblocking(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 ? -1 : fcntl(fd, F_SETFL, flags | O_NONBLOCK);
}

/* Socket activation: descriptor 3, once it proves to be what we serve on. */
static int listen_on_passed(struct service *s)
{
	if (listenfds_is_listening_stream(LISTENFDS_START) < 0) {
		report("fatal", errno, "unable to serve on descriptor %d passed by the service "
		    "manager: not a listening stream socket", LISTENFDS_START);
		return -1;
	}
	/* Non-blocking, so that a connection reset between poll() and
	 * accept() cannot block the loop. The flag is shared with the manager's
	 * copy of the socket, which only polls it. */
	if (set_nonblocking(LISTENFDS_START) < 0) {
		report("fatal", errno, "unable to make descriptor %d non-blocking", LISTENFDS_START);
		return -1;
	}
	if (s->passed > 1)
		report("info", 0, "serving on descriptor %d only, of the %d passed",
		    LISTENFDS_START, s->passed);
	s->listener = LISTENFDS_START;
	return 0;
}

/* Without socket activation: a socket of our own, on --address and --port. */
static int listen_on_own(struct service *s)
{
	const struct addrinfo hints = {
		.ai_flags = AI_PASSIVE | AI_NUMERICHOST | AI_NUMERICSERV,
		.ai_family = AF_UNSPEC,
		.ai_socktype = SOCK_STREAM,
	};
	struct addrinfo *ai;
	int one = 1;

	int rc = getaddrinfo(s->o->address, s->o->port, &hints, &ai);
	if (rc != 0) {
		report("fatal", 0, "unable to use address %s port %s: %s", s->o->address,
		    s->o->port, gai_strerror(rc));
		return -1;
	}
	int fd = socket(ai->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		report("fatal", errno, "unable to create a socket");
		freeaddrinfo(ai);
		return -1;
	}
	/* A restart must not wait for the last instance's connections to
	 * leave TIME_WAIT. */
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) < 0 ||
	    bind(fd, ai->ai_addr, ai->ai_addrlen) < 0 || listen(fd, SOMAXCONN) < 0) {
		report("fatal", errno, "unable to listen on %s port %s", s->o->address, s->o->port);
		close(fd);
		freeaddrinfo(ai);
		return -1;
	}
	freeaddrinfo(ai);
	s->listener = fd;
	return 0;
}

/* Blocked from now on, and read from a signalfd by the loop: a SIGHUP or
 * SIGTERM that comes early waits there instead of killing the service. */
static int block_signals(struct service *s)
{
	sigset_t set;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0) {
		report("fatal", errno, "unable to block signals");
		return -1;
	}
	s->sigfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (s->sigfd < 0) {
		report("fatal", errno, "unable to create a signalfd");
		return -1;
	}
	return 0;
}

/* A periodic timer at half the manager's interval, as sd_watchdog_enabled(3)
 * advises: one late tick still leaves a margin. */
static int arm_watchdog(struct service *s)
{
	uint64_t half = s->watchdog_usec / 2 ? s->watchdog_usec / 2 : 1;
	struct itimerspec it = {
		.it_interval = { .tv_sec = (time_t)(half / 1000000u), .tv_nsec = (long)(half % 1000000u) * 1000 },
	};

	it.it_value = it.it_interval;
	s->timerfd = timerfd_create(CLOCK_MONOTONIC, TFD_CLOEXEC | TFD_NONBLOCK);
	if (s->timerfd < 0) {
		report("fatal", errno, "unable to create a timerfd");
		return -1;
	}
	if (timerfd_settime(s->timerfd, 0, &it, NULL) < 0) {
		report("fatal", errno, "unable to arm the watchdog timer");
		return -1;
	}
	return 0;
}

static void ping_watchdog(struct service *s)
{
	uint64_t ticks;

	if (read(s->timerfd, &ticks, sizeof ticks) == (ssize_t)sizeof ticks)
		tell(s, "WATCHDOG=1");
}

/* One line, then close. What the client may have sent is read first (as
 * far as it has arrived): closing a socket with unread data resets the
 * connection, and a reset can destroy our line before the client reads it. */
static void answer(struct service *s, int conn)
{
	char line[GREETING_MAX + 1];
	char scratch[512];
	int len = snprintf(line, sizeof line, "%s\n", s->greeting);

	if (len > 0)
		(void)send(conn, line, (size_t)len, MSG_NOSIGNAL);  /* a client gone is no error of ours */
	for (int i = 0; i < 8 && recv(conn, scratch, sizeof scratch, MSG_DONTWAIT) > 0; i++)
		;
	close(conn);
}

static void answer_all(struct service *s)
{
	for (int i = 0; i < ACCEPTS_PER_WAKEUP; i++) {
		int conn = accept4(s->listener, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (conn >= 0) {
			answer(s, conn);
			continue;
		}
		if (errno == EAGAIN || errno == EWOULDBLOCK)
			return;
		if (errno == EMFILE || errno == ENFILE || errno == ENOBUFS || errno == ENOMEM) {
			report("warning", errno, "unable to accept a connection");
			return;
		}
		/* Anything else concerns that one connection (accept(2) lists
		 * the network errors it passes on): the next may do. */
	}
}

/* The reload hook runs in /bin/sh with the environment as it is now, the
 * manager's variables gone; our descriptors are all close-on-exec, and the
 * mask that feeds the signalfd is not passed on. */
static void start_hook(struct service *s)
{
	char sh[] = "sh", dash_c[] = "-c";
	char *argv[] = { sh, dash_c, s->o->reload_hook, NULL };
	posix_spawnattr_t attr;
	sigset_t none;
	pid_t pid;

	if (!s->o->reload_hook)
		return;
	if (s->hook > 0) {
		report("warning", 0, "reload hook (pid %ld) still running: not started again", (long)s->hook);
		return;
	}
	sigemptyset(&none);
	int rc = posix_spawnattr_init(&attr);
	if (rc == 0)
		rc = posix_spawnattr_setsigmask(&attr, &none);
	if (rc == 0)
		rc = posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETSIGMASK);
	if (rc == 0)
		rc = posix_spawn(&pid, "/bin/sh", NULL, &attr, argv, environ);
	posix_spawnattr_destroy(&attr);
	if (rc != 0) {
		report("warning", rc, "unable to start the reload hook");
		return;
	}
	s->hook = pid;
	report("info", 0, "reload hook started (pid %ld)", (long)pid);
}

static void report_hook_end(pid_t pid, int status)
{
	if (WIFEXITED(status))
		report("info", 0, "reload hook (pid %ld) exited with status %d", (long)pid,
		    WEXITSTATUS(status));
	else if (WIFSIGNALED(status))
		report("warning", 0, "reload hook (pid %ld) killed by SIG%s", (long)pid,
		    sigabbrev_np(WTERMSIG(status)));
}

/* On SIGCHLD: every child that has ended, until none is left to reap. */
static void reap_children(struct service *s)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		if (pid == s->hook) {
			s->hook = 0;
			report_hook_end(pid, status);
		}
	}
}

/* On stop: a hook still running is ours to end. Its pid cannot have been
 * reused, since we have not reaped it. */
static void stop_hook(struct service *s)
{
	int status;

	if (s->hook <= 0)
		return;
	report("info", 0, "stopping the reload hook (pid %ld)", (long)s->hook);
	kill(s->hook, SIGTERM);
	while (waitpid(s->hook, &status, 0) < 0 && errno == EINTR)
		;
	report_hook_end(s->hook, status);
	s->hook = 0;
}

static void reload(struct service *s)
{
	char fresh[GREETING_MAX];

	tell_reloading(s);
	report("info", 0, "reloading on SIGHUP");
	int rc = load_greeting(s->o->config, fresh, sizeof fresh);
	if (rc < 0) {
		report("warning", errno, "unable to read %s; the greeting stays \"%s\"",
		    s->o->config, s->greeting);
	} else {
		memcpy(s->greeting, fresh, sizeof s->greeting);
		report("info", 0, "greeting: \"%s\"%s", s->greeting, rc == 1 ? " (no config file)" : "");
	}
	tell(s, "READY=1\nSTATUS=serving on %s", s->where);
	start_hook(s);
}

/* Reads every pending signal; returns true when one asks to stop. */
static bool handle_signals(struct service *s)
{
	struct signalfd_siginfo si;

	while (read(s->sigfd, &si, sizeof si) == (ssize_t)sizeof si) {
		switch (si.ssi_signo) {
		case SIGHUP:
			reload(s);
			break;
		case SIGCHLD:
			reap_children(s);
			break;
		default:
			report("info", 0, "stopping on SIG%s from pid %ld",
			    sigabbrev_np((int)si.ssi_signo), (long)si.ssi_pid);
			return true;
		}
	}
	return false;
}

/* The loop: one poll() without timeout; the watchdog, when there is one,
 * is a descriptor like the others. Returns 0 on a stop request. */
static int serve(struct service *s)
{
	struct pollfd pfd[3] = {
		{ .fd = s->sigfd, .events = POLLIN },
		{ .fd = s->listener, .events = POLLIN },
		{ .fd = s->timerfd, .events = POLLIN },  /* ignored by poll when -1 */
	};

	for (;;) {
		if (poll(pfd, 3, -1) < 0) {
			if (errno == EINTR)
				continue;
			report("fatal", errno, "unable to wait for events");
			return -1;
		}
		if (pfd[2].revents)
			ping_watchdog(s);
		if (pfd[0].revents && handle_signals(s))
			return 0;
		if (pfd[1].revents)
			answer_all(s);
	}
}

static void stop(struct service *s)
{
	tell(s, "STOPPING=1\nSTATUS=stopping");
	close(s->listener);
	s->listener = -1;
	stop_hook(s);
	report("info", 0, "stopped");
}

static int start(struct service *s)
{
	if (take_manager_environment(s) < 0)
		return -1;
	tell(s, "STATUS=starting");
	/* A launcher other than a service manager (nohup, a shell) may have
	 * left SIGHUP ignored, and an ignored signal never reaches a signalfd. */
	if (signals_reset() < 0) {
		report("fatal", errno, "unable to reset signal dispositions and mask");
		return -1;
	}
	if (block_signals(s) < 0)
		return -1;
	int rc = load_greeting(s->o->config, s->greeting, sizeof s->greeting);
	if (rc < 0) {
		report("fatal", errno, "unable to read %s", s->o->config);
		return -1;
	}
	if (rc == 1)
		report("info", 0, "no config file %s: greeting \"%s\"", s->o->config, s->greeting);
	if ((s->passed > 0 ? listen_on_passed(s) : listen_on_own(s)) < 0)
		return -1;
	describe_listener(s->listener, s->where, sizeof s->where);
	if (s->watchdog_usec) {
		if (arm_watchdog(s) < 0)
			return -1;
		report("info", 0, "watchdog: WATCHDOG=1 every %llu us",
		    (unsigned long long)(s->watchdog_usec / 2));
	}
	report("info", 0, "serving on %s%s", s->where,
	    s->passed > 0 ? " (socket passed by the service manager)" : "");
	tell(s, "READY=1\nSTATUS=serving on %s", s->where);
	return 0;
}

int newstyle_run(const struct newstyle_options *o)
{
	struct service s = { .o = o, .sigfd = -1, .listener = -1, .timerfd = -1 };
	int rc = -1;

	/* A closed 0-2 would hand our first socket the role of stderr. */
	if (fd_ensure_stdio() < 0) {
		report("fatal", errno, "unable to open /dev/null on the closed standard descriptors");
		return 1;
	}
	if (start(&s) == 0 && serve(&s) == 0) {
		stop(&s);
		rc = 0;
	}
	if (s.listener >= 0)
		close(s.listener);
	if (s.timerfd >= 0)
		close(s.timerfd);
	if (s.sigfd >= 0)
		close(s.sigfd);
	sdnotify_close(&s.notify);
	return rc == 0 ? 0 : 1;
}
