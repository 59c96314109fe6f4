# TinyTorch — the two commands:
#   make demo   installs what is missing (apt-get), builds Release into build/, fetches the data,
#               runs the 1986 MLP milestone
#   make test   same set-up, then runs every unit test (ctest)
# Other targets: build, data, bench (installs the PyTorch/OpenBLAS peers first), asan-test, clean.
SHELL := /bin/bash
BUILD ?= build
JOBS ?= $(shell nproc)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

# Build and test dependencies (Debian 12 package names).
DEPS := cmake ninja-build g++ make libgtest-dev libgmock-dev libbenchmark-dev libfmt-dev libcli11-dev \
        nlohmann-json3-dev zlib1g-dev dataset-fashion-mnist bible-kjv npm
# Peers for `tito bench` only (heavy: ~180 MiB).
PEER_DEPS := python3-torch python3-numpy libopenblas-dev

.PHONY: all deps peer-deps configure build data demo test asan-test bench clean

all: build

# Installs only what is missing; non-interactive.
define apt_install
	@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get update -qq && \
	  $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends $$missing; \
	else echo "dependencies present"; fi
endef

deps:
	$(call apt_install,$(filter-out npm,$(DEPS)) $(shell command -v npm >/dev/null || echo npm))

peer-deps:
	$(call apt_install,$(PEER_DEPS))

configure: deps
	@[ -f $(BUILD)/build.ninja ] || cmake -S . -B $(BUILD) -G Ninja -DCMAKE_BUILD_TYPE=Release

build: configure
	cmake --build $(BUILD) -j $(JOBS)

data: build
	$(BUILD)/tito data fetch all

demo: data
	$(BUILD)/tito milestone run mlp

test: data
	cd $(BUILD) && ctest --output-on-failure -j 2

# Unit tests under AddressSanitizer + UndefinedBehaviorSanitizer (no recovery).
asan-test: deps
	@[ -f build-asan/build.ninja ] || cmake -S . -B build-asan -G Ninja -DCMAKE_BUILD_TYPE=Debug -DTT_SANITIZE=ON \
	  -DCMAKE_CXX_FLAGS_DEBUG=-g1
	cmake --build build-asan -j $(JOBS)
	cd build-asan && ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1 \
	  ctest --output-on-failure -j 2

bench: peer-deps build
	$(BUILD)/tito bench ops && $(BUILD)/tito bench mlp

clean:
	rm -rf $(BUILD) build-asan
