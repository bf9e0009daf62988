# skeleton/c/daemon3/ — a daemon made with the C library's daemon(3) and
# nothing else, for docs/tutorial/daemon3.md (whose checker reports come from
# `make side-reports`, docs/tools/module.mk).

DAEMON3_DIR := skeleton/c/daemon3
DAEMON3_BIN := $(DAEMON3_DIR)/daemon3

ALL_TARGETS += $(DAEMON3_BIN)
CLEAN_FILES += $(DAEMON3_BIN)

$(DAEMON3_BIN): $(DAEMON3_DIR)/daemon3.c
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LDLIBS)
