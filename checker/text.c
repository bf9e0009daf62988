/* text.c — the short texts of the reports (see text.h). */
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "text.h"

void appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
{
    va_list ap;
    int n;

    if (cap == 0 || *used >= cap - 1)
        return;
    va_start(ap, fmt);
    n = vsnprintf(buf + *used, cap - *used, fmt, ap);
    va_end(ap);
    if (n < 0)
        buf[*used] = '\0';
    else
        *used = (size_t)n < cap - *used ? *used + (size_t)n : cap - 1;
}

void signal_name(int sig, char *out, size_t cap)
{
    const char *abbrev;

    if (sig == SIGRTMIN)
        snprintf(out, cap, "SIGRTMIN");
    else if (sig > SIGRTMIN && sig <= SIGRTMAX)
        snprintf(out, cap, "SIGRTMIN+%d", sig - SIGRTMIN);
    else if ((abbrev = sigabbrev_np(sig)) != NULL)
        snprintf(out, cap, "SIG%s", abbrev);
    else
        snprintf(out, cap, "signal %d", sig);
}

void describe_wait_status(int status, char *out, size_t cap)
{
    char name[32];

    if (WIFEXITED(status)) {
        snprintf(out, cap, "exited with status %d", WEXITSTATUS(status));
    } else if (WIFSIGNALED(status)) {
        signal_name(WTERMSIG(status), name, sizeof name);
        snprintf(out, cap, "killed by %s%s", name, WCOREDUMP(status) ? " (core dumped)" : "");
    } else {
        snprintf(out, cap, "wait status %#x", (unsigned)status);
    }
}

void escape_controls(const char *buf, size_t len, char *out, size_t cap)
{
    size_t used = 0;

    if (cap == 0)
        return;
    out[0] = '\0';
    for (size_t i = 0; i < len && used < cap - 1; i++) {
        unsigned char c = (unsigned char)buf[i];

        if (c == '\\')
            appendf(out, cap, &used, "\\\\");
        else if (c < 0x20 || c == 0x7f)
            appendf(out, cap, &used, "\\x%02x", c);
        else
            appendf(out, cap, &used, "%c", c);
    }
}
