/* options.c — the checker's command line.
 *
 * Options end at the first non-option (the candidate's COMMAND) or at "--":
 * whatever follows belongs to the candidate, even when it looks like one of
 * ours. Every value is validated here, so that main only ever sees a
 * complete, sensible configuration or a one-line reason why not. */
#include "options.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "checks.h"
#include "pidfile.h"

#define MAX_MS (86400u * 1000u)     /* a day */

enum {
    OPT_PIDFILE = 256, OPT_UMASK, OPT_CWD, OPT_STOP_COMMAND, OPT_TIMEOUT,
    OPT_SETTLE, OPT_PROFILE, OPT_FORMAT, OPT_EXPLAIN, OPT_LIST, OPT_HELP,
    OPT_VERSION, OPT_STEP, OPT_COMPARE, OPT_COMPARE_STOP, OPT_COMPARE_PROFILE,
    OPT_VERBOSE, OPT_TRACE, OPT_SOCKET_ACTIVATION, OPT_WATCHDOG, OPT_NOTIFY_SOCKET
};

static const struct option long_options[] = {
    { "pidfile",      required_argument, NULL, OPT_PIDFILE },
    { "umask",        required_argument, NULL, OPT_UMASK },
    { "cwd",          required_argument, NULL, OPT_CWD },
    { "stop-command", required_argument, NULL, OPT_STOP_COMMAND },
    { "timeout",      required_argument, NULL, OPT_TIMEOUT },
    { "settle",       required_argument, NULL, OPT_SETTLE },
    { "profile",      required_argument, NULL, OPT_PROFILE },
    { "format",       required_argument, NULL, OPT_FORMAT },
    { "explain",      required_argument, NULL, OPT_EXPLAIN },
    { "list",         no_argument,       NULL, OPT_LIST },
    { "help",         no_argument,       NULL, OPT_HELP },
    { "version",      no_argument,       NULL, OPT_VERSION },
    { "step",         required_argument, NULL, OPT_STEP },
    { "compare",      required_argument, NULL, OPT_COMPARE },
    { "compare-stop-command", required_argument, NULL, OPT_COMPARE_STOP },
    { "compare-profile", required_argument, NULL, OPT_COMPARE_PROFILE },
    { "verbose",      no_argument,       NULL, OPT_VERBOSE },
    { "trace",        optional_argument, NULL, OPT_TRACE },
    { "socket-activation", no_argument,  NULL, OPT_SOCKET_ACTIVATION },
    { "watchdog",     required_argument, NULL, OPT_WATCHDOG },
    { "notify-socket", required_argument, NULL, OPT_NOTIFY_SOCKET },
    { NULL, 0, NULL, 0 }
};

/* '+': stop at the first non-option, the candidate's command.
 * ':': report a missing argument as ':' rather than '?'. */
static const char short_options[] = "+:h";

/* Accepted names, in the order that messages list them. */
struct choice {
    const char *name;
    int value;
};

static const struct choice profiles[] = {
    { "seed", PROFILE_SEED }, { "sysv", PROFILE_SYSV }, { "new-style", PROFILE_NEW_STYLE },
};

static const struct choice notify_kinds[] = {
    { "path", NOTIFY_PATH }, { "abstract", NOTIFY_ABSTRACT },
};

static const struct choice formats[] = {
    { "text", FORMAT_TEXT }, { "json", FORMAT_JSON },
    { "tap", FORMAT_TAP }, { "junit", FORMAT_JUNIT },
};

#define COUNT(a) (sizeof (a) / sizeof (a)[0])

static int digit(char c)
{
    return c >= '0' && c <= '9';
}

int parse_octal_mode(const char *s, unsigned *out)
{
    unsigned v = 0;

    if (s == NULL || *s == '\0') {
        errno = EINVAL;
        return -1;
    }
    for (; *s != '\0'; s++) {
        if (*s < '0' || *s > '7') {
            errno = EINVAL;
            return -1;
        }
        v = v * 8 + (unsigned)(*s - '0');
        if (v > 0777) {
            errno = ERANGE;
            return -1;
        }
    }
    *out = v;
    return 0;
}

/* Decimal digits into *v, at most max; the end pointer is left on the first
 * non-digit. */
static int take_decimal(const char **s, unsigned max, unsigned *v)
{
    const char *start = *s;

    *v = 0;
    for (; digit(**s); (*s)++) {
        *v = *v * 10 + (unsigned)(**s - '0');
        if (*v > max) {
            errno = ERANGE;
            return -1;
        }
    }
    if (*s == start) {
        errno = EINVAL;
        return -1;
    }
    return 0;
}

/* Not strtod: it follows the locale's decimal point and takes "1e3",
 * "0x10", "inf" and "nan". Here: digits, then optionally '.' and one to
 * three more digits (milliseconds). */
int parse_seconds_ms(const char *s, unsigned *out)
{
    unsigned sec, frac = 0, scale = 1000;
    const char *p = s;

    if (s == NULL || take_decimal(&p, MAX_MS / 1000, &sec) < 0)
        return -1;
    if (*p == '.') {
        const char *f = ++p;

        if (take_decimal(&p, 999, &frac) < 0 || p - f > 3) {
            errno = EINVAL;
            return -1;
        }
        while (f++ < p)
            scale /= 10;
        frac *= scale;
    }
    if (*p != '\0') {
        errno = EINVAL;
        return -1;
    }
    if (sec * 1000 + frac > MAX_MS) {
        errno = ERANGE;
        return -1;
    }
    *out = sec * 1000 + frac;
    return 0;
}

int parse_ms(const char *s, unsigned *out)
{
    const char *p = s;
    unsigned v;

    if (s == NULL || take_decimal(&p, MAX_MS, &v) < 0)
        return -1;
    if (*p != '\0') {
        errno = EINVAL;
        return -1;
    }
    *out = v;
    return 0;
}

static const char *name_of(int value, const struct choice *names, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if (names[i].value == value)
            return names[i].name;
    return "unknown";
}

const char *profile_name(enum profile p)
{
    return name_of((int)p, profiles, COUNT(profiles));
}

int options_profile(const char *name, enum profile *out)
{
    for (size_t i = 0; i < COUNT(profiles); i++)
        if (strcmp(profiles[i].name, name) == 0) {
            *out = (enum profile)profiles[i].value;
            return 0;
        }
    errno = EINVAL;
    return -1;
}

const char *format_name(enum format f)
{
    return name_of((int)f, formats, COUNT(formats));
}

/* Everything needed to write an error: where and how much room. */
struct errbuf {
    char *buf;
    size_t len;
};

static int fail(struct errbuf *e, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int fail(struct errbuf *e, const char *fmt, ...)
{
    va_list ap;

    if (e->buf != NULL && e->len > 0) {
        va_start(ap, fmt);
        vsnprintf(e->buf, e->len, fmt, ap);
        va_end(ap);
    }
    errno = EINVAL;
    return -1;
}

/* A user's value quoted with escapes, so that a newline in it cannot
 * break the one-line message. */
struct quoted {
    char s[96];
};

static struct quoted quote(const char *value)
{
    struct quoted q;

    quote_bytes(value, strlen(value), q.s, sizeof q.s);
    return q;
}

static const char *option_name(int code)
{
    const struct option *o;

    for (o = long_options; o->name != NULL; o++)
        if (o->val == code)
            return o->name;
    return "?";
}

static void list_names(const struct choice *names, size_t n, char *out, size_t cap)
{
    size_t i, pos = 0;

    out[0] = '\0';
    for (i = 0; i < n && pos < cap; i++)
        pos += (size_t)snprintf(out + pos, cap - pos, "%s%s", i ? ", " : "", names[i].name);
}

static int choose(struct errbuf *e, int code, const char *arg,
                  const struct choice *names, size_t n, int *out)
{
    char all[64];
    size_t i;

    for (i = 0; i < n; i++)
        if (strcmp(arg, names[i].name) == 0) {
            *out = names[i].value;
            return 0;
        }
    list_names(names, n, all, sizeof all);
    return fail(e, "--%s: %s is not one of %s", option_name(code), quote(arg).s, all);
}

/* A path made absolute against the checker's directory: the candidate
 * runs elsewhere, and a path relative to nobody knows where would judge
 * the wrong file. */
static int make_absolute(struct errbuf *e, int code, const char *path, char *out, size_t cap)
{
    char here[PATH_MAX];

    if (path[0] == '/') {
        if (strlen(path) >= cap)
            return fail(e, "--%s: %s is too long", option_name(code), quote(path).s);
        snprintf(out, cap, "%s", path);
        return 0;
    }
    if (!getcwd(here, sizeof here))
        return fail(e, "--%s: unable to get the current directory: %s", option_name(code),
                    strerror(errno));
    if ((size_t)snprintf(out, cap, "%s/%s", here, path) >= cap)
        return fail(e, "--%s: %s is too long", option_name(code), quote(path).s);
    return 0;
}

/* The pidfile's directory must exist now; the file itself need not. A
 * path holding "{pidfile}" names the scratch directory, created later. */
static int check_pidfile_dir(struct errbuf *e, const char *path)
{
    char dir[PATH_MAX];
    const char *slash;
    struct stat st;
    size_t n;

    if (strstr(path, "{pidfile}") != NULL)
        return 0;
    if (path[strlen(path) - 1] == '/')
        return fail(e, "--pidfile: %s names a directory, not a file", quote(path).s);
    slash = strrchr(path, '/');
    n = slash == path ? 1 : (size_t)(slash - path);
    if (n >= sizeof dir)
        return fail(e, "--pidfile: %s is too long", quote(path).s);
    memcpy(dir, path, n);
    dir[n] = '\0';
    if (stat(dir, &st) < 0) {
        if (errno == ENOENT)
            return fail(e, "--pidfile: directory %s does not exist", quote(dir).s);
        return fail(e, "--pidfile: unable to stat directory %s: %s", quote(dir).s,
                    strerror(errno));
    }
    if (!S_ISDIR(st.st_mode))
        return fail(e, "--pidfile: %s is not a directory", quote(dir).s);
    return 0;
}

static int parse_step(const char *arg, int *out)
{
    const char *p = arg;
    unsigned v;

    if (take_decimal(&p, STEP_COUNT, &v) < 0 || *p != '\0' || v < 1)
        return -1;
    *out = (int)v;
    return 0;
}

static int take_value(struct errbuf *e, int code, const char *arg, struct options *o)
{
    int i = 0;

    switch (code) {
    case OPT_PIDFILE:
        if (*arg == '\0')
            return fail(e, "--pidfile: empty path");
        if (make_absolute(e, code, arg, o->pidfile_abs, sizeof o->pidfile_abs) < 0)
            return -1;
        o->pidfile = o->pidfile_abs;
        return check_pidfile_dir(e, o->pidfile);
    case OPT_UMASK:
        if (parse_octal_mode(arg, &o->umask) < 0)
            return fail(e, "--umask: %s is not an octal mode (0 to 0777)", quote(arg).s);
        return 0;
    case OPT_CWD:
        if (*arg == '\0')
            return fail(e, "--cwd: empty path");
        if (make_absolute(e, code, arg, o->cwd_abs, sizeof o->cwd_abs) < 0)
            return -1;
        o->cwd = o->cwd_abs;
        return 0;
    case OPT_STOP_COMMAND:
    case OPT_COMPARE:
    case OPT_COMPARE_STOP:
        if (arg[strspn(arg, " \t")] == '\0')
            return fail(e, "--%s: empty command", option_name(code));
        *(code == OPT_COMPARE ? &o->compare : code == OPT_COMPARE_STOP ?
          &o->compare_stop_command : &o->stop_command) = arg;
        return 0;
    case OPT_TIMEOUT:
        if (parse_seconds_ms(arg, &o->timeout_ms) < 0 || o->timeout_ms == 0)
            return fail(e, "--timeout: %s is not a number of seconds "
                        "(0.001 to 86400, at most 3 decimals)", quote(arg).s);
        return 0;
    case OPT_SETTLE:
        if (parse_ms(arg, &o->settle_ms) < 0)
            return fail(e, "--settle: %s is not a number of milliseconds (0 to %u)",
                        quote(arg).s, MAX_MS);
        return 0;
    case OPT_PROFILE:
        if (choose(e, code, arg, profiles, COUNT(profiles), &i) < 0)
            return -1;
        o->profile = (enum profile)i;
        return 0;
    case OPT_FORMAT:
        if (choose(e, code, arg, formats, COUNT(formats), &i) < 0)
            return -1;
        o->format = (enum format)i;
        return 0;
    case OPT_EXPLAIN:
        o->explain = arg;
        return 0;
    case OPT_STEP:
        if (parse_step(arg, &o->step) < 0)
            return fail(e, "--step: %s is not a step number (the tutorial has steps 1 to %d)",
                        quote(arg).s, STEP_COUNT);
        return 0;
    case OPT_COMPARE_PROFILE:
        if (choose(e, code, arg, profiles, COUNT(profiles), &i) < 0)
            return -1;
        o->compare_profile = arg;
        return 0;
    case OPT_TRACE:
        o->trace = 1;
        if (arg && *arg == '\0')
            return fail(e, "--trace=: empty file name");
        o->trace_html = arg;
        return 0;
    case OPT_WATCHDOG:
        if (parse_ms(arg, &o->watchdog_ms) < 0 || o->watchdog_ms == 0)
            return fail(e, "--watchdog: %s is not a number of milliseconds (1 to %u)",
                        quote(arg).s, MAX_MS);
        return 0;
    case OPT_NOTIFY_SOCKET:
        if (choose(e, code, arg, notify_kinds, COUNT(notify_kinds), &i) < 0)
            return -1;
        o->notify = (enum notify_kind)i;
        return 0;
    }
    return fail(e, "internal error: option %d has no handler", code);
}

static void set_defaults(struct options *o)
{
    memset(o, 0, sizeof *o);
    o->umask = 0;
    o->cwd = "/";
    o->timeout_ms = 5000;
    o->settle_ms = 250;
    o->profile = PROFILE_SYSV;
    o->format = FORMAT_TEXT;
}

/* "--name" or "--name=value" -> the long option names that begin with
 * name: none means unknown, several mean ambiguous. */
static int count_prefix_matches(const char *arg, char *names, size_t cap)
{
    const char *name = arg + 2;
    size_t n = strcspn(name, "="), pos = 0;
    const struct option *o;
    int count = 0;

    names[0] = '\0';
    for (o = long_options; o->name != NULL; o++)
        if (strncmp(o->name, name, n) == 0) {
            count++;
            if (pos < cap)
                pos += (size_t)snprintf(names + pos, cap - pos, "%s--%s",
                                        count > 1 ? ", " : "", o->name);
        }
    return count;
}

static int printable(const char *s, size_t n)
{
    size_t i;

    for (i = 0; i < n; i++)
        if ((unsigned char)s[i] < 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/* getopt_long returned '?': an unknown or ambiguous option, or an
 * argument given to an option that takes none. */
static int bad_option(struct errbuf *e, const char *arg, int optopt_seen)
{
    char names[160];
    size_t n;

    if (optopt_seen >= OPT_PIDFILE)
        return fail(e, "--%s takes no argument", option_name(optopt_seen));
    if (optopt_seen > ' ' && optopt_seen < 0x7f)
        return fail(e, "unknown option -%c", optopt_seen);
    if (arg == NULL || strncmp(arg, "--", 2) != 0)
        return fail(e, "unknown option %s", arg != NULL ? quote(arg).s : "");
    n = strcspn(arg, "=");
    if (!printable(arg, n))
        return fail(e, "unknown option %s", quote(arg).s);
    if (count_prefix_matches(arg, names, sizeof names) > 1)
        return fail(e, "ambiguous option %.*s (%s)", (int)n, arg, names);
    return fail(e, "unknown option %.*s", (int)n, arg);
}

/* Options that only mean something with another one. */
static int check_profile_options(struct errbuf *e, const struct options *o)
{
    if (o->profile != PROFILE_NEW_STYLE && !o->compare_profile) {
        if (o->socket_activation)
            return fail(e, "--socket-activation needs --profile new-style");
        if (o->watchdog_ms)
            return fail(e, "--watchdog needs --profile new-style");
    }
    if (o->compare_profile && !o->compare)
        return fail(e, "--compare-profile needs --compare");
    return 0;
}

static int needs_command(const struct options *o)
{
    return !o->help && !o->version && !o->list && o->explain == NULL;
}

int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen)
{
    struct errbuf e = { err, errlen };
    int c;

    set_defaults(o);
    if (err != NULL && errlen > 0)
        err[0] = '\0';
    /* 0, not 1: glibc then forgets all state of an earlier parse. */
    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, short_options, long_options, NULL)) != -1) {
        if (c == 'h' || c == OPT_HELP)
            o->help = 1;
        else if (c == OPT_LIST)
            o->list = 1;
        else if (c == OPT_VERSION)
            o->version = 1;
        else if (c == OPT_VERBOSE)
            o->verbose = 1;
        else if (c == OPT_SOCKET_ACTIVATION)
            o->socket_activation = 1;
        else if (c == ':')
            return fail(&e, "--%s needs an argument", option_name(optopt));
        else if (c == '?')
            return bad_option(&e, argv[optind - 1], optopt);
        else if (take_value(&e, c, optarg, o) < 0)
            return -1;
    }
    if (optind < argc) {
        o->command = argv + optind;
        o->command_argc = argc - optind;
    } else if (needs_command(o)) {
        return fail(&e, "missing COMMAND (see --help)");
    }
    if (o->command && o->command[0][0] == '\0')
        return fail(&e, "COMMAND is an empty string");
    return check_profile_options(&e, o);
}

/* Split a command line as a shell splits words: blanks separate, '...'
 * keeps everything, "..." keeps everything but \" and \\, a backslash
 * outside quotes keeps the next character. Nothing is expanded. */
char **split_command(const char *s, int *argc)
{
    size_t cap = strlen(s) + 1;
    char **argv = calloc(cap + 1, sizeof *argv);   /* at most one word per byte */
    char *word = malloc(cap);
    int n = 0;

    if (!argv || !word)
        goto fail;
    for (;;) {
        char quote = 0, *w = word;

        while (*s == ' ' || *s == '\t' || *s == '\n')
            s++;
        if (!*s)
            break;
        for (; *s && (quote || (*s != ' ' && *s != '\t' && *s != '\n')); s++) {
            if (quote == '\'')
                quote = *s == '\'' ? 0 : (*w++ = *s, quote);
            else if (*s == '\\' && s[1] && (!quote || s[1] == '"' || s[1] == '\\'))
                *w++ = *++s;
            else if (*s == '"' || (*s == '\'' && !quote))   /* ' is plain inside "..." */
                quote = quote ? 0 : *s;
            else
                *w++ = *s;
        }
        if (quote) {
            errno = EINVAL;     /* an unterminated quote */
            goto fail;
        }
        *w = '\0';
        if (!(argv[n++] = strdup(word)))
            goto fail;
    }
    free(word);
    *argc = n;
    return argv;
fail:
    free(word);
    free_command(argv);
    return NULL;
}

void free_command(char **argv)
{
    if (!argv)
        return;
    for (char **a = argv; *a; a++)
        free(*a);
    free(argv);
}
