#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Tests of the harness itself, on a miniature "Linux 7.3" tree and a
# two-step series in a scratch copy of the harness: assembly, export and
# the round trip, and each kind of bad input stopping with one clear
# message and leaving the repository untouched.  No kernel is built.
. "$(dirname "$0")/lib.sh"

T=$BUILD/selftest
rm -rf "$T"
mkdir -p "$T"
fails=0
n=0

ok() { n=$((n + 1)); echo "ok $n - $*"; }
not_ok() { n=$((n + 1)); fails=$((fails + 1)); echo "not ok $n - $*"; }

# mini kernel tree
mk_base() {	# DIR PATCHLEVEL
	mkdir -p "$1/arch/x86" "$1/scripts"
	printf 'VERSION = 7\nPATCHLEVEL = %s\nSUBLEVEL = 9\n' "$2" >"$1/Makefile"
	printf 'config X86\n\tbool\n' >"$1/arch/x86/Kconfig"
	printf 'FOO\nM:\tSomeone <a@example.org>\n\n' >"$1/MAINTAINERS"
}
mk_base "$T/base" 3
mk_base "$T/base-7.2" 2

# scratch repository: the harness plus a two-step series
R=$T/repo
mkdir -p "$R"
cp -r "$HARNESS" "$R/harness"
(cd "$R" && git init -q && printf '/build/\n' >.gitignore)
h() { (cd "$R" && env -u BUILD -u TREE -u LOGS LINUX_SRC=${SRC:-$T/base} bash "harness/$1.sh" "${@:2}"); }
tree() { git -C "$R/build/linux" "$@"; }
snapshot() { (cd "$R" && find . -path ./build -prune -o -type f -print | sort | xargs sha1sum); }

expect_fail() {	# DESCRIPTION PATTERN COMMAND...
	local desc=$1 pat=$2 out before after
	shift 2
	before=$(snapshot)
	if out=$("$@" 2>&1); then
		not_ok "$desc: succeeded"
		return
	fi
	after=$(snapshot)
	if ! grep -q -- "$pat" <<<"$out"; then
		not_ok "$desc: message lacks '$pat': $out"
	elif [ "$(grep -c '^error:' <<<"$out")" != 1 ]; then
		not_ok "$desc: not exactly one error line: $out"
	elif [ "$before" != "$after" ]; then
		not_ok "$desc: the repository changed"
	else
		ok "$desc"
	fi
}

# Build the series in the assembled tree and export it: the bootstrap path.
mkdir -p "$R/series/patches"
echo '# empty' >"$R/series/manifest"
h fetch >/dev/null && h assemble >/dev/null || { not_ok "assemble an empty series"; echo "0 passed, 1 failed"; exit 1; }
git -C "$R/build/linux" config user.name Tester
git -C "$R/build/linux" config user.email tester@example.org
printf 'config NEW_ONE\n\tbool "x"\n' >"$R/build/linux/Kconfig.new"
printf 'source "Kconfig.new"\n' >>"$R/build/linux/arch/x86/Kconfig"
printf 'BAR\nF:\tKconfig.new\n' >>"$R/build/linux/MAINTAINERS"
tree add -A && tree commit -q -m "x86: Add one" -m "Because." -m "Signed-off-by: Tester <tester@example.org>"
mkdir -p "$R/build/linux/drivers/two"
echo "int two;" >"$R/build/linux/drivers/two/two.c"
echo "F:	drivers/two/two.c" >>"$R/build/linux/MAINTAINERS"
tree add -A && tree commit -q -m "drivers: Add two" -m "Signed-off-by: Tester <tester@example.org>"
if h export >/dev/null && [ -f "$R/Kconfig.new" ] && [ -f "$R/drivers/two/two.c" ] &&
   [ "$(grep -c '^step ' "$R/series/manifest")" = 2 ] && grep -q '^new drivers/two/two.c' "$R/series/manifest" &&
   [ "$(ls "$R/series/patches" | wc -l)" = 2 ] && grep -q '^BAR' "$R/MAINTAINERS"; then
	ok "export writes two steps, their new files, the manifest and MAINTAINERS"
else
	not_ok "export of two commits"
fi
(cd "$R" && git add -A && git commit -q -m snapshot)

if h assemble >/dev/null && h export --check >/dev/null; then
	ok "round trip: assemble then export changes nothing"
else
	not_ok "round trip"
fi
head1=$(tree rev-parse HEAD)
h assemble >/dev/null
[ "$(tree rev-parse HEAD)" = "$head1" ] && ok "reassembling an unchanged series gives the same commits" ||
	not_ok "reassembly is not reproducible"

# ordinary git work: a fixup folded into the step that introduced the file
echo "int two_more;" >>"$R/build/linux/drivers/two/two.c"
tree commit -q -a --fixup=HEAD
expect_fail "export refuses a commit that edits an earlier step's new file" "edits drivers/two/two.c, a new file that commit" h export
expect_fail "assemble refuses to discard unexported commits" "not in the series" h assemble
(cd "$R/build/linux" && GIT_SEQUENCE_EDITOR=: git rebase -q -i --autosquash tdxc-base)
if h export >/dev/null && grep -q two_more "$R/drivers/two/two.c" && ! (cd "$R" && git diff --quiet -- series); then
	not_ok "a fixup of a new file changed a patch"
elif grep -q two_more "$R/drivers/two/two.c"; then
	ok "a fixup squashed with rebase -i --autosquash is exported into the overlay"
else
	not_ok "fixup export"
fi
(cd "$R" && git add -A && git commit -q -m fixup)
h assemble >/dev/null

# bad input, each with one message and the repository untouched
mv "$R/drivers/two/two.c" "$T/two.c"
expect_fail "a manifest naming a missing file" "introduces drivers/two/two.c, which does not exist" h assemble
mv "$T/two.c" "$R/drivers/two/two.c"

cp "$R/series/manifest" "$T/manifest"
echo "bogus line" >>"$R/series/manifest"
expect_fail "a malformed manifest line" "manifest:[0-9]*: unknown keyword 'bogus'" h assemble
cp "$T/manifest" "$R/series/manifest"

p1=$(ls "$R"/series/patches/0001-*.patch)
cp "$p1" "$T/p1"
sed -i 's/^ source "Kconfig.new"/ source "Kconfig.newer"/; s/^+source "Kconfig.new"/+source "Kconfig.newer"/; s/^-/-x/' "$p1"
sed -i '0,/^ bool/s//-bool/' "$p1"
expect_fail "a patch that no longer applies" "0001-.*does not apply" h assemble
cp "$T/p1" "$p1"

echo "stray" >"$R/drivers/two/stray.c"
expect_fail "an overlay file that no step introduces" "drivers/two/stray.c is in the repository but no step" h assemble
rm "$R/drivers/two/stray.c"

expect_fail "a base of the wrong version" "Linux 7.2.9, the series needs 7.3" env SRC="$T/base-7.2" bash -c "$(declare -f h); R=$R; T=$T; h fetch"
expect_fail "a LINUX_SRC that does not exist" "LINUX_SRC=/nonexistent is not a directory" env SRC=/nonexistent bash -c "$(declare -f h); R=$R; T=$T; h fetch"

# a corrupt download is named and removed
mkdir -p "$R/build/apt/debs"
echo "garbage" >"$R/build/apt/debs/linux-source-7.3_7.3.9-1_all.deb"
expect_fail "a corrupt download" "corrupt download" bash -c "cd '$R' && env -u LINUX_SRC -u BUILD -u TREE -u LOGS bash harness/fetch.sh"
[ ! -e "$R/build/apt/debs/linux-source-7.3_7.3.9-1_all.deb" ] && ok "the corrupt download is removed" ||
	not_ok "the corrupt download is still there"

h fetch >/dev/null && h assemble >/dev/null && h export --check >/dev/null &&
	ok "the repository still round-trips after the bad inputs" || not_ok "round trip after bad inputs"

rm -rf "$T"
echo "harness self-test: $((n - fails)) of $n passed"
[ $fails -eq 0 ]
