# The two commands the README promises, plus the steps they are made of.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# Extra CMake options, e.g. CMAKE_OPTIONS=-DGATEHOUSE_WARNINGS_AS_ERRORS=ON (what CI uses).
CMAKE_OPTIONS ?=

.PHONY: all deps configure build test sanitize tsan fuzz demo bench docs fmt clean

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_OPTIONS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

# The whole suite under AddressSanitizer + UndefinedBehaviorSanitizer, in its own build tree.
sanitize: deps
	@cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGATEHOUSE_SANITIZE=address,undefined \
	  -DGATEHOUSE_BUILD_BENCH=OFF $(CMAKE_OPTIONS) >/dev/null
	@cmake --build build-asan -j $(JOBS)
	@cd build-asan && ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	  ctest --output-on-failure -j $(JOBS)

# The concurrent parts (store, dispatcher, service) under ThreadSanitizer.
TSAN_TARGETS = store_tests write_service_tests connector_tests dispatch_tests serve_tests http_hostile_tests http_server_tests \
  postgres_instances_tests dispatcher_tests pms_client_tests shared_queue_tests gatehouse gatehouse-pms-simulator
tsan: deps
	@cmake -S . -B build-tsan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DGATEHOUSE_SANITIZE=thread \
	  -DGATEHOUSE_BUILD_BENCH=OFF $(CMAKE_OPTIONS) >/dev/null
	@cmake --build build-tsan -j $(JOBS) --target $(TSAN_TARGETS)
	@cd build-tsan && TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions=$(CURDIR)/tests/tsan.supp \
	  ctest --output-on-failure -j $(JOBS) -L service

# libFuzzer on each fuzz target for FUZZ_SECONDS (clang, ASan + UBSan), from the seed corpora;
# findings land in build-fuzz/findings/<target>/ and fail the run (see tests/fuzz/README.md).
FUZZ_SECONDS ?= 60
fuzz: deps
	@CC=clang CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DGATEHOUSE_FUZZ=ON \
	  -DGATEHOUSE_SANITIZE=address,undefined,fuzzer-no-link -DGATEHOUSE_BUILD_BENCH=OFF -DGATEHOUSE_BUILD_TESTS=ON \
	  $(CMAKE_OPTIONS) >/dev/null
	@cmake --build build-fuzz -j $(JOBS) --target fuzz_rules fuzz_evaluator fuzz_service fuzz_http_request
	@./scripts/fuzz.sh build-fuzz $(FUZZ_SECONDS)

demo: build
	@./scripts/demo.sh $(BUILD_DIR)/bindings/cli/gatehouse $(BUILD_DIR)/tools/pms_simulator/gatehouse-pms-simulator

# Regenerates the committed capability docs and formats the bundled rules.
docs: build
	@$(BUILD_DIR)/bindings/cli/gatehouse docs --out docs/capabilities
	@$(BUILD_DIR)/bindings/cli/gatehouse docs --format html --out docs/capabilities

fmt: build
	@$(BUILD_DIR)/bindings/cli/gatehouse fmt -w rules

# The side-by-side table and ratios, then compile times, memory and scaling, then instruction
# counts for the typical case (stable on a noisy machine).
bench: build
	@$(BUILD_DIR)/bench/gatehouse_bench --benchmark_min_time=0.2
	@$(BUILD_DIR)/bench/gatehouse_bench --scale
	@./bench/callgrind.sh $(BUILD_DIR)/bench/gatehouse_bench typical
	@./bench/service/load.sh $(BUILD_DIR) 10 "32 128"

clean:
	rm -rf $(BUILD_DIR)
