/* fuzz_options.c — options_parse (checker/options.h) on a command line
 * made of the input: argv[0] is "checker", and the input split on NUL bytes
 * gives argv[1] onwards (at most 64 words).
 *
 * Promises checked:
 * - 0 or -1, and the same answer and message when the same argv is parsed
 *   again (no getopt state survives a parse);
 * - on -1: errno EINVAL and a message that is non-empty, NUL-terminated
 *   inside err, one line of printable ASCII (a user's newline or escape
 *   sequence cannot forge a second line or recolour a terminal), and the
 *   beginning of the same message when err is small;
 * - on 0: every value is in its documented range (umask <= 0777, timeout
 *   1 ms to a day, settle at most a day, step 0 to 99, a known profile and
 *   format, cwd absolute, commands not blank); every string points into
 *   argv; COMMAND is the tail of argv, NULL-terminated, and is missing only
 *   with --help, --version, --list or --explain. */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>

#include "fuzz.h"
#include "checks.h"
#include "options.h"

#define FUZZ_MAX_LEN 1024

#define MAX_WORDS 64
#define DAY_MS (86400u * 1000u)

struct argv {
    int argc;
    char *v[MAX_WORDS + 2];
    char *text;
};

/* argv from the input; every word is a string of its own in one buffer. */
static void make_argv(const uint8_t *data, size_t size, struct argv *a)
{
    size_t i, start = 0;

    a->text = malloc(size + sizeof "checker" + 1);
    FUZZ_ASSERT(a->text != NULL);
    memcpy(a->text, "checker", sizeof "checker");
    memcpy(a->text + sizeof "checker", data, size);
    a->text[sizeof "checker" + size] = '\0';
    a->argc = 0;
    a->v[a->argc++] = a->text;
    if (size == 0) {
        a->v[a->argc] = NULL;
        return;
    }
    for (i = 0; i <= size && a->argc <= MAX_WORDS; i++) {
        if (i < size && data[i] != '\0')
            continue;
        a->v[a->argc++] = a->text + sizeof "checker" + start;
        start = i + 1;
    }
    a->v[a->argc] = NULL;
}

/* p is NULL, or inside one of the argv words. */
static int from_argv(const char *p, const struct argv *a)
{
    int i;

    if (p == NULL)
        return 1;
    for (i = 0; i < a->argc; i++)
        if (p >= a->v[i] && p <= a->v[i] + strlen(a->v[i]))
            return 1;
    return 0;
}

/* word is --NAME=value, NAME given whole or abbreviated as getopt_long
 * allows, and value is path. */
static int long_option_value_is(const char *word, const char *name, const char *path)
{
    const char *eq = strchr(word, '=');
    size_t n;

    if (strncmp(word, "--", 2) != 0 || eq == NULL)
        return 0;
    n = (size_t)(eq - word - 2);
    return n > 0 && n <= strlen(name) && strncmp(word + 2, name, n) == 0 &&
           strcmp(eq + 1, path) == 0;
}

/* --cwd and --pidfile are kept absolute: an argument as given when it
 * was, else the current directory, a slash and the argument. */
static int made_absolute(const char *path, const struct argv *a)
{
    char here[PATH_MAX];
    size_t n;

    if (path[0] != '/')
        return 0;
    for (int i = 0; i < a->argc; i++)
        if (strcmp(a->v[i], path) == 0 || long_option_value_is(a->v[i], "cwd", path) ||
            long_option_value_is(a->v[i], "pidfile", path))
            return 1;
    if (!getcwd(here, sizeof here))
        return 0;
    n = strlen(here);
    return strncmp(path, here, n) == 0 && path[n] == '/';
}

static int same_string(const char *x, const char *y)
{
    return x == y || (x && y && strcmp(x, y) == 0);
}

/* Two parses of the same words give the same options. --cwd and --pidfile
 * point into each structure's own buffer, so values, not pointers. */
static int same_options(const struct options *x, const struct options *y)
{
    struct options a = *x, b = *y;

    if (!same_string(a.cwd, b.cwd) || !same_string(a.pidfile, b.pidfile))
        return 0;
    a.cwd = b.cwd = NULL;
    a.pidfile = b.pidfile = NULL;
    return memcmp(&a, &b, sizeof a) == 0;
}

static int blank_only(const char *s)
{
    return s[strspn(s, " \t")] == '\0';
}

static void check_success(const struct options *o, const struct argv *a)
{
    FUZZ_ASSERT(o->umask <= 0777);
    FUZZ_ASSERT(o->timeout_ms >= 1 && o->timeout_ms <= DAY_MS);
    FUZZ_ASSERT(o->settle_ms <= DAY_MS);
    FUZZ_ASSERT(o->step >= 0 && o->step <= STEP_COUNT);
    FUZZ_ASSERT((int)o->profile >= 0 && o->profile < PROFILE_COUNT);
    FUZZ_ASSERT(strcmp(profile_name(o->profile), "unknown") != 0);
    FUZZ_ASSERT(strcmp(format_name(o->format), "unknown") != 0);
    FUZZ_ASSERT(o->cwd != NULL && o->cwd[0] == '/');
    FUZZ_ASSERT(strcmp(o->cwd, "/") == 0 || made_absolute(o->cwd, a));
    FUZZ_ASSERT((o->pidfile == NULL || made_absolute(o->pidfile, a)) && from_argv(o->explain, a));
    FUZZ_ASSERT(from_argv(o->stop_command, a) && from_argv(o->compare, a) &&
                from_argv(o->compare_stop_command, a));
    FUZZ_ASSERT(o->pidfile == NULL || o->pidfile[0] != '\0');
    FUZZ_ASSERT(o->stop_command == NULL || !blank_only(o->stop_command));
    FUZZ_ASSERT(o->compare == NULL || !blank_only(o->compare));
    FUZZ_ASSERT(o->compare_stop_command == NULL || !blank_only(o->compare_stop_command));
    if (o->command == NULL) {
        FUZZ_ASSERT(o->command_argc == 0);
        FUZZ_ASSERT(o->help || o->version || o->list || o->explain != NULL);
    } else {
        FUZZ_ASSERT(o->command_argc >= 1 && o->command_argc < a->argc);
        FUZZ_ASSERT(o->command == a->v + (a->argc - o->command_argc));
        FUZZ_ASSERT(o->command[o->command_argc] == NULL);
    }
}

static void check_message(const char *err, size_t cap)
{
    size_t len = strnlen(err, cap), i;

    FUZZ_ASSERT(len < cap);
    FUZZ_ASSERT(len > 0);
    for (i = 0; i < len; i++)
        FUZZ_ASSERT(err[i] >= 0x20 && err[i] < 0x7f);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct argv a;
    struct options o, again;
    char err[256], err2[256], *small;
    size_t small_cap;
    int r, r2, r3;

    make_argv(data, size, &a);
    errno = 0;
    r = options_parse(a.argc, a.v, &o, err, sizeof err);
    FUZZ_ASSERT(r == 0 || r == -1);
    if (r == 0)
        check_success(&o, &a);
    else {
        FUZZ_ASSERT(errno == EINVAL);
        check_message(err, sizeof err);
    }

    /* The same argv again: the same verdict and message. */
    r2 = options_parse(a.argc, a.v, &again, err2, sizeof err2);
    FUZZ_ASSERT(r2 == r);
    if (r < 0)
        FUZZ_ASSERT(strcmp(err, err2) == 0);
    else
        FUZZ_ASSERT(same_options(&o, &again));

    /* A small buffer holds the beginning of the same message. */
    small_cap = size > 0 ? data[0] % 16 + 1 : 1;
    small = malloc(small_cap);
    FUZZ_ASSERT(small != NULL);
    r3 = options_parse(a.argc, a.v, &again, small, small_cap);
    FUZZ_ASSERT(r3 == r);
    if (r < 0) {
        FUZZ_ASSERT(memchr(small, '\0', small_cap) != NULL);
        FUZZ_ASSERT(strncmp(small, err, strlen(small)) == 0);
    }
    free(small);
    free(a.text);
    return 0;
}
