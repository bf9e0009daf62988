/* check_pidfile.c — unit tests of checker/pidfile.c: every malformed form
 * a pidfile can take, and inspection of files that try to mislead a
 * reader (a symlink, a FIFO that would block, a file too long). */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pidfile.h"
#include "unit_tmpdir.h"

/* Judge a string literal (its bytes, without the final NUL). */
#define PARSE(lit, pid) pidfile_parse((lit), sizeof (lit) - 1, 0, (pid))

START_TEST(parse_valid)
{
    pid_t pid = -1;

    ck_assert_int_eq(PARSE("1234\n", &pid), PIDFILE_OK);
    ck_assert_int_eq(pid, 1234);
    ck_assert_int_eq(PARSE("1\n", &pid), PIDFILE_OK);
    ck_assert_int_eq(pid, 1);
}
END_TEST

/* The seed writes "%d/n": a slash and an n instead of a newline. */
START_TEST(parse_seed_slash_n)
{
    pid_t pid = 0;

    ck_assert_int_eq(PARSE("1234/n", &pid), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(pid, 1234);     /* still names the process, for the report */
}
END_TEST

START_TEST(parse_no_newline)
{
    pid_t pid = 0;

    ck_assert_int_eq(PARSE("1234", &pid), PIDFILE_NO_NEWLINE);
    ck_assert_int_eq(pid, 1234);
}
END_TEST

START_TEST(parse_trailing)
{
    ck_assert_int_eq(PARSE("1234\n\n", NULL), PIDFILE_TRAILING);
    ck_assert_int_eq(PARSE("1234\nx", NULL), PIDFILE_TRAILING);
    ck_assert_int_eq(PARSE("1234\n5678\n", NULL), PIDFILE_TRAILING);
}
END_TEST

START_TEST(parse_not_decimal)
{
    pid_t pid = -1;

    ck_assert_int_eq(PARSE(" 1234\n", &pid), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(pid, 0);
    ck_assert_int_eq(PARSE("1234 \n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("1234\r\n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("12a4\n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("-1\n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("+1\n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("0x10\n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("\n", NULL), PIDFILE_NOT_DECIMAL);
    ck_assert_int_eq(PARSE("12\0\n", NULL), PIDFILE_NOT_DECIMAL);
}
END_TEST

START_TEST(parse_leading_zero)
{
    pid_t pid = 0;

    ck_assert_int_eq(PARSE("01234\n", &pid), PIDFILE_LEADING_ZERO);
    ck_assert_int_eq(pid, 1234);
}
END_TEST

START_TEST(parse_empty)
{
    ck_assert_int_eq(PARSE("", NULL), PIDFILE_EMPTY);
    ck_assert_int_eq(pidfile_parse(NULL, 0, 0, NULL), PIDFILE_EMPTY);
}
END_TEST

START_TEST(parse_form_strings)
{
    enum pidfile_form f, g;

    for (f = PIDFILE_OK; f <= PIDFILE_TOO_LONG; f++) {
        ck_assert_uint_gt(strlen(pidfile_form_str(f)), 0);
        for (g = PIDFILE_OK; g < f; g++)
            ck_assert_str_ne(pidfile_form_str(f), pidfile_form_str(g));
    }
    ck_assert_str_eq(pidfile_form_str(PIDFILE_NO_NEWLINE), "no newline after the pid");
}
END_TEST

static void check_quote(const char *buf, size_t len, const char *expected)
{
    char out[128];

    quote_bytes(buf, len, out, sizeof out);
    ck_assert_str_eq(out, expected);
}

START_TEST(quote_escapes)
{
    check_quote("1234\n", 5, "\"1234\\n\"");
    check_quote("1234/n", 6, "\"1234/n\"");
    check_quote("\xff", 1, "\"\\xff\"");
    check_quote("a\tb\\c\"d", 7, "\"a\\tb\\\\c\\\"d\"");
    check_quote("\x01\x7f\x80\r", 4, "\"\\x01\\x7f\\x80\\r\"");
    check_quote("a\0b", 3, "\"a\\x00b\"");
    check_quote("", 0, "\"\"");
    check_quote(NULL, 0, "\"\"");
}
END_TEST

/* The largest pid the kernel can hand out, and one more. */
START_TEST(parse_range_bounds)
{
    pid_t pid = 0;

    ck_assert_int_eq(PARSE("4194304\n", &pid), PIDFILE_OK);
    ck_assert_int_eq(pid, 4194304);
    ck_assert_int_eq(PARSE("4194305\n", &pid), PIDFILE_OUT_OF_RANGE);
    ck_assert_int_eq(pid, 0);
    ck_assert_int_eq(PARSE("0\n", NULL), PIDFILE_OUT_OF_RANGE);
    ck_assert_int_eq(PARSE("00\n", NULL), PIDFILE_OUT_OF_RANGE);
    ck_assert_int_eq(PARSE("2147483648\n", NULL), PIDFILE_OUT_OF_RANGE);
    ck_assert_int_eq(PARSE("99999999999999999999999999999999\n", &pid), PIDFILE_OUT_OF_RANGE);
    ck_assert_int_eq(pid, 0);
}
END_TEST

START_TEST(parse_truncated)
{
    pid_t pid = 0;

    ck_assert_int_eq(pidfile_parse("1234\n", 5, 1, &pid), PIDFILE_TOO_LONG);
}
END_TEST

/* Cut output stays NUL-terminated inside cap and says it was cut. */
START_TEST(quote_cut_to_fit)
{
    char out[32];
    size_t cap;

    quote_bytes("0123456789abcdefghij", 20, out, 16);
    ck_assert_str_eq(out, "\"0123456789\"...");
    quote_bytes("\xff\xff\xff\xff", 4, out, 12);    /* never half an escape */
    ck_assert_str_eq(out, "\"\\xff\"...");
    /* Exactly fits: no cut mark. */
    quote_bytes("12345678901234", 14, out, 17);
    ck_assert_str_eq(out, "\"12345678901234\"");
    for (cap = 1; cap < 20; cap++) {
        memset(out, 'Z', sizeof out);
        quote_bytes("\n\n\n\n\n\n\n\n", 8, out, cap);
        ck_assert_uint_lt(strlen(out), cap);
        ck_assert_int_eq(out[cap], 'Z');
    }
}
END_TEST

/* Write content to a new file in the test's directory, mode 0644. */
static const char *make_file(char *path, size_t cap, const char *name, const char *content, size_t len)
{
    int fd = open(unit_path(path, cap, name), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, content, len), (ssize_t)len);
    ck_assert_int_eq(close(fd), 0);
    return path;
}

START_TEST(inspect_regular)
{
    char path[PATH_MAX];
    struct pidfile_view v;
    pid_t pid;

    make_file(path, sizeof path, "ok.pid", "4321\n", 5);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.exists, 1);
    ck_assert_int_eq(v.lstat_errno, 0);
    ck_assert_int_eq(v.read_errno, 0);
    ck_assert(S_ISREG(v.st.st_mode));
    ck_assert_uint_eq(v.st.st_mode & 07777, 0644);
    ck_assert_uint_eq(v.len, 5);
    ck_assert_int_eq(v.truncated, 0);
    ck_assert_str_eq(v.bytes, "4321\n");
    ck_assert_int_eq(pidfile_parse(v.bytes, v.len, v.truncated, &pid), PIDFILE_OK);
    ck_assert_int_eq(pid, 4321);
}
END_TEST

START_TEST(inspect_seed_file)
{
    char path[PATH_MAX];
    struct pidfile_view v;

    make_file(path, sizeof path, "seed.pid", "4321/n", 6);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(pidfile_parse(v.bytes, v.len, v.truncated, NULL), PIDFILE_NOT_DECIMAL);
}
END_TEST

START_TEST(inspect_empty_file)
{
    char path[PATH_MAX];
    struct pidfile_view v;

    make_file(path, sizeof path, "empty.pid", "", 0);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.exists, 1);
    ck_assert_int_eq(v.read_errno, 0);
    ck_assert_uint_eq(v.len, 0);
    ck_assert_int_eq(pidfile_parse(v.bytes, v.len, v.truncated, NULL), PIDFILE_EMPTY);
}
END_TEST

START_TEST(inspect_missing)
{
    char path[PATH_MAX];
    struct pidfile_view v;

    ck_assert_int_eq(pidfile_inspect(unit_path(path, sizeof path, "none.pid"), &v), 0);
    ck_assert_int_eq(v.exists, 0);
    ck_assert_int_eq(v.lstat_errno, ENOENT);
    ck_assert_uint_eq(v.len, 0);
}
END_TEST

/* A 100-byte file: what is kept is cut, and said to be cut. */
START_TEST(inspect_too_long)
{
    char path[PATH_MAX], content[100];
    struct pidfile_view v;

    memset(content, '7', sizeof content);
    content[sizeof content - 1] = '\n';
    make_file(path, sizeof path, "long.pid", content, sizeof content);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.read_errno, 0);
    ck_assert_int_eq(v.truncated, 1);
    ck_assert_uint_eq(v.len, PIDFILE_MAX_BYTES);
    ck_assert_int_eq(v.bytes[PIDFILE_MAX_BYTES], '\0');
    ck_assert_int_eq(pidfile_parse(v.bytes, v.len, v.truncated, NULL), PIDFILE_TOO_LONG);
}
END_TEST

/* Exactly the maximum is kept whole; one byte more is too long. */
START_TEST(inspect_size_bounds)
{
    char path[PATH_MAX], content[PIDFILE_MAX_BYTES + 1];
    struct pidfile_view v;

    memset(content, ' ', sizeof content);
    make_file(path, sizeof path, "max.pid", content, PIDFILE_MAX_BYTES);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.truncated, 0);
    ck_assert_uint_eq(v.len, PIDFILE_MAX_BYTES);
    make_file(path, sizeof path, "max1.pid", content, PIDFILE_MAX_BYTES + 1);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.truncated, 1);
    ck_assert_uint_eq(v.len, PIDFILE_MAX_BYTES);
}
END_TEST

/* A symlink is seen as a link; what it points to is not read. */
START_TEST(inspect_symlink)
{
    char target[PATH_MAX], link[PATH_MAX];
    struct pidfile_view v;

    make_file(target, sizeof target, "target.pid", "1234\n", 5);
    ck_assert_int_eq(symlink(target, unit_path(link, sizeof link, "link.pid")), 0);
    ck_assert_int_eq(pidfile_inspect(link, &v), 0);
    ck_assert_int_eq(v.exists, 1);
    ck_assert(S_ISLNK(v.st.st_mode));
    ck_assert_int_eq(v.read_errno, ELOOP);
    ck_assert_uint_eq(v.len, 0);
    ck_assert_str_eq(v.bytes, "");
}
END_TEST

START_TEST(inspect_dangling_symlink)
{
    char link[PATH_MAX];
    struct pidfile_view v;

    ck_assert_int_eq(symlink("/nonexistent/x.pid", unit_path(link, sizeof link, "dangling.pid")), 0);
    ck_assert_int_eq(pidfile_inspect(link, &v), 0);
    ck_assert_int_eq(v.exists, 1);
    ck_assert(S_ISLNK(v.st.st_mode));
}
END_TEST

/* Opening a FIFO for reading would wait for a writer: the test's timeout
 * catches a reader that tries. */
START_TEST(inspect_fifo)
{
    char path[PATH_MAX];
    struct pidfile_view v;

    ck_assert_int_eq(mkfifo(unit_path(path, sizeof path, "fifo.pid"), 0644), 0);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.exists, 1);
    ck_assert(S_ISFIFO(v.st.st_mode));
    ck_assert_int_ne(v.read_errno, 0);
    ck_assert_uint_eq(v.len, 0);
}
END_TEST

START_TEST(inspect_directory)
{
    char path[PATH_MAX];
    struct pidfile_view v;

    ck_assert_int_eq(mkdir(unit_path(path, sizeof path, "dir.pid"), 0755), 0);
    ck_assert_int_eq(pidfile_inspect(path, &v), 0);
    ck_assert_int_eq(v.exists, 1);
    ck_assert_int_eq(v.read_errno, EISDIR);
}
END_TEST

/* The path itself is unusable: -1, and the view still filled. */
START_TEST(inspect_unusable_path)
{
    char path[PATH_MAX], file[PATH_MAX];
    char *huge = malloc(PATH_MAX + 10);
    struct pidfile_view v;

    ck_assert_ptr_nonnull(huge);
    memset(huge, 'a', PATH_MAX + 9);
    huge[PATH_MAX + 9] = '\0';
    errno = 0;
    ck_assert_int_eq(pidfile_inspect(huge, &v), -1);
    ck_assert_int_eq(errno, ENAMETOOLONG);
    ck_assert_int_eq(v.exists, 0);
    ck_assert_int_eq(v.lstat_errno, ENAMETOOLONG);
    free(huge);

    make_file(file, sizeof file, "plain", "1\n", 2);
    ck_assert_int_lt(snprintf(path, sizeof path, "%s/x.pid", file), (int)sizeof path);
    ck_assert_int_eq(pidfile_inspect(path, &v), -1);
    ck_assert_int_eq(errno, ENOTDIR);
    ck_assert_int_eq(pidfile_inspect(NULL, &v), -1);
    ck_assert_int_eq(errno, EINVAL);
}
END_TEST

static Suite *pidfile_suite(void)
{
    Suite *s = suite_create("pidfile");
    TCase *core = tcase_create("Core");
    TCase *limits = tcase_create("Limits");
    TCase *errors = tcase_create("Errors");

    tcase_set_timeout(core, 5);
    tcase_add_unchecked_fixture(core, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(core, parse_valid);
    tcase_add_test(core, parse_seed_slash_n);
    tcase_add_test(core, parse_no_newline);
    tcase_add_test(core, parse_trailing);
    tcase_add_test(core, parse_not_decimal);
    tcase_add_test(core, parse_leading_zero);
    tcase_add_test(core, parse_empty);
    tcase_add_test(core, parse_form_strings);
    tcase_add_test(core, quote_escapes);
    tcase_add_test(core, inspect_regular);
    tcase_add_test(core, inspect_seed_file);
    tcase_add_test(core, inspect_empty_file);
    tcase_add_test(core, inspect_missing);
    suite_add_tcase(s, core);

    tcase_set_timeout(limits, 5);
    tcase_add_unchecked_fixture(limits, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(limits, parse_range_bounds);
    tcase_add_test(limits, parse_truncated);
    tcase_add_test(limits, quote_cut_to_fit);
    tcase_add_test(limits, inspect_too_long);
    tcase_add_test(limits, inspect_size_bounds);
    suite_add_tcase(s, limits);

    tcase_set_timeout(errors, 5);
    tcase_add_unchecked_fixture(errors, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(errors, inspect_symlink);
    tcase_add_test(errors, inspect_dangling_symlink);
    tcase_add_test(errors, inspect_fifo);
    tcase_add_test(errors, inspect_directory);
    tcase_add_test(errors, inspect_unusable_path);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(pidfile_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
