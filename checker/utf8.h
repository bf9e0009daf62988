/* utf8.h — UTF-8 validation shared by the report writers. */
#ifndef CHECKER_UTF8_H
#define CHECKER_UTF8_H

#include <stddef.h>

/* The length (2 to 4) of the valid multi-byte UTF-8 sequence at s, or 0
 * when s[0] does not start one within avail bytes. ASCII is not counted:
 * the callers handle bytes below 0x80 themselves. */
size_t utf8_valid_len(const unsigned char *s, size_t avail);

#endif
