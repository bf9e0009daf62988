/* daemonize.c - the daemon(7) start-up steps, one function each, plus the
 * readiness channel between the daemon and the process that started it.
 * See daemonize.h for the order in which they are meant to be called.
 */
#include "daemonize.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

/* The first byte on the readiness channel; a failure carries a message. */
#define CHANNEL_READY  'R'
#define CHANNEL_FAILED 'F'

int fd_ensure_stdio(void)
{
	for (int fd = 0; fd < 3; fd++) {
		if (fcntl(fd, F_GETFD) >= 0)
			continue;
		if (errno != EBADF)
			return -1;
		/* Not O_CLOEXEC: standard descriptors must survive exec. As every
		 * lower descriptor is open, open() returns exactly fd. */
		int nfd = open("/dev/null", O_RDWR);
		if (nfd < 0)
			return -1;
		if (nfd != fd) {
			close(nfd);
			errno = EBADF;
			return -1;
		}
	}
	return 0;
}

static int parse_fd_name(const char *name)
{
	int fd = 0;

	if (*name == '\0')
		return -1;
	for (; *name; name++) {
		if (*name < '0' || *name > '9' || fd > (0x7fffffff - 9) / 10)
			return -1;
		fd = fd * 10 + (*name - '0');
	}
	return fd;
}

int fd_close_from_procfs(int lowfd)
{
	char buf[4096];
	int dirfd = open("/proc/self/fd", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (dirfd < 0)
		return -1;
	/* /proc/self/fd is read by descriptor number, not by a snapshot, so
	 * closing the descriptors already listed does not make it skip any. */
	for (;;) {
		ssize_t n = getdents64(dirfd, buf, sizeof buf);
		if (n < 0) {
			int saved = errno;
			close(dirfd);
			errno = saved;
			return -1;
		}
		if (n == 0)
			break;
		for (ssize_t off = 0; off < n;) {
			struct dirent64 *d = (struct dirent64 *)(void *)(buf + off);
			int fd = parse_fd_name(d->d_name);
			if (fd >= lowfd && fd != dirfd)
				close(fd);
			off += d->d_reclen;
		}
	}
	return close(dirfd);
}

#ifdef NAIVE_CLOSE
/* Only for the benchmark: the classic loop over every possible descriptor,
 * whose cost grows with RLIMIT_NOFILE (1,048,576 in many containers) rather
 * than with the number of descriptors actually open. */
int fd_close_from(int lowfd)
{
	long max = sysconf(_SC_OPEN_MAX);

	for (long fd = lowfd; fd < max; fd++)
		close((int)fd);
	return 0;
}
#else
int fd_close_from(int lowfd)
{
	if (lowfd < 0) {
		errno = EINVAL;
		return -1;
	}
	if (close_range((unsigned int)lowfd, ~0U, 0) == 0)
		return 0;
	/* ENOSYS: kernel older than 5.9 (or a seccomp filter hiding it). */
	if (errno != ENOSYS)
		return -1;
	return fd_close_from_procfs(lowfd);
}
#endif

/* glibc's sigaction() refuses the two signals it reserves for its threads
 * (32 and 33), yet a launcher may have left them ignored, and an ignored
 * disposition survives exec. The kernel is asked directly: an all-zero
 * kernel sigaction means SIG_DFL, no flags, empty mask, whatever the
 * architecture's field order, and glibc installs its own handlers again
 * when it needs them. EINVAL is left for signals nobody may change (or
 * that a tool such as valgrind keeps for itself). */
static int reset_reserved_signal(int sig)
{
	uint64_t zero[8] = { 0 };  /* larger than any kernel struct sigaction */

	if (syscall(SYS_rt_sigaction, sig, zero, NULL, (size_t)(NSIG / 8)) == 0 || errno == EINVAL)
		return 0;
	return -1;
}

int signals_reset(void)
{
	struct sigaction dfl;
	sigset_t none;

	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	sigemptyset(&dfl.sa_mask);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP)
			continue;
		if (sigaction(sig, &dfl, NULL) == 0)
			continue;
		if (errno != EINVAL || reset_reserved_signal(sig) < 0)
			return -1;
	}
	sigemptyset(&none);
	return sigprocmask(SIG_SETMASK, &none, NULL);
}

int stdio_to_devnull(void)
{
	struct stat st;
	int fd = open("/dev/null", O_RDWR | O_CLOEXEC);

	if (fd < 0)
		return -1;
	if (fstat(fd, &st) < 0)
		goto fail;
	if (!S_ISCHR(st.st_mode)) {
		errno = ENODEV;
		goto fail;
	}
	for (int target = 0; target < 3; target++) {
		/* dup2 onto itself would keep O_CLOEXEC, so clear it instead. */
		int rc = target == fd ? fcntl(fd, F_SETFD, 0) : dup2(fd, target);
		if (rc < 0)
			goto fail;
	}
	if (fd > 2 && close(fd) < 0)
		return -1;
	return 0;
fail:
	if (fd > 2) {
		int saved = errno;
		close(fd);
		errno = saved;
	}
	return -1;
}

static int channel_send(int channel, char kind, const char *msg)
{
	char buf[512];
	size_t len = 1;
	int rc = 0;

	buf[0] = kind;
	if (msg) {
		size_t mlen = strlen(msg);
		if (mlen > sizeof buf - 1)
			mlen = sizeof buf - 1;
		memcpy(buf + 1, msg, mlen);
		len += mlen;
	}
	/* A socket, not a pipe, for MSG_NOSIGNAL: a launcher killed meanwhile
	 * must not take the daemon down with a SIGPIPE. */
	ssize_t n;
	do
		n = send(channel, buf, len, MSG_NOSIGNAL);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		rc = -1;
	int saved = errno;
	if (close(channel) < 0 && rc == 0)
		return -1;
	errno = saved;
	return rc;
}

int daemonize_ready(int channel)
{
	return channel_send(channel, CHANNEL_READY, NULL);
}

int daemonize_fail(int channel, const char *msg)
{
	return channel_send(channel, CHANNEL_FAILED, msg);
}

/* The first child: reports its own failures, since nobody else can. */
static void first_child_fail(int channel, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof msg, "unable to %s: %s", what, strerror(errno));
	daemonize_fail(channel, msg);
	_exit(1);
}

pid_t daemonize_fork(int *channel)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) < 0)
		return -1;
	pid_t child = fork();
	if (child < 0) {
		int saved = errno;
		close(sv[0]);
		close(sv[1]);
		errno = saved;
		return -1;
	}
	if (child > 0) {
		close(sv[1]);
		*channel = sv[0];
		return child;
	}
	close(sv[0]);
	if (setsid() < 0)
		first_child_fail(sv[1], "create a new session");
	pid_t daemon = fork();
	if (daemon < 0)
		first_child_fail(sv[1], "fork the daemon");
	if (daemon > 0)
		_exit(0);  /* never exit(): no atexit handlers, no stdio flush */
	*channel = sv[1];
	return 0;
}

int daemonize_detach(const struct daemonize_config *cfg, const char **step)
{
	const char *dir = cfg->dir ? cfg->dir : "/";

	if (!cfg->keep_stdio && stdio_to_devnull() < 0) {
		*step = "redirect stdio to /dev/null";
		return -1;
	}
	umask(cfg->umask);
	if (chdir(dir) < 0) {
		*step = "change directory";
		return -1;
	}
	return 0;
}

/* Reads the daemon's report: "ready" needs nothing more, so the launcher
 * returns at once; a failure is read to the end for its whole message;
 * EOF first means that the daemon and the first child are both gone. */
static ssize_t channel_read_report(int channel, char *buf, size_t cap)
{
	size_t got = 0;
	char scratch[256];

	for (;;) {
		char *to = got < cap ? buf + got : scratch;
		size_t room = got < cap ? cap - got : sizeof scratch;
		ssize_t n = read(channel, to, room);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		if (n == 0)
			return (ssize_t)got;
		if (got < cap)
			got += (size_t)n;
		if (buf[0] == CHANNEL_READY)
			return (ssize_t)got;
	}
}

static int reap(pid_t child)
{
	int status;

	while (waitpid(child, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return 0;
}

int daemonize_wait(int channel, pid_t child, char *msg, size_t msglen)
{
	char buf[512];
	ssize_t got = channel_read_report(channel, buf, sizeof buf - 1);
	int saved = errno;

	close(channel);
	if (reap(child) < 0 && got >= 0) {
		saved = errno;
		got = -1;
	}
	if (msglen > 0)
		msg[0] = '\0';
	if (got < 0) {
		errno = saved;
		return -1;
	}
	if (got >= 1 && buf[0] == CHANNEL_READY)
		return 0;
	if (got >= 1 && buf[0] == CHANNEL_FAILED) {
		buf[got] = '\0';
		if (msglen > 0)
			snprintf(msg, msglen, "%s", buf + 1);
		errno = ECANCELED;
		return -1;
	}
	errno = EPIPE;
	return -1;
}
