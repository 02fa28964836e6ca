# stormdb — the two commands a new user needs:
#   make demo    build, then run simple_mixed for ~20 s on a throwaway cluster
#   make check   build, then run every test (unit, compiler, integration)
# Both first make sure the build dependencies are installed (.ci/deps).

BUILD    ?= build
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)
CMAKE_ARGS ?=

.PHONY: all deps build demo check check-asan check-tsan clean

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

clean:
	rm -rf build build-asan build-tsan
