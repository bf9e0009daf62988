#!/usr/bin/env bash
# bench.sh - what mydaemon costs: the launcher's return time at the highest
# descriptor limit, against the same daemon closing descriptors with the
# naive loop and against libslack's `daemon` (and the Python twin, when
# present), all measured in the same run; then, while idle, its wake-ups
# (voluntary context switches) and resident memory, and the Python twin's.
#
#   RUNS=30 IDLE_SECONDS=10 skeleton/c/bench/bench.sh
#
# Runs in a mktemp -d directory removed by a trap; every daemon it starts
# is stopped (launchtime sweeps whatever a stop command leaves).
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
MYDAEMON=$root/skeleton/c/mydaemon
NAIVE=$here/mydaemon-naive
LAUNCHTIME=$here/launchtime
PYTWIN=$root/skeleton/python/mydaemon.py
RUNS=${RUNS:-30}
IDLE_SECONDS=${IDLE_SECONDS:-10}

for bin in "$MYDAEMON" "$NAIVE" "$LAUNCHTIME"; do
	[ -x "$bin" ] || { echo "bench: fatal: $bin is not built (run make skeleton-c-bench)" >&2; exit 1; }
done

# Pidfiles belong in /run, a tmpfs wherever systemd runs; /dev/shm stands
# in for it when /run is not one. The same daemon also runs with its
# pidfile on the disk-backed temporary directory, for comparison: creating
# the pidfile is on mydaemon's critical path (it is ready only once the
# pidfile exists), while libslack writes its pidfile after its launcher has
# returned.
tmpfs_dir=/run
[ "$(stat -f -c %T /run 2>/dev/null)" = tmpfs ] && [ -w /run ] || tmpfs_dir=/dev/shm
work=$(mktemp -d "$tmpfs_dir/mydaemon-bench.XXXXXX") || exit 1
disk=$(mktemp -d "${TMPDIR:-/tmp}/mydaemon-bench.XXXXXX") || exit 1
cleanup() {
	find "$work" "$disk" -name '*.pid' -type f 2>/dev/null | while read -r pf; do
		"$MYDAEMON" stop --pidfile "$pf" >/dev/null 2>&1
	done
	rm -rf "$work" "$disk"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# The naive loop's cost grows with the limit, so measure at the top.
hard=$(ulimit -Hn)
ulimit -n "$hard" 2>/dev/null || echo "bench: note: unable to raise the descriptor limit to $hard"
echo "descriptor limit: $(ulimit -n) (hard $hard); pidfiles in $work ($(stat -f -c %T "$work"))"

# libslack's daemon(1), from the Debian package `daemon`.
libslack_daemon() {
	command -v daemon >/dev/null && daemon --help 2>&1 | grep -q libslack
}
if ! libslack_daemon && [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null; then
	echo "bench: installing the Debian package daemon (libslack)"
	export DEBIAN_FRONTEND=noninteractive
	apt-get install -y -qq daemon >/dev/null 2>&1 ||
		{ apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq daemon >/dev/null 2>&1; }
fi

rows=(
	"mydaemon (close_range)" "$MYDAEMON start --pidfile $work/c.pid" "$MYDAEMON stop --pidfile $work/c.pid"
	"mydaemon -DNAIVE_CLOSE (close loop)" "$NAIVE start --pidfile $work/n.pid" "$NAIVE stop --pidfile $work/n.pid"
	"mydaemon, pidfile on ${TMPDIR:-/tmp}" "$MYDAEMON start --pidfile $disk/c.pid" "$MYDAEMON stop --pidfile $disk/c.pid"
)
if libslack_daemon; then
	rows+=("libslack $(daemon --version 2>&1 | head -n 1) + sleep"
		"daemon --pidfiles=$work --name=bench{i} -- $(command -v sleep) 1000"
		"-")  # its --stop races its own pidfile; the sweep's SIGTERM stops it
else
	echo "bench: skip libslack daemon: not installed, and installing it needs root and apt-get"
fi

echo
"$LAUNCHTIME" -n "$RUNS" "${rows[@]}" || exit 1

# The Python twin on its own: a 100 ms interpreter start in the same rounds
# would evict the caches that the others' next runs find warm.
if [ -f "$PYTWIN" ]; then
	echo
	"$LAUNCHTIME" -n 10 "python twin (skeleton/python)" "python3 $PYTWIN start --pidfile $work/p.pid" \
		"python3 $PYTWIN stop --pidfile $work/p.pid" || exit 1
fi

status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# idle NAME PIDFILE CMD... : starts it, counts its context switches over
# IDLE_SECONDS (a bounded wait on its pidfd, which also notices a death),
# reads its resident memory, stops it.
idle() {
	local name=$1 pf=$2 pid v0 n0 v1 n1 rss
	shift 2
	"$@" start --pidfile "$pf" || { echo "bench: fatal: unable to start $name" >&2; return 1; }
	pid=$(cat "$pf")
	v0=$(status_field "$pid" voluntary_ctxt_switches)
	n0=$(status_field "$pid" nonvoluntary_ctxt_switches)
	if ! python3 -c '
import os, select, sys
fd = os.pidfd_open(int(sys.argv[1]))
ready, _, _ = select.select([fd], [], [], float(sys.argv[2]))
sys.exit(1 if ready else 0)' "$pid" "$IDLE_SECONDS"; then
		echo "bench: fatal: $name died while idle" >&2
		return 1
	fi
	v1=$(status_field "$pid" voluntary_ctxt_switches)
	n1=$(status_field "$pid" nonvoluntary_ctxt_switches)
	rss=$(status_field "$pid" VmRSS)
	"$@" stop --pidfile "$pf" >/dev/null
	printf '%-34s %14s %14s %12s\n' "$name" "+$((v1 - v0))" "+$((n1 - n0))" "$rss"
}

echo
echo "idle for $IDLE_SECONDS s"
printf '%-34s %14s %14s %12s\n' "daemon" "voluntary cs" "involuntary cs" "VmRSS"
idle "mydaemon (C)" "$work/idle-c.pid" "$MYDAEMON" || exit 1
if [ -f "$PYTWIN" ]; then
	idle "python twin" "$work/idle-p.pid" python3 "$PYTWIN" || exit 1
fi
