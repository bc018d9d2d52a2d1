# SPDX-License-Identifier: GPL-2.0 OR BSD-2-Clause
# portcullis: build the XDP program, its skeleton and the CLI; run the tests.
#   make [all]         build O/portcullis (after deps)
#   make check         as root: unit, sanitizer, BPF verdict, fuzz and e2e tests (after deps)
#   make unit          build the unit tests only
#   make tests         build every test binary (unit, BPF, fuzz), run nothing
#   make fuzz          a long campaign: the fuzzer for FUZZ_SECONDS, then the differential test
#   make demo          as root: the SpammerTrap profile on a veth, passing and dropping
#   make bench         as root: ns per packet; tables to O/bench/performance-tables.md
#   make stress        as root: flood a veth, check the counters, Mpps per core; tables to
#                      O/stress/performance-tables.md
#   make vmtest        as root: the BPF tests, the e2e essentials and pktgen on Debian's own
#                      kernels under qemu (KERNELS= names others; docs/testing.md)
#   make vmtest-systemd  as root: the package's portcullis@eth0.service under a real systemd
#                      in a Debian 12 VM with a NIC, over three boots (docs/testing.md)
#   make install       the binary, man pages, profiles, systemd units, bash completion under
#                      DESTDIR and PREFIX; the example /etc/portcullis where absent
#   make uninstall     remove what install put there (an edited /etc/portcullis file stays)
#   make deb           the Debian package, into O/deb/ (dpkg-buildpackage -b)
#   make deps          install the missing packages (scripts/deps.sh); a stamp in O records it
#   make format        reformat the C sources (clang-format, .clang-format)
#   make format-check  list what clang-format would change, fail if anything would
#   make clean         remove O
#   make help          this text
# O=DIR puts every generated file under DIR (default build); V=1 shows commands;
# VERSION=X is what `portcullis --version` prints (default: git describe).
# CFLAGS, CPPFLAGS and LDFLAGS are yours: the project's flags are added to them.
# DOC=docs/performance.md (or UPDATE_DOC=1): bench and stress also write their tables there.

O ?= build
# Where make install puts things (docs/operations.md): FHS under PREFIX, the example
# configuration under SYSCONFDIR, all of it below DESTDIR when that is set.
PREFIX ?= /usr/local
DESTDIR ?=
SYSCONFDIR ?= /etc
SBINDIR ?= $(PREFIX)/sbin
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
LIBEXECDIR ?= $(PREFIX)/libexec
SYSTEMDUNITDIR ?= $(PREFIX)/lib/systemd/system
BASHCOMPDIR ?= $(DATADIR)/bash-completion/completions
PROFILE_DIR = $(DATADIR)/portcullis/profiles

ifeq ($(V),1)
Q =
msg =
else
Q = @
msg = @printf '  %-8s %s\n' "$(1)" "$(2)";
endif

# Dependencies: scripts/deps.sh installs the packages the build, the demo and the tests
# need (it says what it installs, and stops make with apt's own message if that fails).
# It runs as a target, never while make reads this file, so `make clean` and `make help`
# install nothing. The stamp is named after deps.sh's checksum: a changed package list
# runs it again; `rm $(O)/deps-*.stamp` or `make clean` does too.
DEPS_SUM = $(firstword $(shell cksum scripts/deps.sh 2>/dev/null))
DEPS_STAMP = $(O)/deps-$(DEPS_SUM).stamp

CLANG ?= clang
BPFTOOL ?= bpftool
CC ?= gcc
# Recursively expanded: evaluated when a recipe runs, after the deps target, not at parse time.
ARCH_INC = /usr/include/$(shell $(CC) -dumpmachine)
# libpcap reads the captures `explain --pcap` judges (pcap and pcapng); json-c writes
# every JSON output; Nettle: the SHA-256 of a loaded profile; libmicrohttpd: the
# exporter's HTTP server; -lresolv: the TTLs of host names (user/profile/host_ttl.c),
# glibc ships it in libc6-dev.
LIBS = $(shell pkg-config --libs libbpf libelf zlib libpcap json-c nettle libmicrohttpd 2>/dev/null || echo -lbpf -lelf -lz -lpcap -ljson-c -lnettle -lmicrohttpd) -lresolv

# The user's CFLAGS (default -O2 -g) come after the project's, so that `make CFLAGS=-O0`
# changes the optimisation but keeps the includes, dependency files and -Werror.
CFLAGS ?= -O2 -g
PC_CFLAGS := -std=gnu11 -D_GNU_SOURCE -Wall -Wextra -Werror -Iinclude -Iuser -Itests -I$(O) -MMD -MP
PC_LDFLAGS :=
BPF_CFLAGS = -g -O2 -target bpf -mcpu=v3 -Wall -Werror -Iinclude -Ibpf -I$(ARCH_INC)

ifeq ($(SAN),1)
PC_CFLAGS += -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all
PC_LDFLAGS += -fsanitize=address,undefined
endif
ALL_CFLAGS = $(PC_CFLAGS) $(CPPFLAGS) $(CFLAGS)
ALL_LDFLAGS = $(PC_LDFLAGS) $(LDFLAGS)

BPF_SRCS := $(wildcard bpf/*.bpf.c)
BPF_OBJS := $(patsubst bpf/%.bpf.c,$(O)/%.bpf.o,$(BPF_SRCS))
SKELS := $(patsubst bpf/%.bpf.c,$(O)/%.skel.h,$(BPF_SRCS))

LIB_SRCS := $(filter-out user/cli/main.c,$(wildcard user/*/*.c))
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
# The pure layers, by folder: nothing in them talks to the kernel (scripts/layers.py
# keeps kern/ above them).
PURE_LAYERS := core profile compile
FUZZ_LIB_SRCS := $(foreach l,$(PURE_LAYERS),$(wildcard user/$(l)/*.c))
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
.PHONY: all check unit tests fuzz demo bench stress install deps format format-check clean help
.PHONY: uninstall deb

all: deps $(BIN)

help:
	@sed -n '2,/^$$/p' Makefile | sed -e '/^$$/d' -e 's/^# \{0,1\}//'

deps: $(DEPS_STAMP)

# What was checked goes into the stamp: deps.sh's checksum and the packages it knows.
$(DEPS_STAMP): scripts/deps.sh
	$(call msg,DEPS,scripts/deps.sh)
	$(Q)bash scripts/deps.sh
	$(Q)mkdir -p $(@D) && rm -f $(O)/deps-*.stamp
	$(Q){ echo "scripts/deps.sh cksum $(DEPS_SUM)"; bash scripts/deps.sh --list; } >$@

# Each BPF object depends on the headers it includes (clang -MMD writes them to .d).
$(O)/%.bpf.o: bpf/%.bpf.c | $(DEPS_STAMP)
	$(call msg,BPF,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(BPF_CFLAGS) -MMD -MP -MF $(@:.o=.d) -MT $@ -c $< -o $@.tmp
	$(Q)$(BPFTOOL) gen object $@ $@.tmp && rm -f $@.tmp

$(O)/%.skel.h: $(O)/%.bpf.o
	$(call msg,SKEL,$@)
	$(Q)$(BPFTOOL) gen skeleton $< name $(subst -,_,$*) > $@

# Every userspace object may include a skeleton: build them first.
$(O)/%.o: %.c | $(SKELS)
	$(call msg,CC,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CC) $(ALL_CFLAGS) -c $< -o $@

# The version `portcullis --version` prints: VERSION=... on make's command line, else
# `git describe`, else "unreleased" (a tree outside git). version.h is rewritten only when
# the version changes, so that a build with nothing new rebuilds nothing.
VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo unreleased)
$(O)/version.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)v='#define PC_VERSION "$(VERSION)"'; [ "$$(cat $@ 2>/dev/null)" = "$$v" ] || echo "$$v" >$@
$(O)/user/cli/commands.o: $(O)/version.h
# Where the installed binary finds the shipped profiles (bench's default), and the
# source tree's, which the binary make built takes where make left it
# (user/cli/cmd_bench.c). Rewritten only when PREFIX (or DATADIR, or O) changes, as
# version.h is.
$(O)/paths.h: FORCE
	$(Q)mkdir -p $(@D)
	$(Q)v='#define PC_PROFILE_DIR "$(PROFILE_DIR)"\n#define PC_SOURCE_PROFILE_DIR "$(CURDIR)/profiles"\n#define PC_BUILD_BIN "$(abspath $(BIN))"'; \
		[ "$$(cat $@ 2>/dev/null)" = "$$(printf "$$v")" ] || printf "$$v\n" >$@
$(O)/user/cli/commands.o $(O)/user/cli/cmd_bench.o: $(O)/paths.h
# No recipe, no file: always out of date, so the version is looked at on every make.
# Phony, because .SECONDARY: (every target) makes a missing FORCE an intermediate file,
# and make does not remake a target for a missing intermediate: without it version.h
# and paths.h kept the VERSION and PREFIX of their first build.
.PHONY: FORCE
FORCE:

$(LIB): $(LIB_OBJS)
	$(call msg,AR,$@)
	$(Q)rm -f $@ && ar rcs $@ $^

$(BIN): $(O)/user/cli/main.o $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/unit/%: $(O)/tests/unit/%.o $(HARNESS_OBJ) $(TEST_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(O)/tests/bpf/%: $(O)/tests/bpf/%.o $(HARNESS_OBJ) $(TEST_LIB_OBJS) $(LIB)
	$(call msg,LINK,$@)
	$(Q)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(LIBS)

$(FUZZ_BIN): fuzz/fuzz_profile.c $(FUZZ_LIB_SRCS) $(wildcard user/*/*.h include/*.h) | $(DEPS_STAMP)
	$(call msg,FUZZ,$@)
	$(Q)mkdir -p $(@D)
	$(Q)$(CLANG) $(FUZZ_CFLAGS) $(FUZZ_WRAP) -o $@ fuzz/fuzz_profile.c $(FUZZ_LIB_SRCS) $(LIBS)

# Seeds: the shipped profiles, fuzz/corpus/, and every text the profile and compiler
# unit tests parse (their helpers write it where PC_CORPUS_OUT says).
$(FUZZ_SEEDS): $(O)/tests/unit/test_profile $(O)/tests/unit/test_compile $(O)/tests/unit/test_lint \
		$(wildcard profiles/*.conf fuzz/corpus/*)
	$(call msg,SEEDS,$@)
	$(Q)rm -rf $@ && mkdir -p $@
	$(Q)cp profiles/*.conf fuzz/corpus/* $@/
	$(Q)PC_CORPUS_OUT=$@ $(O)/tests/unit/test_profile >/dev/null
	$(Q)PC_CORPUS_OUT=$@ $(O)/tests/unit/test_compile >/dev/null
	$(Q)PC_CORPUS_OUT=$@ $(O)/tests/unit/test_lint >/dev/null

tests: $(BIN) $(UNIT_BINS) $(BPFT_BINS) $(FUZZ_BIN) $(FUZZ_SEEDS)

unit: $(UNIT_BINS)

# The whole suite: unit tests, the same under ASan/UBSan, BPF verdict tables, e2e.
check: deps tests
	$(Q)$(MAKE) --no-print-directory O=$(O)/san SAN=1 DEPS_STAMP=$(DEPS_STAMP) unit
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

demo: deps $(BIN)
	$(Q)bash scripts/demo.sh $(BIN)

# Timing, not tests: the tables of docs/performance.md. Run them on a quiet machine.
# They go to $(O)/bench/performance-tables.md and $(O)/stress/performance-tables.md;
# DOC=docs/performance.md (or UPDATE_DOC=1) also writes them into the document.
ifeq ($(UPDATE_DOC),1)
DOC ?= docs/performance.md
endif
bench: $(BIN)
	$(Q)bash scripts/bench.sh $(BIN) $(DOC)

stress: $(BIN) $(O)/xdp_drop.bpf.o
	$(Q)bash scripts/stress.sh $(BIN) $(if $(DOC),--doc $(DOC))

# The installed tree (docs/operations.md). The example configuration goes into
# SYSCONFDIR/portcullis only where a file of that name is absent: an edited one is
# never overwritten, and uninstall removes one only when it is still as shipped.
# The unit, its helper and the README name the directories they were installed for.
ETC_FILES := deploy/etc/example.conf deploy/etc/fallback.conf
DEPLOY_GEN := $(O)/deploy/portcullis@.service $(O)/deploy/portcullis-unit $(O)/deploy/README \
	$(O)/deploy/portcullis-refresh@.service $(O)/deploy/portcullis-exporter.service
SUBST = sed -e 's|@SBINDIR@|$(SBINDIR)|g' -e 's|@SYSCONFDIR@|$(SYSCONFDIR)|g' \
	-e 's|@LIBEXECDIR@|$(LIBEXECDIR)|g' -e 's|@PROFILE_DIR@|$(PROFILE_DIR)|g'
# FORCE: the directories are make's variables, not files make could compare.
$(O)/deploy/portcullis@.service: deploy/portcullis@.service.in FORCE
$(O)/deploy/portcullis-exporter.service: deploy/portcullis-exporter.service.in FORCE
$(O)/deploy/portcullis-unit: deploy/portcullis-unit.sh FORCE
$(O)/deploy/README: deploy/etc/README.in FORCE
$(O)/deploy/portcullis-refresh@.service: deploy/portcullis-refresh@.service.in FORCE
$(DEPLOY_GEN):
	$(Q)mkdir -p $(@D)
	$(Q)$(SUBST) $< >$@.tmp && mv $@.tmp $@

I_SBIN = $(DESTDIR)$(SBINDIR)
I_PROFILES = $(DESTDIR)$(PROFILE_DIR)
I_LIB = $(DESTDIR)$(LIBEXECDIR)/portcullis
I_ETC = $(DESTDIR)$(SYSCONFDIR)/portcullis
I_UNIT = $(DESTDIR)$(SYSTEMDUNITDIR)/portcullis@.service
# The host names' refresh (portcullis refresh): a service and its timer, never enabled.
I_REFRESH = $(DESTDIR)$(SYSTEMDUNITDIR)/portcullis-refresh@.service
I_REFRESH_TIMER = $(DESTDIR)$(SYSTEMDUNITDIR)/portcullis-refresh@.timer
I_EXPORTER = $(DESTDIR)$(SYSTEMDUNITDIR)/portcullis-exporter.service
I_COMP = $(DESTDIR)$(BASHCOMPDIR)/portcullis
I_MAN8 = $(DESTDIR)$(MANDIR)/man8/portcullis.8
I_MAN5 = $(DESTDIR)$(MANDIR)/man5/portcullis.conf.5

install: $(BIN) $(DEPLOY_GEN)
	install -D -m 0755 $(BIN) $(I_SBIN)/portcullis
	install -D -m 0644 docs/portcullis.8 $(I_MAN8)
	install -D -m 0644 docs/portcullis.conf.5 $(I_MAN5)
	install -d $(I_PROFILES)
	install -m 0644 profiles/*.conf $(I_PROFILES)/
	install -D -m 0755 $(O)/deploy/portcullis-unit $(I_LIB)/portcullis-unit
	install -D -m 0644 $(O)/deploy/portcullis@.service $(I_UNIT)
	install -D -m 0644 $(O)/deploy/portcullis-refresh@.service $(I_REFRESH)
	install -D -m 0644 deploy/portcullis-refresh@.timer $(I_REFRESH_TIMER)
	install -D -m 0644 $(O)/deploy/portcullis-exporter.service $(I_EXPORTER)
	install -D -m 0644 deploy/portcullis.bash-completion $(I_COMP)
	install -d $(I_ETC)
	@for f in $(ETC_FILES) $(O)/deploy/README; do \
		t=$(I_ETC)/$${f##*/}; \
		if [ -e "$$t" ]; then echo "kept $$t (yours; the shipped one is $$f)"; \
		else echo "install -m 0644 $$f $$t"; install -m 0644 "$$f" "$$t" || exit; fi; \
	done

# Exactly what install put there; the example configuration only if unedited, and
# only the directories that are portcullis's own, once empty.
uninstall: $(DEPLOY_GEN)
	rm -f $(I_SBIN)/portcullis $(I_MAN8) $(I_MAN5) $(I_LIB)/portcullis-unit $(I_UNIT) $(I_COMP)
	rm -f $(I_REFRESH) $(I_REFRESH_TIMER) $(I_EXPORTER)
	rm -f $(addprefix $(I_PROFILES)/,$(notdir $(wildcard profiles/*.conf)))
	@for f in $(ETC_FILES) $(O)/deploy/README; do \
		t=$(I_ETC)/$${f##*/}; \
		if cmp -s "$$f" "$$t"; then echo "rm -f $$t"; rm -f "$$t"; \
		elif [ -e "$$t" ]; then echo "kept $$t: edited"; fi; \
	done
	-rmdir $(I_PROFILES) $(dir $(I_PROFILES)) $(I_LIB) $(I_ETC) 2>/dev/null

# The Debian package (debian/), built from a copy of the tree (without O and .git) in
# O/deb/src, so that dpkg-buildpackage writes nothing beside the repository: the .deb,
# .buildinfo and .changes end up in O/deb/. Its build runs no test and no apt (its
# needs are debian/control's Build-Depends). `lintian O/deb/*.deb` checks it.
deb:
	$(Q)rm -rf $(O)/deb && mkdir -p $(O)/deb/src
	$(Q)tar --exclude=./$(O) --exclude=./build --exclude=./.git -cf - . | tar -xf - -C $(O)/deb/src
	$(Q)cd $(O)/deb/src && dpkg-buildpackage -us -uc -b
	$(Q)ls $(O)/deb/*.deb

# The C sources clang-format keeps in the kernel's style (.clang-format).
FORMAT_SRCS = $(wildcard bpf/*.c bpf/*.h include/*.h user/*.c user/*.h user/*/*.c user/*/*.h \
	tests/*.c tests/*.h tests/*/*.c tests/*/*.h fuzz/*.c)

format:
	clang-format -i $(FORMAT_SRCS)

# Changes nothing: lists every line clang-format would change, and fails if there is one.
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_SRCS)

clean:
	rm -rf $(O)

-include $(shell find $(O) -name '*.d' 2>/dev/null)

# Debian's own kernels under qemu (scripts/vmtest/run.sh, docs/testing.md): the BPF
# verdict tests, the e2e essentials and real pktgen runs in each. KERNELS= names others.
.PHONY: vmtest
vmtest: deps $(BIN) $(BPFT_BINS)
	$(Q)O=$(O) bash scripts/vmtest/run.sh

# The unit, for real (scripts/vmtest/systemd.sh, docs/testing.md): the package built
# by make deb in a Debian 12 image with systemd as PID 1, booted under qemu with a NIC.
# Not part of make vmtest.
.PHONY: vmtest-systemd
vmtest-systemd: deps
	$(Q)$(MAKE) --no-print-directory O=$(O) deb
	$(Q)O=$(O) bash scripts/vmtest/systemd.sh
