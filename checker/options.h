/* options.h — the checker's command line, parsed into one structure.
 *
 * Parsing never prints and never exits: it returns -1 and a one-line
 * message, and main decides what to do with it (exit status 2). */
#ifndef CHECKER_OPTIONS_H
#define CHECKER_OPTIONS_H

#include <limits.h>
#include <stddef.h>

enum format { FORMAT_TEXT, FORMAT_JSON, FORMAT_TAP, FORMAT_JUNIT };
enum profile { PROFILE_SYSV, PROFILE_SEED, PROFILE_NEW_STYLE, PROFILE_COUNT };
enum notify_kind { NOTIFY_PATH, NOTIFY_ABSTRACT };

struct options {
    const char *pidfile;        /* --pidfile, or NULL */
    unsigned umask;             /* --umask, default 0 */
    const char *cwd;            /* --cwd, default "/" */
    const char *stop_command;   /* --stop-command, or NULL: SIGTERM */
    unsigned timeout_ms;        /* --timeout SECONDS, default 5000 */
    unsigned settle_ms;         /* --settle MS, default 250 */
    enum profile profile;       /* --profile, default sysv */
    enum format format;         /* --format, default text */
    const char *explain;        /* --explain ID, or NULL */
    int list;                   /* --list */
    int help;                   /* --help */
    int version;                /* --version */
    int step;                   /* --step N, 0 when not given */
    const char *compare;        /* --compare 'CMD ARG...', or NULL */
    const char *compare_stop_command;   /* --compare-stop-command: B's stop, or NULL */
    const char *compare_profile;        /* --compare-profile: B's profile, or NULL: A's */
    int verbose;                /* --verbose */
    int trace;                  /* --trace or --trace=FILE */
    const char *trace_html;     /* FILE of --trace=FILE, or NULL */
    int socket_activation;      /* --socket-activation */
    unsigned watchdog_ms;       /* --watchdog MS, 0 when not given */
    enum notify_kind notify;    /* --notify-socket, default path */
    char pidfile_abs[PATH_MAX]; /* --pidfile made absolute against the current directory */
    char cwd_abs[PATH_MAX];     /* --cwd made absolute likewise */
    char **command;             /* COMMAND ARG..., NULL-terminated, or NULL */
    int command_argc;
};

/* Parse argv. 0 on success; -1 with a one-line message in err. */
int options_parse(int argc, char **argv, struct options *o, char *err, size_t errlen);

/* "022", "0022", "0" -> value; only octal digits, at most 0777. -1 on error. */
int parse_octal_mode(const char *s, unsigned *out);

/* "5", "0.5", "2.25" seconds -> milliseconds, at most a day. -1 on error. */
int parse_seconds_ms(const char *s, unsigned *out);

/* "250" milliseconds, a whole number, at most a day. -1 on error. */
int parse_ms(const char *s, unsigned *out);

/* Split 'CMD ARG...' into words as a shell would, quotes and backslashes
 * honoured, nothing expanded. A NULL-terminated array (free_command), or
 * NULL with errno EINVAL (an unterminated quote) or ENOMEM. */
char **split_command(const char *s, int *argc);
void free_command(char **argv);

const char *profile_name(enum profile p);
/* The profile named name: 0, or -1 with EINVAL. */
int options_profile(const char *name, enum profile *out);
const char *format_name(enum format f);

#endif
