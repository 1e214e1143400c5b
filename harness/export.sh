#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Turn the assembled tree (build/linux, tdxc-base..HEAD), after ordinary
# git work on it, back into the repository: one patch per commit with the
# commit's changelog and its edits to upstream files, the manifest, the
# new files at their in-tree paths, and MAINTAINERS (the entry the series
# adds).
#
#   export.sh           write the result into the repository
#   export.sh --check   write it to build/roundtrip and compare with the
#                       repository; non-zero if anything differs
#
# A commit that edits or deletes a new file introduced by an earlier
# commit is refused: each new file is introduced whole by one step.  The
# repository is only written once the whole series has been exported.
. "$(dirname "$0")/lib.sh"

mode=write
[ "${1:-}" = "--check" ] && mode=check

[ -d "$TREE/.git" ] || die "no assembled tree in build/linux: run 'make assemble' first"
git_tree rev-parse -q --verify "$BASE_TAG" >/dev/null || die "build/linux has no $BASE_TAG tag"
[ -z "$(git_tree status --porcelain --untracked-files=no)" ] ||
	die "build/linux has uncommitted changes: commit them first"
merges=$(git_tree rev-list --merges "$BASE_TAG..HEAD" | head -n 1)
[ -z "$merges" ] || die "commit $(git_tree log -1 --format='%h ("%s")' "$merges") is a merge; the series must be linear"
git_tree merge-base --is-ancestor "$BASE_TAG" HEAD || die "HEAD of build/linux does not descend from $BASE_TAG"

stage=$BUILD/export.stage
rm -rf "$stage"
mkdir -p "$stage/series/patches"
manifest=$stage/series/manifest

# slug as git format-patch makes it
slug() {
	printf '%s' "$1" | sed -e 's/[^A-Za-z0-9._]\+/-/g' -e 's/\.\.\+/./g' -e 's/^[-.]*//' -e 's/[-.]*$//' | cut -c1-52 | sed -e 's/[-.]*$//'
}

{
	echo "# The steps of the series, in order.  'step PATCH' starts a step: PATCH in"
	echo "# series/patches/ holds its changelog and its edits to upstream files."
	echo "# 'new PATH' lines list the files the step introduces whole (kept at PATH"
	echo "# in this repository).  Written by 'make export'; edit it by hand or not."
} >"$manifest"

declare -A intro
n=0
for c in $(git_tree rev-list --reverse "$BASE_TAG..HEAD"); do
	n=$((n + 1))
	short=$(git_tree log -1 --format='%h ("%s")' "$c")
	subject=$(git_tree log -1 --format=%s "$c")
	name=$(printf '%04d-%s.patch' "$n" "$(slug "$subject")")
	upstream=()
	new=()
	while IFS=$'\t' read -r st path; do
		if git_tree cat-file -e "$BASE_TAG:$path" 2>/dev/null; then
			upstream+=("$path")
		elif [ "$st" = A ]; then
			new+=("$path")
			intro[$path]=$short
		else
			die "commit $short edits $path, a new file that commit ${intro[$path]:-?} introduces; each new file is introduced whole by one step: fold the change into that commit (git commit --fixup + git rebase -i --autosquash)"
		fi
	done < <(git_tree diff-tree -r --no-commit-id --name-status --no-renames "$c")

	{
		git_tree log -1 --format='From: %an <%ae>%nSubject: [PATCH] %s%n' "$c"
		git_tree log -1 --format=%b "$c" | sed -e :a -e '/^\n*$/{$d;N;ba' -e '}'
		echo "---"
		[ ${#upstream[@]} -eq 0 ] || git_tree diff --no-color --no-ext-diff "$c^" "$c" -- "${upstream[@]}"
	} >"$stage/series/patches/$name"

	printf '\nstep %s\n' "$name" >>"$manifest"
	for f in "${new[@]}"; do
		printf 'new %s\n' "$f" >>"$manifest"
		mkdir -p "$stage/$(dirname "$f")"
		git_tree show "$c:$f" >"$stage/$f"
		[ "$(git_tree ls-tree "$c" -- "$f" | cut -c1-6)" = 100755 ] && chmod +x "$stage/$f"
	done
done


derived=$(git_tree diff -U0 "$BASE_TAG" HEAD -- MAINTAINERS | sed -n 's/^+\([^+]\)/\1/p; s/^+$//p')
[ -z "$derived" ] || printf '%s\n' "$derived" >"$stage/MAINTAINERS"

# What the repository holds now, in the same shape.
current=$BUILD/export.current
rm -rf "$current"
mkdir -p "$current/series/patches"
cp "$MANIFEST" "$current/series/manifest" 2>/dev/null
cp "$PATCHES"/*.patch "$current/series/patches/" 2>/dev/null
[ -f "$REPO/MAINTAINERS" ] && cp "$REPO/MAINTAINERS" "$current/"
while read -r f; do
	mkdir -p "$current/$(dirname "$f")"
	cp -p "$REPO/$f" "$current/$f"
done < <(overlay_files)

if [ "$mode" = check ]; then
	rm -rf "$BUILD/roundtrip"
	mv "$stage" "$BUILD/roundtrip"
	if ! diff -ru "$current" "$BUILD/roundtrip" >"$BUILD/roundtrip.diff"; then
		head -n 40 "$BUILD/roundtrip.diff" >&2
		die "export of build/linux differs from the repository (full diff: build/roundtrip.diff)"
	fi
	rm -rf "$current"
	phase "round trip: exporting build/linux reproduces the repository ($n steps)"
	exit 0
fi

# Write: remove what the series no longer has, then copy the new state.
while read -r f; do
	[ -e "$stage/$f" ] || rm -f "$REPO/$f"
done < <(cd "$current" && find . -type f | sed 's|^\./||')
(cd "$stage" && find . -type f | sed 's|^\./||') | while read -r f; do
	mkdir -p "$REPO/$(dirname "$f")"
	cp -p "$stage/$f" "$REPO/$f"
done
# drop folders the removals emptied
for top in $OVERLAY_TOP; do
	[ -d "$REPO/$top" ] && find "$REPO/$top" -type d -empty -delete
done
rm -rf "$stage" "$current"
git_tree update-ref "$ASSEMBLED_REF" HEAD
phase "exported $n steps from build/linux into series/ and the overlay"
if (cd "$REPO" && git status --porcelain -- . ':!harness' ':!.ci' ':!README.md' ':!Makefile' | grep -q .); then
	(cd "$REPO" && git status --short -- . ':!harness' ':!.ci' ':!README.md' ':!Makefile')
fi
