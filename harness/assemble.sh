#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Assemble the series into a git tree under build/linux: the base commit
# (tag tdxc-base), then one commit per manifest step carrying the step's
# changelog, its edits to upstream files and the new files it introduces.
#
# Commits are built with a private index and fixed dates, so the same
# series gives the same commit ids and files that did not change keep
# their timestamps (incremental kernel builds stay incremental).
# Writes nothing outside build/.
. "$(dirname "$0")/lib.sh"

base=$(base_dir)
version=$(cat "$BUILD/base/version")
read_manifest

# --- validate the repository side before touching anything -------------
for i in "${!STEP_PATCH[@]}"; do
	p=$PATCHES/${STEP_PATCH[i]}
	[ -f "$p" ] || die "$MANIFEST: step $((i + 1)) names ${STEP_PATCH[i]}, which does not exist in series/patches/"
	for f in ${STEP_NEW[i]}; do
		[ -f "$REPO/$f" ] || die "$MANIFEST: step $((i + 1)) (${STEP_PATCH[i]}) introduces $f, which does not exist in the repository"
		[ ! -e "$base/$f" ] || die "$MANIFEST: step $((i + 1)) introduces $f, but Linux $version already has that file: edit it in the step's patch instead"
	done
done
while read -r f; do
	[ -n "${NEW_STEP[$f]+x}" ] || die "$f is in the repository but no step in series/manifest introduces it (add 'new $f' under its step)"
done < <(overlay_files)
for p in "$PATCHES"/*.patch; do
	[ -e "$p" ] || continue
	printf '%s\n' "${STEP_PATCH[@]}" | grep -qxF "$(basename "$p")" ||
		die "$p is not named by any step in series/manifest"
done

# --- the base commit ------------------------------------------------------
stamp="$base $version"
if [ ! -d "$TREE/.git" ] || [ "$(cat "$TREE/.git/tdxc-base" 2>/dev/null)" != "$stamp" ]; then
	phase "importing the base tree into build/linux (once per base)"
	rm -rf "$TREE"
	mkdir -p "$TREE"
	git init -q -b series "$TREE" || die "git init $TREE failed"
	git_tree config core.autocrlf false
	git_tree config gc.auto 0
	git -C "$TREE" --work-tree="$base" add -A -f . ||
		die "could not import $base into $TREE"
	GIT_AUTHOR_NAME=Linux GIT_AUTHOR_EMAIL=linux@example.org \
		git_tree commit -q --no-verify -m "$version" ||
		die "could not commit the base tree"
	git_tree tag -f "$BASE_TAG" >/dev/null
	git_tree update-ref "$ASSEMBLED_REF" HEAD
	phase "checking out the base tree"
	git_tree checkout -q -f series || die "could not check out the base tree"
	# Debian's source package adds "/*" (ignore everything at the top
	# level) to .gitignore, which would hide new files from "git add"
	# in build/linux.  Drop that rule from the work tree copy only; the
	# base commit stays as the package has it.
	if grep -qx '/\*' "$TREE/.gitignore" 2>/dev/null; then
		sed -i -e '/^\/\*$/d' -e '/^!\/debian\/$/d' "$TREE/.gitignore"
		git_tree update-index --skip-worktree .gitignore
	fi
	printf '%s\n' "$stamp" >"$TREE/.git/tdxc-base"
fi

# --- build the commit chain with a private index ---------------------------
work=$(mktemp -d "$BUILD/assemble.XXXXXX")
trap 'rm -rf "$work"' EXIT
export GIT_INDEX_FILE=$work/index
prev=$(git_tree rev-parse "$BASE_TAG^{commit}")
for i in "${!STEP_PATCH[@]}"; do
	pname=${STEP_PATCH[i]}
	p=$PATCHES/$pname
	where="series/patches/$pname (step $((i + 1)))"
	git_tree mailinfo -u "$work/msg" "$work/diff" <"$p" >"$work/info" ||
		die "$where: not a patch in git format-patch form"
	subject=$(sed -n 's/^Subject: //p' "$work/info")
	aname=$(sed -n 's/^Author: //p' "$work/info")
	amail=$(sed -n 's/^Email: //p' "$work/info")
	[ -n "$subject" ] || die "$where: no Subject: line"
	[ -n "$aname" ] && [ -n "$amail" ] || die "$where: no From: line with a name and an address"
	git_tree read-tree "$prev" || die "git read-tree failed"
	if [ -s "$work/diff" ]; then
		nf=$(awk '/^diff --git / { f = substr($3, 3) } /^new file mode/ { print f; exit }' "$work/diff")
		[ -z "$nf" ] || die "$where creates $nf: a new file belongs in the overlay, listed with 'new $nf' in series/manifest"
		if ! git_tree apply --cached --whitespace=nowarn "$work/diff" 2>"$work/err"; then
			die "$where does not apply to the tree of the previous step:
$(sed 's/^/  /' "$work/err")"
		fi
	fi
	for f in ${STEP_NEW[i]}; do
		! git_tree cat-file -e "$prev:$f" 2>/dev/null ||
			die "$MANIFEST: step $((i + 1)) introduces $f, but an earlier step already has it"
		mode=100644
		[ -x "$REPO/$f" ] && mode=100755
		blob=$(git_tree hash-object -w --no-filters "$REPO/$f") || die "cannot read $f"
		git_tree update-index --add --cacheinfo "$mode,$blob,$f" || die "cannot add $f"
	done
	tree=$(git_tree write-tree) || die "git write-tree failed"
	# What the changelog has below its own '---' (the review history of
	# earlier postings) stays in the commit message, below a '---' line,
	# so that git format-patch mails it and git am leaves it out of history.
	awk 'NR == 1 && /^---$/ { next } /^diff --git / { exit } { print }' "$work/diff" |
		sed -e :a -e '/^\n*$/{$d;N;ba' -e '}' | sed '${/^---$/d}' >"$work/notes"
	{
		printf '%s\n' "$subject"
		[ -s "$work/msg" ] && { echo; cat "$work/msg"; }
		[ -s "$work/notes" ] && { echo "---"; cat "$work/notes"; }
	} >"$work/commitmsg"
	prev=$(GIT_AUTHOR_NAME=$aname GIT_AUTHOR_EMAIL=$amail git_tree commit-tree "$tree" -p "$prev" -F "$work/commitmsg") ||
		die "git commit-tree failed for $where"
done
unset GIT_INDEX_FILE
new=$prev

# The overlay's MAINTAINERS is the entry the steps add; it is derived,
# so it must agree with the patches.
derived=$(git_tree diff -U0 "$BASE_TAG" "$new" -- MAINTAINERS | sed -n 's/^+\([^+]\)/\1/p; s/^+$//p')
have=$(cat "$REPO/MAINTAINERS" 2>/dev/null)
[ "$derived" = "$have" ] ||
	die "MAINTAINERS in the repository is not the entry the step patches add to MAINTAINERS; edit the entry in the patches (or in build/linux and run 'make export')"

# --- move the work tree only if it holds nothing unexported ------------------
head=$(git_tree rev-parse HEAD)
if [ "$head" != "$new" ]; then
	if [ -z "${FORCE:-}" ]; then
		dirty=$(git_tree status --porcelain | head -n 5)
		[ -z "$dirty" ] || die "build/linux has uncommitted changes; commit them and run 'make export', or rerun with FORCE=1 to discard them:
$dirty"
		if [ "$head" != "$(git_tree rev-parse "$ASSEMBLED_REF")" ]; then
			mine=$(git_tree log --format='%T %B' "$BASE_TAG..$head" | sha1sum)
			theirs=$(git_tree log --format='%T %B' "$BASE_TAG..$new" | sha1sum)
			[ "$mine" = "$theirs" ] || die "build/linux has commits that are not in the series (HEAD $(git_tree log -1 --format='%h %s' HEAD)); run 'make export' first, or rerun with FORCE=1 to discard them"
		fi
	fi
	git_tree reset -q --hard "$new" || die "could not check out the assembled series"
fi
git_tree update-ref "$ASSEMBLED_REF" "$new"
phase "assembled ${#STEP_PATCH[@]} steps on $version: build/linux at $(git_tree log -1 --format='%h %s' HEAD)"
