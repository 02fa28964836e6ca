# stormdb — the two commands a new user needs:
#   make demo    build, then run simple_mixed for ~20 s on a throwaway cluster
#   make check   build, then run every test (unit, compiler, integration)
# Both first make sure the build dependencies are installed (.ci/deps).

BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

# make fuzz FUZZ_SECONDS=600: libFuzzer over the swlc front end, then over the
# YAML config loader, each for FUZZ_SECONDS (fuzz-swlc, fuzz-config: one of them)
FUZZ_SECONDS ?= 600
# make install PREFIX=/opt/stormdb: binaries, swlc, the runtime library and
# header, workloads, examples, configs and docs under PREFIX
PREFIX ?= /usr/local

.PHONY: all deps build install demo check check-asan check-tsan fuzz fuzz-build fuzz-swlc fuzz-config clean

all: build

deps:
	@sh .ci/deps

$(BUILD)/CMakeCache.txt: | deps
	cmake -S . -B $(BUILD) $(CMAKE_ARGS)

build: deps $(BUILD)/CMakeCache.txt
	cmake --build $(BUILD) -j $(JOBS)

demo: build
	$(BUILD)/bin/stormdb-simple --embedded --workload simple_mixed --duration 20s \
	    --workers 4 --summary-interval 5s

check: build
	cd $(BUILD) && ctest --output-on-failure -j $(JOBS)

check-asan:
	$(MAKE) check BUILD=build-asan CMAKE_ARGS="-DSDB_SANITIZE=address -DCMAKE_BUILD_TYPE=Debug"

check-tsan:
	$(MAKE) check BUILD=build-tsan CMAKE_ARGS="-DSDB_SANITIZE=thread -DCMAKE_BUILD_TYPE=Debug"

fuzz: fuzz-swlc fuzz-config

fuzz-build:
	@sh .ci/deps fuzz
	cmake -S . -B build-fuzz -DSDB_FUZZ=ON -DCMAKE_C_COMPILER=clang
	cmake --build build-fuzz -j $(JOBS) --target fuzz_swlc fuzz_config

fuzz-swlc: fuzz-build
	mkdir -p build-fuzz/fuzz_work
	build-fuzz/bin/fuzz_swlc -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
	    -print_final_stats=1 build-fuzz/fuzz_work build-fuzz/fuzz_corpus

fuzz-config: fuzz-build
	mkdir -p build-fuzz/fuzz_config_work
	build-fuzz/bin/fuzz_config -max_total_time=$(FUZZ_SECONDS) -max_len=8192 -timeout=10 \
	    -print_final_stats=1 build-fuzz/fuzz_config_work build-fuzz/fuzz_config_corpus

install: build
	cmake --install $(BUILD) --prefix $(PREFIX)

clean:
	rm -rf build build-asan build-tsan build-fuzz
