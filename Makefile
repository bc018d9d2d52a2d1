# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# portcullis: build the XDP program, its skeleton and the CLI; run the tests.
#   make [all] | check | unit | fuzz | demo | bench | stress | install | format | clean | help
#   O=DIR puts every generated file under DIR (default build); V=1 shows commands.

O ?= build
PREFIX ?= /usr/local
DESTDIR ?=

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Fresh machine: install the toolchain before anything needs it.
NEED_TOOLS := clang bpftool pkg-config
ifneq ($(words $(foreach t,$(NEED_TOOLS),$(shell command -v $(t)))),$(words $(NEED_TOOLS)))
$(shell bash scripts/deps.sh >&2)
endif
ifeq ($(wildcard /usr/include/bpf/libbpf.h),)
$(shell bash scripts/deps.sh >&2)
endif

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
ARCH_INC := /usr/include/$(shell $(CC) -dumpmachine)

LIBS := $(shell pkg-config --libs libbpf libelf zlib 2>/dev/null || echo -lbpf -lelf -lz)
CFLAGS ?= -O2 -g
CFLAGS += -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Iuser -Itests -I$(O) -MMD -MP
BPF_CFLAGS := -g -O2 -target bpf -mcpu=v3 -Wall -Werror -Iinclude -Ibpf -I$(ARCH_INC)

ifeq ($(SAN),1)
CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
LDFLAGS += -fsanitize=address,undefined
endif

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(filter-out user/main.c,$(wildcard user/*.c))
LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(LIB_SRCS))
LIB := $(O)/libportcullis.a
BIN := $(O)/portcullis

HARNESS_OBJ := $(O)/tests/harness.o
UNIT_SRCS := $(wildcard tests/unit/*.c)
UNIT_BINS := $(patsubst %.c,$(O)/%,$(UNIT_SRCS))
BPFT_SRCS := $(wildcard tests/bpf/*.c)
BPFT_BINS := $(patsubst %.c,$(O)/%,$(BPFT_SRCS))
TEST_LIB_SRCS := $(filter-out tests/harness.c,$(wildcard tests/*.c tests/ref/*.c tests/gen/*.c))
TEST_LIB_OBJS := $(patsubst %.c,$(O)/%.o,$(TEST_LIB_SRCS))

# The libFuzzer target: the lexer, parser and compiler, built with clang's sanitizers
# (docs/testing.md). --wrap keeps fuzz inputs inside a private directory and off the
# network (fuzz/fuzz_profile.c says how).
FUZZ_BIN := $(O)/fuzz/fuzz_profile
FUZZ_LIB_SRCS := $(addprefix user/,lexer.c profile.c compile.c diag.c names.c prefix.c)
FUZZ_CFLAGS := -g -O1 -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Iuser \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined
FUZZ_WRAP := -Wl,--wrap=open,--wrap=getaddrinfo,--wrap=freeaddrinfo
FUZZ_SEEDS := $(O)/fuzz/seeds
# make fuzz: how long the fuzzer runs, and how many frames the differential test runs.
FUZZ_SECONDS ?= 600
DIFF_FRAMES ?= 5000000
DIFF_PROFILES ?= 300

.DELETE_ON_ERROR:
# Keep BPF objects for bpftool and llvm-objdump.
.SECONDARY:
.PHONY: all check unit tests fuzz demo bench stress install format clean help

all: $(BIN)

help:
	@sed -n '2,4p' Makefile | sed 's/^# \{0,1\}//'

$(O)/%.bpf.o: bpf/%.bpf.c $(wildcard bpf/*.h) $(wildcard include/*.h)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(O)/%.skel.h: $(O)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# Every userspace object may include a skeleton: build them first.
$(O)/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(CFLAGS) -c $< -o $@

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(O)/user/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(HARNESS_OBJ) $(TEST_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/bpf/%: $(O)/tests/bpf/%.o $(HARNESS_OBJ) $(TEST_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(LDFLAGS) -o $@ $^ $(LIBS)

$(FUZZ_BIN): fuzz/fuzz_profile.c $(FUZZ_LIB_SRCS) $(wildcard user/*.h include/*.h)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_WRAP) -o $@ fuzz/fuzz_profile.c $(FUZZ_LIB_SRCS)

# Seeds: the shipped profiles, fuzz/corpus/, and every text the profile and compiler
# unit tests parse (their helpers write it where PC_CORPUS_OUT says).
$(FUZZ_SEEDS): $(O)/tests/unit/test_profile $(O)/tests/unit/test_compile \
		$(wildcard profiles/*.conf fuzz/corpus/*)
	$(call msg,SEEDS,$@)
	$(Q)rm -rf $@ && mkdir -p $@
	$(Q)cp profiles/*.conf fuzz/corpus/* $@/
	$(Q)PC_CORPUS_OUT=$@ $(O)/tests/unit/test_profile >/dev/null
	$(Q)PC_CORPUS_OUT=$@ $(O)/tests/unit/test_compile >/dev/null

tests: $(BIN) $(UNIT_BINS) $(BPFT_BINS) $(FUZZ_BIN) $(FUZZ_SEEDS)

unit: $(UNIT_BINS)

# The whole suite: unit tests, the same under ASan/UBSan, BPF verdict tables, e2e.
check: tests
	$(Q)$(MAKE) --no-print-directory O=$(O)/san SAN=1 unit
	$(Q)O=$(O) bash tests/run.sh

# A long campaign: the fuzzer for FUZZ_SECONDS on every CPU, keeping its corpus in
# $(O)/fuzz/corpus, then the differential test on DIFF_FRAMES frames of a new seed.
fuzz: tests
	$(Q)bash fuzz/run.sh $(FUZZ_BIN) $(FUZZ_SEEDS) $(FUZZ_SECONDS) $(O)/fuzz
	$(Q)seed=$${DIFF_SEED:-$$(date +%s)}; \
	echo "differential test: DIFF_SEED=$$seed DIFF_FRAMES=$(DIFF_FRAMES) DIFF_PROFILES=$(DIFF_PROFILES)"; \
	DIFF_SEED=$$seed DIFF_FRAMES=$(DIFF_FRAMES) DIFF_PROFILES=$(DIFF_PROFILES) \
		$(O)/tests/bpf/test_diff >$(O)/fuzz/diff.log; rc=$$?; \
	grep -v ' 0 differences$$' $(O)/fuzz/diff.log; echo "(log: $(O)/fuzz/diff.log)"; exit $$rc

demo: $(BIN)
	$(Q)bash scripts/demo.sh $(BIN)

# Timing, not tests: the tables of docs/performance.md. Run them on a quiet machine.
bench: $(BIN)
	$(Q)bash scripts/bench.sh $(BIN) docs/performance.md

stress: $(BIN) $(O)/xdp_drop.bpf.o
	$(Q)bash scripts/stress.sh $(BIN) --doc docs/performance.md

install: $(BIN)
	install -D -m 0755 $(BIN) $(DESTDIR)$(PREFIX)/sbin/portcullis
	install -D -m 0644 docs/portcullis.8 $(DESTDIR)$(PREFIX)/share/man/man8/portcullis.8
	install -d $(DESTDIR)$(PREFIX)/share/portcullis/profiles
	install -m 0644 profiles/*.conf $(DESTDIR)$(PREFIX)/share/portcullis/profiles/

format:
	clang-format -i bpf/*.c bpf/*.h include/*.h user/*.c user/*.h tests/*.c tests/*.h tests/*/*.c \
		tests/*/*.h fuzz/*.c

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# Debian's own kernels under qemu (scripts/vmtest/run.sh, docs/testing.md): the BPF
# verdict tests, the e2e essentials and real pktgen runs in each. KERNELS= names others.
.PHONY: vmtest
vmtest: $(BIN) $(BPFT_BINS)
	$(Q)O=$(O) bash scripts/vmtest/run.sh
