/* launchtime.c - how long a daemon's launcher takes to return.
 *
 *   launchtime [-n RUNS] NAME 'START CMD' 'STOP CMD' [NAME 'START' 'STOP']...
 *
 * For each run and each contender in turn (interleaved, so that all of them
 * see the same machine, and rotated, so that none always runs first), after
 * one unrecorded warm-up run, times START from spawn to the launcher's exit, then
 * runs STOP (untimed; "-" for none) and sweeps: as a child subreaper it
 * inherits every daemon, so whatever STOP left alive is terminated and
 * reaped before the next run, and nothing survives the benchmark. Commands
 * are split on blanks (no quoting); "{i}" is replaced by the run's number.
 * Prints the median, minimum and maximum per contender and the ratio of
 * each median to the first contender's.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/pidfd.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define PROG "launchtime"
#define MAX_CONTENDERS 8
#define MAX_RUNS 1000
#define MAX_ARGS 32
#define SWEEP_GRACE_MS 2000

extern char **environ;

struct contender {
	const char *name;
	const char *start;
	const char *stop;
	double ms[MAX_RUNS];
};

static _Noreturn void die(const char *what)
{
	fprintf(stderr, PROG ": fatal: unable to %s: %s\n", what, strerror(errno));
	exit(1);
}

static _Noreturn void diex(const char *what)
{
	fprintf(stderr, PROG ": fatal: %s\n", what);
	exit(1);
}

/* Splits CMD on blanks into argv (inside buf), with {i} replaced. */
static void split_command(const char *cmd, int run, char *buf, size_t len, char **argv)
{
	char num[16];
	size_t used = 0;
	int argc = 0;

	snprintf(num, sizeof num, "%d", run);
	for (const char *p = cmd; *p && used + sizeof num < len; p++) {
		if (strncmp(p, "{i}", 3) == 0) {
			used += (size_t)snprintf(buf + used, len - used, "%s", num);
			p += 2;
		} else {
			buf[used++] = *p;
		}
	}
	buf[used] = '\0';
	for (char *tok = strtok(buf, " \t"); tok && argc < MAX_ARGS - 1; tok = strtok(NULL, " \t"))
		argv[argc++] = tok;
	argv[argc] = NULL;
	if (argc == 0)
		diex("empty command");
}

/* Runs CMD and returns its exit status (or 128 + signal). */
static int run_command(const char *cmd, int run, double *elapsed_ms)
{
	char buf[4096];
	char *argv[MAX_ARGS];
	struct timespec t0, t1;
	pid_t pid;
	int status, err;

	split_command(cmd, run, buf, sizeof buf, argv);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	err = posix_spawnp(&pid, argv[0], NULL, NULL, argv, environ);
	if (err) {
		errno = err;
		die("spawn a command");
	}
	while (waitpid(pid, &status, 0) < 0) {
		if (errno != EINTR)
			die("wait for a command");
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (elapsed_ms)
		*elapsed_ms = (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6;
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* The first live child found in /proc (its parent is us), or 0. */
static pid_t find_child(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	pid_t self = getpid(), found = 0;

	if (!d)
		die("open /proc");
	while (!found && (e = readdir(d)) != NULL) {
		char path[300], buf[512];
		long ppid;
		if (e->d_name[0] < '1' || e->d_name[0] > '9')
			continue;
		snprintf(path, sizeof path, "/proc/%s/stat", e->d_name);
		int fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;  /* gone meanwhile */
		ssize_t n = read(fd, buf, sizeof buf - 1);
		close(fd);
		if (n <= 0)
			continue;
		buf[n] = '\0';
		/* The command name may hold anything: fields start after the last ')'. */
		char *rp = strrchr(buf, ')');
		char state;
		if (rp && sscanf(rp + 1, " %c %ld", &state, &ppid) == 2 && ppid == self && state != 'Z')
			found = (pid_t)atol(e->d_name);
	}
	closedir(d);
	return found;
}

static void reap_zombies(void)
{
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* Terminates and reaps every process adopted from the contenders:
 * SIGTERM, a grace period watched on a pidfd, then SIGKILL. */
static void sweep(void)
{
	pid_t pid;

	reap_zombies();
	while ((pid = find_child()) != 0) {
		int pidfd = pidfd_open(pid, 0);
		if (pidfd < 0) {
			reap_zombies();
			continue;
		}
		struct pollfd pfd = { .fd = pidfd, .events = POLLIN };
		pidfd_send_signal(pidfd, SIGTERM, NULL, 0);
		if (poll(&pfd, 1, SWEEP_GRACE_MS) == 0)
			pidfd_send_signal(pidfd, SIGKILL, NULL, 0);
		close(pidfd);
		waitpid(pid, NULL, 0);
		reap_zombies();
	}
}

static int compare_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

static double median_of(double *v, int n)
{
	qsort(v, (size_t)n, sizeof v[0], compare_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

int main(int argc, char **argv)
{
	static struct contender c[MAX_CONTENDERS];
	int runs = 30, nc = 0, argi = 1;
	struct rlimit rl;

	if (argc > 2 && strcmp(argv[1], "-n") == 0) {
		runs = atoi(argv[2]);
		argi = 3;
	}
	if (runs < 1 || runs > MAX_RUNS || (argc - argi) % 3 != 0 || argc == argi ||
	    (argc - argi) / 3 > MAX_CONTENDERS) {
		fprintf(stderr, "usage: " PROG " [-n RUNS] NAME 'START' 'STOP' [NAME 'START' 'STOP']...\n");
		return 2;
	}
	for (; argi < argc; argi += 3, nc++) {
		c[nc].name = argv[argi];
		c[nc].start = argv[argi + 1];
		c[nc].stop = argv[argi + 2];
	}
	if (prctl(PR_SET_CHILD_SUBREAPER, 1) < 0)
		die("become a child subreaper");
	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		die("read RLIMIT_NOFILE");

	/* Run -1 warms the caches and is not recorded; each run starts with
	 * the next contender, so that no one always follows the same one. */
	for (int r = -1; r < runs; r++) {
		for (int k = 0; k < nc; k++) {
			int i = (k + (r < 0 ? 0 : r)) % nc;
			double ms;
			int st = run_command(c[i].start, r + 1, &ms);
			if (r >= 0)
				c[i].ms[r] = ms;
			if (st != 0) {
				fprintf(stderr, PROG ": fatal: %s: start exited with %d\n", c[i].name, st);
				sweep();
				return 1;
			}
			if (strcmp(c[i].stop, "-") != 0)
				run_command(c[i].stop, r + 1, NULL);
			sweep();
		}
	}

	printf("launcher return time, %d runs each, interleaved and rotated; RLIMIT_NOFILE %llu (hard %llu)\n",
	    runs, (unsigned long long)rl.rlim_cur, (unsigned long long)rl.rlim_max);
	printf("%-34s %10s %10s %10s %8s\n", "contender", "median ms", "min ms", "max ms", "ratio");
	double base = 0;
	for (int i = 0; i < nc; i++) {
		double med = median_of(c[i].ms, runs);
		if (i == 0)
			base = med;
		printf("%-34s %10.3f %10.3f %10.3f %7.2fx\n", c[i].name, med, c[i].ms[0],
		    c[i].ms[runs - 1], med / base);
	}
	return 0;
}
