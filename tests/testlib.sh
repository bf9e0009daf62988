# testlib.sh — what every end-to-end shell test of the kit shares: one line
# per case ("ok", "FAIL" with what was expected and what came, "skip" with
# the reason), and the closing line "N passed, M failed" that CI reads.
# Sourced by bash scripts; `summary` is their last command.

passed=0 failed=0 skipped=0

ok() { passed=$((passed + 1)); printf 'ok    %s\n' "$1"; }

# not_ok NAME [DETAIL...]: each detail on a line of its own, indented.
not_ok() {
	failed=$((failed + 1))
	printf 'FAIL  %s\n' "$1"
	shift
	for line in "$@"; do printf '%s\n' "$line" | sed 's/^/        /'; done
}

skip() { skipped=$((skipped + 1)); printf 'skip  %s: %s\n' "$1" "$2"; }

# expect NAME EXPECTED GOT
expect() {
	if [ "$2" = "$3" ]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

# expect_match NAME PATTERN TEXT (a shell glob, e.g. *word*)
expect_match() {
	# shellcheck disable=SC2053
	if [[ $3 == $2 ]]; then ok "$1"; else not_ok "$1" "expected: $2" "got:      $3"; fi
}

summary() {
	[ "$skipped" -gt 0 ] && echo "$skipped skipped"
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
}
