#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Provide the pristine Linux 7.3 base tree and record where it is:
#   LINUX_SRC=/path   a user's own v7.3 tree (used read-only), or
#   otherwise         Debian's linux-source-7.3 (trixie-backports), downloaded
#                     with a private apt configuration, cached under build/.
# Writes $BUILD/base/path and $BUILD/base/version.
. "$(dirname "$0")/lib.sh"
. "$HARNESS/apt.sh"

mkdir -p "$BUILD/base"

both_ways="either set LINUX_SRC=/path/to/linux-7.3 (a v$BASE_VERSION_WANTED tree), or let the harness download Debian's linux-source-$BASE_VERSION_WANTED (needs a reachable Debian mirror in /etc/apt/sources.list[.d], or MIRROR=...)"

# tree_version DIR: "7.3.4" from the tree's top Makefile.
tree_version() {
	awk -F' *= *' '$1 == "VERSION" { v = $2 } $1 == "PATCHLEVEL" { p = $2 }
		$1 == "SUBLEVEL" { s = $2 } END { if (v != "") print v "." p "." s }' "$1/Makefile" 2>/dev/null
}

# check_version DIR WHERE: sets $v to the tree's version, or stops.
check_version() {
	v=$(tree_version "$1")
	[ -n "$v" ] || die "$2: $1 is not a Linux source tree (no VERSION in $1/Makefile); $both_ways"
	case "$v" in
	"$BASE_VERSION_WANTED".*) ;;
	*) die "$2: $1 is Linux $v, the series needs $BASE_VERSION_WANTED.y; $both_ways" ;;
	esac
}

record() {	# DIR VERSION-TEXT
	printf '%s\n' "$1" >"$BUILD/base/path.new" && mv "$BUILD/base/path.new" "$BUILD/base/path"
	printf '%s\n' "$2" >"$BUILD/base/version"
	phase "base: $2"
}

if [ -n "${LINUX_SRC:-}" ]; then
	[ -d "$LINUX_SRC" ] || die "LINUX_SRC=$LINUX_SRC is not a directory; $both_ways"
	src=$(cd "$LINUX_SRC" && pwd)
	check_version "$src" "LINUX_SRC"
	[ ! -e "$src/.config" ] || die "LINUX_SRC=$src has a .config: the harness builds out of tree and needs a clean source tree (make mrproper)"
	record "$src" "Linux $v from LINUX_SRC=$src"
	exit 0
fi

pkg=linux-source-$BASE_VERSION_WANTED
debs=$BUILD/apt/debs
mkdir -p "$debs"
deb=$(ls "$debs"/${pkg}_*_all.deb 2>/dev/null | tail -n 1)

if [ -z "$deb" ]; then
	phase "fetching $pkg with a private apt configuration (build/apt)"
	apt_setup || die "cannot reach a Debian mirror for $pkg (log: $APT_DIR/update.log); $both_ways"
	(cd "$debs" && apt-get "${APT_OPTS[@]}" download "$pkg") >"$APT_DIR/download.log" 2>&1 ||
		die "apt-get download $pkg failed (log: $APT_DIR/download.log); $both_ways"
	deb=$(ls "$debs"/${pkg}_*_all.deb 2>/dev/null | tail -n 1)
	[ -n "$deb" ] || die "apt-get download $pkg left no .deb in $debs; $both_ways"
fi

debver=$(dpkg-deb -f "$deb" Version 2>/dev/null)
if [ -z "$debver" ]; then
	rm -f "$deb"
	die "corrupt download $deb (not a Debian package), removed it: run again to download it anew; $both_ways"
fi

dest=$BUILD/base/$pkg-$debver
if [ ! -f "$dest.complete" ]; then
	phase "unpacking $pkg $debver"
	tmp=$BUILD/base/unpack.$$
	rm -rf "$tmp" "$dest" "$dest.complete"
	mkdir -p "$tmp"
	if ! dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" ./usr/src/$pkg.tar.xz ||
	   ! tar -xJf "$tmp/usr/src/$pkg.tar.xz" -C "$tmp"; then
		rm -rf "$tmp" "$deb"
		die "corrupt download $deb (could not unpack /usr/src/$pkg.tar.xz), removed it: run again to download it anew"
	fi
	[ -d "$tmp/$pkg" ] || { rm -rf "$tmp"; die "$deb: no $pkg/ folder in /usr/src/$pkg.tar.xz"; }
	mv "$tmp/$pkg" "$dest"
	rm -rf "$tmp"
	touch "$dest.complete"
fi

check_version "$dest" "$deb"
record "$dest" "Linux $v from Debian $pkg $debver"
