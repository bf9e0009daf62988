#!/usr/bin/env bash
# e2e.sh - end-to-end tests of skeleton/c/mydaemon: start, status, stop,
# restart, stale and foreign pidfiles, a second instance, a hostile launch,
# the foreground mode, the whole life under valgrind, syslog on a private
# /dev/log (root only), and the checker's verdict (once it is built).
#
# Everything happens in a mktemp -d directory that a trap removes, after
# stopping any daemon whose pidfile is still in it. Nothing sleeps: waits are
# on pidfds, pipes and locks (see e2e_helper.py), with timeouts as bounds.
# Prints one line per case and ends with "N passed, M failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../../.." && pwd)
MYDAEMON=$root/skeleton/c/mydaemon
CHECKER=$root/checker/checker
helper() { python3 "$here/e2e_helper.py" "$@"; }

[ -x "$MYDAEMON" ] || { echo "e2e: fatal: $MYDAEMON is not built (run make)" >&2; exit 1; }
command -v python3 >/dev/null || { echo "e2e: fatal: python3 is missing" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/mydaemon-e2e.XXXXXX") || exit 1
cleanup() {
	find "$work" -name '*.pid' -type f 2>/dev/null | while read -r pf; do
		"$MYDAEMON" stop --pidfile "$pf" >/dev/null 2>&1
	done
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 1' INT TERM HUP

# shellcheck source=../../../tests/testlib.sh
. "$root/tests/testlib.sh"
yesno() { if "$@"; then echo yes; else echo no; fi; }

# run CMD... : sets $out (stdout and stderr) and $rc
run() { out=$("$@" 2>&1); rc=$?; }

alive() { kill -0 "$1" 2>/dev/null; }
gone() { helper wait-gone "$1" "${2:-10}"; }

# The fields of /proc/PID/stat after the command name (which may hold
# spaces or parentheses, hence the last ')').
stat_fields() {
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	echo "${stat##*) }"
}

status_field() { sed -n "s/^$2:[[:space:]]*//p" "/proc/$1/status"; }

# start_daemon NAME PIDFILE: starts it, checks the exit status, sets $pid
start_daemon() {
	run "$MYDAEMON" start --pidfile "$2"
	expect "$1: start exits 0" 0 "$rc"
	pid=$(cat "$2" 2>/dev/null)
}

stop_daemon() {
	run "$MYDAEMON" stop --pidfile "$2"
	expect "$1: stop exits 0" 0 "$rc"
}

test_basic_life() {
	local pf=$work/basic.pid stat sid tty_nr fds
	start_daemon basic "$pf"
	expect "basic: pidfile exists when start returns" yes "$(yesno test -f "$pf")"
	expect_match "basic: pidfile holds a pid" "[1-9]*" "$pid"
	expect "basic: pidfile is exactly PID and newline" "$((${#pid} + 1))" "$(stat -c %s "$pf")"
	expect "basic: pidfile mode 0644" 644 "$(stat -c %a "$pf")"
	expect "basic: daemon alive" yes "$(yesno alive "$pid")"

	# shellcheck disable=SC2086
	set -- $(stat_fields "$pid")
	sid=$4 tty_nr=$5
	expect "basic: no controlling terminal" 0 "$tty_nr"
	expect "basic: not a session leader (double fork)" yes "$(yesno test "$sid" != "$pid")"
	expect "basic: in a session of its own" yes "$(yesno test "$sid" != "$(ps -o sid= -p $$ | tr -d ' ')")"
	expect "basic: cwd /" / "$(readlink "/proc/$pid/cwd")"
	expect "basic: umask 0000" 0000 "$(status_field "$pid" Umask)"
	fds=$(for fd in 0 1 2; do readlink "/proc/$pid/fd/$fd"; done | tr '\n' ' ')
	expect "basic: stdio on /dev/null" "/dev/null /dev/null /dev/null " "$fds"
	expect "basic: pidfile locked, seen in /proc/locks" yes \
		"$(yesno grep -q "POSIX  *ADVISORY  *WRITE  *$pid .*:$(stat -c %i "$pf") " /proc/locks)"

	run "$MYDAEMON" status --pidfile "$pf"
	expect "basic: status exits 0 while running" 0 "$rc"
	expect "basic: status names the pid" "mydaemon is running (pid $pid)" "$out"

	stop_daemon basic "$pf"
	expect "basic: daemon gone once stop returns" yes "$(yesno gone "$pid" 0)"
	expect "basic: pidfile removed" no "$(yesno test -e "$pf")"
	run "$MYDAEMON" status --pidfile "$pf"
	expect "basic: status exits 3 once stopped" 3 "$rc"
	run "$MYDAEMON" stop --pidfile "$pf"
	expect "basic: stop when not running exits 0" 0 "$rc"
}

test_second_instance() {
	local pf=$work/second.pid ino content
	start_daemon second "$pf"
	ino=$(stat -c %i "$pf") content=$(cat "$pf")
	# As a subreaper, the helper also waits for whatever the second start
	# forked: a daemon left behind would make it exit 99.
	run helper reaped "$MYDAEMON" start --pidfile "$pf"
	expect "second: second start exits 1, leaving no process" 1 "$rc"
	expect_match "second: says who runs" "*already running as pid $pid*" "$out"
	expect "second: first daemon untouched" yes "$(yesno alive "$pid")"
	expect "second: pidfile inode untouched" "$ino" "$(stat -c %i "$pf")"
	expect "second: pidfile content untouched" "$content" "$(cat "$pf")"
	stop_daemon second "$pf"
}

dead_pid() { sh -c 'echo $$'; }

test_stale_pidfile() {
	local pf=$work/stale.pid dead
	dead=$(dead_pid)
	echo "$dead" >"$pf"
	run "$MYDAEMON" status --pidfile "$pf"
	expect "stale: status exits 1 (dead, pidfile left)" 1 "$rc"
	start_daemon stale "$pf"
	expect "stale: pidfile now names the new daemon" yes "$(yesno test "$pid" != "$dead")"
	expect "stale: new daemon alive" yes "$(yesno alive "$pid")"
	stop_daemon stale "$pf"

	echo "$dead" >"$pf"
	run "$MYDAEMON" stop --pidfile "$pf"
	expect "stale: stop exits 0 and removes the stale pidfile" "0 no" "$rc $(yesno test -e "$pf")"

	printf 'garbage' >"$pf"
	start_daemon "stale: malformed" "$pf"
	expect "stale: malformed unlocked pidfile taken over" "$pid" "$(cat "$pf")"
	stop_daemon "stale: malformed" "$pf"
}

test_restart() {
	local pf=$work/restart.pid old
	start_daemon restart "$pf"
	old=$pid
	run "$MYDAEMON" restart --pidfile "$pf"
	expect "restart: exits 0" 0 "$rc"
	pid=$(cat "$pf")
	expect "restart: old daemon gone" yes "$(yesno gone "$old" 0)"
	expect "restart: new daemon alive under a new pid" yes "$(yesno test "$pid" != "$old" -a -d "/proc/$pid")"
	stop_daemon restart "$pf"
	run "$MYDAEMON" restart --pidfile "$pf"
	expect "restart: when not running, starts" 0 "$rc"
	stop_daemon restart "$pf"
}

test_signals() {
	local sig pf
	for sig in TERM INT; do
		pf=$work/sig$sig.pid
		start_daemon "SIG$sig" "$pf"
		kill "-$sig" "$pid"
		expect "SIG$sig: daemon exits" yes "$(yesno gone "$pid" 10)"
		expect "SIG$sig: pidfile removed" no "$(yesno test -e "$pf")"
	done
	pf=$work/sigHUP.pid
	start_daemon SIGHUP "$pf"
	kill -HUP "$pid"
	# A HUP that killed it would leave the lock released: stop would then
	# find a stale pidfile and say "not running".
	run "$MYDAEMON" stop --pidfile "$pf"
	expect "SIGHUP: daemon survives it, stop still finds it" "0 " "$rc $out"
}

test_foreign_lock() {
	local pf=$work/foreign.pid holder
	coproc HOLDER { exec python3 "$here/e2e_helper.py" hold-lock "$pf" $'1\n'; }
	holder=$HOLDER_PID
	read -r -t 10 line <&"${HOLDER[0]}"
	expect "foreign: a process holds the lock but the file names pid 1" locked "${line:-}"
	run "$MYDAEMON" stop --pidfile "$pf"
	expect "foreign: stop refuses, exit 1" 1 "$rc"
	expect_match "foreign: stop says why" "*refusing to signal*locked by pid $holder but names 1*" "$out"
	run "$MYDAEMON" status --pidfile "$pf"
	expect "foreign: status exits 4 (unknown)" 4 "$rc"
	run helper reaped "$MYDAEMON" start --pidfile "$pf"
	expect "foreign: start refuses, exit 1" 1 "$rc"
	expect "foreign: the lock holder was not signalled" yes "$(yesno alive "$holder")"
	eval "exec ${HOLDER[1]}>&-"
	wait "$holder"
	rm -f "$pf"
}

test_refusals() {
	local pf=$work/link.pid target=$work/target
	echo precious >"$target"
	ln -s "$target" "$pf"
	run helper reaped "$MYDAEMON" start --pidfile "$pf"
	expect "symlink: start exits 1, leaving no process" 1 "$rc"
	expect_match "symlink: says why" "*unable to open pidfile*symbolic links*" "$out"
	expect "symlink: target untouched" precious "$(cat "$target")"
	run "$MYDAEMON" stop --pidfile "$pf"
	expect "symlink: stop does not follow it either" yes "$(yesno test "$rc" -ne 0 -a -L "$pf")"

	run helper reaped "$MYDAEMON" start --pidfile "$work/no/such/dir/x.pid"
	expect "missing dir: start exits 1, leaving no process" 1 "$rc"
	expect_match "missing dir: says why" "mydaemon: fatal: unable to open pidfile*No such file or directory" "$out"
}

test_hostile_launch() {
	local pf=$work/hostile.pid fd leaked=""
	run bash -c 'cd "$1" && shift && exec python3 "$@"' - "$work" "$here/e2e_helper.py" \
		hostile "$MYDAEMON" start --pidfile "$pf"
	expect "hostile: start exits 0" 0 "$rc"
	pid=$(cat "$pf")
	expect "hostile: umask reset to 0000" 0000 "$(status_field "$pid" Umask)"
	expect "hostile: cwd /" / "$(readlink "/proc/$pid/cwd")"
	for fd in /proc/"$pid"/fd/*; do
		[ "$(readlink "$fd")" = "$work/marker" ] && leaked="$leaked ${fd##*/}"
	done
	expect "hostile: no inherited descriptor kept" "" "$leaked"
	expect "hostile: nothing ignored" 0000000000000000 "$(status_field "$pid" SigIgn)"
	# Only its own HUP, INT and TERM, which the signalfd reads.
	expect "hostile: only HUP, INT, TERM blocked" 0000000000004003 "$(status_field "$pid" SigBlk)"
	stop_daemon hostile "$pf"
}

test_foreground() {
	local pf=$work/fg.pid line fgpid
	coproc FG { exec "$MYDAEMON" start --foreground --pidfile "$pf" 2>&1; }
	fgpid=$FG_PID
	read -r -t 10 line <&"${FG[0]}"
	expect_match "foreground: logs its start on stderr" "mydaemon\[$fgpid\]: started*" "${line:-}"
	expect "foreground: the pidfile names the process itself" "$fgpid" "$(cat "$pf" 2>/dev/null)"
	stop_daemon foreground "$pf"
	wait "$fgpid"
	expect "foreground: exits 0 on SIGTERM" 0 "$?"
}

test_usage() {
	run "$MYDAEMON"
	expect "usage: no command exits 2" 2 "$rc"
	run "$MYDAEMON" frobnicate
	expect "usage: unknown command exits 2" 2 "$rc"
	run "$MYDAEMON" start --umask 999
	expect "usage: bad umask exits 2" 2 "$rc"
	run "$MYDAEMON" --help
	expect_match "usage: --help exits 0 and explains" "0 usage: mydaemon start|stop|restart|status*" "$rc $out"
}

test_valgrind() {
	local pf=$work/vg.pid vg=$work/valgrind log errors=""
	if ! command -v valgrind >/dev/null; then
		skip valgrind "valgrind is not installed"
		return
	fi
	mkdir "$vg"
	local vgrun=(valgrind --leak-check=full --track-fds=yes --error-exitcode=1
		--trace-children=yes "--log-file=$vg/%p.log")
	run "${vgrun[@]}" "$MYDAEMON" start --pidfile "$pf"
	expect "valgrind: start exits 0" 0 "$rc"
	pid=$(cat "$pf" 2>/dev/null)
	run "${vgrun[@]}" "$MYDAEMON" stop --pidfile "$pf"
	expect "valgrind: stop exits 0" 0 "$rc"
	# Under valgrind, stop has no pidfd (valgrind 3.19 lacks pidfd_open) and
	# waits for the lock's release; the process itself ends a little later.
	expect "valgrind: daemon exits" yes "$(yesno gone "${pid:-0}" 30)"
	for log in "$vg"/*.log; do
		grep -q "ERROR SUMMARY: 0 errors" "$log" || errors="$errors ${log##*/}"
	done
	expect "valgrind: no error or leak in any process (launcher, first child, daemon, stop)" "" "$errors"
	log=$vg/$pid.log
	expect "valgrind: the daemon's log exists" yes "$(yesno test -s "$log")"
	expect "valgrind: daemon ends with only its stdio open" \
		"FILE DESCRIPTORS: 3 open (3 std) at exit." \
		"$(sed -n 's/^==[0-9]*== \(FILE DESCRIPTORS.*\)/\1/p' "$log" 2>/dev/null)"
	expect "valgrind: daemon freed all its memory" yes \
		"$(yesno grep -q "All heap blocks were freed" "$log")"
}

test_syslog() {
	local pf=$work/syslog.pid
	if [ "$(id -u)" -ne 0 ]; then
		skip syslog "needs root to bind a private /dev/log in a private mount namespace"
		return
	fi
	if ! unshare --mount true 2>/dev/null; then
		skip syslog "unshare --mount is not permitted here"
		return
	fi
	mkdir "$work/syslog"
	run unshare --mount python3 "$here/e2e_helper.py" syslog "$MYDAEMON" "$pf" "$work/syslog"
	if [ "$rc" -eq 0 ]; then
		ok "syslog: start, SIGHUP and stop lines arrive on /dev/log as daemon.info"
	else
		not_ok "syslog: start, SIGHUP and stop lines arrive on /dev/log as daemon.info" "$out"
	fi
}

test_checker() {
	if [ ! -x "$CHECKER" ]; then
		skip checker "$CHECKER is not built yet (re-run once it is)"
		return
	fi
	local report verdict
	report=$("$CHECKER" --format json --stop-command "$MYDAEMON stop --pidfile {pidfile}" \
		-- "$MYDAEMON" start --pidfile {pidfile} 2>"$work/checker.err")
	rc=$?
	expect "checker: exits 0 (every required check passed)" 0 "$rc"
	verdict=$(printf '%s' "$report" | helper checker-verdict)
	if [ $? -eq 0 ]; then
		ok "checker: verdict pass, no check failed or warned (sysv profile)"
	else
		not_ok "checker: verdict pass, no check failed or warned (sysv profile)" \
			"$verdict" "stderr: $(cat "$work/checker.err")"
	fi
}

# Sweep: whatever a case started, nothing of it may remain.
test_no_leftovers() {
	local left
	left=$(pgrep -f -- "--pidfile $work" | tr '\n' ' ')
	expect "sweep: no daemon left behind" "" "$left"
}

test_basic_life
test_second_instance
test_stale_pidfile
test_restart
test_signals
test_foreign_lock
test_refusals
test_hostile_launch
test_foreground
test_usage
test_valgrind
test_syslog
test_checker
test_no_leftovers

summary
