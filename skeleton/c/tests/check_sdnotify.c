/* check_sdnotify.c - unit tests of the sdnotify unit (../sdnotify.c): the
 * NOTIFY_SOCKET address forms, one datagram per notification (to a path
 * and to an abstract name), RELOADING=1 with a fresh MONOTONIC_USEC, the
 * bounded wait on a manager that stopped reading, and the watchdog rules.
 */
#include "sdnotify.h"

#include <check.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

/* A receiving socket that the test binds: a path in a private directory,
 * or an abstract name (the same text after '@'). */
static char dir[64];
static char address[sizeof ((struct sockaddr_un *)0)->sun_path + 1];
static int receiver = -1;

static void bind_receiver(int abstract)
{
	struct sockaddr_un sa = { .sun_family = AF_UNIX };
	socklen_t len;

	if (abstract) {
		snprintf(address, sizeof address, "@daemon-kit/check_sdnotify/%ld", (long)getpid());
		memcpy(sa.sun_path + 1, address + 1, strlen(address) - 1);
		len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + strlen(address));
	} else {
		snprintf(address, sizeof address, "%s/notify", dir);
		memcpy(sa.sun_path, address, strlen(address));
		len = (socklen_t)sizeof sa;
	}
	receiver = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	ck_assert_int_ge(receiver, 0);
	ck_assert_int_eq(bind(receiver, (struct sockaddr *)&sa, len), 0);
}

static void make_dir(void)
{
	snprintf(dir, sizeof dir, "/tmp/check_sdnotify.XXXXXX");
	ck_assert_ptr_nonnull(mkdtemp(dir));
}

static void remove_dir(void)
{
	char path[128];

	if (receiver >= 0)
		close(receiver);
	receiver = -1;
	snprintf(path, sizeof path, "%s/notify", dir);
	unlink(path);
	rmdir(dir);
}

/* The next datagram, NUL-terminated; its length. */
static ssize_t receive(char *buf, size_t len)
{
	ssize_t n = recv(receiver, buf, len - 1, MSG_DONTWAIT);

	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	return n;
}

/* Core */

START_TEST(test_no_manager_is_a_silent_no_op)
{
	struct sdnotify n;

	ck_assert_int_eq(sdnotify_open(&n, NULL), 0);
	ck_assert_int_eq(n.fd, -1);
	ck_assert_int_eq(sdnotify_send(&n, "READY=1"), 0);
	ck_assert_int_eq(sdnotify_open(&n, ""), 0);
	ck_assert_int_eq(sdnotify_reloading(&n, NULL), 0);
	sdnotify_close(&n);
}
END_TEST

START_TEST(test_one_datagram_per_notification)
{
	struct sdnotify n;
	char buf[256];

	bind_receiver(_i);
	ck_assert_int_eq(sdnotify_open(&n, address), 0);
	ck_assert_int_eq(sdnotify_send(&n, "READY=1\nSTATUS=serving"), 0);
	ck_assert_int_eq(sdnotify_sendf(&n, "STATUS=%s %d", "step", 2), 0);
	ck_assert_int_eq(receive(buf, sizeof buf), 22);
	ck_assert_str_eq(buf, "READY=1\nSTATUS=serving");
	receive(buf, sizeof buf);
	ck_assert_str_eq(buf, "STATUS=step 2");
	sdnotify_close(&n);
	ck_assert_int_eq(n.fd, -1);
}
END_TEST

START_TEST(test_abstract_address_counts_only_its_bytes)
{
	struct sdnotify n;

	ck_assert_int_eq(sdnotify_open(&n, "@x/y"), 0);
	ck_assert_int_eq(n.addr.sun_path[0], '\0');
	ck_assert_int_eq(memcmp(n.addr.sun_path + 1, "x/y", 3), 0);
	ck_assert_uint_eq(n.addrlen, offsetof(struct sockaddr_un, sun_path) + 4);
	sdnotify_close(&n);
}
END_TEST

START_TEST(test_reloading_carries_a_fresh_monotonic_time)
{
	struct sdnotify n;
	char buf[256];
	unsigned long long sent;
	int used = 0;

	bind_receiver(0);
	ck_assert_int_eq(sdnotify_open(&n, address), 0);
	uint64_t before = sdnotify_monotonic_usec();
	ck_assert_int_eq(sdnotify_reloading(&n, "STATUS=reloading"), 0);
	uint64_t after = sdnotify_monotonic_usec();
	receive(buf, sizeof buf);
	ck_assert_int_eq(sscanf(buf, "RELOADING=1\nMONOTONIC_USEC=%llu\n%n", &sent, &used), 1);
	ck_assert_str_eq(buf + used, "STATUS=reloading");
	ck_assert_uint_ge(sent, before);
	ck_assert_uint_le(sent, after);
	sdnotify_close(&n);
}
END_TEST

/* Watchdog rules: WATCHDOG_USEC, WATCHDOG_PID (NULL: unset), and the answer. */
static const struct {
	const char *usec, *pid;
	int self_is_pid;  /* WATCHDOG_PID names the caller */
	int want;
	uint64_t interval;
} rules[] = {
	{ NULL, NULL, 0, 0, 0 },
	{ "", NULL, 0, 0, 0 },
	{ "200000", NULL, 0, 1, 200000 },   /* unset WATCHDOG_PID: ours */
	{ "200000", "", 0, 1, 200000 },
	{ "200000", NULL, 1, 1, 200000 },   /* our pid */
	{ "200000", "1", 0, 0, 0 },         /* another process's */
	{ "0", NULL, 0, -1, 0 },
	{ "-1", NULL, 0, -1, 0 },
	{ "2e5", NULL, 0, -1, 0 },
	{ " 200000", NULL, 0, -1, 0 },
	{ "99999999999999999999999", NULL, 0, -1, 0 },
	{ "200000", "x", 0, -1, 0 },
	{ "200000", "0", 0, -1, 0 },
};

START_TEST(test_watchdog_rules)
{
	char self[24];
	uint64_t interval = 0;

	snprintf(self, sizeof self, "%ld", (long)getpid());
	errno = 0;
	int rc = sdnotify_watchdog(rules[_i].usec, rules[_i].self_is_pid ? self : rules[_i].pid,
	    getpid() == 1 ? 2 : getpid(), &interval);
	ck_assert_int_eq(rc, rules[_i].want);
	if (rc < 0)
		ck_assert_int_eq(errno, EINVAL);
	if (rc > 0)
		ck_assert_uint_eq(interval, rules[_i].interval);
}
END_TEST

/* Errors */

START_TEST(test_other_address_forms_refused)
{
	struct sdnotify n;
	const char *forms[] = { "vsock:2:1234", "run/notify", "x" };

	for (size_t i = 0; i < sizeof forms / sizeof forms[0]; i++) {
		ck_assert_int_eq(sdnotify_open(&n, forms[i]), -1);
		ck_assert_int_eq(errno, EAFNOSUPPORT);
		ck_assert_int_eq(n.fd, -1);
	}
}
END_TEST

START_TEST(test_address_too_long_refused)
{
	struct sdnotify n;
	char name[sizeof n.addr.sun_path + 2];

	memset(name, 'x', sizeof name - 1);
	name[0] = '/';
	name[sizeof n.addr.sun_path] = '\0';      /* exactly fills sun_path */
	ck_assert_int_eq(sdnotify_open(&n, name), 0);
	sdnotify_close(&n);
	name[sizeof n.addr.sun_path] = 'x';       /* one byte more */
	name[sizeof name - 1] = '\0';
	ck_assert_int_eq(sdnotify_open(&n, name), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_missing_manager_is_an_error_not_a_crash)
{
	struct sdnotify n;
	char path[128];

	snprintf(path, sizeof path, "%s/nobody-listens", dir);
	ck_assert_int_eq(sdnotify_open(&n, path), 0);
	ck_assert_int_eq(sdnotify_send(&n, "READY=1"), -1);
	ck_assert_int_eq(errno, ENOENT);
	sdnotify_close(&n);
}
END_TEST

START_TEST(test_oversized_notification_refused)
{
	struct sdnotify n;
	static char big[5000];

	bind_receiver(0);
	memset(big, 'x', sizeof big - 1);
	ck_assert_int_eq(sdnotify_open(&n, address), 0);
	ck_assert_int_eq(sdnotify_sendf(&n, "STATUS=%s", big), -1);
	ck_assert_int_eq(errno, EMSGSIZE);
	sdnotify_close(&n);
}
END_TEST

/* A manager that stops reading: the queue fills, and then a send gives up
 * after its bounded wait instead of blocking the service for good. */
START_TEST(test_full_queue_fails_after_a_bounded_wait)
{
	struct sdnotify n;
	int rc = 0;

	bind_receiver(0);
	ck_assert_int_eq(sdnotify_open(&n, address), 0);
	for (int i = 0; i < 10000 && rc == 0; i++)
		rc = sdnotify_send(&n, "WATCHDOG=1");
	ck_assert_int_eq(rc, -1);
	ck_assert_msg(errno == EAGAIN || errno == EWOULDBLOCK, "errno %d", errno);
	sdnotify_close(&n);
}
END_TEST

static Suite *sdnotify_suite(void)
{
	Suite *s = suite_create("sdnotify");
	TCase *core = tcase_create("Core");
	TCase *errors = tcase_create("Errors");
	TCase *all[] = { core, errors };

	for (size_t i = 0; i < 2; i++) {
		tcase_add_checked_fixture(all[i], make_dir, remove_dir);
		tcase_set_timeout(all[i], 10);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(core, test_no_manager_is_a_silent_no_op);
	tcase_add_loop_test(core, test_one_datagram_per_notification, 0, 2);  /* path, abstract */
	tcase_add_test(core, test_abstract_address_counts_only_its_bytes);
	tcase_add_test(core, test_reloading_carries_a_fresh_monotonic_time);
	tcase_add_loop_test(core, test_watchdog_rules, 0, (int)(sizeof rules / sizeof rules[0]));

	tcase_add_test(errors, test_other_address_forms_refused);
	tcase_add_test(errors, test_address_too_long_refused);
	tcase_add_test(errors, test_missing_manager_is_an_error_not_a_crash);
	tcase_add_test(errors, test_oversized_notification_refused);
	tcase_add_test(errors, test_full_queue_fails_after_a_bounded_wait);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(sdnotify_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
