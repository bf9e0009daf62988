/* unit_tmpdir.c — the scratch directory of a test case (see the header). */
#include "unit_tmpdir.h"

#include <check.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

char unit_tmpdir[PATH_MAX];

void unit_tmpdir_setup(void)
{
    const char *base = getenv("TMPDIR");

    if (base == NULL || *base == '\0')
        base = "/tmp";
    ck_assert_int_lt(snprintf(unit_tmpdir, sizeof unit_tmpdir, "%s/unit.XXXXXX", base),
                     (int)sizeof unit_tmpdir);
    ck_assert_msg(mkdtemp(unit_tmpdir) != NULL, "mkdtemp %s failed", unit_tmpdir);
}

static int remove_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)flag;
    (void)ftw;
    return remove(path);
}

void unit_tmpdir_teardown(void)
{
    if (unit_tmpdir[0] == '\0')
        return;
    ck_assert_int_eq(nftw(unit_tmpdir, remove_entry, 16, FTW_DEPTH | FTW_PHYS), 0);
    unit_tmpdir[0] = '\0';
}

const char *unit_path(char *buf, size_t cap, const char *name)
{
    int n = snprintf(buf, cap, "%s/%s", unit_tmpdir, name);

    ck_assert_msg(n >= 0 && (size_t)n < cap, "path too long: %s/%s", unit_tmpdir, name);
    return buf;
}
