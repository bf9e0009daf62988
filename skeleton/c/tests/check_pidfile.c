/* check_pidfile.c - unit tests of the pidfile unit (../pidfile.c).
 *
 * A lock is only visible from another process (a process never conflicts
 * with its own locks), so the tests that look at one fork: a "peek" child
 * that reads the pidfile as `status` would, or a "contender" child that
 * holds it while the test tries its luck. They hand results back over pipes;
 * nothing waits on time.
 */
#include "pidfile.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static char base[PATH_MAX];  /* one per test case, removed by the runner */
static char dir[PATH_MAX];   /* one per test, inside base */
static char path[PATH_MAX];

/* Builds DIR/NAME into buf (PATH_MAX bytes). */
static void in_dir(char *buf, const char *name)
{
	int n = snprintf(buf, PATH_MAX, "%s/%s", dir, name);

	ck_assert(n > 0 && n < PATH_MAX);
}

/* Unchecked fixture, run by the runner itself: a failed test ends its
 * process before any checked teardown, so removal happens here, once the
 * whole test case is over. */
static void make_base(void)
{
	const char *tmp = getenv("TMPDIR");

	snprintf(base, sizeof base, "%s/check_pidfile.XXXXXX", tmp && *tmp ? tmp : "/tmp");
	if (!mkdtemp(base)) {
		perror("check_pidfile: mkdtemp");
		exit(EXIT_FAILURE);
	}
}

static int remove_entry(const char *p, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	return type == FTW_DP ? rmdir(p) : unlink(p);
}

static void remove_base(void)
{
	nftw(base, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

/* Checked fixture: each test gets a fresh directory holding the pidfile. */
static void make_dir(void)
{
	int n = snprintf(dir, sizeof dir, "%s/t.XXXXXX", base);

	ck_assert(n > 0 && n < (int)sizeof dir);
	ck_assert_ptr_nonnull(mkdtemp(dir));
	in_dir(path, "test.pid");
}

static void write_file(const char *p, const char *content, mode_t mode)
{
	int fd = open(p, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, content, strlen(content)), (ssize_t)strlen(content));
	ck_assert_int_eq(fchmod(fd, mode), 0);
	ck_assert_int_eq(close(fd), 0);
}

static void read_file(const char *p, char *buf, size_t len)
{
	int fd = open(p, O_RDONLY | O_CLOEXEC);

	ck_assert_int_ge(fd, 0);
	ssize_t n = read(fd, buf, len - 1);
	ck_assert_int_ge(n, 0);
	buf[n] = '\0';
	close(fd);
}

static ino_t inode_of(const char *p)
{
	struct stat st;

	ck_assert_int_eq(lstat(p, &st), 0);
	return st.st_ino;
}

static int exists(const char *p)
{
	struct stat st;

	return lstat(p, &st) == 0;
}

static int wait_status(pid_t pid)
{
	int status;

	ck_assert_int_eq(waitpid(pid, &status, 0), pid);
	ck_assert(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* A pid that certainly names no process: a child that has been reaped. */
static pid_t dead_pid(void)
{
	pid_t pid = fork();

	ck_assert_int_ge(pid, 0);
	if (pid == 0)
		_exit(0);
	ck_assert_int_eq(wait_status(pid), 0);
	return pid;
}

/* What another process learns from pidfile_read() and pidfile_verify(). */
struct peek {
	int read_rc, read_errno;
	struct pidfile_info info;
	int verify_rc, verify_errno;
	pid_t verified;
};

static struct peek peek_from_child(const char *p)
{
	struct peek r;
	int fds[2];

	memset(&r, 0, sizeof r);
	ck_assert_int_eq(pipe2(fds, O_CLOEXEC), 0);
	pid_t pid = fork();
	ck_assert_int_ge(pid, 0);
	if (pid == 0) {
		r.read_rc = pidfile_read(p, &r.info);
		r.read_errno = errno;
		r.verify_rc = pidfile_verify(p, &r.verified);
		r.verify_errno = errno;
		_exit(write(fds[1], &r, sizeof r) == (ssize_t)sizeof r ? 0 : 1);
	}
	close(fds[1]);
	ck_assert_int_eq(read(fds[0], &r, sizeof r), (ssize_t)sizeof r);
	close(fds[0]);
	ck_assert_int_eq(wait_status(pid), 0);
	return r;
}

/* A child that holds the pidfile until released: the second instance. */
struct contender {
	pid_t pid;
	int release;  /* closing it lets the contender exit */
};

static struct contender start_contender(const char *p, const char *content)
{
	struct contender c;
	int ready[2], release[2];
	char verdict = 0;

	ck_assert_int_eq(pipe2(ready, O_CLOEXEC), 0);
	ck_assert_int_eq(pipe2(release, O_CLOEXEC), 0);
	c.pid = fork();
	ck_assert_int_ge(c.pid, 0);
	if (c.pid == 0) {
		struct pidfile pf;
		char ok = 'y', junk;
		close(ready[0]);
		close(release[1]);
		if (pidfile_open(&pf, p, NULL) < 0 || pidfile_write(&pf) < 0)
			ok = 'n';
		/* A holder whose file does not name it: written behind the
		 * unit's back, through the locked descriptor itself. */
		else if (content && pwrite(pf.fd, content, strlen(content), 0) < 0)
			ok = 'n';
		if (ok == 'y' && content && ftruncate(pf.fd, (off_t)strlen(content)) < 0)
			ok = 'n';
		if (write(ready[1], &ok, 1) != 1)
			_exit(1);
		while (read(release[0], &junk, 1) > 0)
			;
		_exit(0);
	}
	close(ready[1]);
	close(release[0]);
	ck_assert_int_eq(read(ready[0], &verdict, 1), 1);
	close(ready[0]);
	ck_assert_msg(verdict == 'y', "the contender could not take the pidfile");
	c.release = release[1];
	return c;
}

static void stop_contender(struct contender *c)
{
	close(c->release);
	ck_assert_int_eq(wait_status(c->pid), 0);
}

/* Core: what a daemon does with its pidfile on a good day. */

START_TEST(test_create_writes_pid_line)
{
	struct pidfile pf;
	char want[32], got[32];
	struct stat st;

	umask(0);
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	read_file(path, got, sizeof got);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(stat(path, &st), 0);
	ck_assert_int_eq(st.st_mode & 07777, 0644);
	ck_assert_int_eq(pidfile_close(&pf), 0);
}
END_TEST

START_TEST(test_lock_held_and_verified)
{
	struct pidfile pf;

	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	struct peek r = peek_from_child(path);
	ck_assert_int_eq(r.read_rc, 0);
	ck_assert_int_eq(r.info.holder, getpid());
	ck_assert_int_eq(r.info.content, getpid());
	ck_assert_int_eq(r.verify_rc, 0);
	ck_assert_int_eq(r.verified, getpid());
	ck_assert_int_eq(pidfile_close(&pf), 0);
}
END_TEST

START_TEST(test_stale_pidfile_taken_over)
{
	struct pidfile pf;
	char stale[32], want[32], got[32];

	snprintf(stale, sizeof stale, "%ld\n", (long)dead_pid());
	write_file(path, stale, 0644);
	struct peek r = peek_from_child(path);
	ck_assert_int_eq(r.info.holder, 0);
	ck_assert_int_eq(r.verify_rc, -1);
	ck_assert_int_eq(r.verify_errno, ESRCH);

	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	read_file(path, got, sizeof got);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(pidfile_close(&pf), 0);
}
END_TEST

START_TEST(test_remove_deletes_file)
{
	struct pidfile pf;

	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	ck_assert_int_eq(pidfile_remove(&pf), 0);
	ck_assert(!exists(path));
	ck_assert_int_eq(pf.fd, -1);
	struct peek r = peek_from_child(path);
	ck_assert_int_eq(r.read_errno, ENOENT);
	ck_assert_int_eq(r.verify_errno, ENOENT);
}
END_TEST

START_TEST(test_remove_stale_deletes_file)
{
	write_file(path, "1\n", 0644);
	ck_assert_int_eq(pidfile_remove_stale(path, NULL), 0);
	ck_assert(!exists(path));
}
END_TEST

START_TEST(test_takeover_after_holder_died)
{
	struct pidfile pf;
	struct contender c = start_contender(path, NULL);

	stop_contender(&c);  /* dies holding the lock, leaving the file */
	ck_assert(exists(path));
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_close(&pf), 0);
}
END_TEST

/* Limits: the edges of what the file may contain and be called. */

struct content_case {
	const char *text;
	pid_t pid;  /* what a reader must make of it; 0 = malformed */
};

static const struct content_case contents[] = {
	{ "1\n", 1 },
	{ "4194304\n", 4194304 },
	{ "2147483647\n", 2147483647 },
	{ "2147483648\n", 0 },
	{ "99999999999\n", 0 },
	{ "", 0 },
	{ "\n", 0 },
	{ "12", 0 },           /* no newline */
	{ "12/n", 0 },         /* the seed's typo */
	{ "12\n\n", 0 },
	{ "012\n", 0 },
	{ "+12\n", 0 },
	{ "-12\n", 0 },
	{ " 12\n", 0 },
	{ "12 \n", 0 },
	{ "0\n", 0 },
	{ "12\r\n", 0 },
	{ "12\n34\n", 0 },
	{ "123456789012345678901234567890\n", 0 },
};

START_TEST(test_content_parsing)
{
	struct pidfile_info info;

	write_file(path, contents[_i].text, 0644);
	ck_assert_int_eq(pidfile_read(path, &info), 0);
	ck_assert_msg(info.content == contents[_i].pid, "content \"%s\": expected %ld, got %ld",
	    contents[_i].text, (long)contents[_i].pid, (long)info.content);
	ck_assert_int_eq(info.holder, 0);
}
END_TEST

START_TEST(test_mode_fixed_whatever_umask)
{
	static const mode_t umasks[] = { 0, 022, 077, 0777 };
	struct pidfile pf;
	struct stat st;

	for (size_t i = 0; i < sizeof umasks / sizeof umasks[0]; i++) {
		umask(umasks[i]);
		write_file(path, "1\n", 0666);  /* a world-writable leftover */
		ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
		ck_assert_int_eq(pidfile_write(&pf), 0);
		ck_assert_int_eq(stat(path, &st), 0);
		ck_assert_msg((st.st_mode & 07777) == 0644, "umask %03o: mode %03o",
		    (unsigned)umasks[i], (unsigned)(st.st_mode & 07777));
		ck_assert_int_eq(pidfile_remove(&pf), 0);
	}
}
END_TEST

START_TEST(test_longer_content_truncated)
{
	struct pidfile pf;
	char want[32], got[64];

	write_file(path, "1234567890123\n", 0644);
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	snprintf(want, sizeof want, "%ld\n", (long)getpid());
	read_file(path, got, sizeof got);
	ck_assert_str_eq(got, want);
	ck_assert_int_eq(pidfile_close(&pf), 0);
}
END_TEST

START_TEST(test_name_too_long)
{
	struct pidfile pf;
	char name[NAME_MAX + 2], p[PATH_MAX];

	memset(name, 'x', NAME_MAX + 1);
	name[NAME_MAX + 1] = '\0';
	in_dir(p, name);
	ck_assert_int_eq(pidfile_open(&pf, p, NULL), -1);
	ck_assert_int_eq(errno, ENAMETOOLONG);
}
END_TEST

START_TEST(test_relative_path_in_cwd)
{
	struct pidfile pf;

	ck_assert_int_eq(chdir(dir), 0);
	ck_assert_int_eq(pidfile_open(&pf, "test.pid", NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	/* Removal goes through the directory opened at the start, so moving
	 * elsewhere (as a daemon does) does not change what is removed. */
	ck_assert_int_eq(chdir("/"), 0);
	ck_assert_int_eq(pidfile_remove(&pf), 0);
	ck_assert(!exists(path));
}
END_TEST

START_TEST(test_directory_name_refused)
{
	struct pidfile pf;
	char p[PATH_MAX];

	in_dir(p, "");
	ck_assert_int_eq(pidfile_open(&pf, p, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	in_dir(p, "..");
	ck_assert_int_eq(pidfile_open(&pf, p, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Errors: everything a pidfile unit must refuse. */

START_TEST(test_second_instance_refused)
{
	struct pidfile pf;
	pid_t holder = 0;
	char before[32], after[32];
	struct contender c = start_contender(path, NULL);
	ino_t ino = inode_of(path);

	read_file(path, before, sizeof before);
	ck_assert_int_eq(pidfile_open(&pf, path, &holder), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(holder, c.pid);
	/* The refused instance left the running one's file untouched. */
	read_file(path, after, sizeof after);
	ck_assert_str_eq(after, before);
	ck_assert_int_eq(inode_of(path), ino);
	stop_contender(&c);
}
END_TEST

START_TEST(test_remove_stale_spares_live_one)
{
	pid_t holder = 0;
	struct contender c = start_contender(path, NULL);

	ck_assert_int_eq(pidfile_remove_stale(path, &holder), -1);
	ck_assert_int_eq(errno, EEXIST);
	ck_assert_int_eq(holder, c.pid);
	ck_assert(exists(path));
	stop_contender(&c);
}
END_TEST

START_TEST(test_verify_rejects_wrong_content)
{
	struct contender c = start_contender(path, "1\n");
	struct peek r = peek_from_child(path);

	ck_assert_int_eq(r.read_rc, 0);
	ck_assert_int_eq(r.info.holder, c.pid);
	ck_assert_int_eq(r.info.content, 1);
	ck_assert_int_eq(r.verify_rc, -1);
	ck_assert_int_eq(r.verify_errno, EBADMSG);
	stop_contender(&c);
}
END_TEST

START_TEST(test_verify_rejects_malformed_locked_file)
{
	struct contender c = start_contender(path, "garbage\n");
	struct peek r = peek_from_child(path);

	ck_assert_int_eq(r.info.holder, c.pid);
	ck_assert_int_eq(r.info.content, 0);
	ck_assert_int_eq(r.verify_errno, EBADMSG);
	stop_contender(&c);
}
END_TEST

START_TEST(test_symlink_refused)
{
	struct pidfile pf;
	char target[PATH_MAX], got[32];
	struct pidfile_info info;

	in_dir(target, "target");
	write_file(target, "precious\n", 0644);
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(pidfile_read(path, &info), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert_int_eq(pidfile_remove_stale(path, NULL), -1);
	ck_assert_int_eq(errno, ELOOP);
	read_file(target, got, sizeof got);
	ck_assert_str_eq(got, "precious\n");
	ck_assert(exists(path));
}
END_TEST

START_TEST(test_dangling_symlink_not_followed)
{
	struct pidfile pf;
	char target[PATH_MAX];

	in_dir(target, "created-through-link");
	ck_assert_int_eq(symlink(target, path), 0);
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), -1);
	ck_assert_int_eq(errno, ELOOP);
	ck_assert(!exists(target));
}
END_TEST

START_TEST(test_remove_spares_replaced_file)
{
	struct pidfile pf;
	char other[PATH_MAX], got[32];

	ck_assert_int_eq(pidfile_open(&pf, path, NULL), 0);
	ck_assert_int_eq(pidfile_write(&pf), 0);
	in_dir(other, "other");
	write_file(other, "42\n", 0644);
	ck_assert_int_eq(rename(other, path), 0);
	ck_assert_int_eq(pidfile_remove(&pf), -1);
	ck_assert_int_eq(errno, ESTALE);
	read_file(path, got, sizeof got);
	ck_assert_str_eq(got, "42\n");
	ck_assert_int_eq(pf.fd, -1);
}
END_TEST

START_TEST(test_fifo_refused_without_blocking)
{
	struct pidfile pf;
	struct pidfile_info info;

	ck_assert_int_eq(mkfifo(path, 0644), 0);
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), -1);
	ck_assert_int_eq(errno, EINVAL);
	ck_assert_int_eq(pidfile_read(path, &info), -1);
	ck_assert_int_eq(errno, EINVAL);
}
END_TEST

START_TEST(test_foreign_owner_refused)
{
	struct pidfile pf;

	write_file(path, "1\n", 0666);
	if (geteuid() != 0) {
		/* Only root can give a file away; as anyone else, nothing to test. */
		fprintf(stderr, "check_pidfile: skip foreign owner: needs root\n");
		return;
	}
	ck_assert_int_eq(chown(path, 65534, 65534), 0);
	ck_assert_int_eq(pidfile_open(&pf, path, NULL), -1);
	ck_assert_int_eq(errno, EPERM);
}
END_TEST

START_TEST(test_missing_directory)
{
	struct pidfile pf;
	struct pidfile_info info;
	char p[PATH_MAX];

	in_dir(p, "no/such/dir/test.pid");
	ck_assert_int_eq(pidfile_open(&pf, p, NULL), -1);
	ck_assert_int_eq(errno, ENOENT);
	ck_assert_int_eq(pidfile_read(p, &info), -1);
	ck_assert_int_eq(errno, ENOENT);
}
END_TEST

static Suite *pidfile_suite(void)
{
	Suite *s = suite_create("pidfile");
	TCase *core = tcase_create("Core");
	TCase *limits = tcase_create("Limits");
	TCase *errors = tcase_create("Errors");
	TCase *all[] = { core, limits, errors };

	for (size_t i = 0; i < 3; i++) {
		tcase_add_unchecked_fixture(all[i], make_base, remove_base);
		tcase_add_checked_fixture(all[i], make_dir, NULL);
		tcase_set_timeout(all[i], 10);
		suite_add_tcase(s, all[i]);
	}
	tcase_add_test(core, test_create_writes_pid_line);
	tcase_add_test(core, test_lock_held_and_verified);
	tcase_add_test(core, test_stale_pidfile_taken_over);
	tcase_add_test(core, test_remove_deletes_file);
	tcase_add_test(core, test_remove_stale_deletes_file);
	tcase_add_test(core, test_takeover_after_holder_died);

	tcase_add_loop_test(limits, test_content_parsing, 0,
	    (int)(sizeof contents / sizeof contents[0]));
	tcase_add_test(limits, test_mode_fixed_whatever_umask);
	tcase_add_test(limits, test_longer_content_truncated);
	tcase_add_test(limits, test_name_too_long);
	tcase_add_test(limits, test_relative_path_in_cwd);
	tcase_add_test(limits, test_directory_name_refused);

	tcase_add_test(errors, test_second_instance_refused);
	tcase_add_test(errors, test_remove_stale_spares_live_one);
	tcase_add_test(errors, test_verify_rejects_wrong_content);
	tcase_add_test(errors, test_verify_rejects_malformed_locked_file);
	tcase_add_test(errors, test_symlink_refused);
	tcase_add_test(errors, test_dangling_symlink_not_followed);
	tcase_add_test(errors, test_remove_spares_replaced_file);
	tcase_add_test(errors, test_fifo_refused_without_blocking);
	tcase_add_test(errors, test_foreign_owner_refused);
	tcase_add_test(errors, test_missing_directory);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(pidfile_suite());

	srunner_run_all(sr, CK_ENV);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
