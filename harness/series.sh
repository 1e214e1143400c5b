#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0
# Series outputs from the assembled tree (build/linux, tdxc-base..HEAD):
#   build/out/mail/     git format-patch --cover-letter --base, for mailing
#                       (cover letter text from series/cover-letter), with
#                       To: and Cc: from scripts/get_maintainer.pl
#   build/out/quilt/    patches/ and patches/series for "quilt push -a" on
#                       a pristine linux-source-7.3 tree
#   build/out/tdx-connect.config
#                       Kconfig fragment for scripts/kconfig/merge_config.sh
# Both patch sets carry the From: and Signed-off-by: of the sender, not the
# series' placeholder: AUTHOR="Name <mail>", else git's user.name and
# user.email (sender_ident in lib.sh).  They are made from the branch
# tdxc-mail of build/linux: the series' commits with the sender as author
# (where the placeholder was) and the sender's Signed-off-by (in place of
# the placeholder's), rewritten on every run.
# BASE_COMMIT=<sha> sets the base-commit: trailer to the upstream commit the
# base tree corresponds to; by default it names the imported base commit.
# SUBJECT_PREFIX (default PATCH) and VERSION (vN) shape the subjects.
# "series.sh --check-sender" only checks the sender, before assembly.
. "$(dirname "$0")/lib.sh"

MAIL_BRANCH=tdxc-mail

if [ "${1:-}" = "--check-sender" ]; then
	sender_ident
	exit 0
fi

[ -d "$TREE/.git" ] || die "no assembled tree in build/linux: run 'make assemble' first"
cover=$SERIES/cover-letter
[ -f "$cover" ] || die "$cover: no cover letter text"

n=$(git_tree rev-list --count "$BASE_TAG..HEAD")
[ "$n" -gt 0 ] || die "build/linux has no commits on top of $BASE_TAG"
[ "$(git_tree symbolic-ref -q HEAD)" != "refs/heads/$MAIL_BRANCH" ] ||
	die "build/linux has $MAIL_BRANCH checked out, which make series rewrites: check out the series branch (git -C build/linux checkout series)"
sender_ident

work=$(mktemp -d "$BUILD/series.XXXXXX")
trap 'rm -rf "$work"' EXIT

# --- the mailed branch: the same trees, the sender's identity ---------------
ph_sob="Signed-off-by: $SERIES_NAME <$SERIES_EMAIL>"
my_sob="Signed-off-by: $SENDER"
ph_m="M:	$SERIES_NAME <$SERIES_EMAIL>"
prev=$(git_tree rev-parse "$BASE_TAG^{commit}")
for c in $(git_tree rev-list --reverse "$BASE_TAG..HEAD"); do
	mapfile -t a < <(git_tree log -1 --format='%an%n%ae%n%ad%n%T' --date=raw "$c")
	aname=${a[0]} amail=${a[1]}
	if [ "${amail,,}" = "${SERIES_EMAIL,,}" ] || [ "$aname" = "$SERIES_NAME" ]; then
		aname=$SENDER_NAME
		amail=$SENDER_EMAIL
	fi
	# the message exactly as committed; the placeholder's sign-off becomes
	# the sender's, and the sender signs off once
	git_tree cat-file commit "$c" | sed '1,/^$/d' |
		awk -v ph="$ph_sob" -v me="$my_sob" '
			$0 == me { if (seen) next; seen = 1 }
			$0 == ph { if (!seen) print me; seen = 1; next }
			{ print }' >"$work/msg"
	grep -qxF "$my_sob" "$work/msg" ||
		git interpret-trailers --in-place --no-divider --if-exists addIfDifferent \
			--trailer "$my_sob" "$work/msg"
	# the series' MAINTAINERS entry names its maintainer: the sender
	tree=${a[3]}
	# (grep without -q: under pipefail an early exit would fail git show)
	if git_tree show "$tree:MAINTAINERS" 2>/dev/null | grep -xF "$ph_m" >/dev/null; then
		blob=$(git_tree show "$tree:MAINTAINERS" |
			awk -v ph="$ph_m" -v me="M:	$SENDER" '$0 == ph { print me; next } { print }' |
			git_tree hash-object -w --stdin) &&
			GIT_INDEX_FILE=$work/index git_tree read-tree "$tree" &&
			GIT_INDEX_FILE=$work/index git_tree update-index --cacheinfo "100644,$blob,MAINTAINERS" &&
			tree=$(GIT_INDEX_FILE=$work/index git_tree write-tree) ||
			die "could not name the sender in MAINTAINERS for $(git_tree log -1 --format='%h ("%s")' "$c")"
	fi
	prev=$(GIT_AUTHOR_NAME=$aname GIT_AUTHOR_EMAIL=$amail GIT_AUTHOR_DATE=${a[2]} \
		GIT_COMMITTER_NAME=$SENDER_NAME GIT_COMMITTER_EMAIL=$SENDER_EMAIL \
		git_tree commit-tree "$tree" -p "$prev" -F "$work/msg") ||
		die "git commit-tree failed for $(git_tree log -1 --format='%h ("%s")' "$c")"
done
git_tree update-ref -m "make series" "refs/heads/$MAIL_BRANCH" "$prev" ||
	die "could not update $MAIL_BRANCH in build/linux"
phase "series: $n commits as $SENDER (from $SENDER_FROM) in build/linux branch $MAIL_BRANCH"

# format-patch takes the cover letter's From: from the committer
as_sender() {
	GIT_COMMITTER_NAME=$SENDER_NAME GIT_COMMITTER_EMAIL=$SENDER_EMAIL git_tree "$@"
}

mail=$OUT/mail
quilt=$OUT/quilt
rm -rf "$mail" "$quilt"
vopt=()
[ -n "${VERSION:-}" ] && vopt=(-v "${VERSION#v}")
as_sender format-patch -q --cover-letter --base="$BASE_TAG" \
	--subject-prefix="${SUBJECT_PREFIX:-PATCH}" "${vopt[@]}" \
	-o "$mail" "$BASE_TAG..$MAIL_BRANCH" || die "git format-patch failed"
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

# --- addressees: get_maintainer.pl on each patch, in the assembled tree ------
gm() {	# PATCH OUT: OUT.gm, and OUT.ok once it ran
	(cd "$TREE" && perl scripts/get_maintainer.pl "${GM_OPTS[@]}" "$1" >"$2.gm" 2>"$2.err" </dev/null) &&
		: >"$2.ok"
}
[ -f "$TREE/scripts/get_maintainer.pl" ] || die "build/linux has no scripts/get_maintainer.pl"
running=0
for p in "$mail"/*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	gm "$p" "$work/$(basename "$p")" &
	running=$((running + 1))
	if [ "$running" -ge "$JOBS" ]; then
		wait -n
		running=$((running - 1))
	fi
done
wait
for p in "$mail"/*.patch; do
	case "$p" in *0000-cover-letter.patch) continue ;; esac
	[ -f "$work/$(basename "$p").ok" ] ||
		die "scripts/get_maintainer.pl failed on $(basename "$p"): $(head -n 3 "$work/$(basename "$p").err")"
done
# Each patch goes To: its maintainers and Cc: its reviewers and lists; the
# cover letter to all of them: To: whoever is a maintainer for one of the
# patches, Cc: the others.  The placeholder (the M: of the series' own
# MAINTAINERS entry) is nobody, and is left out.
counts=$(python3 - "$work" "$SERIES_EMAIL" "$mail"/*.patch <<'EOF'
import os, re, sys
work, placeholder, paths = sys.argv[1], sys.argv[2].lower(), sys.argv[3:]

def addrs(path):
    """get_maintainer.pl's lines (with roles) -> To: and Cc: lists of
    (mail, address) pairs: an M: of any entry in To:, reviewers and
    lists in Cc:."""
    to, cc = [], []
    for line in open(path, encoding='utf-8'):
        line = line.strip()
        m = (re.match(r'^(.*?<([^<>]+)>)\s*(?:\((.*)\))?$', line) or
             re.match(r'^(([^\s<>]+@[^\s<>]+))\s*(?:\((.*)\))?$', line))
        if not line:
            continue
        if not m:
            sys.exit('%s: cannot parse "%s"' % (path, line))
        addr, mail, roles = m.group(1), m.group(2).lower(), m.group(3) or ''
        if mail == placeholder:
            continue
        maint = re.search(r'(^|,)(maintainer|chief penguin)(:|,|$)', roles)
        (to if maint else cc).append((mail, addr))
    tomails = {m for m, _ in to}
    return to, [(m, a) for m, a in cc if m not in tomails]

def insert(path, to, cc):
    text = open(path, encoding='utf-8').read()
    head, sep, rest = text.partition('\n\n')
    hdrs = ''
    for name, lst in (('To', to), ('Cc', cc)):
        if lst:
            hdrs += '\n%s: %s' % (name, ',\n    '.join(lst))
    open(path, 'w', encoding='utf-8').write(head + hdrs + sep + rest)

cover, cover_to, cover_cc = None, {}, {}
for path in paths:
    if path.endswith('0000-cover-letter.patch'):
        cover = path
        continue
    to, cc = addrs(os.path.join(work, os.path.basename(path)) + '.gm')
    for lst, dest in ((to, cover_to), (cc, cover_cc)):
        for m, a in lst:
            dest.setdefault(m, a)
    insert(path, [a for _, a in to], [a for _, a in cc])
cover_cc = [a for m, a in cover_cc.items() if m not in cover_to]
cover_to = list(cover_to.values())
insert(cover, cover_to, cover_cc)
print('%d in To:, %d in Cc:' % (len(cover_to), len(cover_cc)))
EOF
) || die "could not write the To: and Cc: headers"
phase "series: To: and Cc: from scripts/get_maintainer.pl in every patch (cover letter: $counts)"

mkdir -p "$quilt/patches"
git_tree format-patch -q --no-numbered --zero-commit -o "$quilt/patches" "$BASE_TAG..$MAIL_BRANCH" ||
	die "git format-patch failed"
(cd "$quilt/patches" && ls ./*.patch | sed 's|^\./||') >"$quilt/patches/series"
phase "series: quilt series in build/out/quilt/patches (series file included)"

# No patch may go out as the placeholder: not in From:, a sign-off, the
# addressees (folded headers unfolded), the cover letter's shortlog or
# anywhere in a diff (the MAINTAINERS entry names the sender).
left=$(python3 - "$SERIES_NAME" "$SERIES_EMAIL" "$mail"/*.patch "$quilt/patches"/*.patch <<'EOF'
import re, sys
name, mail = sys.argv[1:3]
ph = '(%s|%s)' % (re.escape(name), re.escape(mail))
for path in sys.argv[3:]:
    head, _, body = open(path, encoding='utf-8').read().partition('\n\n')
    lines = re.sub(r'\n[ \t]+', ' ', head).split('\n') + body.split('\n---\n')[0].split('\n')
    for line in lines:
        if (re.match(r'(From|Signed-off-by|Co-developed-by|To|Cc|Author|Commit):.*' + ph, line, re.I) or
                re.match(re.escape(name) + r' \(\d+\):$', line)):
            print('%s: %s' % (path, line))
    for line in body.split('\n'):
        if re.search(re.escape(mail), line, re.I):
            print('%s: %s' % (path, line))
EOF
) || die "could not check the patches for the placeholder identity"
if [ -n "$left" ]; then
	rm -rf "$mail" "$quilt"
	die "a patch would still go out as the placeholder $SERIES_NAME <$SERIES_EMAIL> (outputs removed):
$(head -n 3 <<<"$left")"
fi

cp "$HARNESS/configs/tdx-connect.config" "$OUT/tdx-connect.config"
phase "series: Kconfig fragment in build/out/tdx-connect.config"
