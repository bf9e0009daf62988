#!/usr/bin/env bash
# test_install.sh - `make install` and `make uninstall`, into scratch DESTDIRs.
#
# Installs with PREFIX=/usr/local, then with BINDIR and MANDIR of its own;
# checks each file's place and mode, runs the installed checker, renders the
# installed man page with man -l (skipped without man), uninstalls, and
# checks that no file is left (directories may stay: uninstall leaves them,
# since other software shares them). Ends with "N passed, M failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
MAKE=${MAKE:-make}

work=$(mktemp -d "${TMPDIR:-/tmp}/install-check.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

# shellcheck source=../../tests/testlib.sh
. "$root/tests/testlib.sh"

# run_make NAME ARGS...: make in the project, which must succeed.
run_make() {
	local name=$1 out
	shift
	# MAKEFLAGS is left out: a -k or -n of the outer make must not change
	# what this one does.
	if out=$(MAKEFLAGS='' "$MAKE" --no-print-directory -C "$root" "$@" 2>&1); then
		ok "$name"
	else
		not_ok "$name" "make $*" "$out"
	fi
}

mode_of() { stat -c %a "$1" 2>/dev/null || echo missing; }

# installed NAME DESTDIR BIN MAN: the two files, their modes, and that they work.
installed() {
	local name=$1 dest=$2 bin=$2$3 man=$2$4 out
	expect "$name: $3 has mode 755" 755 "$(mode_of "$bin")"
	expect "$name: $4 has mode 644" 644 "$(mode_of "$man")"
	expect "$name: the installed checker runs" "checker $("$root/checker/checker" --version | cut -d' ' -f2)" \
		"$("$bin" --version 2>&1)"
	expect "$name: the installed man page is the committed one" same \
		"$(cmp -s "$man" "$root/docs/man/checker.1" && echo same || echo different)"
	if ! command -v man >/dev/null; then
		skip "$name: man -l renders the installed page" "man is not installed (Debian: man-db)"
		return
	fi
	if out=$(MANWIDTH=80 man -l "$man" 2>&1 >"$dest.rendered") && [ -z "$out" ] &&
		grep -q '^NAME' "$dest.rendered"; then
		ok "$name: man -l renders the installed page"
	else
		not_ok "$name: man -l renders the installed page" "$out"
	fi
}

# nothing_left NAME DESTDIR: no file or link remains under it.
nothing_left() {
	expect "$1: uninstall leaves no file behind" "" "$(find "$2" ! -type d 2>&1)"
}

dest=$work/default
run_make "default: make install DESTDIR=... PREFIX=/usr/local" install DESTDIR="$dest" PREFIX=/usr/local
installed default "$dest" /usr/local/bin/checker /usr/local/share/man/man1/checker.1
expect "default: nothing else installed" \
	"$dest/usr/local/bin/checker $dest/usr/local/bin/checker-grade $dest/usr/local/share/man/man1/checker-grade.1 $dest/usr/local/share/man/man1/checker.1" \
	"$(find "$dest" ! -type d | sort | tr '\n' ' ' | sed 's/ $//')"
run_make "default: make install again (idempotent)" install DESTDIR="$dest" PREFIX=/usr/local
run_make "default: make uninstall DESTDIR=..." uninstall DESTDIR="$dest" PREFIX=/usr/local
nothing_left default "$dest"
run_make "default: make uninstall again (nothing to remove is fine)" uninstall DESTDIR="$dest" PREFIX=/usr/local

dest=$work/custom
run_make "custom: make install BINDIR=/opt/k/sbin MANDIR=/opt/k/man" install DESTDIR="$dest" \
	BINDIR=/opt/k/sbin MANDIR=/opt/k/man
installed custom "$dest" /opt/k/sbin/checker /opt/k/man/man1/checker.1
run_make "custom: make uninstall with the same dirs" uninstall DESTDIR="$dest" \
	BINDIR=/opt/k/sbin MANDIR=/opt/k/man
nothing_left custom "$dest"

summary
