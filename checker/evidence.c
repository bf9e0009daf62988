/* evidence.c — filling the evidence's short lists, and reading the facts
 * a service's journal holds. */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "evidence.h"

void pid_list_add(struct pid_list *l, pid_t pid, const char *comm)
{
    if (l->count < EV_MAX_PIDS) {
        l->pid[l->count] = pid;
        snprintf(l->comm[l->count], sizeof l->comm[0], "%.31s", comm);
    }
    l->count++;
}

/* Does the line [p, end) hold word, case ignored? */
static int line_has(const char *p, const char *end, const char *word)
{
    size_t n = strlen(word);

    for (; (size_t)(end - p) >= n; p++)
        if (strncasecmp(p, word, n) == 0)
            return 1;
    return 0;
}

/* The words by which the usual runtimes report ENOENT: strerror's (C,
 * Python's OSError text), the errno name, Python's exception. */
static int says_enoent(const char *p, const char *end)
{
    return line_has(p, end, "No such file or directory") || line_has(p, end, "ENOENT") ||
           line_has(p, end, "FileNotFoundError");
}

unsigned journal_notify_hints(const char *journal, size_t len, const char *address)
{
    const char *p = journal, *end = journal + len;
    /* An abstract name is written "@name": the service may print it either way. */
    const char *name = address && address[0] == '@' ? address + 1 : address;
    unsigned hints = 0;

    while (p < end) {
        const char *eol = memchr(p, '\n', (size_t)(end - p));

        if (!eol)
            eol = end;
        if (line_has(p, eol, "NOTIFY_SOCKET") || (name && *name && line_has(p, eol, name)))
            hints |= JOURNAL_NAMES_NOTIFY;
        if (line_has(p, eol, "notif") && says_enoent(p, eol))
            hints |= JOURNAL_NOTIFY_ENOENT;
        p = eol + 1;
    }
    return hints;
}
