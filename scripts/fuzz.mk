# libFuzzer builds of the fuzz targets (clang).  Used by `make fuzz`:
#   make fuzz                       build build/fuzz/fuzz_parse
#   make fuzz FUZZ_TIME=600         and run it that many seconds
CLANG	?= clang
PKGS	 = libcurl libcjson zlib libdeflate libarchive libpcre2-8 inih libcrypto libssl
FFLAGS	 = -std=c11 -D_GNU_SOURCE -g -O1 -fsanitize=fuzzer,address,undefined \
	   -iquote uploader -iquote parsers $(shell pkg-config --cflags $(PKGS))
SRCS	 = $(filter-out uploader/main.c,$(wildcard uploader/*.c)) \
	   $(wildcard parsers/*.c)
FUZZ_TIME ?= 0

all: build/fuzz/fuzz_parse
	@if [ "$(FUZZ_TIME)" -gt 0 ]; then \
		mkdir -p build/fuzz/corpus-parse; \
		build/fuzz/fuzz_parse -max_total_time=$(FUZZ_TIME) \
		    -max_len=4096 -print_final_stats=1 \
		    build/fuzz/corpus-parse samples tests/corpus/parse; \
	fi

build/fuzz/fuzz_parse: tests/fuzz_parse.c $(SRCS)
	@mkdir -p build/fuzz
	$(CLANG) $(FFLAGS) -o $@ $^ $(shell pkg-config --libs $(PKGS)) -lpthread
