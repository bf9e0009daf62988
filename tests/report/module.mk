# tests/report/ — the report formats read by real consumers (prove, an XML
# schema), --step walked through the tutorial's steps, and --compare.

CHECK_TARGETS += report-check
.PHONY: report-check

report-check: checker/checker
	@$(PYTHON) tests/report/test_reports.py
