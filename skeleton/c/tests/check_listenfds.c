/* check_listenfds.c - unit tests of the listenfds unit (../listenfds.c):
 * the sd_listen_fds(3) rules (whose variables, which pid, how many) and the
 * check that a passed descriptor is a listening stream socket.
 *
 * Taking descriptors means placing sockets at 3 and 4, where the test
 * runner may keep its own files, so those tests run in a child of their
 * own that reports only through its exit status.
 */
#include "listenfds.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

static int listening_tcp(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(bind(fd, (struct sockaddr *)&sin, sizeof sin), 0);
	ck_assert_int_eq(listen(fd, 4), 0);
	return fd;
}

/* Runs fn in a child; the test fails unless it exits 0. Its exit status
 * names the first check that failed. */
static void run_isolated(int (*fn)(void))
{
	int status;
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(fn());
	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
	    "isolated check %d failed (status %#x)", WEXITSTATUS(status), status);
}

static char self[24];

static const char *self_pid(void)
{
	snprintf(self, sizeof self, "%ld", (long)getpid());
	return self;
}

/* Core */

static int two_passed_become_close_on_exec(void)
{
	int a = listening_tcp(), b = listening_tcp();

	/* dup2 leaves the copies inheritable, as a manager hands them over. */
	if (dup2(a, 3) != 3 || dup2(b, 4) != 4)
		return 1;
	if (listenfds_take(self_pid(), "2", getpid()) != 2)
		return 2;
	for (int fd = 3; fd <= 4; fd++) {
		int flags = fcntl(fd, F_GETFD);
		if (flags < 0 || !(flags & FD_CLOEXEC))
			return 3;
	}
	return 0;
}

START_TEST(test_passed_descriptors_taken)
{
	run_isolated(two_passed_become_close_on_exec);
}
END_TEST

START_TEST(test_none_unless_for_this_process)
{
	ck_assert_int_eq(listenfds_take(NULL, "1", getpid()), 0);
	ck_assert_int_eq(listenfds_take("", "1", getpid()), 0);
	ck_assert_int_eq(listenfds_take("1", "1", getpid() == 1 ? 2 : getpid()), 0);
	ck_assert_int_eq(listenfds_take(self_pid(), NULL, getpid()), 0);
	ck_assert_int_eq(listenfds_take(self_pid(), "0", getpid()), 0);
}
END_TEST

START_TEST(test_listening_stream_sockets_accepted)
{
	int tcp = listening_tcp();
	int unix_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	struct sockaddr_un sun = { .sun_family = AF_UNIX };

	/* An abstract name: nothing to clean up on the file system. */
	snprintf(sun.sun_path + 1, sizeof sun.sun_path - 1, "daemon-kit/check_listenfds/%ld",
	    (long)getpid());
	ck_assert_int_eq(bind(unix_fd, (struct sockaddr *)&sun, sizeof sun), 0);
	ck_assert_int_eq(listen(unix_fd, 1), 0);
	ck_assert_int_eq(listenfds_is_listening_stream(tcp), 0);
	ck_assert_int_eq(listenfds_is_listening_stream(unix_fd), 0);
	close(tcp);
	close(unix_fd);
}
END_TEST

/* Errors */

START_TEST(test_malformed_variables)
{
	static const char *const bad[][2] = {
		{ "x", "1" }, { "0", "1" }, { "-1", "1" }, { "99999999999", "1" },
		{ NULL, "-1" }, { NULL, "one" }, { NULL, " 1" }, { NULL, "99999999999" },
	};

	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		errno = 0;
		ck_assert_int_eq(listenfds_take(bad[i][0] ? bad[i][0] : self_pid(), bad[i][1],
		    getpid()), -1);
		ck_assert_int_eq(errno, EINVAL);
	}
}
END_TEST

static int missing_descriptor_is_ebadf(void)
{
	int a = listening_tcp();

	if (dup2(a, 3) != 3)
		return 1;
	close(4);
	if (listenfds_take(self_pid(), "2", getpid()) != -1 || errno != EBADF)
		return 2;
	return 0;
}

START_TEST(test_missing_descriptor)
{
	run_isolated(missing_descriptor_is_ebadf);
}
END_TEST

START_TEST(test_other_descriptors_refused)
{
	int idle = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	int dgram = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	int pipefd[2];

	ck_assert_int_eq(pipe2(pipefd, O_CLOEXEC), 0);
	ck_assert_int_eq(listenfds_is_listening_stream(idle), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(listenfds_is_listening_stream(dgram), -1);
	ck_assert_int_eq(errno, EPROTOTYPE);
	ck_assert_int_eq(listenfds_is_listening_stream(pipefd[0]), -1);
	ck_assert_int_eq(errno, ENOTSOCK);
	close(idle);
	close(dgram);
	close(pipefd[0]);
	close(pipefd[1]);
}
END_TEST

static Suite *listenfds_suite(void)
{
	Suite *s = suite_create("listenfds");
	TCase *core = tcase_create("Core");
	TCase *errors = tcase_create("Errors");

	tcase_set_timeout(core, 10);
	tcase_set_timeout(errors, 10);
	suite_add_tcase(s, core);
	suite_add_tcase(s, errors);
	tcase_add_test(core, test_passed_descriptors_taken);
	tcase_add_test(core, test_none_unless_for_this_process);
	tcase_add_test(core, test_listening_stream_sockets_accepted);
	tcase_add_test(errors, test_malformed_variables);
	tcase_add_test(errors, test_missing_descriptor);
	tcase_add_test(errors, test_other_descriptors_refused);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(listenfds_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
