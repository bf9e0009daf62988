/* judges_service.c — the judges of the new-style checks (--profile
 * new-style): a daemon started as a service manager starts a service. */
#include <stdio.h>

#include "judge_text.h"
#include "judges.h"

/* Until the new-style run exists, its checks cannot be observed. */
static void not_yet(struct result *r)
{
    skip(r, "the new-style run is not available in this checker yet");
}

void judge_stays_foreground(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}

void judge_notify_ready(const struct evidence *ev, const struct options *opt, struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}

void judge_notify_stopping(const struct evidence *ev, const struct options *opt,
                           struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}

void judge_reload_on_sighup(const struct evidence *ev, const struct options *opt,
                            struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}

void judge_socket_activation(const struct evidence *ev, const struct options *opt,
                             struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}

void judge_watchdog(const struct evidence *ev, const struct options *opt, struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}

void judge_logs_to_stderr(const struct evidence *ev, const struct options *opt,
                          struct result *r)
{
    (void)ev, (void)opt;
    not_yet(r);
}
