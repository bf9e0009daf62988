/* report.h - how mydaemon speaks on stderr: "mydaemon: LEVEL: message",
 * followed by ": reason" when an errno explains it.
 *
 * The classic modes use it before they detach (and then syslog); the
 * new-style mode `run` uses it for its whole life, because under a service
 * manager stderr is the journal.
 */
#ifndef SKELETON_REPORT_H
#define SKELETON_REPORT_H

#include <stdarg.h>

#define PROG "mydaemon"

/* err is an errno value, or 0 for a message that needs no reason. */
void report_v(const char *level, int err, const char *fmt, va_list ap);
void report(const char *level, int err, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif
