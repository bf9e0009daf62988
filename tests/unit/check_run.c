/* check_run.c — unit tests of the command-line plumbing of a run: the
 * {pidfile} substitution (quoted for the shell in a stop command), finding
 * the command as execvp would, and splitting --compare's command. */
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "options.h"
#include "command.h"

START_TEST(test_substitute)
{
    char *s = substitute_pidfile("--pidfile={pidfile} {pidfile}", "/tmp/a b", 0);

    ck_assert_str_eq(s, "--pidfile=/tmp/a b /tmp/a b");
    free(s);
    s = substitute_pidfile("stop {pidfile}", "/tmp/it's", 1);
    ck_assert_str_eq(s, "stop '/tmp/it'\\''s'");
    free(s);
    s = substitute_pidfile("no placeholder", "/x", 1);
    ck_assert_str_eq(s, "no placeholder");
    free(s);
    s = substitute_pidfile("", "/x", 0);
    ck_assert_str_eq(s, "");
    free(s);
}
END_TEST

START_TEST(test_resolve)
{
    char out[4096], err[256];

    ck_assert_int_eq(resolve_command("sh", out, sizeof out, err, sizeof err), 0);
    ck_assert_int_eq(out[0], '/');
    ck_assert_int_eq(access(out, X_OK), 0);
    ck_assert_int_eq(resolve_command("/bin/sh", out, sizeof out, err, sizeof err), 0);
    ck_assert_str_eq(out, "/bin/sh");
}
END_TEST

START_TEST(test_resolve_errors)
{
    char out[4096], err[256];
    char file[] = "/tmp/check_run.XXXXXX";
    int fd = mkstemp(file);

    ck_assert_int_ge(fd, 0);
    close(fd);
    ck_assert_int_eq(resolve_command("no-such-command-here", out, sizeof out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not found"));
    ck_assert_int_eq(resolve_command("/tmp", out, sizeof out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "is a directory"));
    ck_assert_int_eq(resolve_command(file, out, sizeof out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "not an executable"));
    ck_assert_int_eq(resolve_command("/no/such/file", out, sizeof out, err, sizeof err), -1);
    ck_assert_ptr_nonnull(strstr(err, "No such file"));
    unlink(file);
}
END_TEST

START_TEST(test_split)
{
    int argc;
    char **v = split_command("  python3 'my daemon.py' \"a \\\"b\\\"\" c\\ d {pidfile} ", &argc);

    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(argc, 5);
    ck_assert_str_eq(v[0], "python3");
    ck_assert_str_eq(v[1], "my daemon.py");
    ck_assert_str_eq(v[2], "a \"b\"");
    ck_assert_str_eq(v[3], "c d");
    ck_assert_str_eq(v[4], "{pidfile}");
    ck_assert_ptr_null(v[5]);
    free_command(v);
    v = split_command("   ", &argc);
    ck_assert_int_eq(argc, 0);
    free_command(v);
    v = split_command("a 'unterminated", &argc);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

/* Found by tests/fuzz/fuzz_split_command: inside "...", a single quote is
 * an ordinary character, as in a shell; it must not end the double quotes. */
START_TEST(test_split_quote_in_quotes)
{
    int argc;
    char **v = split_command("echo \"it's\" 'say \"hi\"'", &argc);

    ck_assert_ptr_nonnull(v);
    ck_assert_int_eq(argc, 3);
    ck_assert_str_eq(v[1], "it's");
    ck_assert_str_eq(v[2], "say \"hi\"");
    free_command(v);
    /* Here the double quote is still open at the end. */
    errno = 0;
    v = split_command("a\"'b", &argc);
    ck_assert_ptr_null(v);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static Suite *run_suite(void)
{
    Suite *s = suite_create("run");
    TCase *core = tcase_create("Core"), *errors = tcase_create("Errors");

    tcase_add_test(core, test_substitute);
    tcase_add_test(core, test_resolve);
    tcase_add_test(core, test_split);
    tcase_add_test(core, test_split_quote_in_quotes);
    tcase_add_test(errors, test_resolve_errors);
    suite_add_tcase(s, core);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(run_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
