# SPDX-License-Identifier: GPL-2.0
# A private apt configuration under $BUILD/apt: its own sources list and
# state, so that fetching the kernel source (trixie-backports) and the
# sparse source (sid) never touches the machine's apt configuration.
# The mirror is the one the machine already uses; MIRROR=... overrides.
# Sourced after lib.sh.

APT_DIR=$BUILD/apt

# First Debian archive URI of the machine's apt sources (deb822 and
# one-line formats), skipping the security archive.
machine_mirror() {
	local f u
	for f in /etc/apt/sources.list.d/*.sources; do
		[ -f "$f" ] || continue
		u=$(awk '/^URIs:/ { for (i = 2; i <= NF; i++) print $i }' "$f" |
			grep -v -- '-security' | head -n 1)
		[ -n "$u" ] && { echo "$u"; return; }
	done
	for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
		[ -f "$f" ] || continue
		u=$(awk '$1 == "deb" || $1 == "deb-src" {
				for (i = 2; i <= NF; i++) if ($i ~ /^[a-z]+:\/\//) { print $i; break }
			}' "$f" | grep -v -- '-security' | head -n 1)
		[ -n "$u" ] && { echo "$u"; return; }
	done
}

APT_OPTS=(
	-o "Dir::Etc::sourcelist=$APT_DIR/sources.list"
	-o "Dir::Etc::sourceparts=-"
	-o "Dir::State::Lists=$APT_DIR/lists"
	-o "Dir::State::status=$APT_DIR/status"
	-o "Dir::Cache=$APT_DIR/cache"
	-o "APT::Sandbox::User=root"
	-o "Debug::NoLocking=1"
)

# apt_update SUITE-LINES...: write the private sources list and update it.
# Refreshes at most once a day.
apt_setup() {
	local mirror=${MIRROR:-$(machine_mirror)}
	[ -n "$mirror" ] || return 1
	mkdir -p "$APT_DIR/lists/partial" "$APT_DIR/cache/archives/partial"
	: >>"$APT_DIR/status"
	cat >"$APT_DIR/sources.list.new" <<-EOF
	deb $mirror trixie-backports main
	deb-src $mirror sid main
	EOF
	if ! cmp -s "$APT_DIR/sources.list.new" "$APT_DIR/sources.list" ||
	   [ -z "$(find "$APT_DIR/lists" -maxdepth 1 -name '*InRelease' -mtime -1 2>/dev/null)" ]; then
		mv "$APT_DIR/sources.list.new" "$APT_DIR/sources.list"
		apt-get "${APT_OPTS[@]}" update >"$APT_DIR/update.log" 2>&1 || return 1
	else
		rm -f "$APT_DIR/sources.list.new"
	fi
	APT_MIRROR=$mirror
}
