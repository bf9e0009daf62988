#!/usr/bin/env bash
# test_docs.sh - the generated documentation is up to date and sound.
#
#   docs/tools/test_docs.sh [CHECKER]
#
# Regenerates docs/checks.md and docs/man/checker.1 from the checker's table
# into a scratch directory and compares them with the committed ones (a
# difference fails, shown as a diff: run `make docs`); renders the man page
# with groff and man, where any warning fails; and checks that every long
# option `checker --help` shows is documented in the man page.
# Ends with "N passed, M failed".
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
CHECKER=${1:-$root/checker/checker}
PYTHON=${PYTHON:-python3}
MAN_IN=$root/docs/man/checker.1.in
MAN=$root/docs/man/checker.1
CHECKS=$root/docs/checks.md

[ -x "$CHECKER" ] || { echo "docs-check: fatal: $CHECKER is not built (run make)" >&2; exit 1; }

work=$(mktemp -d "${TMPDIR:-/tmp}/docs-check.XXXXXX") || exit 1
trap 'rm -rf "$work"' EXIT
trap 'exit 1' INT TERM HUP

# shellcheck source=../../tests/testlib.sh
. "$root/tests/testlib.sh"

# up_to_date NAME COMMITTED GENERATOR-ARGS...
up_to_date() {
	local name=$1 committed=$2 fresh=$work/${2##*/} err
	shift 2
	if ! err=$("$PYTHON" "$@" --checker "$CHECKER" -o "$fresh" 2>&1); then
		not_ok "$name: generator runs" "$err"
		return
	fi
	if diff=$(diff -u --label "$committed (committed)" --label "$committed (generated)" \
		"$committed" "$fresh"); then
		ok "$name is up to date"
	else
		not_ok "$name is up to date (run: make docs)" "$diff"
	fi
}

up_to_date docs/checks.md "$CHECKS" "$here/gen_checks.py"
up_to_date docs/man/checker.1 "$MAN" "$here/gen_man.py" --template "$MAN_IN"

# groff -ww turns on every warning; -z discards the output.
if command -v groff >/dev/null; then
	out=$(groff -man -Tutf8 -ww -z "$MAN" 2>&1)
	if [ -z "$out" ]; then ok "man page: groff -ww renders it without warning"
	else not_ok "man page: groff -ww renders it without warning" "expected: no output" "got: $out"; fi
else
	skip "man page: groff -ww" "groff is not installed (Debian: groff-base)"
fi
if command -v man >/dev/null; then
	out=$(MANWIDTH=80 man -l "$MAN" 2>&1 >/dev/null)
	rc=$?
	if [ "$rc" -eq 0 ] && [ -z "$out" ]; then ok "man page: man -l renders it, stderr empty"
	else not_ok "man page: man -l renders it, stderr empty" "expected: status 0, no stderr" \
		"got: status $rc, $out"; fi
	# Examples are preformatted: only the author can keep them narrow.
	wide=$(MANWIDTH=80 man -l "$MAN" 2>/dev/null | "$PYTHON" -c '
import sys
for n, line in enumerate(sys.stdin.buffer.read().decode("utf-8").split("\n"), 1):
    if len(line) > 80:
        print(f"line {n}, {len(line)} columns: {line}")')
	if [ -z "$wide" ]; then ok "man page: every rendered line fits 80 columns"
	else not_ok "man page: every rendered line fits 80 columns" "$wide"; fi
else
	skip "man page: man -l" "man is not installed (Debian: man-db)"
fi

# Every option --help shows has an entry in OPTIONS (roff spells its
# dashes \-), and every section the page promises is there.
missing=""
for opt in $("$CHECKER" --help | grep -o -- '--[a-z][a-z-]*' | sort -u); do
	roff=$(printf '%s' "$opt" | sed 's/-/\\-/g')
	grep -qF -- "$roff" "$MAN" || missing="$missing $opt"
done
if [ -z "$missing" ]; then ok "man page: documents every option of checker --help"
else not_ok "man page: documents every option of checker --help" "missing:$missing"; fi

missing=""
for section in NAME SYNOPSIS DESCRIPTION OPTIONS CHECKS "EXIT STATUS" ENVIRONMENT EXAMPLES "SEE ALSO"; do
	grep -qx "\.SH \"*$section\"*" "$MAN" || missing="$missing '$section'"
done
if [ -z "$missing" ]; then ok "man page: has every section"
else not_ok "man page: has every section" "missing:$missing"; fi

summary
