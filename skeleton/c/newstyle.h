/* newstyle.h - mydaemon's new-style mode, `mydaemon run`: the same program
 * written for a service manager (daemon(7), "New-Style Daemons"; systemd
 * Type=notify) instead of daemonizing itself. See newstyle.c.
 */
#ifndef SKELETON_NEWSTYLE_H
#define SKELETON_NEWSTYLE_H

#define NEWSTYLE_DEFAULT_ADDRESS "127.0.0.1"
#define NEWSTYLE_DEFAULT_PORT    "7007"
/* What a connection is answered when no configuration says otherwise. */
#define NEWSTYLE_DEFAULT_GREETING "hello from mydaemon"

struct newstyle_options {
	const char *address;  /* numeric IPv4 or IPv6 address of its own socket */
	const char *port;     /* its port; "0" lets the kernel pick one */
	const char *config;   /* the greeting file, re-read on SIGHUP; NULL: none */
	char *reload_hook;    /* shell command run after each reload, or NULL
	                       * (not const: it becomes the child's argv) */
};

/* Runs the service in this process until SIGTERM or SIGINT; returns the
 * exit status (0 after a clean stop). It logs to stderr, which a service
 * manager connects to its journal. */
int newstyle_run(const struct newstyle_options *o);

#endif
