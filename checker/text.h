/* text.h — building the short texts of the reports in fixed buffers. */
#ifndef CHECKER_TEXT_H
#define CHECKER_TEXT_H

#include <stddef.h>

/* Append a formatted piece to buf (cap bytes, *used of them written), as
 * much of it as fits: the text stays NUL-terminated and *used never passes
 * the end, so a caller can append in a loop without checking each step. */
void appendf(char *buf, size_t cap, size_t *used, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));

#endif
