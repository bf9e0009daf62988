/* text.h — the short texts of the reports, built in fixed buffers:
 * bounded appends, signal names, wait statuses. */
#ifndef CHECKER_TEXT_H
#define CHECKER_TEXT_H

#include <stddef.h>

/* Append a formatted piece to buf (cap bytes, *used of them written), as
 * much of it as fits: the text stays NUL-terminated and *used never passes
 * the end, so a caller can append in a loop without checking each step. */
void appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

/* "SIGTERM", "SIGRTMIN+2": a signal as a reader knows it, never "36". */
void signal_name(int sig, char *out, size_t cap);

/* "exited with status 1", "killed by SIGPIPE", "killed by SIGSEGV (core
 * dumped)". */
void describe_wait_status(int status, char *out, size_t cap);

/* Bytes as text for a terminal: control characters (C0 and DEL) become
 * \xNN and a backslash \\, everything else (UTF-8 included) is kept. NUL-
 * terminated, cut to fit. */
void escape_controls(const char *buf, size_t len, char *out, size_t cap);

#endif
