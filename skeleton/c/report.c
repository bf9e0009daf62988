/* report.c - mydaemon's lines on stderr (see report.h). */
#include "report.h"

#include <stdio.h>
#include <string.h>

void report_v(const char *level, int err, const char *fmt, va_list ap)
{
	/* Built whole, then written with one call: a line of the journal is
	 * never interleaved with the output of a child sharing the pipe. */
	char line[1024];
	int n = snprintf(line, sizeof line, PROG ": %s: ", level);

	if (n < 0 || (size_t)n >= sizeof line)
		return;
	int m = vsnprintf(line + n, sizeof line - (size_t)n, fmt, ap);
	if (m > 0)
		n = (size_t)(n + m) < sizeof line ? n + m : (int)sizeof line - 1;
	if (err)
		n += snprintf(line + n, sizeof line - (size_t)n, ": %s", strerror(err));
	if ((size_t)n >= sizeof line - 1)
		n = (int)sizeof line - 2;
	line[n++] = '\n';
	fwrite(line, 1, (size_t)n, stderr);
}

void report(const char *level, int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	report_v(level, err, fmt, ap);
	va_end(ap);
}
