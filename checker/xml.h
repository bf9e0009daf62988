/* xml.h — escaping text for XML 1.0 (the JUnit report). */
#ifndef CHECKER_XML_H
#define CHECKER_XML_H

#include <stdio.h>

/* Write s as XML character data or attribute value: the five special
 * characters as entities, valid UTF-8 kept, and what XML 1.0 cannot carry
 * at all (control characters but tab, newline and return; U+FFFE and
 * U+FFFF; invalid UTF-8) as U+FFFD. NULL writes nothing. */
void xml_escape(FILE *out, const char *s);

#endif
