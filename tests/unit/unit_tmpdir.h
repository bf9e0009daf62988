/* unit_tmpdir.h — one private scratch directory per test case.
 *
 * Installed as an unchecked fixture, so that it is created and removed by
 * the runner's own process: a test that fails half-way (its forked child
 * exits early) still leaves nothing behind. */
#ifndef UNIT_TMPDIR_H
#define UNIT_TMPDIR_H

#include <stddef.h>

extern char unit_tmpdir[];

void unit_tmpdir_setup(void);
void unit_tmpdir_teardown(void);

/* unit_tmpdir "/" name, into buf; aborts the test when it does not fit. */
const char *unit_path(char *buf, size_t cap, const char *name);

#endif
