/* trace_axis.c — the picture's time axis (see trace_picture.h): a place
 * for each time shown, log-scaled gaps, long gaps cut. */
#include <stdlib.h>

#include "trace_picture.h"

static int us_cmp(const void *a, const void *b)
{
    long long x = *(const long long *)a, y = *(const long long *)b;

    return (x > y) - (x < y);
}

/* log2 of x >= 1, straight between powers of two (0.09 at worst): close
 * enough for widths, and the checker need not link libm for it. */
static double rough_log2(double x)
{
    double e = 0;

    while (x >= 2) {
        x /= 2;
        e++;
    }
    return e + (x - 1);
}

/* The width of a gap: 16 px for a few µs, 23 for 0.1 ms, 38 for 5 ms. */
static double gap_width(long long gap_us)
{
    if (gap_us > AXIS_BREAK_US)
        return AXIS_BREAK_W;
    return AXIS_MIN_GAP + 4.8 * rough_log2(1.0 + (double)gap_us / 40.0);
}

int axis_build(struct pic_axis *a, long long *times, size_t n)
{
    size_t m = 0;

    qsort(times, n, sizeof *times, us_cmp);
    for (size_t i = 0; i < n; i++)
        if (m == 0 || times[i] != times[m - 1])
            times[m++] = times[i];
    a->us = times;
    a->n = m;
    a->x = calloc(m + 1, sizeof *a->x);
    if (a->x == NULL)
        return -1;
    for (size_t i = 1; i < m; i++)
        a->x[i] = a->x[i - 1] + gap_width(times[i] - times[i - 1]);
    a->width = m ? a->x[m - 1] : 0;
    return 0;
}

double axis_x(const struct pic_axis *a, long long us)
{
    size_t lo = 0, hi = a->n;

    if (a->n == 0 || us <= a->us[0])
        return 0;
    if (us >= a->us[a->n - 1])
        return a->x[a->n - 1];
    while (hi - lo > 1) {       /* the last shown time <= us */
        size_t mid = (lo + hi) / 2;

        if (a->us[mid] <= us)
            lo = mid;
        else
            hi = mid;
    }
    return a->x[lo] + (a->x[lo + 1] - a->x[lo])
                      * (double)(us - a->us[lo]) / (double)(a->us[lo + 1] - a->us[lo]);
}

int axis_break_after(const struct pic_axis *a, size_t i)
{
    return i + 1 < a->n && a->us[i + 1] - a->us[i] > AXIS_BREAK_US;
}

void axis_scale(struct pic_axis *a, double factor)
{
    for (size_t i = 0; i < a->n; i++)
        a->x[i] *= factor;
    a->width *= factor;
}

void axis_free(struct pic_axis *a)
{
    free(a->us);
    free(a->x);
    a->us = NULL;
    a->x = NULL;
    a->n = 0;
}
