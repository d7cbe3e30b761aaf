# libFuzzer builds of the fuzz targets tests/fuzz_*.c (clang).  `make fuzz`:
#   make fuzz                       build build/fuzz/fuzz_NAME for each
#   make fuzz FUZZ_TIME=600         and run each that many seconds
#   make fuzz FUZZ_TIME=600 FUZZ_TARGETS="json conf"
# A target's seed corpus is tests/corpus/NAME/ (parse: samples/ too); what
# a run finds grows build/fuzz/corpus-NAME/.  A finding is written to
# build/fuzz/crash-*: copy it into tests/corpus/NAME/ with the fix.
# Undefined behaviour stops the run (a finding), except two checks whose
# only reports here are an absent slice (SLICE_NULL, {NULL, 0}) used as an
# empty one: NULL + 0 (pointer-overflow) and memcpy(d, NULL, 0)
# (nonnull-attribute).  C2y defines both, no libc minds; ASan catches a
# real overrun.  Those found were fixed all the same (w3c_fields.c).
CLANG	?= clang
PKGS	 = libcurl libcjson zlib libdeflate libarchive libpcre2-8 inih libcrypto libssl
# FUZZ_SAN=undefined builds without AddressSanitizer into build/fuzz-undefined/:
# two to three times the executions a second, for long runs that count.
FUZZ_SAN ?= address,undefined
D	 = build/fuzz$(if $(filter address%,$(FUZZ_SAN)),,-$(FUZZ_SAN))
FFLAGS	 = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,$(FUZZ_SAN) \
	   -fno-sanitize-recover=undefined \
	   -fno-sanitize=pointer-overflow,nonnull-attribute \
	   -iquote uploader -iquote parsers $(shell pkg-config --cflags $(PKGS))
SRCS	 = $(filter-out uploader/main.c,$(wildcard uploader/*.c)) \
	   $(wildcard parsers/*.c)
FUZZ_TIME ?= 0
FUZZ_TARGETS ?= $(patsubst tests/fuzz_%.c,%,$(wildcard tests/fuzz_*.c))
BINS	 = $(FUZZ_TARGETS:%=$(D)/fuzz_%)
# The program's objects once, with the fuzzer's coverage instrumentation.
OBJS	 = $(SRCS:%.c=$(D)/obj/%.o)


all: $(BINS)
	@if [ "$(FUZZ_TIME)" -gt 0 ]; then \
		for t in $(FUZZ_TARGETS); do \
			mkdir -p build/fuzz/corpus-$$t; \
			extra=; [ $$t = parse ] && extra=samples; \
			$(D)/fuzz_$$t -max_total_time=$(FUZZ_TIME) \
			    -max_len=$$(case $$t in parse|conf) echo 4096;; \
			    *) echo 65536;; esac) -timeout=10 \
			    -malloc_limit_mb=$$([ $$t = archive ] && echo 5000 \
			    || echo 2048) \
			    -print_final_stats=1 -artifact_prefix=$(D)/ \
			    build/fuzz/corpus-$$t tests/corpus/$$t $$extra \
			    || exit 1; \
		done; \
	fi

.SECONDARY:

$(D)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	$(CLANG) $(FFLAGS:-fsanitize=fuzzer%=-fsanitize=fuzzer-no-link%) \
	    -MMD -MP -c -o $@ $<

$(D)/fuzz_%: tests/fuzz_%.c $(OBJS)
	@mkdir -p $(D)
	$(CLANG) $(FFLAGS) -MMD -MP -o $@ $< $(OBJS) \
	    $(shell pkg-config --libs $(PKGS)) -lpthread

-include $(shell find $(D) -name '*.d' 2>/dev/null)
