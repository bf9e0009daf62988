/* judge_text.h — how a judge writes its result: what was expected, what
 * was observed, and the verdict with its message, each a bounded text. */
#ifndef CHECKER_JUDGE_TEXT_H
#define CHECKER_JUDGE_TEXT_H

#include "checks.h"

void expect(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void observe(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Append to what was observed. */
void observe_more(struct result *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The verdict and its message; the observation is set separately. */
void verdict(struct result *r, enum status s, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/* A skip that the table's needs could not foresee, with its reason. */
void skip(struct result *r, const char *reason);

/* "; it printed \"...\"" when a command wrote on its terminal, else "". */
void output_excerpt(const struct launch_result *l, char *out, size_t cap);

/* What a launch is for: a start returns once the daemon runs, a stop
 * command once the daemon is gone. */
enum launch_goal { GOAL_STARTED, GOAL_STOPPED };

/* Judge one launch that must exit 0 within the timeout: observed and, on
 * failure, the verdict are written. 1 when it did. */
int judge_launch(const struct launch_result *l, const char *what, enum launch_goal goal,
                 const struct options *opt, struct result *r);

#endif
