# cmdb — build, test and run. Every target installs what it needs on a fresh Debian machine.
SHELL := /bin/bash
SWIFT ?= $(shell command -v swift 2>/dev/null || echo /opt/swift/usr/bin/swift)
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
DB ?= ./cmdb-data
RELEASE_BIN := .build/release/cmdb
DEBUG_BIN := .build/debug/cmdb

.PHONY: deps build release test tck run bench bench-server clean

# System libraries: LMDB (storage), libedit (REPL line editing), GNU time (benchmark RSS), python3 (the REPL's
# pseudo-terminal test and start-up benchmark; standard library only), tzdata (named time zones such as
# Europe/Amsterdam, which Foundation's TimeZone reads from /usr/share/zoneinfo). For `cmdb serve`: graphviz (the
# web view's impact graph), openssl and curl (the HTTPS test), chromium + chromium-driver and Selenium from PyPI
# (the web view's browser test), wrk (bench/server.sh). For `make test`'s watchdog: gdb (thread stacks of a hung run).
deps:
	@missing=""; \
	pkg-config --exists lmdb 2>/dev/null || missing="$$missing liblmdb-dev"; \
	[ -e /usr/include/histedit.h ] || missing="$$missing libedit-dev"; \
	command -v mdb_stat >/dev/null || missing="$$missing lmdb-utils"; \
	[ -x /usr/bin/time ] || missing="$$missing time"; \
	command -v pkg-config >/dev/null || missing="$$missing pkg-config"; \
	command -v python3 >/dev/null || missing="$$missing python3"; \
	[ -e /usr/share/zoneinfo/Europe/Amsterdam ] || missing="$$missing tzdata"; \
	command -v dot >/dev/null || missing="$$missing graphviz"; \
	command -v openssl >/dev/null || missing="$$missing openssl"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	[ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	[ -x /usr/bin/chromedriver ] || missing="$$missing chromium-driver"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	command -v gdb >/dev/null || missing="$$missing gdb"; \
	command -v stdbuf >/dev/null || missing="$$missing coreutils"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing" >&2; \
	  $(SUDO) apt-get update -qq && $(SUDO) env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $$missing >/dev/null; \
	fi
	@python3 -c 'import selenium' 2>/dev/null || { echo "installing: selenium (PyPI)" >&2; python3 -m pip install -q selenium; }

build: deps
	$(SWIFT) build

# The Swift runtime and Foundation are linked into the binary: a fresh process then binds no symbols of theirs at
# start (about a third of a short command's time with the shared libraries; README, Performance). The package's
# modules and its dependencies (not the prebuilt runtime and Foundation) get the metadata of generic types such as
# Dictionary<String, Int> through accessor functions that are handed the conformances, not by mangled name: by
# name, the runtime looks each conformance up by scanning all 9,000 conformance records of the binary once per
# process, about 0.3 ms each, 2.4 ms of `cmdb query 'RETURN 1'` (README, Start-up).
RELEASE_FLAGS := -Xswiftc -Xfrontend -Xswiftc -disable-concrete-type-metadata-mangled-name-accessors
release: deps
	$(SWIFT) build -c release --static-swift-stdlib $(RELEASE_FLAGS)

# Every test: unit tests per module and end-to-end tests that run the built binary (among them the REPL on a
# pseudo-terminal, Tests/REPL/repl_pty_test.py). The run has TEST_MINUTES (CI allows 90 for everything); past them
# Tests/run_with_watchdog.py names the tests still running, shows the processes and the test process's thread
# stacks, and stops it (exit 124), so a hang shows in the log instead of using up CI's time.
TEST_MINUTES ?= 45
test: deps
	$(SWIFT) build
	CMDB_BIN=$(CURDIR)/$(DEBUG_BIN) python3 Tests/run_with_watchdog.py $(TEST_MINUTES) -- $(SWIFT) test

# The openCypher TCK (../shared/tck) against CIQL, strict (error type, detail and phase compared); prints the
# pass rate per feature folder and rewrites tck-results.md. `make test` runs it too (it is one of the swift tests).
tck: deps
	$(SWIFT) test --filter TCKTests

# Build, load the sample CMDB into $(DB) when it is empty, show it, and open the REPL on it.
run: release
	@if [ ! -e "$(DB)/data.mdb" ]; then \
	  $(RELEASE_BIN) --db "$(DB)" init && \
	  $(RELEASE_BIN) --db "$(DB)" import fixtures/schoolbestuur.jsonl --actor "make run" --change SAMPLE-LOAD; \
	fi
	$(RELEASE_BIN) --db "$(DB)" status
	$(RELEASE_BIN) --db "$(DB)" shell

# Our side of ../shared/bench next to the peers: make bench SIZE=1m
SIZE ?= 100k
PEERS ?= lmdb sqlite
bench: release
	bench/run.sh $(SIZE) --peers "$(PEERS)"

# cmdb serve under wrk on the 1M-CI database (bench/server.sh; loads /tmp/server-db on first use).
bench-server: release
	bench/server.sh

clean:
	rm -rf .build
