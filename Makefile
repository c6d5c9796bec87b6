# vifdiag: flat, non-recursive build.
#   make            release binary build/vifdiag (-O2, warnings are errors)
#   make check      ASan+UBSan build of everything, then the whole test suite
#   make demo       a realistic host in the test xenstored, vifdiag status and show on it
#   make test-update  regenerate the golden outputs of tests/fixtures (review the diff!)
#   make bench      log throughput vs grep -c . and wc -l, peak RSS, --from 10,000 VIFs: bench/results.md
#   make check-valgrind  unit tests and one run per command under valgrind
#   make fuzz       every libFuzzer target for FUZZ_SECONDS (tests/fuzz/README.md)
#   make install    PREFIX=/usr/local DESTDIR=

PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
MANDIR ?= $(PREFIX)/share/man
BASHCOMPDIR ?= $(PREFIX)/share/bash-completion/completions

CC ?= cc
PKG_CONFIG ?= pkg-config
BUILD ?= build
SAN ?= 0
V ?= 0

XS_CFLAGS := $(shell $(PKG_CONFIG) --cflags xenstore 2>/dev/null)
XS_LIBS := $(or $(shell $(PKG_CONFIG) --libs xenstore 2>/dev/null),-lxenstore)
# libxenlight is optional (LIBXL=0 builds without it): run states and the toolstack's
# NIC list on a real Xen host (vd_xl.h)
LIBXL ?= $(shell $(PKG_CONFIG) --exists xenlight xentoollog 2>/dev/null && echo 1 || echo 0)
ifeq ($(LIBXL),1)
XL_CFLAGS := -DHAVE_LIBXL $(shell $(PKG_CONFIG) --cflags xenlight xentoollog)
XL_LIBS := $(shell $(PKG_CONFIG) --libs xenlight xentoollog)
endif

WFLAGS := -Wall -Wextra -Wshadow -Wformat=2 -Wformat-nonliteral -Wstrict-prototypes \
	-Wmissing-prototypes -Wpointer-arith -Wvla -Wundef -Wcast-qual -Wwrite-strings \
	-Wno-unused-parameter -Werror

ifeq ($(SAN),1)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
SANLD := -fsanitize=address,undefined
else ifeq ($(SAN),fuzz)
# clang only: the objects libFuzzer targets link (tests/fuzz/fuzz.mk)
OPT := -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer-no-link,address,undefined \
	-fno-sanitize-recover=all
SANLD := -fsanitize=address,undefined
else
OPT := -O2 -g
SANLD :=
endif

CFLAGS ?=
LDFLAGS ?=
override CFLAGS += -std=c11 -D_GNU_SOURCE $(OPT) $(WFLAGS) -Iinclude $(XS_CFLAGS) $(XL_CFLAGS) $(BUNDLE_CFLAGS) $(CURSES_CFLAGS) -MMD -MP
override LDFLAGS += $(SANLD)
# bundles (vifdiag dump, --from BUNDLE): libarchive writes and reads the .tar.gz, nettle
# hashes the members, jansson reads the JSON members back
BUNDLE_CFLAGS := $(shell $(PKG_CONFIG) --cflags libarchive nettle jansson)
BUNDLE_LIBS := $(shell $(PKG_CONFIG) --libs libarchive nettle jansson)
# the full-screen view of top (src/top_tui.c)
CURSES_CFLAGS := $(shell $(PKG_CONFIG) --cflags ncursesw 2>/dev/null)
CURSES_LIBS := $(or $(shell $(PKG_CONFIG) --libs ncursesw 2>/dev/null),-lncursesw -ltinfo)
LIBS := $(XS_LIBS) $(XL_LIBS) $(BUNDLE_LIBS) -lz -lreadline $(CURSES_LIBS)

ifeq ($(V),1)
Q :=
else
Q := @
endif

LIB_SRCS := $(filter-out src/main.c,$(wildcard src/*.c))
LIB_OBJS := $(patsubst src/%.c,$(BUILD)/obj/%.o,$(LIB_SRCS))
MAIN_OBJ := $(BUILD)/obj/main.o
BIN := $(BUILD)/vifdiag

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
UNIT_BINS := $(patsubst tests/unit/%.c,$(BUILD)/unit/%,$(UNIT_SRCS))

.PHONY: all deps check check-xen check-valgrind tests demo test-update install uninstall clean format bench
all: $(BIN)

$(BUILD)/obj/%.o: src/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(BIN): $(MAIN_OBJ) $(LIB_OBJS)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/unit/%: tests/unit/%.c $(LIB_OBJS)
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS) -lcmocka

-include tests/xsd/xsd.mk
-include tests/fuzz/fuzz.mk

tests: $(BIN) $(UNIT_BINS) $(XSD_BIN) $(XSD_TEST_BINS)

deps:
	@scripts/deps.sh

# The whole suite runs against the sanitizer build; the final line is "N passed, N failed".
check: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 tests
	@tests/run.sh build/asan

# Real Xen 4.17 under QEMU (TCG), vifdiag inside its dom0: tests/e2e/README.md. check runs
# it too (as the e2e suite); this target runs it alone.
check-xen: deps
	@$(MAKE) --no-print-directory BUILD=build/asan SAN=1 all
	@tests/e2e/run.sh build/asan

# Not part of check: the unit tests and one run per command under valgrind memcheck, on
# the plain build (tests/valgrind.sh): no memory error, no definite leak.
check-valgrind: deps
	@$(MAKE) --no-print-directory tests
	@tests/valgrind.sh $(BUILD)

test-update: deps
	@$(MAKE) --no-print-directory all
	@tests/golden.sh --update $(BUILD)

demo: deps
	@$(MAKE) --no-print-directory all $(XSD_BIN)
	@scripts/demo.sh $(BUILD)

# Not part of check: scripts/bench.sh, results in bench/results.md (needs ~1.4 GB free in
# TMPDIR; its files are deleted afterwards).
bench: deps
	@$(MAKE) --no-print-directory all $(XSD_BIN)
	@scripts/bench.sh $(BUILD)

install: $(BIN)
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(BASHCOMPDIR)
	install -m 755 $(BIN) $(DESTDIR)$(BINDIR)/vifdiag
	install -m 644 man/vifdiag.1 $(DESTDIR)$(MANDIR)/man1/vifdiag.1
	install -m 644 completions/vifdiag.bash $(DESTDIR)$(BASHCOMPDIR)/vifdiag

uninstall:
	rm -f $(DESTDIR)$(BINDIR)/vifdiag $(DESTDIR)$(MANDIR)/man1/vifdiag.1 \
		$(DESTDIR)$(BASHCOMPDIR)/vifdiag

format:
	clang-format -i src/*.c include/*.h

clean:
	rm -rf build

-include $(wildcard $(BUILD)/obj/*.d $(BUILD)/unit/*.d)
