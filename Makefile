# The U-Net worker. Two commands matter: `make demo` and `make test` (see README.md).
# Every target installs what it needs when it is missing (apt-get; sudo only when not root).

SWIFT      ?= swift
# CPU flags live here, never in Package.swift. haswell (AVX2 + FMA; x86-64-v3) runs on any x86 CPU
# since about 2015; without FMA Swift would call fmaf and the numeric code runs ~100x slower.
# Override with `make CPU_FLAGS=` for a plain build (correct, only slower).
ARCH       := $(shell uname -m)
ifeq ($(ARCH),x86_64)
CPU_FLAGS  ?= -Xcc -march=haswell -Xswiftc -target-cpu -Xswiftc haswell
else
CPU_FLAGS  ?=
endif
SWIFT_FLAGS = -c release $(CPU_FLAGS)
PREFIX     ?= /usr/local
BIN        := .build/release

APT_PACKAGES = libtiff-dev libjson-c-dev pkg-config
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: all deps build test demo install dist clean

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

test: deps
	$(SWIFT) build $(SWIFT_FLAGS)
	$(SWIFT) test $(SWIFT_FLAGS)

demo: build
	@echo "make demo: the end-to-end demo is not wired yet (see the open issues)."
	$(BIN)/unet-worker

install: build
	install -d $(DESTDIR)$(PREFIX)/bin
	install -m 0755 $(BIN)/unet-worker $(DESTDIR)$(PREFIX)/bin/unet-worker

# A portable archive: the Swift runtime linked in, so an ImageJ user needs no toolchain.
dist: deps
	$(SWIFT) build $(SWIFT_FLAGS) --static-swift-stdlib
	mkdir -p dist
	tar -czf dist/unet-worker-$(ARCH)-linux.tar.gz -C $(BIN) unet-worker
	@echo "dist/unet-worker-$(ARCH)-linux.tar.gz"

clean:
	rm -rf .build dist
