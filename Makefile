# SPDX-License-Identifier: GPL-2.0
# Harness for the TDX Connect patch series.  See README.md.
#
#   make              fetch Linux 7.3, assemble the series, build the KUnit
#                     kernel and run the series' suites under QEMU
#   make check        every check, one line each, "N passed, N failed"
#
# Finer targets: deps fetch assemble export series b4 kunit steps steps-full
# modules w1 sparse feature-off selftests roundtrip clean distclean.
#   make kunit-repeat N=30 [KUNIT_FILTER='suite*']
#                     the suites N times, each in a fresh boot (not in check)

H := harness
SH := bash
# one clock for the phase lines of every script a target runs
export HARNESS_T0 := $(shell date +%s)

.PHONY: all kunit kunit-repeat check deps fetch assemble export series b4 roundtrip \
	steps steps-full modules w1 sparse feature-off selftests fragment clean distclean help

all: kunit

help:
	@sed -n '2,11p' Makefile | sed 's/^# \{0,1\}//'

deps:
	@$(SH) $(H)/deps.sh

fetch: deps
	@$(SH) $(H)/fetch.sh

assemble: fetch
	@$(SH) $(H)/assemble.sh

kunit: assemble
	@$(SH) $(H)/kunit.sh

# N and KUNIT_FILTER are checked before anything is fetched, built or run.
kunit-repeat:
	@$(SH) $(H)/kunit.sh --check-repeat "$(N)"
	@$(MAKE) --no-print-directory assemble
	@$(SH) $(H)/kunit.sh --repeat "$(N)"

check:
	@$(SH) $(H)/check.sh $(CHECKS)

export:
	@$(SH) $(H)/export.sh

roundtrip:
	@$(SH) $(H)/export.sh --check

# The sender (AUTHOR or git's user.name and user.email) is checked first.
series:
	@$(SH) $(H)/series.sh --check-sender
	@$(MAKE) --no-print-directory assemble
	@$(SH) $(H)/series.sh

b4: series
	@$(SH) $(H)/b4.sh

steps steps-full modules w1 sparse fragment: assemble
	@$(SH) $(H)/build.sh $@

feature-off: assemble
	@$(SH) $(H)/build.sh off

selftests: assemble
	@$(SH) $(H)/selftests.sh

# Keeps the download, the base tree and build/linux (which may hold
# unexported work); removes build outputs.
clean:
	rm -rf build/kunit build/steps build/off build/fragment build/out \
		build/logs build/roundtrip build/quilt-test build/export.* build/selftests build/b4

distclean:
	@if [ -d build/linux/.git ] && [ -n "$$(git -C build/linux log --oneline refs/tdxc/assembled..HEAD 2>/dev/null)" ]; then \
		echo "build/linux has commits that are not exported: run 'make export' first" >&2; exit 1; fi
	rm -rf build
