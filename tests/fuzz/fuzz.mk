# tests/fuzz/fuzz.mk: libFuzzer targets, included by the top-level Makefile.
#   make fuzz-build   clang build of every tests/fuzz/<target>/fuzz.c in build/fuzz
#   make fuzz         each target for FUZZ_SECONDS (default 60) on its kept corpus in
#                     build/fuzz/corpus/<target> plus the seeds; crash inputs land in
#                     build/fuzz/crash/<target>/ (keep them in tests/fuzz/<target>/regressions)
# make check runs tests/fuzz.sh: every regression input once, each target ~10 s.

FUZZ_CC ?= clang
FUZZ_BUILD := build/fuzz
FUZZ_SECONDS ?= 60
FUZZ_TARGETS := $(patsubst tests/fuzz/%/fuzz.c,%,$(wildcard tests/fuzz/*/fuzz.c))

.PHONY: fuzz fuzz-build fuzz-bins

fuzz-build:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=$(FUZZ_CC) SAN=fuzz LIBXL=0 fuzz-bins

fuzz-bins: $(patsubst %,$(BUILD)/fuzz-%,$(FUZZ_TARGETS))

$(BUILD)/fuzz-%: tests/fuzz/%/fuzz.c tests/fuzz/fuzz.h tests/fuzz/pipeline.h $(LIB_OBJS)
	@[ "$(V)" = 1 ] || echo "  FUZZ    $@"
	$(Q)$(CC) $(CFLAGS) -fsanitize=fuzzer $(LDFLAGS) -o $@ $< $(LIB_OBJS) $(LIBS)

fuzz: fuzz-build
	@tests/fuzz/run.sh $(FUZZ_SECONDS) $(FUZZ_TARGETS)
