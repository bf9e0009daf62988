# tests/fuzz/ — libFuzzer targets for the checker's parsers of outside input.
#
# A target is tests/fuzz/fuzz_NAME.c with its seeds in tests/fuzz/corpus/NAME/
# (and, optionally, a libFuzzer dictionary tests/fuzz/NAME.dict): both are
# found by wildcard, and every target is linked against all of the checker's
# library objects, compiled a second time below with the fuzzing flags, so
# that adding a target needs no line here.
#
#   make fuzz         each target for FUZZ_SECONDS (600), FUZZ_JOBS (2) at a
#                     time, on a scratch corpus in tests/fuzz/build/corpus/;
#                     exits non-zero on any crash
#   make fuzz-merge   adds to the committed corpus what the scratch corpus
#                     covers beyond it
#   make fuzz-check   (in `make check`) every committed seed through every
#                     target, then each target for FUZZ_CHECK_SECONDS (3)
#
# Without libFuzzer (no clang, or no libclang-rt), fuzz-check builds the same
# targets with replay_main.c and $(CC), under ASan and UBSan when $(CC) has
# them, and replays the seeds only; run.sh says which mode ran.

FUZZ_DIR     := tests/fuzz
FUZZ_BUILD   := $(FUZZ_DIR)/build
FUZZ_NAMES   := $(sort $(patsubst $(FUZZ_DIR)/fuzz_%.c,%,$(wildcard $(FUZZ_DIR)/fuzz_*.c)))
FUZZ_RUN     := $(FUZZ_DIR)/run.sh
FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 600
FUZZ_CHECK_SECONDS ?= 3
FUZZ_JOBS          ?= 2

CHECK_TARGETS += fuzz-check
CLEAN_FILES   += $(FUZZ_BUILD)/*/fuzz_* $(FUZZ_BUILD)/*/*.o $(FUZZ_BUILD)/*/checker/*.o

.PHONY: fuzz fuzz-check fuzz-merge fuzz-bins fuzz-clean

# What run.sh needs to know, whichever make target calls it.
FUZZ_RUN_ENV = FUZZ_DIR='$(FUZZ_DIR)' FUZZ_BUILD='$(FUZZ_BUILD)' FUZZ_NAMES='$(FUZZ_NAMES)' \
               FUZZ_SECONDS='$(FUZZ_SECONDS)' FUZZ_CHECK_SECONDS='$(FUZZ_CHECK_SECONDS)' \
               FUZZ_JOBS='$(FUZZ_JOBS)'

# The mode is probed when a fuzz target runs, not when the Makefile is read:
# `make check` installs clang in its `deps` step just before.
fuzz-check:
	@mode=$$($(FUZZ_RUN) mode '$(FUZZ_CC)' '$(CC)') || exit 1; \
	$(MAKE) --no-print-directory FUZZ_MODE=$$mode fuzz-bins >/dev/null || exit 1; \
	$(FUZZ_RUN_ENV) $(FUZZ_RUN) check $$mode

fuzz fuzz-merge:
	@mode=$$($(FUZZ_RUN) mode '$(FUZZ_CC)' '$(CC)') || exit 1; \
	if [ "$$mode" != libfuzzer ]; then \
	    echo "$@: needs $(FUZZ_CC) with libFuzzer (Debian: clang-14 libclang-rt-14-dev)" >&2; exit 2; \
	fi; \
	$(MAKE) --no-print-directory FUZZ_MODE=libfuzzer fuzz-bins || exit 1; \
	$(FUZZ_RUN_ENV) $(FUZZ_RUN) $(patsubst fuzz-%,%,$@) libfuzzer

fuzz-clean:
	rm -rf $(FUZZ_BUILD)

# The builds, one directory per mode; only defined in the sub-make that the
# targets above start with FUZZ_MODE set.
ifneq ($(FUZZ_MODE),)
FUZZ_OUT      := $(FUZZ_BUILD)/$(FUZZ_MODE)
FUZZ_SAN      := -fsanitize=address,undefined -fno-sanitize-recover=all
ifeq ($(FUZZ_MODE),libfuzzer)
FUZZ_BCC      := $(FUZZ_CC)
FUZZ_OBJ_SAN  := -fsanitize=fuzzer-no-link $(FUZZ_SAN)
FUZZ_LINK_SAN := -fsanitize=fuzzer $(FUZZ_SAN)
FUZZ_DRIVER   :=
else
FUZZ_BCC      := $(CC)
FUZZ_OBJ_SAN  := $(if $(filter replay-asan,$(FUZZ_MODE)),$(FUZZ_SAN))
FUZZ_LINK_SAN := $(FUZZ_OBJ_SAN)
FUZZ_DRIVER   := $(FUZZ_OUT)/replay_main.o
endif
FUZZ_CFLAGS   := $(CFLAGS) -O1 -g -fno-omit-frame-pointer
FUZZ_LIB_OBJS := $(patsubst checker/%.c,$(FUZZ_OUT)/checker/%.o,$(CHECKER_LIB_SRCS))
FUZZ_BINS     := $(addprefix $(FUZZ_OUT)/fuzz_,$(FUZZ_NAMES))

fuzz-bins: $(FUZZ_BINS)

# Kept between builds: they are only named in a pattern rule, which would
# make them intermediate files, deleted after each build.
.SECONDARY: $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)

$(FUZZ_OUT)/checker:
	mkdir -p $@

$(FUZZ_OUT)/checker/%.o: checker/%.c $(CHECKER_HDRS) | $(FUZZ_OUT)/checker
	$(FUZZ_BCC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_OBJ_SAN) -c -o $@ $<

$(FUZZ_OUT)/replay_main.o: $(FUZZ_DIR)/replay_main.c $(FUZZ_DIR)/fuzz.h | $(FUZZ_OUT)/checker
	$(FUZZ_BCC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_OBJ_SAN) -I$(FUZZ_DIR) -c -o $@ $<

$(FUZZ_OUT)/fuzz_%: $(FUZZ_DIR)/fuzz_%.c $(FUZZ_DIR)/fuzz.h $(CHECKER_HDRS) $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER)
	$(FUZZ_BCC) $(CPPFLAGS) $(FUZZ_CFLAGS) $(FUZZ_LINK_SAN) -Ichecker -I$(FUZZ_DIR) $(LDFLAGS) \
	    -o $@ $< $(FUZZ_LIB_OBJS) $(FUZZ_DRIVER) $(LDLIBS) -lutil
endif
