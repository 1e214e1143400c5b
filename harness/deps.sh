#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Make sure the Debian packages the harness needs are installed: as root,
# install the missing ones; otherwise print the exact apt-get line.
. "$(dirname "$0")/lib.sh"

# what to test -> Debian package providing it
checks=(
	"cmd:git git"
	"cmd:make make"
	"cmd:gcc gcc"
	"cmd:flex flex"
	"cmd:bison bison"
	"cmd:bc bc"
	"cmd:perl perl"
	"cmd:python3 python3"
	"cmd:xz xz-utils"
	"cmd:cpio cpio"
	"cmd:dpkg-source dpkg-dev"
	"cmd:quilt quilt"
	"cmd:qemu-system-x86_64 qemu-system-x86"
	"file:/usr/share/qemu/qboot.rom qemu-system-data"
	"file:/usr/include/gelf.h libelf-dev"
	"file:/usr/include/openssl/ssl.h libssl-dev"
	"py:ply python3-ply"
	"py:git python3-git"
	"cmd:b4 b4"
)

missing=()
for c in "${checks[@]}"; do
	what=${c%% *}
	pkg=${c#* }
	case "$what" in
	cmd:*) command -v "${what#cmd:}" >/dev/null 2>&1 && continue ;;
	file:*) [ -e "${what#file:}" ] && continue ;;
	# checkpatch's spdxcheck.py, run with Debian's python3
	py:*) /usr/bin/python3 -c "import ${what#py:}" 2>/dev/null && continue ;;
	esac
	missing+=("$pkg")
done

[ ${#missing[@]} -eq 0 ] && exit 0

line="apt-get install -y --no-install-recommends ${missing[*]}"
if [ "$(id -u)" != 0 ]; then
	die "missing packages; as root run: $line"
fi
phase "installing Debian packages: ${missing[*]}"
mkdir -p "$LOGS"
if ! { apt-get update && DEBIAN_FRONTEND=noninteractive $line; } >"$LOGS/deps.log" 2>&1; then
	tail -n 20 "$LOGS/deps.log" >&2
	die "could not install ${missing[*]} (log: $LOGS/deps.log)"
fi
