/* check_options.c — unit tests of checker/options.c: every option and its
 * default, the end of our options at COMMAND or "--", and one clear line
 * for each kind of bad input. */
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "options.h"
#include "unit_tmpdir.h"

enum { MAX_ARGS = 40 };

/* argv lives here, since the parsed command points into it. */
static char *args[MAX_ARGS + 2];
static char err[256];

/* Parse "checker" followed by the given words (a NULL ends them). */
static int parse_words(struct options *o, char *first, ...)
{
    va_list ap;
    char *w;
    int argc = 0;

    args[argc++] = (char *)"checker";
    va_start(ap, first);
    for (w = first; w != NULL; w = va_arg(ap, char *)) {
        ck_assert_int_lt(argc, MAX_ARGS);
        args[argc++] = w;
    }
    va_end(ap);
    args[argc] = NULL;
    memset(err, 'Z', sizeof err);
    return options_parse(argc, args, o, err, sizeof err);
}

#define PARSE(o, ...) parse_words((o), __VA_ARGS__, (char *)NULL)

/* The parse failed with one line that contains want. */
static void check_error(int r, const char *want)
{
    ck_assert_int_eq(r, -1);
    ck_assert_msg(strstr(err, want) != NULL, "expected \"%s\" in \"%s\"", want, err);
    ck_assert_ptr_null(strchr(err, '\n'));
}

static void check_command(const struct options *o, int argc, ...)
{
    va_list ap;
    int i;

    ck_assert_int_eq(o->command_argc, argc);
    ck_assert_ptr_nonnull(o->command);
    va_start(ap, argc);
    for (i = 0; i < argc; i++)
        ck_assert_str_eq(o->command[i], va_arg(ap, const char *));
    va_end(ap);
    ck_assert_ptr_null(o->command[argc]);
}

START_TEST(defaults)
{
    struct options o;

    ck_assert_int_eq(PARSE(&o, "./d"), 0);
    ck_assert_str_eq(err, "");
    ck_assert_ptr_null(o.pidfile);
    ck_assert_uint_eq(o.umask, 0);
    ck_assert_str_eq(o.cwd, "/");
    ck_assert_ptr_null(o.stop_command);
    ck_assert_uint_eq(o.timeout_ms, 5000);
    ck_assert_uint_eq(o.settle_ms, 250);
    ck_assert_int_eq(o.profile, PROFILE_SYSV);
    ck_assert_int_eq(o.format, FORMAT_TEXT);
    ck_assert_ptr_null(o.explain);
    ck_assert_int_eq(o.list, 0);
    ck_assert_int_eq(o.help, 0);
    ck_assert_int_eq(o.version, 0);
    ck_assert_int_eq(o.step, 0);
    ck_assert_ptr_null(o.compare);
    check_command(&o, 1, "./d");
}
END_TEST

START_TEST(every_option)
{
    struct options o;
    char pidfile[PATH_MAX];

    unit_path(pidfile, sizeof pidfile, "d.pid");
    ck_assert_int_eq(PARSE(&o, "--pidfile", pidfile, "--umask", "022", "--cwd", "/var",
                           "--stop-command", "./d stop", "--timeout", "2.5", "--settle", "0",
                           "--profile", "seed", "--format", "json", "--step", "7",
                           "--compare", "./other {pidfile}", "--", "./d", "start"), 0);
    ck_assert_str_eq(o.pidfile, pidfile);
    ck_assert_uint_eq(o.umask, 022);
    ck_assert_str_eq(o.cwd, "/var");
    ck_assert_str_eq(o.stop_command, "./d stop");
    ck_assert_uint_eq(o.timeout_ms, 2500);
    ck_assert_uint_eq(o.settle_ms, 0);
    ck_assert_int_eq(o.profile, PROFILE_SEED);
    ck_assert_int_eq(o.format, FORMAT_JSON);
    ck_assert_int_eq(o.step, 7);
    ck_assert_str_eq(o.compare, "./other {pidfile}");
    check_command(&o, 2, "./d", "start");
}
END_TEST

START_TEST(equals_form)
{
    struct options o;

    ck_assert_int_eq(PARSE(&o, "--umask=077", "--format=tap", "--timeout=0.001", "./d"), 0);
    ck_assert_uint_eq(o.umask, 077);
    ck_assert_int_eq(o.format, FORMAT_TAP);
    ck_assert_uint_eq(o.timeout_ms, 1);
    ck_assert_int_eq(PARSE(&o, "--format", "junit", "--profile", "sysv", "./d"), 0);
    ck_assert_int_eq(o.format, FORMAT_JUNIT);
    ck_assert_int_eq(o.profile, PROFILE_SYSV);
    ck_assert_int_eq(PARSE(&o, "--format", "text", "./d"), 0);
    ck_assert_int_eq(o.format, FORMAT_TEXT);
}
END_TEST

/* These act on their own: no COMMAND needed. */
START_TEST(commandless_options)
{
    struct options o;

    ck_assert_int_eq(PARSE(&o, "--help"), 0);
    ck_assert_int_eq(o.help, 1);
    ck_assert_ptr_null(o.command);
    ck_assert_int_eq(o.command_argc, 0);
    ck_assert_int_eq(PARSE(&o, "-h"), 0);
    ck_assert_int_eq(o.help, 1);
    ck_assert_int_eq(PARSE(&o, "--version"), 0);
    ck_assert_int_eq(o.version, 1);
    ck_assert_int_eq(PARSE(&o, "--list"), 0);
    ck_assert_int_eq(o.list, 1);
    ck_assert_int_eq(PARSE(&o, "--explain", "no-ctty"), 0);
    ck_assert_str_eq(o.explain, "no-ctty");
}
END_TEST

/* Everything after COMMAND belongs to the candidate. */
START_TEST(candidate_options_not_parsed)
{
    struct options o;

    ck_assert_int_eq(PARSE(&o, "./d", "-x", "--pidfile", "y"), 0);
    ck_assert_ptr_null(o.pidfile);
    check_command(&o, 4, "./d", "-x", "--pidfile", "y");
    ck_assert_int_eq(PARSE(&o, "--umask", "022", "python3", "d.py", "--help"), 0);
    ck_assert_int_eq(o.help, 0);
    check_command(&o, 3, "python3", "d.py", "--help");
}
END_TEST

START_TEST(double_dash_ends_options)
{
    struct options o;

    ck_assert_int_eq(PARSE(&o, "--", "--pidfile", "x"), 0);
    ck_assert_ptr_null(o.pidfile);
    check_command(&o, 2, "--pidfile", "x");
    ck_assert_int_eq(PARSE(&o, "--settle", "5", "--", "./d", "--"), 0);
    ck_assert_uint_eq(o.settle_ms, 5);
    check_command(&o, 2, "./d", "--");
}
END_TEST

/* The same process parses again and again (main does it once, the tests
 * many times): nothing of a parse leaks into the next, not even a parse
 * that stopped in the middle of a cluster of short options. */
START_TEST(repeated_parses)
{
    struct options o;
    int i;

    for (i = 0; i < 3; i++) {
        check_error(PARSE(&o, "-qh", "./d"), "unknown option -q");
        ck_assert_int_eq(PARSE(&o, "--umask", "027", "./a", "b"), 0);
        ck_assert_uint_eq(o.umask, 027);
        check_command(&o, 2, "./a", "b");
        ck_assert_int_eq(PARSE(&o, "./c"), 0);
        ck_assert_uint_eq(o.umask, 0);
        check_command(&o, 1, "./c");
    }
}
END_TEST

START_TEST(last_value_wins)
{
    struct options o;

    ck_assert_int_eq(PARSE(&o, "--umask", "022", "--umask", "077", "./d"), 0);
    ck_assert_uint_eq(o.umask, 077);
}
END_TEST

START_TEST(pidfile_directory_checked)
{
    struct options o;
    char path[PATH_MAX], file[PATH_MAX];
    int fd;

    ck_assert_int_eq(PARSE(&o, "--pidfile", unit_path(path, sizeof path, "x.pid"), "./d"), 0);
    ck_assert_int_eq(PARSE(&o, "--pidfile", "relative.pid", "./d"), 0);
    ck_assert_int_eq(PARSE(&o, "--pidfile", "/x.pid", "./d"), 0);
    /* Inside the scratch directory that the checker creates later. */
    ck_assert_int_eq(PARSE(&o, "--pidfile", "{pidfile}", "./d"), 0);

    check_error(PARSE(&o, "--pidfile", "/nonexistent/dir/x.pid", "./d"),
                "--pidfile: directory \"/nonexistent/dir\" does not exist");
    fd = open(unit_path(file, sizeof file, "plain"), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(close(fd), 0);
    ck_assert_int_lt(snprintf(path, sizeof path, "%s/x.pid", file), (int)sizeof path);
    check_error(PARSE(&o, "--pidfile", path, "./d"), "is not a directory");
    check_error(PARSE(&o, "--pidfile", "", "./d"), "--pidfile: empty path");
    check_error(PARSE(&o, "--pidfile", "/tmp/", "./d"), "names a directory");
}
END_TEST

START_TEST(octal_modes)
{
    unsigned m = 1;

    ck_assert_int_eq(parse_octal_mode("0", &m), 0);
    ck_assert_uint_eq(m, 0);
    ck_assert_int_eq(parse_octal_mode("022", &m), 0);
    ck_assert_uint_eq(m, 022);
    ck_assert_int_eq(parse_octal_mode("0022", &m), 0);
    ck_assert_uint_eq(m, 022);
    ck_assert_int_eq(parse_octal_mode("777", &m), 0);
    ck_assert_uint_eq(m, 0777);
    ck_assert_int_eq(parse_octal_mode("00000000000000000777", &m), 0);
    ck_assert_uint_eq(m, 0777);
}
END_TEST

START_TEST(seconds_and_ms)
{
    unsigned v = 1;

    ck_assert_int_eq(parse_seconds_ms("5", &v), 0);
    ck_assert_uint_eq(v, 5000);
    ck_assert_int_eq(parse_seconds_ms("0.5", &v), 0);
    ck_assert_uint_eq(v, 500);
    ck_assert_int_eq(parse_seconds_ms("2.25", &v), 0);
    ck_assert_uint_eq(v, 2250);
    ck_assert_int_eq(parse_seconds_ms("0.001", &v), 0);
    ck_assert_uint_eq(v, 1);
    ck_assert_int_eq(parse_seconds_ms("0", &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(parse_seconds_ms("86400", &v), 0);
    ck_assert_uint_eq(v, 86400000);
    ck_assert_int_eq(parse_ms("0", &v), 0);
    ck_assert_uint_eq(v, 0);
    ck_assert_int_eq(parse_ms("250", &v), 0);
    ck_assert_uint_eq(v, 250);
    ck_assert_int_eq(parse_ms("86400000", &v), 0);
    ck_assert_uint_eq(v, 86400000);
}
END_TEST

START_TEST(names)
{
    ck_assert_str_eq(profile_name(PROFILE_SYSV), "sysv");
    ck_assert_str_eq(profile_name(PROFILE_SEED), "seed");
    ck_assert_str_eq(format_name(FORMAT_TEXT), "text");
    ck_assert_str_eq(format_name(FORMAT_JSON), "json");
    ck_assert_str_eq(format_name(FORMAT_TAP), "tap");
    ck_assert_str_eq(format_name(FORMAT_JUNIT), "junit");
    ck_assert_str_eq(profile_name(PROFILE_COUNT), "unknown");
}
END_TEST

START_TEST(bounds_rejected)
{
    unsigned v = 7;

    ck_assert_int_eq(parse_octal_mode("1000", &v), -1);
    ck_assert_int_eq(parse_seconds_ms("86400.001", &v), -1);
    ck_assert_int_eq(parse_seconds_ms("99999999999999999999", &v), -1);
    ck_assert_int_eq(parse_seconds_ms("1.0001", &v), -1);
    ck_assert_int_eq(parse_ms("86400001", &v), -1);
    ck_assert_int_eq(parse_ms("4294967296", &v), -1);
    ck_assert_uint_eq(v, 7);            /* untouched on failure */
}
END_TEST

/* A message cut to a small buffer is still a terminated string. */
START_TEST(small_error_buffer)
{
    struct options o;
    char small[8];
    char *argv[] = { (char *)"checker", (char *)"--umask", (char *)"9", (char *)"./d", NULL };

    memset(small, 'Z', sizeof small);
    ck_assert_int_eq(options_parse(4, argv, &o, small, sizeof small), -1);
    ck_assert_str_eq(small, "--umask");
    ck_assert_int_eq(options_parse(4, argv, &o, NULL, 0), -1);
}
END_TEST

START_TEST(value_errors)
{
    struct options o;

    check_error(PARSE(&o, "--umask", "9", "./d"),
                "--umask: \"9\" is not an octal mode (0 to 0777)");
    ck_assert_str_eq(err, "--umask: \"9\" is not an octal mode (0 to 0777)");
    check_error(PARSE(&o, "--umask", "01000", "./d"), "--umask: \"01000\"");
    check_error(PARSE(&o, "--umask", "", "./d"), "--umask: \"\"");
    check_error(PARSE(&o, "--umask", "0x12", "./d"), "--umask:");
    check_error(PARSE(&o, "--umask", "-1", "./d"), "--umask:");
    check_error(PARSE(&o, "--profile", "bsd", "./d"),
                "--profile: \"bsd\" is not one of seed, sysv");
    check_error(PARSE(&o, "--format", "xml", "./d"),
                "--format: \"xml\" is not one of text, json, tap, junit");
    check_error(PARSE(&o, "--cwd", "", "./d"), "--cwd: empty path");
    check_error(PARSE(&o, "--pidfile", "", "./d"), "--pidfile: empty path");
    check_error(PARSE(&o, "--watchdog", "100", "./d"), "--watchdog needs --profile new-style");
    check_error(PARSE(&o, "--socket-activation", "./d"),
                "--socket-activation needs --profile new-style");
    check_error(PARSE(&o, "--profile", "new-style", "--watchdog", "0", "./d"), "--watchdog: \"0\"");
    check_error(PARSE(&o, "--notify-socket", "tcp", "./d"),
                "--notify-socket: \"tcp\" is not one of path, abstract");
    check_error(PARSE(&o, "--trace=", "./d"), "--trace=: empty file name");
    check_error(PARSE(&o, "--compare-profile", "seed", "./d"), "--compare-profile needs --compare");
    check_error(PARSE(&o, ""), "COMMAND is an empty string");
    check_error(PARSE(&o, "--stop-command", "", "./d"), "--stop-command: empty command");
    check_error(PARSE(&o, "--compare", "  ", "./d"), "--compare: empty command");
}
END_TEST

/* Relative paths name files relative to the checker's directory, as for
 * any command; the candidate, started elsewhere, gets them absolute. */
START_TEST(relative_paths_made_absolute)
{
    struct options o;
    char here[PATH_MAX], want[PATH_MAX + 16];

    ck_assert_ptr_nonnull(getcwd(here, sizeof here));
    ck_assert_int_eq(PARSE(&o, "--cwd", "sub", "--pidfile", "rel.pid", "./d"), 0);
    snprintf(want, sizeof want, "%s/sub", here);
    ck_assert_str_eq(o.cwd, want);
    snprintf(want, sizeof want, "%s/rel.pid", here);
    ck_assert_str_eq(o.pidfile, want);
}
END_TEST

START_TEST(time_errors)
{
    static char *const bad_seconds[] = {
        "0", "0.000", "-1", "1e3", "inf", "nan", "0x10", " 5", "5 ", "+5", ".5", "5.",
        "1,5", "1.2345", "86401", "",
    };
    static char *const bad_ms[] = { "-5", "1.5", "86400001", "", "1e2", "ms" };
    struct options o;
    size_t i;

    for (i = 0; i < sizeof bad_seconds / sizeof bad_seconds[0]; i++)
        check_error(PARSE(&o, "--timeout", bad_seconds[i], "./d"), "--timeout: \"");
    for (i = 0; i < sizeof bad_ms / sizeof bad_ms[0]; i++)
        check_error(PARSE(&o, "--settle", bad_ms[i], "./d"), "--settle: \"");
    check_error(PARSE(&o, "--step", "0", "./d"),
                "--step: \"0\" is not a step number (the tutorial has steps 1 to 12)");
    check_error(PARSE(&o, "--step", "13", "./d"), "--step: \"13\"");
    check_error(PARSE(&o, "--step", "50", "./d"), "--step: \"50\"");
    check_error(PARSE(&o, "--step", "x", "./d"), "--step: \"x\"");
}
END_TEST

START_TEST(option_errors)
{
    struct options o;

    check_error(PARSE(&o, "--foo", "./d"), "unknown option --foo");
    ck_assert_str_eq(err, "unknown option --foo");
    check_error(PARSE(&o, "--foo=bar", "./d"), "unknown option --foo");
    ck_assert_ptr_null(strstr(err, "bar"));
    check_error(PARSE(&o, "-x", "./d"), "unknown option -x");
    check_error(PARSE(&o, "--s", "./d"), "ambiguous option --s");
    check_error(PARSE(&o, "--umask"), "--umask needs an argument");
    check_error(PARSE(&o, "--help=yes"), "--help takes no argument");
    check_error(PARSE(&o, "--fo\no", "./d"), "unknown option \"--fo\\no\"");
}
END_TEST

START_TEST(missing_command)
{
    struct options o;

    check_error(PARSE(&o, "--umask", "022"), "missing COMMAND (see --help)");
    check_error(PARSE(&o, "--"), "missing COMMAND");
    check_error(parse_words(&o, NULL), "missing COMMAND");
}
END_TEST

/* A value holding a newline is shown escaped: the message stays one line. */
START_TEST(newline_in_value)
{
    struct options o;

    check_error(PARSE(&o, "--umask", "1\n2", "./d"), "--umask: \"1\\n2\"");
    check_error(PARSE(&o, "--profile", "a\nb", "./d"), "\"a\\nb\"");
}
END_TEST

static Suite *options_suite(void)
{
    Suite *s = suite_create("options");
    TCase *core = tcase_create("Core");
    TCase *limits = tcase_create("Limits");
    TCase *errors = tcase_create("Errors");

    tcase_set_timeout(core, 5);
    tcase_add_unchecked_fixture(core, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(core, defaults);
    tcase_add_test(core, every_option);
    tcase_add_test(core, equals_form);
    tcase_add_test(core, commandless_options);
    tcase_add_test(core, candidate_options_not_parsed);
    tcase_add_test(core, double_dash_ends_options);
    tcase_add_test(core, repeated_parses);
    tcase_add_test(core, last_value_wins);
    tcase_add_test(core, octal_modes);
    tcase_add_test(core, seconds_and_ms);
    tcase_add_test(core, names);
    suite_add_tcase(s, core);

    tcase_set_timeout(limits, 5);
    tcase_add_test(limits, bounds_rejected);
    tcase_add_test(limits, small_error_buffer);
    suite_add_tcase(s, limits);

    tcase_set_timeout(errors, 5);
    tcase_add_unchecked_fixture(errors, unit_tmpdir_setup, unit_tmpdir_teardown);
    tcase_add_test(errors, value_errors);
    tcase_add_test(errors, time_errors);
    tcase_add_test(errors, relative_paths_made_absolute);
    tcase_add_test(errors, option_errors);
    tcase_add_test(errors, missing_command);
    tcase_add_test(errors, newline_in_value);
    tcase_add_test(errors, pidfile_directory_checked);
    suite_add_tcase(s, errors);
    return s;
}

int main(void)
{
    SRunner *sr = srunner_create(options_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
