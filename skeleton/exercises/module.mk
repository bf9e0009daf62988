# skeleton/exercises/ — the graded exercises (one per tutorial step, C and
# Python) and the bug hunts; see README.md there.
#
#   make exercises                  list them
#   make exercise N [LANG=python]   copy exercise N's starting file to
#                                   skeleton/exercises/work/ (first time),
#                                   build it, judge it with checker --step N:
#                                   "done", or the next hint
#   make hunt N                     the same for bug hunt N (whole checker)
#   make exercises-check            every answer passes, every starting file
#                                   fails exactly its step's checks, every
#                                   hunt its planted fault (in `make check`)

EX_DIR := skeleton/exercises

CHECK_TARGETS += exercises-check
CLEAN_FILES   += $(EX_DIR)/work/bin/*

.PHONY: exercise exercises hunt exercises-check

# `make exercise 3`: the number is the second goal. It is turned into a goal
# that does nothing, so that make does not look for a file or rule "3".
ifneq ($(filter exercise hunt,$(firstword $(MAKECMDGOALS))),)
EX_NUMBER := $(word 2,$(MAKECMDGOALS))
ifneq ($(EX_NUMBER),)
$(EX_NUMBER):
	@:
endif
endif

# LANG is also the locale's variable: only LANG=python (or py) means Python.
EX_LANG := $(if $(filter python py python3,$(LANG)),python,c)

exercise: checker/checker $(STEPS_BIN)/steps.o
	@$(PYTHON) -B $(EX_DIR)/grade.py exercise '$(EX_NUMBER)' --lang $(EX_LANG)

hunt: checker/checker $(STEPS_BIN)/steps.o
	@$(PYTHON) -B $(EX_DIR)/grade.py hunt '$(EX_NUMBER)'

exercises:
	@$(PYTHON) -B $(EX_DIR)/grade.py list

exercises-check: checker/checker $(STEPS_PROGRAMS)
	$(PYTHON) -B $(EX_DIR)/test-exercises.py

# The C starting files, built as they are: the tutorial's pages show what
# the checker says about each (docs/tutorial/refresh_reports.py, names
# "exercise/NN-name"), the "before" of every step.
EX_STARTS := $(patsubst $(EX_DIR)/steps/%/start.c,$(EX_DIR)/bin/%,\
               $(sort $(wildcard $(EX_DIR)/steps/[0-9][0-9]-*/start.c)))
ALL_TARGETS += $(EX_STARTS)
CLEAN_FILES += $(EX_STARTS)

$(EX_DIR)/bin:
	mkdir -p $@

$(EX_STARTS): $(EX_DIR)/bin/%: $(EX_DIR)/steps/%/start.c $(STEPS_DIR)/steps.h \
              $(STEPS_BIN)/steps.o | $(EX_DIR)/bin
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(STEPS_DIR) $(LDFLAGS) -o $@ $< $(STEPS_BIN)/steps.o $(LDLIBS)

# The C answers that are not step programs (exercise 12's), built like the
# starting files, with the project's warnings: the grader's own build is
# laxer, and `make CC=clang` must judge them too.
EX_ANSWERS_C := $(patsubst $(EX_DIR)/answers/%.c,$(EX_DIR)/bin/answers/%,\
                  $(sort $(wildcard $(EX_DIR)/answers/[0-9][0-9]-*.c)))
ALL_TARGETS += $(EX_ANSWERS_C)
CLEAN_FILES += $(EX_ANSWERS_C)

$(EX_DIR)/bin/answers:
	mkdir -p $@

$(EX_ANSWERS_C): $(EX_DIR)/bin/answers/%: $(EX_DIR)/answers/%.c $(STEPS_DIR)/steps.h \
                 $(STEPS_BIN)/steps.o | $(EX_DIR)/bin/answers
	$(CC) $(CPPFLAGS) $(CFLAGS) -I$(STEPS_DIR) $(LDFLAGS) -o $@ $< $(STEPS_BIN)/steps.o $(LDLIBS)
