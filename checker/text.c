/* text.c — bounded appends for report texts (see text.h). */
#include <stdarg.h>
#include <stdio.h>

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
