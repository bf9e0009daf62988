/* command.c — what a run starts, prepared before anything is started
 * (see command.h). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "command.h"
#include "hostile.h"

extern char **environ;

static int failf(char *err, size_t errlen, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static int failf(char *err, size_t errlen, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(err, errlen, fmt, ap);
    va_end(ap);
    return -1;
}

int absolute_path(const char *name, char *out, size_t cap, char *err, size_t errlen)
{
    char cwd[PATH_MAX], copy[PATH_MAX];

    /* name and out may be the same buffer. */
    if ((size_t)snprintf(copy, sizeof copy, "%s", name) >= sizeof copy)
        return failf(err, errlen, "%.64s...: %s", name, strerror(ENAMETOOLONG));
    if (copy[0] == '/') {
        snprintf(out, cap, "%s", copy);
        return 0;
    }
    if (!getcwd(cwd, sizeof cwd))
        return failf(err, errlen, "unable to get the current directory: %s", strerror(errno));
    if ((size_t)snprintf(out, cap, "%s/%s", cwd, copy) >= cap)
        return failf(err, errlen, "%s: %s", name, strerror(ENAMETOOLONG));
    return 0;
}

/* An argument that names an existing regular file relative to the
 * checker's directory ("mydaemon.py" in "python3 mydaemon.py start") would
 * name nothing from the scratch directory: such an argument is made
 * absolute. A directory is left alone: "-u root" is a user's name, even
 * where a directory ./root exists. */
static int names_relative_file(const char *arg)
{
    struct stat st;

    return arg[0] && arg[0] != '/' && arg[0] != '-' && !strstr(arg, PIDFILE_PLACEHOLDER) &&
           stat(arg, &st) == 0 && S_ISREG(st.st_mode);
}

static int executable_file(const char *path)
{
    struct stat st;

    return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int resolve_command(const char *name, char *out, size_t cap, char *err, size_t errlen)
{
    const char *path = getenv("PATH");
    struct stat st;

    if (!*name)
        return failf(err, errlen, "empty command name");
    if (strchr(name, '/')) {
        if (stat(name, &st) < 0)
            return failf(err, errlen, "%s: %s", name, strerror(errno));
        if (S_ISDIR(st.st_mode))
            return failf(err, errlen, "%s: is a directory", name);
        if (!S_ISREG(st.st_mode) || access(name, X_OK) < 0)
            return failf(err, errlen, "%s: is not an executable file", name);
        return absolute_path(name, out, cap, err, errlen);
    }
    if (!path || !*path)
        path = "/usr/local/bin:/usr/bin:/bin";
    while (*path) {
        size_t len = strcspn(path, ":");

        /* An empty PATH entry is the current directory, as for execvp. */
        snprintf(out, cap, "%.*s/%s", (int)(len ? len : 1), len ? path : ".", name);
        if (executable_file(out))
            return out[0] == '/' ? 0 : absolute_path(out, out, cap, err, errlen);
        path += len + (path[len] == ':');
    }
    return failf(err, errlen, "%s: command not found in PATH", name);
}

/* Append text to a growing string. */
static int append(char **s, size_t *len, size_t *cap, const char *text, size_t n)
{
    if (*len + n + 1 > *cap) {
        size_t want = (*len + n + 1) * 2;
        char *bigger = realloc(*s, want);

        if (!bigger)
            return -1;
        *s = bigger;
        *cap = want;
    }
    memcpy(*s + *len, text, n);
    *len += n;
    (*s)[*len] = '\0';
    return 0;
}

/* path in single quotes: 'a'\''b', since a quote cannot be escaped inside. */
static int append_quoted(char **s, size_t *len, size_t *cap, const char *path)
{
    int ok = append(s, len, cap, "'", 1) == 0;

    for (const char *c = path; ok && *c; c++)
        ok = *c == '\'' ? append(s, len, cap, "'\\''", 4) == 0 : append(s, len, cap, c, 1) == 0;
    return ok && append(s, len, cap, "'", 1) == 0 ? 0 : -1;
}

char *substitute_pidfile(const char *s, const char *path, int shell_quote)
{
    char *out = NULL;
    size_t len = 0, cap = 0;
    int ok = append(&out, &len, &cap, "", 0) == 0;

    while (ok && *s) {
        const char *at = strstr(s, PIDFILE_PLACEHOLDER);
        size_t before = at ? (size_t)(at - s) : strlen(s);

        ok = append(&out, &len, &cap, s, before) == 0;
        if (!at)
            break;
        ok = ok && (shell_quote ? append_quoted(&out, &len, &cap, path)
                                : append(&out, &len, &cap, path, strlen(path))) == 0;
        s = at + strlen(PIDFILE_PLACEHOLDER);
    }
    if (!ok) {
        free(out);
        errno = ENOMEM;
        return NULL;
    }
    return out;
}

int command_uses_placeholder(const struct options *opt)
{
    for (int i = 0; i < opt->command_argc; i++)
        if (strstr(opt->command[i], PIDFILE_PLACEHOLDER))
            return 1;
    return opt->stop_command && strstr(opt->stop_command, PIDFILE_PLACEHOLDER);
}

static void free_strings(char **v)
{
    if (v)
        for (char **a = v; *a; a++)
            free(*a);
    free(v);
}

void command_free(struct command *c)
{
    free_strings(c->argv);
    free_strings(c->envp);
    free(c->stop_argv[2]);
    memset(c, 0, sizeof *c);
}

/* The checker's environment, with SENTINEL_ENV=1 in place of any value it
 * had: a variable no daemon has a reason to keep for its children. */
static char **sentinel_environment(void)
{
    static const char sentinel[] = SENTINEL_ENV "=1";
    size_t n = 0, k = 0;
    char **envp;

    while (environ && environ[n])
        n++;
    envp = calloc(n + 2, sizeof *envp);
    if (!envp)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (strncmp(environ[i], SENTINEL_ENV "=", sizeof SENTINEL_ENV) == 0)
            continue;
        if (!(envp[k++] = strdup(environ[i])))
            goto fail;
    }
    if (!(envp[k] = strdup(sentinel)))
        goto fail;
    return envp;
fail:
    free_strings(envp);
    return NULL;
}

static int prepare_argv(struct command *c, const struct options *opt, const char *pidfile,
                        char *err, size_t errlen)
{
    char resolved[PATH_MAX];

    if (resolve_command(opt->command[0], resolved, sizeof resolved, err, errlen) < 0)
        return -1;
    c->argv = calloc((size_t)opt->command_argc + 1, sizeof *c->argv);
    if (!c->argv)
        return failf(err, errlen, "unable to allocate the command: %s", strerror(errno));
    for (int i = 0; i < opt->command_argc; i++) {
        char absolute[PATH_MAX];
        const char *arg = i ? opt->command[i] : resolved;

        if (i && names_relative_file(arg)) {
            if (absolute_path(arg, absolute, sizeof absolute, err, errlen) < 0)
                return -1;
            arg = absolute;
        }
        c->argv[i] = substitute_pidfile(arg, pidfile, 0);
        if (!c->argv[i])
            return failf(err, errlen, "unable to allocate the command: %s", strerror(errno));
    }
    return 0;
}

int command_prepare(struct command *c, const struct options *opt, const char *pidfile,
                    char *err, size_t errlen)
{
    memset(c, 0, sizeof *c);
    if (prepare_argv(c, opt, pidfile, err, errlen) < 0)
        return -1;
    if (opt->stop_command) {
        c->stop_argv[0] = "/bin/sh";
        c->stop_argv[1] = "-c";
        c->stop_argv[2] = substitute_pidfile(opt->stop_command, pidfile, 1);
        if (!c->stop_argv[2])
            return failf(err, errlen, "unable to allocate the stop command: %s", strerror(errno));
    }
    c->envp = sentinel_environment();
    if (!c->envp)
        return failf(err, errlen, "unable to allocate the environment: %s", strerror(errno));
    return 0;
}
