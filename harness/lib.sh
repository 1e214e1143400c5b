# SPDX-License-Identifier: GPL-2.0
# Common helpers for the harness scripts.  Sourced, never run.
#
# Layout (all below the repository root, $REPO):
#   series/manifest       the steps, in order, and the new files each introduces
#   series/patches/*.patch one patch per step: changelog + edits to upstream files
#   series/cover-letter   subject line, blank line, cover letter body
#   harness/              these scripts and the Kconfig fragments
#   build/                everything generated (git-ignored)

set -o pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BUILD=${BUILD:-$REPO/build}
SERIES=$REPO/series
MANIFEST=$SERIES/manifest
PATCHES=$SERIES/patches
HARNESS=$REPO/harness
TREE=${TREE:-$BUILD/linux}	# the assembled git tree
OUT=$BUILD/out			# mail, quilt and config outputs
LOGS=${LOGS:-$BUILD/logs}
JOBS=${JOBS:-$(nproc)}
BASE_VERSION_WANTED=7.3
BASE_TAG=tdxc-base		# base commit in $TREE
ASSEMBLED_REF=refs/tdxc/assembled	# what assemble last produced

# The series' placeholder identity: the author of the steps in
# series/patches and the committer of assembly.  It is nobody's: make
# series mails the patches as the person who runs it (sender_ident).
SERIES_NAME="TDX Connect series"
SERIES_EMAIL="tdx-connect@example.org"

# Fixed identities and dates make assembly reproducible: the same series
# gives the same commit ids, so an unchanged step does not touch the tree.
export GIT_COMMITTER_NAME="$SERIES_NAME"
export GIT_COMMITTER_EMAIL="$SERIES_EMAIL"
export GIT_COMMITTER_DATE="2026-01-01T00:00:00Z"
export GIT_AUTHOR_DATE="$GIT_COMMITTER_DATE"

HARNESS_T0=${HARNESS_T0:-$(date +%s)}
export HARNESS_T0

die() {
	printf 'error: %s\n' "$*" >&2
	exit 1
}

# A line per phase, with the time since the command started.
phase() {
	local now=$(date +%s)
	local el=$((now - HARNESS_T0))
	printf '[%02d:%02d] %s\n' $((el / 60)) $((el % 60)) "$*"
}

# core.abbrev is pinned: git's automatic abbreviation grows with the
# number of objects in build/linux, and the index lines of the exported
# patches must not depend on how many old commits the tree has kept.
git_tree() {
	git -C "$TREE" -c core.abbrev=7 "$@"
}

# The person who mails the series: SENDER ("Name <mail>"), SENDER_NAME,
# SENDER_EMAIL and SENDER_FROM (where it came from).  AUTHOR="Name <mail>"
# if it is set, else git's author identity in the repository (user.name and
# user.email, or GIT_AUTHOR_NAME and GIT_AUTHOR_EMAIL), never one that git
# would guess from the host.  One error if there is none, if it is not of
# the form "Name <mail>", or if it is the series' placeholder.
sender_ident() {
	local ident how
	local hint="set yours with: git config user.name 'Your Name'; git config user.email you@example.com (or: make series AUTHOR=\"Your Name <you@example.com>\")"
	if [ -n "${AUTHOR:-}" ]; then
		ident=$AUTHOR
		how="AUTHOR"
	else
		ident=$(git -C "$REPO" -c user.useConfigOnly=true var GIT_AUTHOR_IDENT 2>/dev/null) ||
			die "no identity to mail the patches as: git has no user.name or no user.email here; $hint"
		ident=${ident% * *}	# without the date
		how="git config"
	fi
	local re='^[[:space:]]*([^<>[:space:]]([^<>]*[^<>[:space:]])?)[[:space:]]*<([^<>@[:space:]]+@[^<>@[:space:]]+)>[[:space:]]*$'
	if [ "$(printf '%s' "$ident" | wc -l)" != 0 ] || ! [[ $ident =~ $re ]]; then
		die "$how identity '$ident' is not of the form \"Name <mail>\" (a name, then an address with an @ in <>); $hint"
	fi
	SENDER_NAME=${BASH_REMATCH[1]}
	SENDER_EMAIL=${BASH_REMATCH[3]}
	SENDER="$SENDER_NAME <$SENDER_EMAIL>"
	SENDER_FROM=$how
	if [ "${SENDER_EMAIL,,}" = "${SERIES_EMAIL,,}" ] || [ "$SENDER_NAME" = "$SERIES_NAME" ]; then
		die "$how identity '$SENDER' is the series' placeholder ($SERIES_NAME <$SERIES_EMAIL>), not a person; $hint"
	fi
}

# get_maintainer.pl without git history (nothing slow), with its roles:
# the M: of an entry go in To:, its R: and L: in Cc:.  For b4, the same
# split as two commands: b4.send-auto-to-cmd and b4.send-auto-cc-cmd.
GM_OPTS=(--no-git --no-git-fallback --no-git-chief-penguins)
GM_TO_CMD="--no-rolestats --no-l --no-r"
GM_CC_CMD="--no-rolestats --no-m"

# Everything in the repository that is not the harness is overlay: the
# series' new files at their in-tree paths.  MAINTAINERS (the entry the
# series adds) is derived from the patches and handled apart.
NOT_OVERLAY='^(harness/|series/|\.ci/|\.gitignore$|README\.md$|Makefile$|MAINTAINERS$)'
# Top-level folders of the overlay, for tidying up after an export.
OVERLAY_TOP="arch drivers include Documentation tools"

# Parse the manifest into parallel arrays:
#   STEP_PATCH[i]  patch file name of step i (0-based)
#   STEP_NEW[i]    space separated new files of step i
#   NEW_STEP[path] index of the step introducing path
# Fails with file:line on malformed input.
declare -a STEP_PATCH STEP_NEW
declare -A NEW_STEP
read_manifest() {
	local manifest=${1:-$MANIFEST}
	local lineno=0 kw arg extra n=-1

	[ -f "$manifest" ] || die "$manifest: no manifest"
	STEP_PATCH=()
	STEP_NEW=()
	NEW_STEP=()
	while IFS= read -r line || [ -n "$line" ]; do
		lineno=$((lineno + 1))
		line=${line%%#*}
		read -r kw arg extra <<<"$line"
		[ -n "$kw" ] || continue
		[ -z "$extra" ] || die "$manifest:$lineno: one path per line"
		case "$kw" in
		step)
			[ -n "$arg" ] || die "$manifest:$lineno: 'step' needs a patch file"
			n=$((n + 1))
			STEP_PATCH[n]=$arg
			STEP_NEW[n]=""
			;;
		new)
			[ $n -ge 0 ] || die "$manifest:$lineno: 'new $arg' before the first 'step'"
			[ -n "$arg" ] || die "$manifest:$lineno: 'new' needs a path"
			case "$arg" in
			/* | *..* | ./*) die "$manifest:$lineno: '$arg' must be a relative in-tree path" ;;
			esac
			[ -z "${NEW_STEP[$arg]+x}" ] ||
				die "$manifest:$lineno: $arg is already introduced by step $((NEW_STEP[$arg] + 1)) (${STEP_PATCH[NEW_STEP[$arg]]})"
			NEW_STEP[$arg]=$n
			STEP_NEW[n]="${STEP_NEW[n]} $arg"
			;;
		*)
			die "$manifest:$lineno: unknown keyword '$kw' (expected 'step' or 'new')"
			;;
		esac
	done <"$manifest"
	:
}

# Files of the overlay as the repository holds them (tracked or not,
# ignoring what .gitignore ignores).
overlay_files() {
	(cd "$REPO" && git ls-files --cached --others --exclude-standard | sort -u | grep -Ev "$NOT_OVERLAY" |
		while read -r f; do [ -f "$f" ] && printf '%s\n' "$f"; done)
}

# The base tree as recorded by fetch.sh.
base_dir() {
	[ -f "$BUILD/base/path" ] || die "no base tree yet: run 'make fetch' (or set LINUX_SRC=/path/to/linux-7.3)"
	cat "$BUILD/base/path"
}

# Kconfig lines on stdin -> one line per option, the last value winning,
# comments dropped ("# CONFIG_X is not set" kept as a value).
merge_fragments() {
	awk '/^CONFIG_[A-Za-z0-9_]+=/ { n = substr($0, 1, index($0, "=") - 1) }
	     /^# CONFIG_[A-Za-z0-9_]+ is not set/ { n = $2 }
	     n != "" { if (!(n in v)) o[++k] = n; v[n] = $0; n = "" }
	     END { for (i = 1; i <= k; i++) print v[o[i]] }'
}

# with_progress LABEL LOG DIR COMMAND...: run COMMAND with its output in
# LOG, printing a phase line every minute while it runs (with the number
# of objects in the build folder DIR), so that a long build is not
# minutes of silence.  Returns COMMAND's status.
with_progress() {
	local label=$1 log=$2 dir=$3 pid
	shift 3
	"$@" >"$log" 2>&1 &
	pid=$!
	while ! wait_for "$pid" 60; do
		phase "$label: $(find "$dir" -name '*.o' 2>/dev/null | wc -l) objects so far"
	done
	wait "$pid"
}

wait_for() {	# PID SECONDS: true once PID has exited
	local i
	for ((i = 0; i < $2; i++)); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 1
	done
	! kill -0 "$1" 2>/dev/null
}
