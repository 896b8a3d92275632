# The two commands the README promises, plus the steps they are made of.
BUILD_DIR ?= build
BUILD_TYPE ?= RelWithDebInfo
JOBS ?= $(shell nproc)
# Extra CMake options, e.g. CMAKE_OPTIONS=-DGATEHOUSE_WARNINGS_AS_ERRORS=ON (what CI uses).
CMAKE_OPTIONS ?=

.PHONY: all deps configure build test demo bench docs fmt clean

all: build

deps:
	@./scripts/install-deps.sh

configure: deps
	@cmake -S . -B $(BUILD_DIR) -G Ninja -DCMAKE_BUILD_TYPE=$(BUILD_TYPE) $(CMAKE_OPTIONS) >/dev/null

build: configure
	@cmake --build $(BUILD_DIR) -j $(JOBS)

test: build
	@cd $(BUILD_DIR) && ctest --output-on-failure -j $(JOBS)

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
	@$(BUILD_DIR)/bench/gatehouse_bench --benchmark_min_time=0.5
	@$(BUILD_DIR)/bench/gatehouse_bench --scale
	@./bench/callgrind.sh $(BUILD_DIR)/bench/gatehouse_bench typical

clean:
	rm -rf $(BUILD_DIR)
