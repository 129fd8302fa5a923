# The everyday targets.  The build itself is CMake's (CMakeLists.txt); this
# file only names the build directories and installs what each target needs.
#
#   make run     build and serve on 127.0.0.1:8080 with ./var (no configuration)
#   make test    build, then run every test: plain build and ASan+UBSan build
#   make bench   benchmarks, as ratios against baselines measured in the same run
#   make soak    ten minutes of mixed traffic: latency and memory over time (SOAK_SECONDS)
#   make fuzz    run each fuzz target for FUZZ_SECONDS (default 60)
#   make check   static analysis, banned functions, formatting

JOBS ?= $(shell nproc 2>/dev/null || echo 2)
FUZZ_SECONDS ?= 60
CMAKE_FLAGS ?=
ARGS ?=

.PHONY: all build run test test-plain test-asan bench soak fuzz check format clean

all: build

build/CMakeCache.txt:
	cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo $(CMAKE_FLAGS) >/dev/null

build: build/CMakeCache.txt
	@scripts/deps build
	cmake --build build -j $(JOBS)

run:
	@scripts/deps build
	@$(MAKE) --no-print-directory build >/dev/null
	./build/signaal serve $(ARGS)

test: test-plain test-asan

test-plain:
	@scripts/deps test
	@$(MAKE) --no-print-directory build
	cd build && ctest --output-on-failure -j $(JOBS)

build-asan/CMakeCache.txt:
	CC=clang cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=Debug -DSIGNAAL_SANITIZE=ON \
		$(CMAKE_FLAGS) >/dev/null

test-asan: build-asan/CMakeCache.txt
	@scripts/deps test
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=abort_on_error=1:detect_leaks=1 \
		UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
		ctest --output-on-failure -j $(JOBS)

bench:
	@scripts/deps bench
	@$(MAKE) --no-print-directory build
	bench/run.sh

soak:
	@scripts/deps bench
	@$(MAKE) --no-print-directory build
	bench/soak.sh

build-fuzz/CMakeCache.txt:
	CC=clang cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=Debug -DSIGNAAL_SANITIZE=ON \
		-DSIGNAAL_FUZZ=ON $(CMAKE_FLAGS) >/dev/null

fuzz: build-fuzz/CMakeCache.txt
	@scripts/deps fuzz
	cmake --build build-fuzz -j $(JOBS)
	scripts/fuzz build-fuzz $(FUZZ_SECONDS)

check:
	@scripts/deps check build
	@$(MAKE) --no-print-directory build
	scripts/check

format:
	@scripts/deps check
	clang-format -i $$(git ls-files '*.c' '*.h')

clean:
	rm -rf build build-asan build-fuzz
