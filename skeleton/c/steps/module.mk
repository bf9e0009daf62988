# skeleton/c/steps: the step-by-step programs (NN-*.c, sharing steps.c) and
# the seed's recipe as published, built into skeleton/c/steps/bin/, and the
# test that runs the checker over each of them (see README.md there).

STEPS_DIR      := skeleton/c/steps
STEPS_BIN      := $(STEPS_DIR)/bin
STEPS_NUMBERED := $(patsubst $(STEPS_DIR)/%.c,$(STEPS_BIN)/%,\
                    $(sort $(wildcard $(STEPS_DIR)/[0-9][0-9]-*.c)))
# closed-stdio: the classic bug of step 6 (closed 0-2 reused), for its page.
STEPS_EXTRAS   := $(STEPS_BIN)/closed-stdio
STEPS_PROGRAMS := $(STEPS_NUMBERED) $(STEPS_EXTRAS) $(STEPS_BIN)/seed-as-published

ALL_TARGETS   += $(STEPS_PROGRAMS)
CHECK_TARGETS += check-steps
CLEAN_FILES   += $(STEPS_PROGRAMS) $(STEPS_BIN)/steps.o

$(STEPS_BIN):
	mkdir -p $@

$(STEPS_BIN)/steps.o: $(STEPS_DIR)/steps.c $(STEPS_DIR)/steps.h | $(STEPS_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(STEPS_NUMBERED) $(STEPS_EXTRAS): $(STEPS_BIN)/%: $(STEPS_DIR)/%.c $(STEPS_DIR)/steps.h \
                   $(STEPS_BIN)/steps.o | $(STEPS_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(STEPS_BIN)/steps.o $(LDLIBS)

# Built with the project's full warning set, like every other program: the
# seed's faults are in what it does, not in what a compiler can see.
$(STEPS_BIN)/seed-as-published: $(STEPS_DIR)/seed-as-published.c | $(STEPS_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)

.PHONY: check-steps
check-steps: $(STEPS_PROGRAMS)
	$(PYTHON) $(STEPS_DIR)/test-steps.py
