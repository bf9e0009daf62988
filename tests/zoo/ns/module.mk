# tests/zoo/ns/ — the zoo's new-style services (one fault each, or none),
# built beside the classic zoo in tests/zoo/bin so that expect.txt's {bin}
# finds them, and their own test: each one run under harness.py, a small
# service manager that judges the new-style checks by the contract's rules.

ZOONS_DIR     := tests/zoo/ns
ZOONS_BIN     := tests/zoo/bin
ZOONS_DAEMONS := $(patsubst $(ZOONS_DIR)/daemons/%.c,$(ZOONS_BIN)/%,$(wildcard $(ZOONS_DIR)/daemons/*.c))
ZOONS_OBJS    := $(patsubst $(ZOONS_DIR)/%.c,$(ZOONS_BIN)/%.o,$(wildcard $(ZOONS_DIR)/zoons*.c))

ALL_TARGETS   += $(ZOONS_DAEMONS)
CHECK_TARGETS += zoons-check
CLEAN_FILES   += $(ZOONS_DAEMONS) $(ZOONS_OBJS)

.PHONY: zoons zoons-check

zoons: $(ZOONS_DAEMONS)

$(ZOONS_OBJS): $(ZOONS_BIN)/%.o: $(ZOONS_DIR)/%.c $(ZOONS_DIR)/zoons.h
	@mkdir -p $(ZOONS_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -pthread -c -o $@ $<

# A static pattern rule: it takes these targets away from the classic
# zoo's pattern rule for $(ZOO_BIN)/%.
$(ZOONS_DAEMONS): $(ZOONS_BIN)/%: $(ZOONS_DIR)/daemons/%.c $(ZOONS_OBJS) $(ZOONS_DIR)/zoons.h
	@mkdir -p $(ZOONS_BIN)
	$(CC) $(CPPFLAGS) $(CFLAGS) -pthread $(LDFLAGS) -o $@ $< $(ZOONS_OBJS) $(LDLIBS)

zoons-check: $(ZOONS_DAEMONS)
	$(PYTHON) $(ZOONS_DIR)/test.py --bin $(ZOONS_BIN)
