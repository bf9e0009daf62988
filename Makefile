# The kit's build: one non-recursive Makefile. Each part of the tree keeps its
# own rules in a `module.mk` fragment, included below, which adds its products
# and its targets to the lists this file turns into `all`, `check`, `bench`,
# `demo` and `clean`.

PREFIX  ?= /usr/local
BINDIR  ?= $(PREFIX)/bin
MANDIR  ?= $(PREFIX)/share/man
DESTDIR ?=

CC      ?= cc
PYTHON  ?= python3
# The project's own flags are appended, so a user's CFLAGS stay in force.
WARN    := -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
           -Wshadow -Wpointer-arith -Wcast-qual -Wsign-compare
# DWARF 4: valgrind 3.19 cannot read the DWARF 5 that clang 14 writes.
# -Werror is for the kit's own build, its tests and CI. A packager or a user
# who passes CFLAGS (make CFLAGS=..., or in the environment) builds without
# it, so that a warning a newer compiler adds never breaks the build of a
# release; WERROR= or WERROR=-Werror says it explicitly.
ifeq ($(origin CFLAGS),undefined)
CFLAGS  := -O2 -g -gdwarf-4
WERROR  ?= -Werror
endif
WERROR  ?=
override CFLAGS += -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR)

ALL_TARGETS   :=
# What `make install` puts in place: programs into BINDIR, section-1 man
# pages into MANDIR/man1. Each part appends its own.
INSTALL_PROGRAMS :=
INSTALL_MANS     :=
CHECK_TARGETS :=
BENCH_TARGETS :=
DEMO_TARGETS  :=
CLEAN_FILES   :=

.DELETE_ON_ERROR:
.DEFAULT_GOAL := all

include $(sort $(wildcard */module.mk */*/module.mk */*/*/module.mk))

.PHONY: all check bench demo clean deps install uninstall

all: $(ALL_TARGETS)

# `make check` runs every part's tests after making sure that what they need
# is installed.
check: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory -k $(CHECK_TARGETS)

bench: all $(BENCH_TARGETS)

# The kit's main job, shown: the checker's report on correct daemons and on
# a broken one. A failing report is the point of the second run, not an error.
demo: all $(DEMO_TARGETS)
	@echo; echo "== 1. The reference C daemon, built step by step in skeleton/c/"
	@echo "\$$ checker --stop-command 'skeleton/c/mydaemon stop --pidfile {pidfile}' -- skeleton/c/mydaemon start --pidfile {pidfile}"
	@checker/checker --stop-command 'skeleton/c/mydaemon stop --pidfile {pidfile}' \
	    -- skeleton/c/mydaemon start --pidfile {pidfile} || true
	@echo; echo "== 2. Its Python 3 twin, skeleton/python/mydaemon.py"
	@echo "\$$ checker --stop-command 'python3 skeleton/python/mydaemon.py stop --pidfile {pidfile}' -- python3 skeleton/python/mydaemon.py start --pidfile {pidfile}"
	@checker/checker --stop-command '$(PYTHON) skeleton/python/mydaemon.py stop --pidfile {pidfile}' \
	    -- $(PYTHON) skeleton/python/mydaemon.py start --pidfile {pidfile} || true
	@echo; echo "== 3. The reference as a new-style service, started as a service manager would"
	@echo "\$$ checker --profile new-style --socket-activation --watchdog 200 -- skeleton/c/mydaemon run"
	@checker/checker --profile new-style --socket-activation --watchdog 200 \
	    -- skeleton/c/mydaemon run || true
	@echo; echo "== 4. A broken daemon: the seed tutorial's C recipe, as published, with the trace"
	@echo "   of what each of its processes did (--trace=FILE.html also draws it)"
	@echo "\$$ checker --trace -- skeleton/c/steps/bin/seed-as-published"
	@checker/checker --timeout 2 --trace -- skeleton/c/steps/bin/seed-as-published || true

deps:
	@./tests/deps.sh

INSTALL         ?= install
INSTALL_PROGRAM ?= $(INSTALL) -m 0755
INSTALL_DATA    ?= $(INSTALL) -m 0644

# The committed man pages are installed as they are: installing never
# rewrites the source tree (docs-check keeps them up to date).
install: $(INSTALL_PROGRAMS) $(INSTALL_MANS)
	$(INSTALL) -d '$(DESTDIR)$(BINDIR)' '$(DESTDIR)$(MANDIR)/man1'
	$(INSTALL_PROGRAM) $(INSTALL_PROGRAMS) '$(DESTDIR)$(BINDIR)/'
	$(INSTALL_DATA) $(INSTALL_MANS) '$(DESTDIR)$(MANDIR)/man1/'

uninstall:
	rm -f $(foreach p,$(INSTALL_PROGRAMS),'$(DESTDIR)$(BINDIR)/$(notdir $(p))') \
	      $(foreach m,$(INSTALL_MANS),'$(DESTDIR)$(MANDIR)/man1/$(notdir $(m))')

clean:
	rm -f $(CLEAN_FILES)
