#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Series outputs from the assembled tree (build/linux, tdxc-base..HEAD):
#   build/out/mail/     git format-patch --cover-letter --base, for mailing
#                       (cover letter text from series/cover-letter)
#   build/out/quilt/    patches/ and patches/series for "quilt push -a" on
#                       a pristine linux-source-7.3 tree
#   build/out/tdx-connect.config
#                       Kconfig fragment for scripts/kconfig/merge_config.sh
# BASE_COMMIT=<sha> sets the base-commit: trailer to the upstream commit the
# base tree corresponds to; by default it names the imported base commit.
# SUBJECT_PREFIX (default PATCH) and VERSION (vN) shape the subjects.
. "$(dirname "$0")/lib.sh"

[ -d "$TREE/.git" ] || die "no assembled tree in build/linux: run 'make assemble' first"
cover=$SERIES/cover-letter
[ -f "$cover" ] || die "$cover: no cover letter text"

n=$(git_tree rev-list --count "$BASE_TAG..HEAD")
[ "$n" -gt 0 ] || die "build/linux has no commits on top of $BASE_TAG"

mail=$OUT/mail
rm -rf "$mail"
vopt=()
[ -n "${VERSION:-}" ] && vopt=(-v "${VERSION#v}")
git_tree format-patch -q --cover-letter --base="$BASE_TAG" \
	--subject-prefix="${SUBJECT_PREFIX:-PATCH}" "${vopt[@]}" \
	-o "$mail" "$BASE_TAG..HEAD" || die "git format-patch failed"
cl=$(ls "$mail"/*0000-cover-letter.patch)
subject=$(head -n 1 "$cover")
body=$(tail -n +3 "$cover")
python3 - "$cl" "$subject" "$body" <<'EOF' || die "could not fill the cover letter"
import sys
path, subject, body = sys.argv[1:4]
text = open(path).read()
if '*** SUBJECT HERE ***' not in text or '*** BLURB HERE ***' not in text:
    sys.exit('cover letter template changed')
text = text.replace('*** SUBJECT HERE ***', subject).replace('*** BLURB HERE ***', body)
open(path, 'w').write(text)
EOF
if [ -n "${BASE_COMMIT:-}" ]; then
	sed -i "s/^base-commit: .*/base-commit: $BASE_COMMIT/" "$mail"/*.patch
fi
phase "series: $n patches and a cover letter in build/out/mail"

quilt=$OUT/quilt
rm -rf "$quilt"
mkdir -p "$quilt/patches"
git_tree format-patch -q --no-numbered --zero-commit -o "$quilt/patches" "$BASE_TAG..HEAD" ||
	die "git format-patch failed"
(cd "$quilt/patches" && ls ./*.patch | sed 's|^\./||') >"$quilt/patches/series"
phase "series: quilt series in build/out/quilt/patches (series file included)"

cp "$HARNESS/configs/tdx-connect.config" "$OUT/tdx-connect.config"
phase "series: Kconfig fragment in build/out/tdx-connect.config"
