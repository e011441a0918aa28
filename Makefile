# The U-Net worker. Two commands matter: `make demo` and `make test` (see README.md).
# Every target installs what it needs when it is missing (apt-get; sudo only when not root).

SWIFT      ?= swift
# CPU flags live here, never in Package.swift. haswell (AVX2 + FMA; x86-64-v3) runs on any x86 CPU
# since about 2015; without FMA Swift would call fmaf and the numeric code runs ~100x slower.
# Override with `make CPU_FLAGS=` for a plain build (correct, only slower).
ARCH       := $(shell uname -m)
# AVX-512 machines get the 4x48 SIMD16 register tile (about 1.5x faster on Zen 5); others haswell.
HASWELL_FLAGS = -Xcc -march=haswell -Xswiftc -target-cpu -Xswiftc haswell
ifeq ($(ARCH),x86_64)
ifeq ($(shell grep -qw avx512f /proc/cpuinfo 2>/dev/null && echo yes),yes)
CPU_FLAGS  ?= -Xcc -march=skylake-avx512 -Xswiftc -target-cpu -Xswiftc skylake-avx512 -Xswiftc -DNEURALCORE_AVX512
else
CPU_FLAGS  ?= $(HASWELL_FLAGS)
endif
DIST_CPU_FLAGS ?= $(HASWELL_FLAGS)
else
CPU_FLAGS  ?=
DIST_CPU_FLAGS ?=
endif
SWIFT_FLAGS = -c release $(CPU_FLAGS)
PREFIX     ?= /usr/local
BIN        := .build/release

APT_PACKAGES = libtiff-dev libjson-c-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

IMAGEJ_JAR ?= /usr/share/java/ij.jar

.PHONY: all deps imagej-runtime python-runtime protocol-test-deps build test demo imagej bench quality fuzz fuzz-build robustness soak sanitize install dist clean

all: build

# System libraries: libtiff (all TIFF I/O) and json-c (the protocol's JSON).
deps:
	@if ! pkg-config --exists libtiff-4 json-c 2>/dev/null; then \
	  echo "Installing $(APT_PACKAGES) with apt-get"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(APT_PACKAGES); \
	fi

build: deps
	$(SWIFT) build $(SWIFT_FLAGS)

# ImageJ and java, for the test that ImageJ reads every file we write.
imagej-runtime:
	@if [ ! -r "$(IMAGEJ_JAR)" ] || ! command -v java >/dev/null 2>&1; then \
	  echo "Installing imagej with apt-get"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq imagej; \
	fi

PROTOCOL_TEST_PACKAGES = python3-jsonschema jq

# python3-jsonschema (schema validation of the transcripts) and jq (the shell examples).
protocol-test-deps:
	@if ! python3 -c 'import jsonschema' 2>/dev/null || ! command -v jq >/dev/null 2>&1; then \
	  echo "Installing $(PROTOCOL_TEST_PACKAGES) with apt-get"; \
	  $(SUDO) apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq $(PROTOCOL_TEST_PACKAGES); \
	fi

# Swift tests, then the protocol transcripts against the built worker (schema-validated), the
# check that the replay catches broken transcripts, the jq examples, and every client
# (ImageJ plugin headless and under Xvfb, Python, shell) against the real worker.
test: deps imagej-runtime protocol-test-deps
	$(SWIFT) build $(SWIFT_FLAGS)
	UNET_REQUIRE_IMAGEJ=1 IMAGEJ_JAR=$(IMAGEJ_JAR) $(SWIFT) test $(SWIFT_FLAGS)
	python3 Tests/tools/protocol/replay_transcripts.py $(BIN)/unet-worker
	python3 Tests/tools/protocol/check_replay_catches_errors.py $(BIN)/unet-worker
	bash Tests/tools/protocol/check_examples.sh $(BIN)/unet-worker
	python3 Tests/tools/outside/check_rois_table.py $(BIN)/unet-worker
	python3 Tests/tools/outside/check_tifffile_inputs.py $(BIN)/unet-worker
	python3 Tests/tools/outside/check_bioimageio.py $(BIN)/unet-worker
	python3 Tests/tools/outside/check_appose.py $(BIN)/unet-worker
	$(BIN)/unet-fuzz replay tiff Tests/Fixtures/tiff $(wildcard Tests/Fixtures/fuzz/tiff)
	$(BIN)/unet-fuzz replay model Tests/Fixtures/fuzz/model
	$(BIN)/unet-fuzz replay jsonrpc Protocol/transcripts $(wildcard Tests/Fixtures/fuzz/jsonrpc)
	$(MAKE) fuzz FUZZ_SECONDS=$(TEST_FUZZ_SECONDS)
	$(MAKE) robustness ROBUSTNESS_REQUIRE_MOUNT=1
	$(MAKE) -C Plugins deps test UNET_WORKER=$(CURDIR)/$(BIN)/unet-worker

# The ImageJ/Fiji plugin: Plugins/imagej/dist/U_Net.jar (+ gson.jar for plain ImageJ's plugins/jars).
imagej:
	$(MAKE) -C Plugins deps imagej

# The first minutes of a new user: synthetic nuclei, training with the default settings,
# segmentation of a held-out set and its metrics, all through the worker's protocol
# (Plugins/python/unet_demo.py, standard-library Python). Outputs go to demo-output/.
demo: build python-runtime
	python3 Plugins/python/unet_demo.py --worker $(BIN)/unet-worker --output demo-output

python-runtime:
	@command -v python3 >/dev/null 2>&1 || { \
	  echo "Installing python3 with apt-get"; \
	  $(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq python3; }

# Speed: our unet-bench against PyTorch (with and without jemalloc), onnxruntime and OpenVINO,
# alternately in one run, with ratios and the issue's goals (met / not met); then the worker's
# end-to-end segment timings (Benchmarks/segment_bench.py: paper network and a default model on
# 512x512 and 4096x4096 images, cold and warm) and a per-layer profile of our base-64 forward pass
# (Benchmarks/run_bench.py; the peers run when /tmp/peer exists, else ours only; see there).
# BENCH_ARGS passes options, e.g. `make bench BENCH_ARGS="--quick --cases base64,profile"`.
BENCH_ARGS ?=
bench: build
	python3 Benchmarks/run_bench.py $(BENCH_ARGS)

# Quality on real data: k-fold over the images of DATA (a folder of NAME.tif + NAME_labels.tif
# pairs, or of such folders), training through the protocol with the same budget per run, and
# the PyTorch peer on the same split when PEER_PYTHON has torch (Benchmarks/quality.py). Minutes
# per run: not part of `make test`. Example:
#   make quality DATA=../shared/data/real QUALITY_SECONDS=600 QUALITY_SEEDS=1,2,3 QUALITY_FOLDS=3 QUALITY_USE_FOLDS=0
DATA              ?= $(wildcard ../shared/data/real)
QUALITY_SECONDS   ?= 600
QUALITY_FOLDS     ?= 3
QUALITY_USE_FOLDS ?=
QUALITY_SEEDS     ?= 1,2,3
QUALITY_THREADS   ?= 2
PEER_PYTHON       ?= $(wildcard /tmp/peer/bin/python)
PEER_SCRIPT       ?= ../shared/peers/quality_peer.py
quality: build python-runtime
	@if [ -z "$(DATA)" ]; then echo "make quality: give DATA=<folder of NAME.tif + NAME_labels.tif pairs>"; exit 2; fi
	python3 Benchmarks/quality.py --worker $(BIN)/unet-worker --data $(DATA) --seconds $(QUALITY_SECONDS) \
	  --folds $(QUALITY_FOLDS) $(if $(QUALITY_USE_FOLDS),--use-folds $(QUALITY_USE_FOLDS)) --seeds $(QUALITY_SEEDS) \
	  --threads $(QUALITY_THREADS) $(if $(PEER_PYTHON),--peer-python $(PEER_PYTHON) --peer-script $(PEER_SCRIPT)) \
	  --work quality-output

# Coverage-guided fuzzing with libFuzzer and AddressSanitizer (Sources/unet-fuzz; linked with lld,
# as gold fails on the sanitizer runtime): the TIFF reader,
# JSON-RPC lines with every method's parameter checks, and model files, FUZZ_SECONDS each
# (Tests/tools/fuzz/run_fuzz.py prints executions and coverage; a crash fails and says how to
# keep its input as a regression test in Tests/Fixtures/fuzz/TARGET). `make test` runs each for
# TEST_FUZZ_SECONDS. The corpus grows in .build-fuzz/work between runs.
FUZZ_SECONDS      ?= 600
TEST_FUZZ_SECONDS ?= 60
FUZZ_TARGETS      ?= tiff,jsonrpc,model
fuzz-build: deps
	$(SWIFT) build -c release -Xswiftc -sanitize=fuzzer,address -Xswiftc -DFUZZING -Xswiftc -use-ld=lld \
	  --product unet-fuzz --scratch-path .build-fuzz

fuzz: fuzz-build python-runtime
	python3 Tests/tools/fuzz/run_fuzz.py --fuzzer .build-fuzz/release/unet-fuzz --seconds $(FUZZ_SECONDS) --targets $(FUZZ_TARGETS)

# Robustness (Tests/tools/robustness, standard-library Python): SIGKILL at 22 moments while
# train, segment and weight_map write; a full and a read-only file system (tmpfs mounts: root,
# else skipped unless ROBUSTNESS_REQUIRE_MOUNT=1); a short soak. `make soak`: 10000 mixed requests.
ROBUSTNESS_REQUESTS ?= 400
SOAK_REQUESTS       ?= 10000
export ROBUSTNESS_REQUIRE_MOUNT
robustness: build python-runtime
	python3 Tests/tools/robustness/crash_consistency.py $(BIN)/unet-worker
	python3 Tests/tools/robustness/disk_full.py $(BIN)/unet-worker
	python3 Tests/tools/robustness/soak.py $(BIN)/unet-worker --requests $(ROBUSTNESS_REQUESTS)

soak: build python-runtime
	python3 Tests/tools/robustness/soak.py $(BIN)/unet-worker --requests $(SOAK_REQUESTS)

# The Swift test suite under AddressSanitizer (and LeakSanitizer), then the suites of the worker's
# threads (requests read while jobs run, cancel, status, malformed input) and JSON-RPC under
# ThreadSanitizer, each in its own build folder; about 10 minutes on a quiet machine: not part of
# `make test`. -DSANITIZER skips the tests of peak memory and speed; lsan.supp: the toolchain's
# own leaks. The whole suite under TSan only times out (training runs 20-50x slower there).
TSAN_SUITES = JSONRPCTests|FileErrorTests|LineLengthTests|InvalidParamsTests|MalformedInputTests|RequestLifecycleTests|CancellationTests|ApposeTransportTests
sanitize: deps
	LSAN_OPTIONS=suppressions=$(CURDIR)/Tests/tools/sanitizers/lsan.supp \
	  $(SWIFT) test $(SWIFT_FLAGS) -Xswiftc -DSANITIZER --sanitize=address -Xswiftc -use-ld=lld --scratch-path .build-asan
	TSAN_OPTIONS=halt_on_error=1 $(SWIFT) test $(SWIFT_FLAGS) -Xswiftc -DSANITIZER --sanitize=thread -Xswiftc -use-ld=lld \
	  --scratch-path .build-tsan --filter "$(TSAN_SUITES)"

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/unet-worker $(DESTDIR)$(PREFIX)/bin/unet-worker

# A portable archive: the Swift runtime linked in, so an ImageJ user needs no toolchain.
dist: deps
	$(SWIFT) build -c release $(DIST_CPU_FLAGS) --static-swift-stdlib
	mkdir -p dist
	tar -czf dist/unet-worker-$(ARCH)-linux.tar.gz -C $(BIN) unet-worker
	@echo "dist/unet-worker-$(ARCH)-linux.tar.gz"

clean:
	rm -rf .build .build-fuzz .build-asan .build-tsan dist demo-output quality-output
	$(MAKE) -C Plugins clean
