# tests/xsd/xsd.mk: the test xenstored and its helpers, included by the
# top-level Makefile.  Uses the caller's CC, CFLAGS, LDFLAGS and BUILD.
#   XSD_BIN        $(BUILD)/vd-xenstored (no libxenstore: it is the server)
#   XSD_TEST_BINS  $(BUILD)/xsd-<name> from tests/xsd/helpers/<name>.c,
#                  libxenstore clients used by tests/xsd/run.sh

XSD_SRCS := $(wildcard tests/xsd/*.c)
XSD_OBJS := $(patsubst tests/xsd/%.c,$(BUILD)/xsd/%.o,$(XSD_SRCS))
XSD_BIN := $(BUILD)/vd-xenstored
XSD_HELPER_SRCS := $(wildcard tests/xsd/helpers/*.c)
XSD_TEST_BINS := $(patsubst tests/xsd/helpers/%.c,$(BUILD)/xsd-%,$(XSD_HELPER_SRCS))
XSD_HELPER_LIBS := $(or $(XS_LIBS),-lxenstore) -lpthread

$(BUILD)/xsd/%.o: tests/xsd/%.c
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) -c -o $@ $<

$(XSD_BIN): $(XSD_OBJS)
	@[ "$(V)" = 1 ] || echo "  LD      $@"
	$(Q)$(CC) $(LDFLAGS) -o $@ $^

$(BUILD)/xsd-%: tests/xsd/helpers/%.c tests/xsd/helpers/common.h
	@mkdir -p $(@D)
	@[ "$(V)" = 1 ] || echo "  CC      $@"
	$(Q)$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $< $(XSD_HELPER_LIBS)

-include $(wildcard $(BUILD)/xsd/*.d $(BUILD)/xsd-*.d)
