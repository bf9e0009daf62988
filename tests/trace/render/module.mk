# tests/trace/render/ — the trace's three renderings (text timeline, JSON, the HTML
# picture) of sample traces built by hand, and pages of real runs of the
# checker: the text against golden files, the JSON read by python, each page
# rendered by headless Chromium, its DOM counted against the trace (or the
# run's JSON report), and a screenshot kept in tests/trace/render/build/.
#
#   make trace-render-check          all of it (skips the browser without chromium)
#   make trace-golden                rewrite the golden timelines after a deliberate change

TRACE_TEST_DIR := tests/trace/render
TRACE_SAMPLE   := $(TRACE_TEST_DIR)/render_sample
TRACE_BUILD    := $(TRACE_TEST_DIR)/build

CHECK_TARGETS += trace-render-check
CLEAN_FILES   += $(TRACE_SAMPLE) $(wildcard $(TRACE_BUILD)/*)

.PHONY: trace-render-check trace-golden

# Linked with the whole checker library, as the checker itself is, so that
# the test keeps building whatever the renderers come to need.
$(TRACE_SAMPLE): $(TRACE_TEST_DIR)/render_sample.c $(CHECKER_LIB_OBJS) $(CHECKER_HDRS)
	$(CC) $(CPPFLAGS) $(CFLAGS) -Ichecker $(LDFLAGS) -o $@ $< $(CHECKER_LIB_OBJS) $(LDLIBS) -lutil

trace-render-check: $(TRACE_SAMPLE) checker/checker tests/zoo/bin/correct skeleton/c/steps/bin/seed-as-published
	@$(PYTHON) $(TRACE_TEST_DIR)/run.py --sample $(TRACE_SAMPLE) --out $(TRACE_BUILD) \
	    --checker checker/checker --zoo tests/zoo/bin --steps skeleton/c/steps/bin

trace-golden: $(TRACE_SAMPLE)
	@$(PYTHON) $(TRACE_TEST_DIR)/run.py --sample $(TRACE_SAMPLE) --out $(TRACE_BUILD) \
	    --update-golden --no-browser
