# discolog: one non-recursive Makefile.
#
#   make               build ./discolog
#   make check         install what is missing, build, run every test
#   make check-slow    the 300 MiB parallel-block upload, the daemon's crash
#                      test with 300 kills (CRASH_ITERATIONS)
#   make demo          install what is missing, build, upload the samples to
#                      the local MDCA emulator and show what it received
#   make bench         throughput against wc, grep, gzip, pigz (see README)
#   make fuzz          build the libFuzzer targets (clang)
#   make format        clang-format every C file
#   make install       PREFIX=/usr/local DESTDIR=: the binary, the docs, the
#                      example configuration (to /etc/discolog when absent),
#                      the systemd unit and the logrotate snippet
#   SANITIZE=1         AddressSanitizer + UndefinedBehaviorSanitizer
#   VALGRIND=1         unit suites under valgrind (with check)
#   V=1                show full commands
#   TESTS="parsers filter"   run only these unit suites in `make check`

CC	?= cc
PKGS	 = libcurl libcjson zlib libdeflate libarchive libpcre2-8 inih libssl libcrypto
WARN	 = -Wall -Wextra -Wstrict-prototypes -Wmissing-prototypes \
	   -Wmissing-declarations -Wshadow -Wpointer-arith -Wsign-compare \
	   -Wformat=2 -Wvla -Wno-format-nonliteral
OPT	?= -O2 -g
BUILD	?= build

ifeq ($(SANITIZE),1)
OPT	:= -O1 -g -fno-omit-frame-pointer
SAN	 = -fsanitize=address,undefined -fno-sanitize-recover=undefined
BUILD	:= build/san
endif
ifeq ($(CI),true)
WERROR	 = -Werror
endif

PKG_CFLAGS := $(shell pkg-config --cflags $(PKGS) 2>/dev/null)
PKG_LIBS   := $(shell pkg-config --libs $(PKGS) 2>/dev/null)

ALL_CFLAGS  = -std=c11 -D_GNU_SOURCE $(WARN) $(WERROR) $(OPT) $(SAN) \
	      $(PKG_CFLAGS) -iquote uploader -iquote parsers -MMD -MP $(CFLAGS)
ALL_LDFLAGS = $(SAN) $(LDFLAGS)
ALL_LDLIBS  = $(PKG_LIBS) -lpthread $(LDLIBS)

ifneq ($(V),1)
Q	 = @
say	 = @printf '  %-6s %s\n' $(1) $(2);
endif

LIB_SRCS  = $(filter-out uploader/main.c,$(wildcard uploader/*.c)) \
	    $(wildcard parsers/*.c)
LIB_OBJS  = $(LIB_SRCS:%.c=$(BUILD)/%.o)
MAIN_OBJ  = $(BUILD)/uploader/main.o
TEST_SRCS = $(wildcard tests/test_*.c)
TEST_BINS = $(TEST_SRCS:tests/%.c=$(BUILD)/tests/%)

.SECONDARY:
.PHONY: discolog all check check-slow demo bench fuzz format lint clean deps unit install

all: discolog

discolog: $(BUILD)/discolog
	$(Q)cp $< $@

$(BUILD)/discolog: $(MAIN_OBJ) $(LIB_OBJS)
	$(call say,LD,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

$(BUILD)/%.o: %.c
	@mkdir -p $(dir $@)
	$(call say,CC,$<)$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(BUILD)/tests/%: $(BUILD)/tests/%.o $(LIB_OBJS)
	$(call say,LD,$@)$(CC) $(ALL_LDFLAGS) -o $@ $^ $(ALL_LDLIBS)

deps:
	@scripts/install-deps

# The suites report "<suite>: N passed, N failed"; run-tests adds them up.
check: deps
	@$(MAKE) --no-print-directory all $(TEST_BINS)
	@BUILD=$(BUILD) TESTS="$(TESTS)" VALGRIND="$(VALGRIND)" scripts/run-tests

check-slow: deps
	@$(MAKE) --no-print-directory all
	@DISCOLOG_SLOW_TESTS=1 BUILD=$(BUILD) TESTS=blob_test scripts/run-tests
	@cd tests && CRASH_ITERATIONS=$${CRASH_ITERATIONS:-300} \
	    python3 daemon_test.py test_crash_many_kills

demo: deps
	@$(MAKE) --no-print-directory all build/loggen
	@scripts/demo

bench: deps
	@scripts/install-deps --bench
	@$(MAKE) --no-print-directory all build/loggen
	@scripts/bench $(BENCH_ARGS)

# The log generator, always optimised (not the sanitizer build's flags).
build/loggen: scripts/loggen.c
	@mkdir -p build
	$(call say,CC,$<)$(CC) -std=c11 -D_GNU_SOURCE $(WARN) -Werror -O2 \
	    $(CFLAGS) -o $@ $< $(LDFLAGS)

fuzz:
	@scripts/install-deps --fuzz
	@$(MAKE) --no-print-directory -f scripts/fuzz.mk

format:
	clang-format -i uploader/*.[ch] parsers/*.[ch] tests/*.[ch] scripts/*.c bench/*.c

lint:
	@scripts/checksrc.sh

PREFIX	?= /usr/local
BINDIR	?= $(PREFIX)/bin
DOCDIR	?= $(PREFIX)/share/doc/discolog
UNITDIR	?= $(PREFIX)/lib/systemd/system
SYSCONFDIR ?= /etc

# `make` first: install copies ./discolog as built (SANITIZE or not).
install:
	@[ -x discolog ] || { echo "make install: build first (make)" >&2; exit 1; }
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(DOCDIR) \
	    $(DESTDIR)$(UNITDIR) $(DESTDIR)$(SYSCONFDIR)/logrotate.d
	install -m 0755 discolog $(DESTDIR)$(BINDIR)/discolog
	install -m 0644 README.md scripts/discolog.conf.example \
	    $(DESTDIR)$(DOCDIR)/
	sed -e 's|/usr/local/bin/discolog|$(BINDIR)/discolog|' \
	    -e 's|/usr/local/share/doc/discolog|$(DOCDIR)|' \
	    -e 's|/etc/discolog/|$(SYSCONFDIR)/discolog/|' \
	    scripts/discolog.service >$(DESTDIR)$(UNITDIR)/discolog.service
	chmod 0644 $(DESTDIR)$(UNITDIR)/discolog.service
	install -m 0644 scripts/discolog.logrotate \
	    $(DESTDIR)$(SYSCONFDIR)/logrotate.d/discolog
	install -d -m 0750 $(DESTDIR)$(SYSCONFDIR)/discolog
	@if [ -e $(DESTDIR)$(SYSCONFDIR)/discolog/discolog.conf ]; then \
	    echo "  kept   $(DESTDIR)$(SYSCONFDIR)/discolog/discolog.conf"; \
	else \
	    install -m 0640 scripts/discolog.conf.example \
	        $(DESTDIR)$(SYSCONFDIR)/discolog/discolog.conf; \
	fi

clean:
	rm -rf build discolog

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
