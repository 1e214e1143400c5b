#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Build sparse for "make C=2" into build/tools/bin/sparse.  Linux 7.3's
# scripts/checker-valid.sh rejects Debian bookworm's sparse 0.6.4; the
# source package in Debian sid (0.6.5~rc1) builds in seconds and is
# accepted.  Fetched with the private apt configuration (build/apt).
. "$(dirname "$0")/lib.sh"
. "$HARNESS/apt.sh"

bin=$BUILD/tools/bin/sparse
if [ ! -x "$bin" ]; then
	src=$BUILD/tools/src
	rm -rf "$src"
	mkdir -p "$src" "$(dirname "$bin")"
	phase "sparse: fetching the source package from sid"
	apt_setup || die "cannot reach a Debian mirror for the sparse source package (log: $APT_DIR/update.log)"
	(cd "$src" && apt-get "${APT_OPTS[@]}" source --download-only sparse) >"$LOGS/sparse-fetch.log" 2>&1 ||
		die "apt-get source sparse failed (log: build/logs/sparse-fetch.log)"
	(cd "$src" && dpkg-source --no-check -x ./sparse_*.dsc sparse) >>"$LOGS/sparse-fetch.log" 2>&1 ||
		die "could not unpack the sparse source package (log: build/logs/sparse-fetch.log)"
	phase "sparse: building $(sed -n 's/^Version: //p' "$src"/sparse_*.dsc)"
	make -C "$src/sparse" -j"$JOBS" sparse CC=gcc HAVE_LLVM=no HAVE_GTK=no HAVE_LIBXML=no HAVE_SQLITE=no \
		>"$LOGS/sparse-build.log" 2>&1 || die "sparse does not build (log: build/logs/sparse-build.log)"
	cp "$src/sparse/sparse" "$bin"
	sed -n 's/^Version: //p' "$src"/sparse_*.dsc >"$bin.version"
fi
# checker-valid.sh prints 1 for a usable sparse
[ "$("$TREE/scripts/checker-valid.sh" "$bin" 2>/dev/null)" = 1 ] ||
	die "$bin is not accepted by scripts/checker-valid.sh"
echo "sparse: Debian source package $(cat "$bin.version" 2>/dev/null) ($("$bin" --version))"
