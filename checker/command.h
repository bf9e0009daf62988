/* command.h — preparing what a run starts: the candidate's argv (its
 * program found as execvp would, {pidfile} replaced, an argument naming a
 * file relative to the checker's directory made absolute, since the
 * candidate starts elsewhere), the stop command for /bin/sh -c (with
 * {pidfile} quoted for the shell), and the environment (the checker's,
 * with the sentinel variable), all built before any fork. */
#ifndef CHECKER_COMMAND_H
#define CHECKER_COMMAND_H

#include <stddef.h>

#include "options.h"

#define PIDFILE_PLACEHOLDER "{pidfile}"

struct command {
    char **argv;                /* the candidate's, NULL-terminated */
    char *stop_argv[4];         /* "/bin/sh", "-c", CMD, NULL; stop_argv[2] NULL: none */
    char **envp;                /* environ, with SENTINEL_ENV=1 */
};

/* Fill c for opt and the pidfile path. 0, or -1 with a one-line message
 * in err (a command that cannot be found or run is one). c is freed with
 * command_free whatever the result. */
int command_prepare(struct command *c, const struct options *opt, const char *pidfile,
                    char *err, size_t errlen);
void command_free(struct command *c);

/* Does any argument or the stop command hold {pidfile}? */
int command_uses_placeholder(const struct options *opt);

/* Find an executable for name the way execvp would (PATH when it holds no
 * '/'). 0 and the absolute path in out, or -1 with a one-line reason in err. */
int resolve_command(const char *name, char *out, size_t cap, char *err, size_t errlen);

/* Replace every "{pidfile}" in s by path (quoted for a shell when
 * shell_quote is set). A new string, or NULL (ENOMEM). */
char *substitute_pidfile(const char *s, const char *path, int shell_quote);

/* name made absolute against the current directory. 0, or -1 with a
 * one-line reason in err. */
int absolute_path(const char *name, char *out, size_t cap, char *err, size_t errlen);

#endif
