# mta — the only Makefile (GNU make, non-recursive). Every output goes under
# $(BUILD). Modules, programs and tests are found by their place in the tree:
#   lib/NAME.c          one module of libmta.a
#   bin/PROG/*.c        one user command, sbin/PROG/*.c one admin command or daemon
#   t/unit/NAME.c       one TAP test program
#   t/cli/*.bats        command-line tests, t/system/*.bats system tests
#   t/fuzz/NAME.c       one libFuzzer harness

BUILD    ?= build
PREFIX   ?= /usr/local
CC       ?= cc
FUZZ_SECONDS ?= 60

PKGS     := libbsd-overlay popt
PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

WARN     := -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-unused-parameter
HARDEN   := -D_FORTIFY_SOURCE=2 -fstack-protector-strong -fPIE
CFLAGS   ?= -O2 -g
ALL_CFLAGS = -std=gnu17 $(CFLAGS) $(WARN) $(HARDEN) -Ilib $(PKG_CFLAGS) -MMD -MP
LDFLAGS_HARDEN := -pie -Wl,-z,relro,-z,now
LIBS     := $(PKG_LIBS) -lgdbm -lresolv -lm

ifeq ($(SANITIZE),1)
override BUILD := $(BUILD)-sanitize
CFLAGS   := -O1 -g -fno-omit-frame-pointer
HARDEN   := -fstack-protector-strong -fPIE
ALL_CFLAGS += -fsanitize=address,undefined -fno-sanitize-recover=all
LDFLAGS_HARDEN += -fsanitize=address,undefined
endif

LIB_SRCS  := $(sort $(wildcard lib/*.c))
LIB_OBJS  := $(LIB_SRCS:%.c=$(BUILD)/%.o)
LIBMTA    := $(BUILD)/libmta.a

PROG_DIRS := $(sort $(patsubst %/,%,$(dir $(wildcard bin/*/*.c sbin/*/*.c))))
PROGS     := $(foreach d,$(PROG_DIRS),$(BUILD)/$(d)/$(notdir $(d)))

# The daemons as master finds them: $(BUILD)/libexec/mta is the
# daemon_directory of test instances and of `make run`.
SBIN_PROGS := $(filter $(BUILD)/sbin/%,$(PROGS))
LIBEXEC   := $(foreach p,$(SBIN_PROGS),$(BUILD)/libexec/mta/$(notdir $(p)))

# Test helpers: small programs the tests run (a test daemon, drivers).
HELPER_SRCS := $(sort $(wildcard t/helpers/*.c))
HELPERS   := $(HELPER_SRCS:t/helpers/%.c=$(BUILD)/t/helpers/%)

UNIT_SRCS := $(sort $(wildcard t/unit/*.c))
UNIT_BINS := $(UNIT_SRCS:t/unit/%.c=$(BUILD)/t/unit/%.t)

FUZZ_SRCS := $(sort $(wildcard t/fuzz/*.c))

# Quiet by default; `make V=1` shows the commands.
Q := $(if $(V),,@)

.PHONY: all check test deps run install bench fuzz clean format
all: $(LIBMTA) $(PROGS) $(LIBEXEC) $(HELPERS) $(UNIT_BINS)

$(BUILD)/%.o: %.c
	@mkdir -p $(@D)
	@$(if $(Q),echo "  CC      $<")
	$(Q)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(LIBMTA): $(LIB_OBJS)
	@rm -f $@
	$(Q)$(AR) rcs $@ $^

# A program is every .c file of its folder linked with libmta.a.
define PROG_RULE
$(BUILD)/$(1)/$(notdir $(1)): $(patsubst %.c,$(BUILD)/%.o,$(wildcard $(1)/*.c)) $(LIBMTA)
	@$$(if $$(Q),echo "  LINK    $$@")
	$$(Q)$$(CC) $$(LDFLAGS_HARDEN) $$(LDFLAGS) -o $$@ $$^ $$(LIBS)
endef
$(foreach d,$(PROG_DIRS),$(eval $(call PROG_RULE,$(d))))

define LIBEXEC_RULE
$(BUILD)/libexec/mta/$(notdir $(1)): $(1)
	@mkdir -p $$(@D)
	$$(Q)ln -f $$< $$@
endef
$(foreach p,$(SBIN_PROGS),$(eval $(call LIBEXEC_RULE,$(p))))

$(BUILD)/t/helpers/%: $(BUILD)/t/helpers/%.o $(LIBMTA)
	$(Q)$(CC) $(LDFLAGS_HARDEN) $(LDFLAGS) -o $@ $^ $(LIBS)

$(BUILD)/t/unit/%.t: $(BUILD)/t/unit/%.o $(LIBMTA)
	$(Q)$(CC) $(LDFLAGS_HARDEN) $(LDFLAGS) -o $@ $^ $(LIBS)

# deps: install what the build and the tests need (as root), or say how.
deps:
	@sh t/deps.sh

# check: every test through prove, ending with prove's summary. The programs
# under test are found through MTA_BUILD.
check: deps
	@$(MAKE) --no-print-directory all
	MTA_BUILD=$(abspath $(BUILD)) MTA_TOP=$(CURDIR) prove --timer --failures --comments \
	    --exec $(CURDIR)/t/run-test \
	    $(UNIT_BINS) $(wildcard t/cli/*.bats t/system/*.bats)
test: check

# run: the first of README's two commands: a complete instance under ./run/
run: deps
	@$(MAKE) --no-print-directory all
	@MTA_BUILD=$(abspath $(BUILD)) sh t/run.sh

bench: all
	@MTA_BUILD=$(abspath $(BUILD)) MTA_TOP=$(CURDIR) sh t/bench/run.sh

# fuzz: each harness under t/fuzz/ built with clang's libFuzzer (plus ASan and
# UBSan) and run for FUZZ_SECONDS from its seed corpus. A harness named after
# a daemon (t/fuzz/smtpd.c) also gets that daemon's files but its main().
FUZZ_BUILD := build-fuzz
fuzz:
	@$(MAKE) --no-print-directory BUILD=$(FUZZ_BUILD) CC=clang \
	    CFLAGS='-O1 -g -fsanitize=fuzzer-no-link,address,undefined' $(FUZZ_BUILD)/libmta.a
	@set -e; for src in $(FUZZ_SRCS); do \
	    name=$$(basename $$src .c); \
	    echo "fuzz: $$name ($(FUZZ_SECONDS)s)"; \
	    clang -std=gnu17 -O1 -g -fsanitize=fuzzer,address,undefined -Ilib $(PKG_CFLAGS) \
	        -Isbin/$$name -o $(FUZZ_BUILD)/fuzz-$$name $$src \
	        $$(ls sbin/$$name/*.c 2>/dev/null | grep -v "/$$name\.c$$") \
	        $(FUZZ_BUILD)/libmta.a $(LIBS); \
	    mkdir -p $(FUZZ_BUILD)/corpus-$$name; \
	    seeds=; [ -d t/fuzz/corpus/$$name ] && seeds=t/fuzz/corpus/$$name; \
	    $(FUZZ_BUILD)/fuzz-$$name -max_total_time=$(FUZZ_SECONDS) -max_len=4096 \
	        -print_final_stats=0 $(FUZZ_BUILD)/corpus-$$name $$seeds 2>$(FUZZ_BUILD)/fuzz-$$name.log \
	        || { tail -40 $(FUZZ_BUILD)/fuzz-$$name.log; exit 1; }; \
	    echo "fuzz: $$name: nothing found"; \
	done

# install: every path of share/mta/manifest (programs into PREFIX/bin and
# PREFIX/sbin, daemons into PREFIX/libexec/mta, the configuration into
# SYSCONFDIR without overwriting it, man pages, the spool in QUEUE_DIR with
# Postfix's owners and modes), after creating the users MAIL_OWNER and
# SETGID_GROUP when root and not DESTDIR. install-links also makes sendmail,
# mailq and newaliases. See INSTALL; share/mta/install.sh does the work.
SYSCONFDIR   ?= /etc/mta
QUEUE_DIR    ?= /var/spool/mta
MAIL_OWNER   ?= mta
SETGID_GROUP ?= mtadrop
INSTALL_ENV = TOP='$(CURDIR)' BUILD='$(abspath $(BUILD))' DESTDIR='$(DESTDIR)' \
	PREFIX='$(PREFIX)' SYSCONFDIR='$(SYSCONFDIR)' QUEUE_DIR='$(QUEUE_DIR)' \
	MAIL_OWNER='$(MAIL_OWNER)' SETGID_GROUP='$(SETGID_GROUP)' FORCE='$(FORCE)'
# What install needs built: the programs, not the tests.
INSTALL_DEPS = $(PROGS) $(BUILD)/share/mta/manifest
.PHONY: install-links
install: $(INSTALL_DEPS)
	@$(INSTALL_ENV) sh share/mta/install.sh
install-links: $(INSTALL_DEPS)
	@$(INSTALL_ENV) sh share/mta/install.sh --links

# The manifest in the build tree too, where the built mta-start finds it.
all: $(BUILD)/share/mta/manifest
$(BUILD)/share/mta/manifest: share/mta/manifest
	@mkdir -p $(@D)
	$(Q)cp $< $@

format:
	clang-format -i lib/*.[ch] bin/*/*.[ch] sbin/*/*.[ch] t/unit/*.[ch] t/fuzz/*.c

clean:
	rm -rf build build-sanitize build-fuzz

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
.SECONDARY:
