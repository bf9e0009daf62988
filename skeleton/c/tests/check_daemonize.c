/* check_daemonize.c - unit tests of the daemonize unit (../daemonize.c).
 *
 * The steps under test close descriptors, rewire stdio and reset signals,
 * which would break the test runner's own plumbing, so each one runs in a
 * child of its own ("isolated"). That child cannot report through a pipe
 * (it may close it), so it writes its verdict into a shared anonymous
 * mapping, which no descriptor operation can touch. The daemonize_fork()
 * tests make the test process a child subreaper, so that the daemon, an
 * orphan by design, is reaped here and never outlives its test.
 */
#include "daemonize.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Where an isolated child writes why it failed; empty means it passed. */
static char *verdict;
#define VERDICT_LEN 512

static void map_verdict(void)
{
	verdict = mmap(NULL, VERDICT_LEN, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	ck_assert(verdict != MAP_FAILED);
	verdict[0] = '\0';
}

static void unmap_verdict(void)
{
	munmap(verdict, VERDICT_LEN);
}

static int failf(int line, const char *fmt, ...)
{
	int n = snprintf(verdict, VERDICT_LEN, "line %d: ", line);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(verdict + n, VERDICT_LEN - (size_t)n, fmt, ap);
	va_end(ap);
	return 1;
}

/* In an isolated child: on failure, record expected vs got and return. */
#define EXPECT(cond) \
	do { if (!(cond)) return failf(__LINE__, "expected %s (errno %d)", #cond, errno); } while (0)
#define EXPECT_INT(got, want) \
	do { long g_ = (long)(got), w_ = (long)(want); \
	     if (g_ != w_) return failf(__LINE__, "%s: expected %ld, got %ld", #got, w_, g_); } while (0)

static int reap_one(pid_t pid)
{
	int status;

	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			return -1;
	}
	return status;
}

/* Runs fn in a child and fails the test with the child's verdict. */
static void run_isolated(int (*fn)(void))
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn() == 0 ? 0 : 1);
	int status = reap_one(pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "isolated step failed (status %#x): %s", status, verdict);
}

static int is_open(int fd)
{
	return fcntl(fd, F_GETFD) >= 0;
}

static int is_devnull(int fd)
{
	struct stat a, b;

	return fstat(fd, &a) == 0 && stat("/dev/null", &b) == 0 && S_ISCHR(a.st_mode) &&
	    a.st_rdev == b.st_rdev;
}

static int place_fd(int target)
{
	int fd = open("/dev/null", O_RDONLY);

	if (fd < 0)
		return -1;
	if (fd == target)
		return 0;
	int rc = dup2(fd, target);
	close(fd);
	return rc < 0 ? -1 : 0;
}

/* Core */

static const int planted[] = { 3, 4, 9, 100, 1000 };

static int close_from_closes_planted(int (*closer)(int))
{
	for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++)
		EXPECT(place_fd(planted[i]) == 0);
	EXPECT_INT(closer(3), 0);
	for (size_t i = 0; i < sizeof planted / sizeof planted[0]; i++)
		EXPECT(!is_open(planted[i]));
	for (int fd = 0; fd < 3; fd++)
		EXPECT(is_open(fd));
	return 0;
}

static int close_with_close_range(void)
{
	return close_from_closes_planted(fd_close_from);
}

static int close_with_procfs(void)
{
	return close_from_closes_planted(fd_close_from_procfs);
}

START_TEST(test_close_from_closes_inherited)
{
	run_isolated(close_with_close_range);
}
END_TEST

START_TEST(test_close_from_procfs_closes_inherited)
{
	run_isolated(close_with_procfs);
}
END_TEST

static int close_keeps_lower(void)
{
	EXPECT(place_fd(10) == 0 && place_fd(60) == 0 && place_fd(61) == 0);
	EXPECT_INT(fd_close_from(50), 0);
	EXPECT(is_open(10));
	EXPECT(!is_open(60) && !is_open(61));
	EXPECT(place_fd(60) == 0);
	EXPECT_INT(fd_close_from_procfs(50), 0);
	EXPECT(is_open(10) && !is_open(60));
	return 0;
}

START_TEST(test_close_from_keeps_lower_fds)
{
	run_isolated(close_keeps_lower);
}
END_TEST

static void (*const odd_handler)(int) = SIG_IGN;

static void noop_handler(int sig)
{
	(void)sig;
}

/* The kernel's view of a disposition, for the signals glibc reserves and
 * will not show: the handler is the first word of the kernel's struct
 * sigaction everywhere but MIPS. */
static int raw_disposition(int sig, uintptr_t set_to, uintptr_t *was)
{
	uint64_t act[8] = { 0 }, old[8] = { 0 };

	act[0] = set_to;
	if (syscall(SYS_rt_sigaction, sig, was ? NULL : act, old, (size_t)(NSIG / 8)) < 0)
		return -1;
	if (was)
		*was = (uintptr_t)old[0];
	return 0;
}

static int signals_back_to_default(void)
{
	struct sigaction sa;
	sigset_t set;

	memset(&sa, 0, sizeof sa);
	sa.sa_handler = odd_handler;
	EXPECT(sigaction(SIGUSR1, &sa, NULL) == 0);
	EXPECT(sigaction(SIGPIPE, &sa, NULL) == 0);
	EXPECT(sigaction(SIGRTMIN + 3, &sa, NULL) == 0);  /* the checker's sentinel */
	sa.sa_handler = noop_handler;
	EXPECT(sigaction(SIGUSR2, &sa, NULL) == 0);
	EXPECT(sigaction(SIGHUP, &sa, NULL) == 0);
	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN + 2);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGCHLD);
	EXPECT(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
#ifndef __mips__
	/* What some launchers leave behind: glibc's own signals ignored. */
	EXPECT(raw_disposition(32, (uintptr_t)SIG_IGN, NULL) == 0);
	EXPECT(raw_disposition(33, (uintptr_t)SIG_IGN, NULL) == 0);
#endif

	EXPECT_INT(signals_reset(), 0);

#ifndef __mips__
	for (int sig = 32; sig <= 33; sig++) {
		uintptr_t handler = 1;
		EXPECT(raw_disposition(sig, 0, &handler) == 0);
		if (handler != (uintptr_t)SIG_DFL)
			return failf(__LINE__, "signal %d: expected SIG_DFL, got %#lx", sig,
			    (unsigned long)handler);
	}
#endif

	for (int sig = 1; sig < NSIG; sig++) {
		if (sig == SIGKILL || sig == SIGSTOP || sigaction(sig, NULL, &sa) < 0)
			continue;
		if (sa.sa_handler != SIG_DFL)
			return failf(__LINE__, "signal %d: expected SIG_DFL", sig);
	}
	EXPECT(sigprocmask(SIG_SETMASK, NULL, &set) == 0);
	for (int sig = 1; sig < NSIG; sig++) {
		if (sigismember(&set, sig) == 1)
			return failf(__LINE__, "signal %d: expected unblocked", sig);
	}
	return 0;
}

START_TEST(test_signals_reset)
{
	run_isolated(signals_back_to_default);
}
END_TEST

static int stdio_checks(void)
{
	for (int fd = 0; fd < 3; fd++) {
		EXPECT(is_devnull(fd));
		/* They must survive an exec: no close-on-exec. */
		EXPECT_INT(fcntl(fd, F_GETFD) & FD_CLOEXEC, 0);
	}
	/* The temporary descriptor is gone: the next open lands on 3. */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EXPECT_INT(fd, 3);
	close(fd);
	return 0;
}

static int stdio_from_pipe(void)
{
	int fds[2];

	EXPECT(pipe(fds) == 0);
	EXPECT(dup2(fds[0], 0) == 0 && dup2(fds[1], 1) == 1 && dup2(fds[1], 2) == 2);
	EXPECT(fd_close_from(3) == 0);
	EXPECT_INT(stdio_to_devnull(), 0);
	return stdio_checks();
}

static int stdio_from_closed(void)
{
	close(0);
	close(1);
	close(2);
	EXPECT(fd_close_from(3) == 0);
	/* open() now returns 0: the dup2-onto-itself case. */
	EXPECT_INT(stdio_to_devnull(), 0);
	return stdio_checks();
}

START_TEST(test_stdio_to_devnull_replaces_pipe)
{
	run_isolated(stdio_from_pipe);
}
END_TEST

START_TEST(test_stdio_to_devnull_when_closed)
{
	run_isolated(stdio_from_closed);
}
END_TEST

static int ensure_stdio_fills_gap(void)
{
	int fds[2];

	EXPECT(pipe(fds) == 0);
	EXPECT(dup2(fds[1], 2) == 2);
	EXPECT(fd_close_from(3) == 0);
	close(1);
	EXPECT_INT(fd_ensure_stdio(), 0);
	EXPECT(is_devnull(1));
	EXPECT(!is_devnull(2));  /* an open descriptor is left alone */
	int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	EXPECT_INT(fd, 3);
	close(fd);
	return 0;
}

START_TEST(test_ensure_stdio_fills_closed_fd)
{
	run_isolated(ensure_stdio_fills_gap);
}
END_TEST

/* What the daemon checks about itself before it reports. */
static const char *daemon_self_check(pid_t test_sid, mode_t want_umask)
{
	char cwd[PATH_MAX];
	mode_t um = umask(0);

	if (getsid(0) == test_sid)
		return "still in the test's session";
	if (getsid(0) == getpid())
		return "a session leader (no second fork)";
	if (um != want_umask)
		return "umask not set";
	if (!getcwd(cwd, sizeof cwd) || strcmp(cwd, "/") != 0)
		return "cwd is not /";
	for (int fd = 0; fd < 3; fd++) {
		if (!is_devnull(fd))
			return "stdio not on /dev/null";
	}
	return NULL;
}

/* Reaps every child, the adopted daemon included. */
static void reap_all(void)
{
	while (waitpid(-1, NULL, 0) >= 0 || errno == EINTR)
		;
	ck_assert_int_eq(errno, ECHILD);
}

enum daemon_plan { DAEMON_CHECKS_ITSELF, DAEMON_FAILS, DAEMON_VANISHES };

/* Daemonizes; the daemon follows plan; returns daemonize_wait()'s result. */
static int daemonize_and_wait(enum daemon_plan plan, char *msg, size_t msglen, int *err)
{
	struct daemonize_config cfg = { .umask = 027, .dir = "/", .keep_stdio = false };
	pid_t test_sid = getsid(0);
	const char *step = NULL;
	int channel = -1;

	ck_assert_int_eq(prctl(PR_SET_CHILD_SUBREAPER, 1), 0);
	pid_t child = daemonize_fork(&channel);
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		const char *why = NULL;
		if (daemonize_detach(&cfg, &step) < 0)
			why = step;
		else if (plan == DAEMON_CHECKS_ITSELF)
			why = daemon_self_check(test_sid, cfg.umask);
		else if (plan == DAEMON_FAILS)
			why = "boom";
		else
			_exit(3);  /* without a word */
		if (why)
			daemonize_fail(channel, why);
		else
			daemonize_ready(channel);
		_exit(0);
	}
	int rc = daemonize_wait(channel, child, msg, msglen);
	*err = errno;
	ck_assert_int_eq(waitpid(child, NULL, WNOHANG), -1);  /* reaped by the wait */
	reap_all();
	return rc;
}

START_TEST(test_daemonize_fork_detaches)
{
	char msg[256];
	int err;
	int rc = daemonize_and_wait(DAEMON_CHECKS_ITSELF, msg, sizeof msg, &err);

	ck_assert_msg(rc == 0, "daemon reported: %s (errno %d)", msg, err);
}
END_TEST

START_TEST(test_wait_relays_failure)
{
	char msg[256];
	int err;

	ck_assert_int_eq(daemonize_and_wait(DAEMON_FAILS, msg, sizeof msg, &err), -1);
	ck_assert_int_eq(err, ECANCELED);
	ck_assert_str_eq(msg, "boom");
}
END_TEST

START_TEST(test_wait_notices_silent_death)
{
	char msg[256];
	int err;

	ck_assert_int_eq(daemonize_and_wait(DAEMON_VANISHES, msg, sizeof msg, &err), -1);
	ck_assert_int_eq(err, EPIPE);
	ck_assert_str_eq(msg, "");
}
END_TEST

/* Limits */

static int close_at_the_limit(void)
{
	struct rlimit rl;

	EXPECT(getrlimit(RLIMIT_NOFILE, &rl) == 0);
	int top = (int)(rl.rlim_cur > 65536 ? 65536 : rl.rlim_cur) - 1;
	EXPECT(place_fd(top) == 0);
	EXPECT_INT(fd_close_from(3), 0);
	EXPECT(!is_open(top));
	EXPECT(place_fd(top) == 0);
	EXPECT_INT(fd_close_from_procfs(3), 0);
	EXPECT(!is_open(top));
	return 0;
}

START_TEST(test_close_at_descriptor_limit)
{
	run_isolated(close_at_the_limit);
}
END_TEST

/* More descriptors than one getdents64() batch lists. */
static int close_many_procfs(void)
{
	enum { MANY = 900 };

	for (int fd = 3; fd < 3 + MANY; fd++)
		EXPECT(place_fd(fd) == 0);
	EXPECT_INT(fd_close_from_procfs(3), 0);
	for (int fd = 3; fd < 3 + MANY; fd++) {
		if (is_open(fd))
			return failf(__LINE__, "fd %d still open", fd);
	}
	return 0;
}

START_TEST(test_close_many_procfs)
{
	run_isolated(close_many_procfs);
}
END_TEST

/* A daemon message longer than anything the launcher keeps. */
START_TEST(test_long_failure_message_truncated)
{
	char big[2000], msg[8];
	int sv[2];

	memset(big, 'x', sizeof big - 1);
	big[sizeof big - 1] = '\0';
	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	pid_t child = fork();
	ck_assert_int_ge(child, 0);
	if (child == 0) {
		close(sv[0]);
		_exit(daemonize_fail(sv[1], big) == 0 ? 0 : 1);
	}
	close(sv[1]);
	ck_assert_int_eq(daemonize_wait(sv[0], child, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, ECANCELED);
	ck_assert_str_eq(msg, "xxxxxxx");
}
END_TEST

/* Errors */

START_TEST(test_close_from_negative)
{
	ck_assert_int_eq(fd_close_from(-1), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_ready_after_launcher_died)
{
	int sv[2];

	ck_assert_int_eq(socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv), 0);
	close(sv[0]);
	/* SIGPIPE at its default would kill this test instead. */
	ck_assert_int_eq(daemonize_ready(sv[1]), -1);
	ck_assert_int_eq(errno, EPIPE);
	ck_assert(!is_open(sv[1]));
}
END_TEST

static int detach_to_missing_dir(void)
{
	struct daemonize_config cfg = { .umask = 0, .dir = "/no/such/dir", .keep_stdio = true };
	const char *step = NULL;

	EXPECT_INT(daemonize_detach(&cfg, &step), -1);
	EXPECT_INT(errno, ENOENT);
	EXPECT(step && strcmp(step, "change directory") == 0);
	return 0;
}

START_TEST(test_detach_reports_failed_step)
{
	run_isolated(detach_to_missing_dir);
}
END_TEST

START_TEST(test_wait_on_bad_channel)
{
	char msg[16];
	pid_t child = fork();

	ck_assert_int_ge(child, 0);
	if (child == 0)
		_exit(0);
	ck_assert_int_eq(daemonize_wait(-1, child, msg, sizeof msg), -1);
	ck_assert_int_eq(errno, EBADF);
	ck_assert_int_eq(waitpid(child, NULL, WNOHANG), -1);  /* reaped anyway */
}
END_TEST

static Suite *daemonize_suite(void)
{
	Suite *s = suite_create("daemonize");
	TCase *core = tcase_create("Core");
	TCase *limits = tcase_create("Limits");
	TCase *errors = tcase_create("Errors");
	TCase *all[] = { core, limits, errors };

	for (size_t i = 0; i < 3; i++) {
		tcase_add_checked_fixture(all[i], map_verdict, unmap_verdict);
		tcase_set_timeout(all[i], 10);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(core, test_close_from_closes_inherited);
	tcase_add_test(core, test_close_from_procfs_closes_inherited);
	tcase_add_test(core, test_close_from_keeps_lower_fds);
	tcase_add_test(core, test_signals_reset);
	tcase_add_test(core, test_stdio_to_devnull_replaces_pipe);
	tcase_add_test(core, test_stdio_to_devnull_when_closed);
	tcase_add_test(core, test_ensure_stdio_fills_closed_fd);
	tcase_add_test(core, test_daemonize_fork_detaches);
	tcase_add_test(core, test_wait_relays_failure);
	tcase_add_test(core, test_wait_notices_silent_death);

	tcase_add_test(limits, test_close_at_descriptor_limit);
	tcase_add_test(limits, test_close_many_procfs);
	tcase_add_test(limits, test_long_failure_message_truncated);

	tcase_add_test(errors, test_close_from_negative);
	tcase_add_test(errors, test_ready_after_launcher_died);
	tcase_add_test(errors, test_detach_reports_failed_step);
	tcase_add_test(errors, test_wait_on_bad_channel);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(daemonize_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
